import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import type { FauxqsObject, FauxqsS3Store } from './fauxqs-internals.ts';
import type { VersionedObjects } from './objects.ts';
import type { BucketState, LifecycleRule, ObjectVersion } from './state.ts';

const storedObject = z.object({
  body: z.string(),
  contentType: z.string(),
  etag: z.string(),
  lastModified: z.coerce.date(),
  metadata: z.record(z.string(), z.string()),
});

const storedVersion = z.object({
  versionId: z.string(),
  createdAt: z.coerce.date(),
  noncurrentSince: z.coerce.date().optional(),
  deleteMarker: z.boolean(),
  legalHold: z.boolean(),
  retention: z
    .object({
      mode: z.enum(['GOVERNANCE', 'COMPLIANCE']),
      retainUntil: z.coerce.date(),
    })
    .optional(),
  sseCustomerKeyMd5: z.string().optional(),
  object: storedObject.optional(),
});

const snapshotSchema = z.object({
  version: z.literal(1),
  buckets: z.array(
    z.object({
      name: z.string(),
      versioning: z.enum(['Unversioned', 'Enabled', 'Suspended']),
      objectLockEnabled: z.boolean(),
      defaultRetention: z
        .object({
          mode: z.enum(['GOVERNANCE', 'COMPLIANCE']),
          days: z.number(),
          unit: z.enum(['Days', 'Years']),
          amount: z.number(),
        })
        .optional(),
      lifecycle: z
        .array(
          z.object({
            id: z.string(),
            enabled: z.boolean(),
            prefix: z.string(),
            expirationDays: z.number().optional(),
            noncurrentDays: z.number().optional(),
          }),
        )
        .optional(),
      keys: z.record(z.string(), z.array(storedVersion)),
    }),
  ),
});

type Snapshot = z.infer<typeof snapshotSchema>;
type StoredVersion = z.infer<typeof storedVersion>;

/**
 * Writes every bucket, its configuration and every object version to
 * `file` (JSON, bodies in base64), atomically.
 */
export async function saveSnapshot(
  file: string,
  store: FauxqsS3Store,
  objects: VersionedObjects,
): Promise<void> {
  const snapshot: Snapshot = { version: 1, buckets: [] };

  for (const { name, state } of objects.buckets()) {
    adoptUntracked(name, store, state);
    const keys: Record<string, StoredVersion[]> = {};
    for (const [key, versions] of state.versions) {
      keys[key] = versions.map(storeVersion);
    }
    snapshot.buckets.push({
      name,
      versioning: state.versioning,
      objectLockEnabled: state.objectLockEnabled,
      ...(state.defaultRetention
        ? { defaultRetention: state.defaultRetention }
        : {}),
      ...(state.lifecycle ? { lifecycle: state.lifecycle } : {}),
      keys,
    });
  }

  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(snapshot), { mode: 0o600 });
}

/** Restores a snapshot written by {@link saveSnapshot}, if there is one. */
export async function loadSnapshot(
  file: string,
  store: FauxqsS3Store,
  objects: VersionedObjects,
): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return;
  }
  const snapshot = snapshotSchema.parse(JSON.parse(text));

  for (const bucket of snapshot.buckets) {
    const state: BucketState = {
      versioning: bucket.versioning,
      objectLockEnabled: bucket.objectLockEnabled,
      versions: new Map(),
    };
    if (bucket.defaultRetention)
      state.defaultRetention = bucket.defaultRetention;
    if (bucket.lifecycle) {
      state.lifecycle = bucket.lifecycle.map(restoreRule);
    }
    objects.adoptBucket(bucket.name, state);

    for (const [key, stored] of Object.entries(bucket.keys)) {
      const versions = stored.map((version) => restoreVersion(key, version));
      const head = versions[0];
      if (head?.object && !head.deleteMarker) {
        head.object = restoreCurrent(store, bucket.name, key, head.object);
      }
      state.versions.set(key, versions);
    }
  }
}

/** Objects fauxqs holds without a version record get one (`null`). */
function adoptUntracked(
  bucket: string,
  store: FauxqsS3Store,
  state: BucketState,
): void {
  const { objects } = store.listObjects(bucket, {
    maxKeys: Number.MAX_SAFE_INTEGER,
  });
  for (const object of objects) {
    if (state.versions.has(object.key)) continue;
    state.versions.set(object.key, [
      {
        versionId: 'null',
        createdAt: object.lastModified,
        deleteMarker: false,
        legalHold: false,
        object,
      },
    ]);
  }
}

function restoreRule(
  stored: NonNullable<Snapshot['buckets'][number]['lifecycle']>[number],
): LifecycleRule {
  const { expirationDays, noncurrentDays, ...rule } = stored;
  const restored: LifecycleRule = rule;
  if (expirationDays !== undefined) restored.expirationDays = expirationDays;
  if (noncurrentDays !== undefined) restored.noncurrentDays = noncurrentDays;

  return restored;
}

function storeVersion(version: ObjectVersion): StoredVersion {
  const { object, ...rest } = version;
  if (!object) {
    return rest;
  }

  return {
    ...rest,
    object: {
      body: object.body.toString('base64'),
      contentType: object.contentType,
      etag: object.etag,
      lastModified: object.lastModified,
      metadata: object.metadata,
    },
  };
}

function restoreVersion(key: string, stored: StoredVersion): ObjectVersion {
  const { object, noncurrentSince, retention, sseCustomerKeyMd5, ...rest } =
    stored;
  const version: ObjectVersion = { ...rest };
  if (noncurrentSince) version.noncurrentSince = noncurrentSince;
  if (retention) version.retention = retention;
  if (sseCustomerKeyMd5) version.sseCustomerKeyMd5 = sseCustomerKeyMd5;
  if (object) {
    const body = Buffer.from(object.body, 'base64');
    version.object = {
      key,
      body,
      contentType: object.contentType,
      contentLength: body.length,
      etag: object.etag,
      lastModified: object.lastModified,
      metadata: object.metadata,
    };
  }

  return version;
}

function restoreCurrent(
  store: FauxqsS3Store,
  bucket: string,
  key: string,
  object: FauxqsObject,
): FauxqsObject {
  const current = store.putObject(
    bucket,
    key,
    object.body,
    object.contentType,
    object.metadata,
  );
  current.lastModified = object.lastModified;

  return current;
}
