import type { FastifyRequest } from 'fastify';
import { S3ReplyError } from './errors.ts';
import type { VersionedObjects } from './objects.ts';

/** Keys with a conditional write between its check and its record. */
const writing = new WeakMap<VersionedObjects, Set<string>>();

/** The reservation each passing conditional write holds. */
const reservations = new WeakMap<FastifyRequest, () => void>();

/**
 * Conditional writes, as Scaleway Object Storage has them since July
 * 2026: a PutObject with `If-None-Match: *` succeeds only when the key
 * has no current object; with `If-Match: <etag>` only when the current
 * object has that ETag. Otherwise 412 PreconditionFailed (404 for
 * `If-Match` on a missing key), and nothing is written.
 *
 * The check runs in the preHandler hook, once the body is read; the
 * write is recorded in the onSend hook, after fauxqs's handler. So that
 * two conditional writes of one key cannot both pass in between, a
 * passing write reserves its key until {@link releaseWrite}: another
 * conditional write of the key meanwhile gets 409
 * ConditionalRequestConflict, as S3 answers.
 *
 * @throws S3ReplyError when the request's precondition does not hold.
 */
export function checkWritePreconditions(
  request: FastifyRequest,
  objects: VersionedObjects,
  bucket: string,
  key: string,
): void {
  const noneMatch = header(request, 'if-none-match');
  const match = header(request, 'if-match');
  if (noneMatch === undefined && match === undefined) return;

  if (noneMatch !== undefined && noneMatch !== '*') {
    throw new S3ReplyError(
      'NotImplemented',
      501,
      'If-None-Match accepts only * on a write.',
    );
  }
  const current = objects.current(bucket, key);
  const live = current?.deleteMarker ? undefined : current?.object;
  if (match !== undefined && live === undefined) {
    throw new S3ReplyError(
      'NoSuchKey',
      404,
      'The specified key does not exist.',
      `/${bucket}/${key}`,
    );
  }

  const holds =
    (noneMatch === undefined || live === undefined) &&
    (match === undefined || sameEtag(match, live?.etag));
  if (!holds) {
    throw new S3ReplyError(
      'PreconditionFailed',
      412,
      'At least one of the pre-conditions you specified did not hold',
      `/${bucket}/${key}`,
    );
  }

  const inFlight = writing.get(objects) ?? new Set<string>();
  writing.set(objects, inFlight);
  const reserved = `${bucket}/${key}`;
  if (inFlight.has(reserved)) {
    throw new S3ReplyError(
      'ConditionalRequestConflict',
      409,
      'A conflicting conditional operation is in progress on this key.',
      `/${bucket}/${key}`,
    );
  }
  inFlight.add(reserved);
  reservations.set(request, () => inFlight.delete(reserved));
}

/**
 * Ends the reservation of a request's conditional write, if it holds
 * one: once its write is recorded, or its reply failed or was aborted.
 */
export function releaseWrite(request: FastifyRequest): void {
  reservations.get(request)?.();
  reservations.delete(request);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];

  return Array.isArray(value) ? value[0] : value;
}

/** ETags compare without their quotes. */
function sameEtag(wanted: string, etag: string | undefined): boolean {
  const bare = (text: string) => text.trim().replace(/^"|"$/g, '');

  return etag !== undefined && bare(wanted) === bare(etag);
}
