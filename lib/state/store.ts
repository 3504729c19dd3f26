import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Environment } from '../stack/index.ts';
import {
  StateConflictError,
  StateCorruptError,
  StateStorageError,
} from './errors.ts';
import { stateKeys } from './keys.ts';
import { type AppliedState, AppliedStateSchema } from './schema.ts';

/** An applied state and the ETag of the object it was read from. */
export interface StoredState {
  state: AppliedState;
  etag: string | undefined;
}

/**
 * Reads the applied state of an environment from
 * `s3://<bucket>/<environment>/state.json`.
 *
 * @returns the state and its ETag, or `undefined` when nothing was ever
 *   applied to the environment.
 * @throws StateCorruptError when the object is not a valid state,
 *   StateStorageError when the bucket cannot be read.
 * @example
 * const stored = await readAppliedState(s3, 'evalap-infra-state', 'dev');
 * const secret = stored?.state.resources.find((r) => r.kind === 'secret');
 */
export async function readAppliedState(
  s3: S3Client,
  bucket: string,
  environment: Environment,
): Promise<StoredState | undefined> {
  const key = stateKeys.state(environment);
  const object = await getObjectText(s3, bucket, key);
  if (object === undefined) {
    return undefined;
  }

  let json: unknown;
  try {
    json = JSON.parse(object.text);
  } catch (error) {
    throw new StateCorruptError(bucket, key, ['not JSON'], { cause: error });
  }
  const parsed = AppliedStateSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new StateCorruptError(bucket, key, problems);
  }

  return { state: parsed.data, etag: object.etag };
}

/** Options of {@link writeAppliedState}. */
export interface WriteStateOptions {
  /**
   * ETag the current object must still have (`If-Match`), from
   * {@link readAppliedState}. Default: unconditional. The environment
   * lock keeps writers apart; the condition catches a writer that lost
   * its lock (expired while it ran).
   */
  ifMatch?: string;
}

/**
 * Writes the applied state of an environment. The state is validated
 * first (an invalid state is a bug: it throws before any write), then put
 * in ONE PutObject with a Content-MD5: S3 replaces an object atomically,
 * so a reader sees the old state or the new one, never a mix, and a
 * truncated upload is refused. History is kept by bucket versioning.
 *
 * @returns the ETag of the new object.
 * @throws StateConflictError when `ifMatch` no longer holds,
 *   StateStorageError when the bucket cannot be written.
 */
export async function writeAppliedState(
  s3: S3Client,
  bucket: string,
  state: AppliedState,
  options: WriteStateOptions = {},
): Promise<string | undefined> {
  const valid = AppliedStateSchema.parse(state);
  const key = stateKeys.state(valid.environment);
  const body = `${JSON.stringify(valid, null, 2)}\n`;
  const md5 = createHash('md5').update(body).digest('base64');

  try {
    const written = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        ContentMD5: md5,
        ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
      }),
    );

    return written.ETag;
  } catch (error) {
    // 412: the ETag moved; 409: another conditional write was in flight.
    const status = httpStatusOf(error);
    if (status === 412 || status === 409) {
      throw new StateConflictError(bucket, key, { cause: error });
    }
    throw new StateStorageError('write', bucket, key, { cause: error });
  }
}

/** A JSON object read from the state bucket. */
export interface ObjectText {
  text: string;
  etag: string | undefined;
}

/**
 * Reads an object as text; `undefined` when it does not exist.
 *
 * @throws StateStorageError on any other failure.
 */
export async function getObjectText(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<ObjectText | undefined> {
  try {
    const object = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key }),
    );
    const text = (await object.Body?.transformToString('utf8')) ?? '';

    return { text, etag: object.ETag };
  } catch (error) {
    if (httpStatusOf(error) === 404 && !isMissingBucket(error)) {
      return undefined;
    }
    throw new StateStorageError('read', bucket, key, { cause: error });
  }
}

/** The HTTP status of an AWS SDK error, if it has one. */
export function httpStatusOf(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } })
    ?.$metadata;

  return metadata?.httpStatusCode;
}

function isMissingBucket(error: unknown): boolean {
  return (error as { name?: string })?.name === 'NoSuchBucket';
}
