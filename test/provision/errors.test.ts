import { describe, expect, it } from 'vitest';

import { errorResponse } from '../../lib/http/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { ProvisionStepError } from '../../lib/provision/errors.ts';
import {
  ScalewayConflictError,
  ScalewayInvalidRequestError,
  ScalewayUnavailableError,
} from '../../lib/scaleway/index.ts';

const ITEM = {
  kind: 'database-user',
  name: 'evalap',
  action: 'create',
  changes: [],
} as const;

function fields(fault: 'caller' | 'outside', httpStatus: number) {
  return {
    fault,
    httpStatus,
    upstreamStatus: httpStatus,
    product: 'Managed Databases',
    region: 'fr-par',
    cause: undefined,
  };
}

describe('ProvisionStepError over HTTP', () => {
  it.each([
    {
      case: 'a conflict with an existing resource',
      cause: new ScalewayConflictError('exists', fields('caller', 409)),
      status: 409,
    },
    {
      case: 'an argument Scaleway refuses',
      cause: new ScalewayInvalidRequestError(
        'refused',
        fields('caller', 422),
        [],
      ),
      status: 422,
    },
    {
      case: 'Scaleway unavailable',
      cause: new ScalewayUnavailableError('busy', fields('outside', 503)),
      status: 503,
    },
    {
      case: 'a bug of ours',
      cause: new TypeError('x is undefined'),
      status: 500,
    },
  ])('answers $status for $case', ({ cause, status }) => {
    const error = new ProvisionStepError({ ...ITEM, changes: [] }, cause);

    const response = errorResponse(
      error,
      'req-1',
      createLogger({ level: 'silent' }),
    );

    expect(response.statusCode).toBe(status);
  });
});
