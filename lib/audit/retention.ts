import type {
  BucketLifecycleConfiguration,
  ObjectLockConfiguration,
} from '@aws-sdk/client-s3';

import { AUDIT_RETENTION_DAYS } from '../policy/index.ts';
import { deployedName, type Stack } from '../stack/index.ts';

/** The minimum audit retention of the guide (owned by lib/policy). */
export { AUDIT_RETENTION_DAYS };

/** The settings provisioning applies to an environment's audit bucket. */
export interface AuditBucketSettings {
  /** The deployed bucket name (`{name}-{env}`). */
  bucket: string;
  /** Versioning is on whenever object lock is (it cannot be suspended). */
  versioning: boolean;
  /** PutBucketLifecycleConfiguration input: expire after retention. */
  lifecycle: BucketLifecycleConfiguration;
  /** PutObjectLockConfiguration input; production: COMPLIANCE. */
  objectLock: ObjectLockConfiguration | null;
  /** The Secret Manager secret holding the SSE-C key, when enabled. */
  sseCKeySecret: string | null;
}

/**
 * The audit bucket settings a stack asks for, or null when audit events do
 * not go to Object Storage. Objects (current and noncurrent versions)
 * expire after `audit.retentionDays`; in production a default retention in
 * COMPLIANCE mode of the same length protects them until then (the bucket
 * declaration may set a longer lock or GOVERNANCE elsewhere). The policy
 * checks refuse a retention shorter than AUDIT_RETENTION_DAYS.
 */
export function auditBucketSettings(stack: Stack): AuditBucketSettings | null {
  const audit = stack.audit;
  if (audit.sink !== 'object-storage' || audit.bucket === undefined) {
    return null;
  }

  const declared = stack.buckets.find((b) => b.name === audit.bucket);
  const days = audit.retentionDays;
  const lock =
    declared?.objectLock ??
    (stack.environment === 'production'
      ? { mode: 'COMPLIANCE' as const, days }
      : undefined);

  return {
    bucket: deployedName(audit.bucket, stack.environment),
    versioning: lock !== undefined || (declared?.versioning ?? true),
    lifecycle: retentionLifecycle(days),
    objectLock:
      lock === undefined
        ? null
        : {
            ObjectLockEnabled: 'Enabled',
            Rule: { DefaultRetention: { Mode: lock.mode, Days: lock.days } },
          },
    sseCKeySecret: declared?.sseC?.keySecret ?? null,
  };
}

/**
 * The lifecycle of an audit bucket: current and noncurrent versions
 * expire `days` after they were written.
 */
export function retentionLifecycle(days: number): BucketLifecycleConfiguration {
  return {
    Rules: [
      {
        ID: 'audit-retention',
        Status: 'Enabled',
        Filter: { Prefix: '' },
        Expiration: { Days: days },
        NoncurrentVersionExpiration: { NoncurrentDays: days },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ],
  };
}
