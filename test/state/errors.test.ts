import { describe, expect, it } from 'vitest';
import { faultOf } from '../../lib/http/fault.ts';
import { LockStorageError } from '../../lib/lock/index.ts';
import { StateStorageError } from '../../lib/state/index.ts';

const ERRORS = [
  {
    error: 'StateStorageError',
    wrap: (cause: Error) =>
      new StateStorageError('write', 'state', 'dev/state.json', { cause }),
  },
  {
    error: 'LockStorageError',
    wrap: (cause: Error) =>
      new LockStorageError('state', 'the lock could not be read', { cause }),
  },
];

describe.each(ERRORS)('$error', ({ wrap }) => {
  it.each([
    {
      case: 'Object Storage answered 503',
      cause: { status: 503 },
      fault: 'outside',
    },
    {
      case: 'Object Storage answered 500',
      cause: { status: 500 },
      fault: 'outside',
    },
    {
      case: 'Object Storage throttled (429)',
      cause: { status: 429 },
      fault: 'outside',
    },
    {
      case: 'the connection was refused',
      cause: { code: 'ECONNREFUSED' },
      fault: 'outside',
    },
    {
      case: 'the request timed out',
      cause: { name: 'TimeoutError' },
      fault: 'outside',
    },
    { case: 'access denied (403)', cause: { status: 403 }, fault: 'ours' },
    { case: 'no such bucket (404)', cause: { status: 404 }, fault: 'ours' },
    { case: 'a bug (TypeError)', cause: { name: 'TypeError' }, fault: 'ours' },
    {
      case: 'no credentials',
      cause: { name: 'CredentialsProviderError' },
      fault: 'ours',
    },
  ])('is the $fault fault when $case', (row) => {
    const { status, code, name } = row.cause as {
      status?: number;
      code?: string;
      name?: string;
    };
    const cause = Object.assign(new Error('from the S3 client'), {
      ...(status === undefined
        ? {}
        : { $metadata: { httpStatusCode: status } }),
      ...(code === undefined ? {} : { code }),
      ...(name === undefined ? {} : { name }),
    });

    expect(faultOf(wrap(cause))).toBe(row.fault);
  });

  it('is the outside fault when fetch failed to connect', () => {
    const cause = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });

    expect(faultOf(wrap(cause))).toBe('outside');
  });
});
