import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { accessDenied, invalidArgument, S3ReplyError } from './errors.ts';
import type { ObjectVersion } from './state.ts';

const PREFIX = 'x-amz-server-side-encryption-customer-';

/** The SSE-C headers of a request, checked; the key itself is dropped. */
export interface SseCustomerKey {
  algorithm: 'AES256';
  keyMd5: string;
}

/**
 * Reads the SSE-C headers: all three or none, AES256 only, a 256-bit key
 * whose MD5 matches. Throws 400 InvalidArgument otherwise. The key value
 * never appears in the error.
 */
export function readSseCustomerKey(
  headers: IncomingHttpHeaders,
): SseCustomerKey | undefined {
  const algorithm = header(headers, `${PREFIX}algorithm`);
  const key = header(headers, `${PREFIX}key`);
  const keyMd5 = header(headers, `${PREFIX}key-md5`);
  if (algorithm === undefined && key === undefined && keyMd5 === undefined) {
    return undefined;
  }

  if (algorithm !== 'AES256') {
    throw invalidArgument(
      'The encryption algorithm must be AES256 (header ' +
        `${PREFIX}algorithm).`,
    );
  }
  const keyBytes = Buffer.from(key ?? '', 'base64');
  if (keyBytes.length !== 32) {
    throw invalidArgument(
      `The secret key must be 256 bits, base64 (header ${PREFIX}key).`,
    );
  }
  const expectedMd5 = createHash('md5').update(keyBytes).digest('base64');
  if (keyMd5 !== expectedMd5) {
    throw invalidArgument(
      `The calculated MD5 of the key did not match ${PREFIX}key-md5.`,
    );
  }

  return { algorithm: 'AES256', keyMd5: expectedMd5 };
}

/**
 * Checks a read of `version`: an SSE-C object needs the same key (400
 * InvalidRequest when absent, 403 AccessDenied when different).
 */
export function checkSseRead(
  version: ObjectVersion,
  given: SseCustomerKey | undefined,
): void {
  const stored = version.sseCustomerKeyMd5;
  if (stored === undefined && given === undefined) {
    return;
  }

  if (stored === undefined) {
    throw new S3ReplyError(
      'InvalidRequest',
      400,
      'The encryption parameters are not applicable to this object.',
    );
  }
  if (given === undefined) {
    throw new S3ReplyError(
      'InvalidRequest',
      400,
      'The object was stored using a form of Server Side Encryption. ' +
        'The correct parameters must be provided to retrieve the object.',
    );
  }
  if (given.keyMd5 !== stored) {
    throw accessDenied();
  }
}

/** The response headers that echo an SSE-C key's algorithm and digest. */
export function sseResponseHeaders(keyMd5: string): Record<string, string> {
  return {
    [`${PREFIX}algorithm`]: 'AES256',
    [`${PREFIX}key-md5`]: keyMd5,
  };
}

function header(
  headers: IncomingHttpHeaders,
  name: string,
): string | undefined {
  const value = headers[name];

  return Array.isArray(value) ? value[0] : value;
}
