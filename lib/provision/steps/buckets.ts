import {
  type BucketLifecycleConfiguration,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  type LifecycleRule,
  type ObjectLockConfiguration,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { auditBucketSettings } from '../../audit/index.ts';
import type { Fault } from '../../http/fault.ts';
import type { StackBucket } from '../../stack/index.ts';
import { httpStatusOf } from '../../state/index.ts';
import { ProvisionError } from '../errors.ts';
import type { FieldChange } from '../types.ts';
import type { ProvisionWalk } from '../walk.ts';

/** Object Storage refused a call; names the bucket and the S3 code. */
export class BucketError extends ProvisionError {
  override name = 'BucketError';
  override readonly fault: Fault;

  constructor(operation: string, cause: unknown) {
    const code = (cause as { name?: string })?.name ?? 'error';
    const status = httpStatusOf(cause);
    super(
      `Object Storage refused to ${operation} (${code}${
        status === undefined ? '' : `, HTTP ${status}`
      }). ${hint(status)}`,
      { cause },
    );
    this.fault =
      status === undefined || status >= 500
        ? 'outside'
        : status === 403
          ? 'ours'
          : 'caller';
  }
}

function hint(status: number | undefined): string {
  if (status === 403) {
    return (
      'The control plane needs ObjectStorageFullAccess on the project ' +
      'its API key belongs to.'
    );
  }
  if (status === 409) {
    return 'The bucket name is taken or the bucket is not empty.';
  }

  return 'Retry; if it persists, check the Object Storage endpoint.';
}

async function s3Call<T>(
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new BucketError(operation, error);
  }
}

/** What a bucket should look like. */
interface DesiredBucket {
  name: string;
  versioning: boolean;
  lifecycle: LifecycleRule[];
  objectLock: ObjectLockConfiguration | null;
}

/** What a bucket looks like. */
interface LiveBucket {
  versioning: boolean;
  lifecycle: LifecycleRule[];
  objectLock: ObjectLockConfiguration | null;
}

/**
 * Object Storage buckets: versioning, lifecycle expiration and object
 * lock (the audit bucket takes the audit settings of lib/audit). Object
 * lock can only be enabled at creation: adding it is a replacement.
 * SSE-C is a per-request setting; the bucket holds nothing for it.
 * Buckets hold data: one no longer declared is never deleted.
 */
export async function convergeBuckets(walk: ProvisionWalk): Promise<void> {
  const { s3 } = walk.context.clients;

  for (const declared of walk.stack.buckets) {
    const desired = desiredBucket(walk, declared);
    const live = await readBucket(s3, desired.name);
    await convergeBucket(walk, s3, desired, live);
  }
}

function desiredBucket(
  walk: ProvisionWalk,
  declared: StackBucket,
): DesiredBucket {
  const name = walk.deployed(declared.name);
  const audit = auditBucketSettings(walk.stack);
  if (audit !== null && audit.bucket === name) {
    return {
      name,
      versioning: audit.versioning,
      lifecycle: audit.lifecycle.Rules ?? [],
      objectLock: audit.objectLock,
    };
  }

  const days = declared.lifecycle?.expirationDays;

  return {
    name,
    versioning: declared.versioning || declared.objectLock !== undefined,
    lifecycle:
      days === undefined
        ? []
        : [
            {
              ID: 'expire-objects',
              Status: 'Enabled',
              Filter: { Prefix: '' },
              Expiration: { Days: days },
              NoncurrentVersionExpiration: { NoncurrentDays: days },
            },
          ],
    objectLock:
      declared.objectLock === undefined
        ? null
        : {
            ObjectLockEnabled: 'Enabled',
            Rule: {
              DefaultRetention: {
                Mode: declared.objectLock.mode,
                Days: declared.objectLock.days,
              },
            },
          },
  };
}

async function readBucket(
  s3: S3Client,
  bucket: string,
): Promise<LiveBucket | undefined> {
  const exists = await s3
    .send(new HeadBucketCommand({ Bucket: bucket }))
    .then(() => true)
    .catch((error: unknown) => {
      if (httpStatusOf(error) === 404) return false;
      throw new BucketError(`read bucket ${bucket}`, error);
    });
  if (!exists) {
    return undefined;
  }

  const versioning = await s3Call(`read versioning of bucket ${bucket}`, () =>
    s3.send(new GetBucketVersioningCommand({ Bucket: bucket })),
  );
  const lifecycle = await s3
    .send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))
    .then((answer) => answer.Rules ?? [])
    .catch((error: unknown) => {
      if (httpStatusOf(error) === 404) return [];
      throw error;
    });
  const objectLock = await s3
    .send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))
    .then((answer) => answer.ObjectLockConfiguration ?? null)
    .catch((error: unknown) => {
      const status = httpStatusOf(error);
      if (status === 404 || status === 400) return null;
      throw error;
    });

  return {
    versioning: versioning.Status === 'Enabled',
    lifecycle,
    objectLock: objectLock?.ObjectLockEnabled === 'Enabled' ? objectLock : null,
  };
}

async function convergeBucket(
  walk: ProvisionWalk,
  s3: S3Client,
  desired: DesiredBucket,
  live: LiveBucket | undefined,
): Promise<void> {
  const name = desired.name;
  const create = () => createBucket(s3, desired);

  if (live === undefined) {
    await walk.change(
      {
        kind: 'bucket',
        name,
        action: 'create',
        details: {
          versioning: desired.versioning,
          object_lock: desired.objectLock !== null,
        },
      },
      create,
    );
  } else if (desired.objectLock !== null && live.objectLock === null) {
    await walk.change(
      {
        kind: 'bucket',
        name,
        action: 'replace',
        reason: 'object lock can only be enabled when the bucket is created',
        id: name,
      },
      async () => {
        await s3Call(`delete bucket ${name}`, () =>
          s3.send(new DeleteBucketCommand({ Bucket: name })),
        );
        await create();
      },
    );
  } else {
    const changes = bucketChanges(desired, live);
    if (changes.length === 0) {
      walk.unchanged('bucket', name, name);
    } else {
      await walk.change(
        { kind: 'bucket', name, action: 'update', id: name, changes },
        () => updateBucket(s3, desired, changes),
      );
    }
  }

  walk.applied({
    kind: 'bucket',
    name,
    id: name,
    region: walk.region,
    attributes: {
      versioning: desired.versioning,
      objectLock: desired.objectLock !== null,
    },
  });
}

async function createBucket(
  s3: S3Client,
  desired: DesiredBucket,
): Promise<void> {
  const name = desired.name;
  await s3Call(`create bucket ${name}`, () =>
    s3.send(
      new CreateBucketCommand({
        Bucket: name,
        ...(desired.objectLock === null
          ? {}
          : { ObjectLockEnabledForBucket: true }),
      }),
    ),
  );
  const settings = bucketChanges(desired, {
    versioning: desired.objectLock !== null,
    lifecycle: [],
    objectLock:
      desired.objectLock === null ? null : { ObjectLockEnabled: 'Enabled' },
  });
  await updateBucket(s3, desired, settings);
}

function bucketChanges(
  desired: DesiredBucket,
  live: LiveBucket,
): FieldChange[] {
  const changes: FieldChange[] = [];
  if (desired.versioning !== live.versioning) {
    changes.push({
      field: 'versioning',
      from: live.versioning,
      to: desired.versioning,
    });
  }
  const from = lifecycleSummary(live.lifecycle);
  const to = lifecycleSummary(desired.lifecycle);
  if (from !== to) {
    changes.push({ field: 'lifecycle', from, to });
  }
  const lockFrom = lockSummary(live.objectLock);
  const lockTo = lockSummary(desired.objectLock);
  if (lockFrom !== lockTo) {
    changes.push({ field: 'objectLock', from: lockFrom, to: lockTo });
  }

  return changes;
}

async function updateBucket(
  s3: S3Client,
  desired: DesiredBucket,
  changes: FieldChange[],
): Promise<void> {
  const name = desired.name;
  const fields = new Set(changes.map((c) => c.field));

  if (fields.has('versioning') && desired.versioning) {
    await s3Call(`enable versioning of bucket ${name}`, () =>
      s3.send(
        new PutBucketVersioningCommand({
          Bucket: name,
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      ),
    );
  } else if (fields.has('versioning') && changes.length > 0) {
    const change = changes.find((c) => c.field === 'versioning');
    if (change?.from === true) {
      await s3Call(`suspend versioning of bucket ${name}`, () =>
        s3.send(
          new PutBucketVersioningCommand({
            Bucket: name,
            VersioningConfiguration: { Status: 'Suspended' },
          }),
        ),
      );
    }
  }
  if (fields.has('lifecycle')) {
    await putLifecycle(s3, name, desired.lifecycle);
  }
  if (fields.has('objectLock') && desired.objectLock !== null) {
    const configuration = desired.objectLock;
    await s3Call(`set object lock of bucket ${name}`, () =>
      s3.send(
        new PutObjectLockConfigurationCommand({
          Bucket: name,
          ObjectLockConfiguration: configuration,
        }),
      ),
    );
  }
}

async function putLifecycle(
  s3: S3Client,
  name: string,
  rules: LifecycleRule[],
): Promise<void> {
  if (rules.length === 0) {
    await s3Call(`remove lifecycle of bucket ${name}`, () =>
      s3.send(new DeleteBucketLifecycleCommand({ Bucket: name })),
    );
    return;
  }

  const configuration: BucketLifecycleConfiguration = { Rules: rules };
  await s3Call(`set lifecycle of bucket ${name}`, () =>
    s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: name,
        LifecycleConfiguration: configuration,
      }),
    ),
  );
}

function lifecycleSummary(rules: LifecycleRule[]): string {
  return rules
    .filter((rule) => rule.Status === 'Enabled')
    .map(
      (rule) =>
        `expire ${rule.Expiration?.Days ?? '-'}d, ` +
        `noncurrent ${rule.NoncurrentVersionExpiration?.NoncurrentDays ?? '-'}d`,
    )
    .sort()
    .join('; ');
}

function lockSummary(lock: ObjectLockConfiguration | null): string {
  const retention = lock?.Rule?.DefaultRetention;
  if (lock === null || retention === undefined) {
    return lock === null ? 'off' : 'on, no default retention';
  }

  return `${retention.Mode} ${retention.Days ?? retention.Years}d`;
}
