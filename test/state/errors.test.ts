import { describe, expect, it } from 'vitest';
import { faultOf } from '../../lib/http/fault.ts';
import { StateStorageError } from '../../lib/state/index.ts';

describe('StateStorageError', () => {
  it.each([
    { case: 'Object Storage answered 503', status: 503, fault: 'outside' },
    { case: 'Object Storage answered 500', status: 500, fault: 'outside' },
    { case: 'no answer (network)', status: undefined, fault: 'outside' },
    { case: 'access denied (403)', status: 403, fault: 'ours' },
    { case: 'no such bucket (404)', status: 404, fault: 'ours' },
  ])('is the $fault fault when $case', (row) => {
    const cause = Object.assign(new Error('from the S3 client'), {
      ...(row.status === undefined
        ? {}
        : { $metadata: { httpStatusCode: row.status } }),
    });

    const error = new StateStorageError('write', 'state', 'dev/state.json', {
      cause,
    });

    expect(faultOf(error)).toBe(row.fault);
  });
});
