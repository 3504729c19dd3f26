import { randomUUID } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { EnvironmentBusyError, LockStorageError } from './errors.ts';

/** Default lock lifetime: above the 15 min a function may run. */
export const DEFAULT_LOCK_TTL_MS = 20 * 60 * 1000;

const LockClaimSchema = z.object({
  holder: z.string(),
  acquiredAt: z.string(),
  expiresAt: z.string(),
});

/** Options of {@link acquireLock}. */
export interface AcquireLockOptions {
  /** Who asks (a request id), shown to the ones refused. */
  holder: string;
  /** Lifetime of the claim. Default {@link DEFAULT_LOCK_TTL_MS}. */
  ttlMs?: number;
  /** Current time. Default `() => new Date()`. */
  now?: () => Date;
}

/** A held lock; release it in a `finally`. */
export interface HeldLock {
  readonly key: string;
  readonly versionId: string;
  release(): Promise<void>;
}

/**
 * Takes the lock stored at `s3://bucket/key`, across processes, or throws
 * EnvironmentBusyError.
 *
 * The lock predates conditional writes on Scaleway Object Storage (July
 * 2026), so it is built on bucket versioning: each claimant PUTs its
 * claim (a new version), then lists the versions of the key. The OLDEST
 * live claim wins; a claimant that finds an older unexpired claim
 * deletes its own version and gives up. Versions are totally ordered by
 * the store, so two claimants can never both see themselves oldest.
 * Expired claims (a crashed holder) are deleted by whoever finds them.
 * Release deletes the holder's version permanently (no delete marker).
 *
 * @throws EnvironmentBusyError when an unexpired older claim exists;
 *   LockStorageError when the bucket is missing or not versioned.
 * @example
 * const lock = await acquireLock(s3, bucket, 'production/lock.json',
 *   { holder: requestId });
 * try { await apply(); } finally { await lock.release(); }
 */
export async function acquireLock(
  s3: S3Client,
  bucket: string,
  key: string,
  options: AcquireLockOptions,
): Promise<HeldLock> {
  const now = options.now ?? (() => new Date());
  const acquiredAt = now();
  const ttl = options.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  const claim = {
    holder: options.holder,
    nonce: randomUUID(),
    acquiredAt: acquiredAt.toISOString(),
    expiresAt: new Date(acquiredAt.getTime() + ttl).toISOString(),
  };

  const versionId = await putClaim(s3, bucket, key, claim);
  const release = () => deleteVersion(s3, bucket, key, versionId);

  try {
    const older = await olderClaims(s3, bucket, key, versionId);
    for (const olderVersion of older) {
      const holder = await readClaim(s3, bucket, key, olderVersion);
      if (holder === undefined) {
        continue;
      }
      if (Date.parse(holder.expiresAt) > now().getTime()) {
        throw new EnvironmentBusyError(
          key.split('/')[0] ?? key,
          holder.holder,
          holder.expiresAt,
        );
      }
      await deleteVersion(s3, bucket, key, olderVersion);
    }
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }

  return { key, versionId, release };
}

/**
 * Who holds the lock at `s3://bucket/key` now, without taking it: the
 * holder of the oldest unexpired claim, or undefined when it is free.
 * Read-only (drift uses it to tell an apply in progress from drift).
 *
 * @throws LockStorageError when the claims cannot be read.
 */
export async function lockHolder(
  s3: S3Client,
  bucket: string,
  key: string,
  now: Date = new Date(),
): Promise<string | undefined> {
  try {
    const oldestFirst = (await claimVersions(s3, bucket, key)).reverse();
    for (const versionId of oldestFirst) {
      const claim = await readClaim(s3, bucket, key, versionId);
      if (claim !== undefined && Date.parse(claim.expiresAt) > now.getTime()) {
        return claim.holder;
      }
    }
  } catch (error) {
    throw new LockStorageError(bucket, 'the lock could not be read', {
      cause: error,
    });
  }

  return undefined;
}

async function putClaim(
  s3: S3Client,
  bucket: string,
  key: string,
  claim: object,
): Promise<string> {
  let versionId: string | undefined;
  try {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(claim),
        ContentType: 'application/json',
      }),
    );
    versionId = put.VersionId;
  } catch (error) {
    throw new LockStorageError(bucket, 'the lock could not be written', {
      cause: error,
    });
  }
  if (versionId === undefined || versionId === 'null') {
    throw new LockStorageError(
      bucket,
      'enable versioning on the state bucket (the lock relies on it)',
    );
  }

  return versionId;
}

/** Version ids of the key older than `own`, oldest first. */
async function olderClaims(
  s3: S3Client,
  bucket: string,
  key: string,
  own: string,
): Promise<string[]> {
  const newestFirst = await claimVersions(s3, bucket, key);
  const position = newestFirst.indexOf(own);
  if (position === -1) {
    throw new LockStorageError(bucket, 'the lock claim vanished');
  }

  return newestFirst.slice(position + 1).reverse();
}

/** Version ids of the lock key, newest first, as S3 lists them. */
async function claimVersions(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<string[]> {
  const listed = await s3.send(
    new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }),
  );

  // Delete markers are not claims.
  return (listed.Versions ?? [])
    .filter((version) => version.Key === key && version.VersionId)
    .map((version) => version.VersionId as string);
}

async function readClaim(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<z.infer<typeof LockClaimSchema> | undefined> {
  try {
    const object = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
    );
    const text = (await object.Body?.transformToString('utf8')) ?? '';

    // An unreadable claim is treated as expired garbage.
    return parseClaim(text) ?? UNREADABLE_CLAIM;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } })
      .$metadata?.httpStatusCode;
    if (status === 404) {
      return undefined;
    }
    throw error;
  }
}

const UNREADABLE_CLAIM = { holder: 'unknown', acquiredAt: '', expiresAt: '' };

function parseClaim(text: string): z.infer<typeof LockClaimSchema> | undefined {
  try {
    const parsed = LockClaimSchema.safeParse(JSON.parse(text));

    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function deleteVersion(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<void> {
  await s3.send(
    new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
}
