import { randomBytes } from 'node:crypto';
import type { PlatformClock } from '../controls/clock.ts';
import { accessDenied, S3ReplyError } from './errors.ts';
import type { FauxqsS3Store } from './fauxqs-internals.ts';
import {
  type BucketState,
  isLocked,
  newBucketState,
  type ObjectVersion,
  type Retention,
} from './state.ts';

const DAY_MS = 86_400_000;

/** What a write adds to the version it creates. */
export interface WriteOptions {
  retention?: Retention;
  legalHold?: boolean;
  sseCustomerKeyMd5?: string;
}

/** The outcome of a delete, as S3 reports it in headers. */
export interface DeleteOutcome {
  versionId?: string;
  deleteMarker: boolean;
}

/**
 * Object versions, object lock and lifecycle on top of fauxqs's store.
 * fauxqs keeps the current version of each key (so its listings stay
 * right); this class keeps every version, delete markers, retention and
 * creation times on the platform clock.
 */
export class VersionedObjects {
  readonly #store: FauxqsS3Store;
  readonly #clock: PlatformClock;
  readonly #buckets = new Map<string, BucketState>();

  constructor(store: FauxqsS3Store, clock: PlatformClock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** The state of an existing bucket; 404 NoSuchBucket otherwise. */
  bucket(name: string): BucketState {
    if (!this.#store.hasBucket(name)) {
      this.#buckets.delete(name);
      throw new S3ReplyError(
        'NoSuchBucket',
        404,
        'The specified bucket does not exist',
        name,
      );
    }

    let state = this.#buckets.get(name);
    if (!state) {
      state = newBucketState();
      this.#buckets.set(name, state);
    }

    return state;
  }

  /** Every bucket fauxqs holds, with its state (for snapshots). */
  buckets(): { name: string; state: BucketState }[] {
    return this.#store
      .listBuckets()
      .map(({ name }) => ({ name, state: this.bucket(name) }));
  }

  /** Creates a bucket with a restored state (for snapshots). */
  adoptBucket(name: string, state: BucketState): void {
    this.#store.createBucket(name);
    this.#buckets.set(name, state);
  }

  /** Forgets a deleted bucket's configuration. */
  forgetBucket(name: string): void {
    this.#buckets.delete(name);
  }

  /** The newest version (or delete marker) of a key. */
  current(bucket: string, key: string): ObjectVersion | undefined {
    return this.bucket(bucket).versions.get(key)?.[0];
  }

  /** One version by id; 404 NoSuchVersion when absent. */
  version(bucket: string, key: string, versionId: string): ObjectVersion {
    const found = this.bucket(bucket)
      .versions.get(key)
      ?.find((version) => version.versionId === versionId);
    if (!found) {
      throw new S3ReplyError(
        'NoSuchVersion',
        404,
        'The specified version does not exist.',
        `/${bucket}/${key}`,
      );
    }

    return found;
  }

  /**
   * Records the object fauxqs now holds under `key` as a new version,
   * stamped with the platform clock and the bucket's default retention.
   */
  recordWrite(
    bucket: string,
    key: string,
    options: WriteOptions,
  ): ObjectVersion {
    const state = this.bucket(bucket);
    const object = this.#store.getObject(bucket, key);
    const now = this.#clock.now();
    object.lastModified = now;

    const version: ObjectVersion = {
      versionId: state.versioning === 'Enabled' ? newVersionId() : 'null',
      createdAt: now,
      deleteMarker: false,
      object,
      legalHold: options.legalHold ?? false,
    };
    const retention = options.retention ?? defaultRetention(state, now);
    if (retention) {
      version.retention = retention;
    }
    if (options.sseCustomerKeyMd5) {
      version.sseCustomerKeyMd5 = options.sseCustomerKeyMd5;
    }

    this.#pushVersion(state, key, version);

    return version;
  }

  /** DeleteObject without a version id. */
  deleteCurrent(bucket: string, key: string): DeleteOutcome {
    const state = this.bucket(bucket);

    if (state.versioning === 'Unversioned') {
      this.#store.deleteObject(bucket, key);
      state.versions.delete(key);

      return { deleteMarker: false };
    }

    const marker: ObjectVersion = {
      versionId: state.versioning === 'Enabled' ? newVersionId() : 'null',
      createdAt: this.#clock.now(),
      deleteMarker: true,
      legalHold: false,
    };
    this.#pushVersion(state, key, marker);
    this.#store.deleteObject(bucket, key);

    return { versionId: marker.versionId, deleteMarker: true };
  }

  /**
   * DeleteObject with a version id: removes that version for good, unless
   * object lock protects it (403 AccessDenied). GOVERNANCE retention gives
   * way to `bypassGovernance`; COMPLIANCE and legal holds never do.
   */
  deleteVersion(
    bucket: string,
    key: string,
    versionId: string,
    bypassGovernance: boolean,
  ): DeleteOutcome {
    const state = this.bucket(bucket);
    const versions = state.versions.get(key) ?? [];
    const index = versions.findIndex((v) => v.versionId === versionId);
    const target = versions[index];
    if (!target) {
      return { versionId, deleteMarker: false };
    }

    const now = this.#clock.now();
    const governanceOnly =
      !target.legalHold && target.retention?.mode === 'GOVERNANCE';
    if (isLocked(target, now) && !(governanceOnly && bypassGovernance)) {
      throw accessDenied(
        'Access Denied because object protected by object lock.',
      );
    }

    versions.splice(index, 1);
    if (versions.length === 0) {
      state.versions.delete(key);
    }
    if (index === 0) {
      this.#restoreHead(bucket, key, versions[0]);
    }

    return { versionId, deleteMarker: target.deleteMarker };
  }

  /**
   * Applies the lifecycle rules of every bucket at the platform's current
   * time. Locked versions are skipped, as Scaleway's engine does.
   */
  sweepLifecycle(): number {
    const now = this.#clock.now();
    let expired = 0;

    for (const [bucket, state] of this.#buckets) {
      if (!this.#store.hasBucket(bucket)) {
        this.#buckets.delete(bucket);
        continue;
      }
      for (const rule of state.lifecycle ?? []) {
        if (!rule.enabled) {
          continue;
        }
        expired += this.#applyRule(bucket, state, rule, now);
      }
    }

    return expired;
  }

  #applyRule(
    bucket: string,
    state: BucketState,
    rule: NonNullable<BucketState['lifecycle']>[number],
    now: Date,
  ): number {
    let expired = 0;

    for (const [key, versions] of [...state.versions]) {
      if (!key.startsWith(rule.prefix)) {
        continue;
      }

      const head = versions[0];
      if (
        rule.expirationDays !== undefined &&
        head &&
        !head.deleteMarker &&
        ageDays(head.createdAt, now) >= rule.expirationDays &&
        !isLocked(head, now)
      ) {
        this.deleteCurrent(bucket, key);
        expired += 1;
      }

      if (rule.noncurrentDays !== undefined) {
        expired += this.#expireNoncurrent(state, key, rule.noncurrentDays, now);
      }
    }

    return expired;
  }

  #expireNoncurrent(
    state: BucketState,
    key: string,
    days: number,
    now: Date,
  ): number {
    const versions = state.versions.get(key) ?? [];
    const kept = versions.filter(
      (v, index) =>
        index === 0 ||
        v.noncurrentSince === undefined ||
        ageDays(v.noncurrentSince, now) < days ||
        isLocked(v, now),
    );
    state.versions.set(key, kept);

    return versions.length - kept.length;
  }

  #pushVersion(state: BucketState, key: string, version: ObjectVersion): void {
    const now = version.createdAt;
    const previous = (state.versions.get(key) ?? []).filter(
      (v) => v.versionId !== 'null' || version.versionId !== 'null',
    );
    for (const older of previous) {
      older.noncurrentSince ??= now;
    }

    state.versions.set(key, [version, ...previous]);
  }

  #restoreHead(
    bucket: string,
    key: string,
    head: ObjectVersion | undefined,
  ): void {
    if (!head?.object || head.deleteMarker) {
      this.#store.deleteObject(bucket, key);
      return;
    }

    const old = head.object;
    const restored = this.#store.putObject(
      bucket,
      key,
      old.body,
      old.contentType,
      old.metadata,
    );
    restored.lastModified = old.lastModified;
    head.object = restored;
    delete head.noncurrentSince;
  }
}

function defaultRetention(
  state: BucketState,
  now: Date,
): Retention | undefined {
  if (!state.objectLockEnabled || !state.defaultRetention) {
    return undefined;
  }

  const { mode, days } = state.defaultRetention;

  return { mode, retainUntil: new Date(now.getTime() + days * DAY_MS) };
}

function ageDays(since: Date, now: Date): number {
  return (now.getTime() - since.getTime()) / DAY_MS;
}

function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}
