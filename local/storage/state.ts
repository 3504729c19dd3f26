import type { FauxqsObject } from './fauxqs-internals.ts';

/** S3 object lock retention modes. */
export type RetentionMode = 'GOVERNANCE' | 'COMPLIANCE';

/** A retention period on one object version. */
export interface Retention {
  mode: RetentionMode;
  retainUntil: Date;
}

/** One lifecycle rule (only what Scaleway documents for expiration). */
export interface LifecycleRule {
  id: string;
  enabled: boolean;
  prefix: string;
  expirationDays?: number;
  noncurrentDays?: number;
}

/** A bucket's default retention (`Days` or `Years`, converted to days). */
export interface DefaultRetention {
  mode: RetentionMode;
  days: number;
  /** How the client wrote it, echoed back by GetObjectLockConfiguration. */
  unit: 'Days' | 'Years';
  amount: number;
}

/** The configuration fauxqs does not keep for a bucket. */
export interface BucketState {
  versioning: 'Unversioned' | 'Enabled' | 'Suspended';
  objectLockEnabled: boolean;
  defaultRetention?: DefaultRetention;
  lifecycle?: LifecycleRule[];
  /** Object versions by key, newest first. */
  versions: Map<string, ObjectVersion[]>;
}

/** One version of an object, or a delete marker. */
export interface ObjectVersion {
  /** `null` for objects written while versioning was not enabled. */
  versionId: string;
  /** Creation time on the platform clock. */
  createdAt: Date;
  /** When a newer version replaced this one (platform clock). */
  noncurrentSince?: Date;
  deleteMarker: boolean;
  /** The stored object; absent for delete markers. */
  object?: FauxqsObject;
  retention?: Retention;
  legalHold: boolean;
  /** Base64 MD5 of the SSE-C key the object was written with. */
  sseCustomerKeyMd5?: string;
}

/** A fresh, unversioned bucket state. */
export function newBucketState(): BucketState {
  return {
    versioning: 'Unversioned',
    objectLockEnabled: false,
    versions: new Map(),
  };
}

/** Whether the version is protected from deletion at `now`. */
export function isLocked(version: ObjectVersion, now: Date): boolean {
  if (version.legalHold) {
    return true;
  }

  return (
    version.retention !== undefined &&
    version.retention.retainUntil.getTime() > now.getTime()
  );
}
