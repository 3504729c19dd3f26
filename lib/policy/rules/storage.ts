import type { Stack, StackBucket } from '../../stack/schema.ts';
import { error, type Finding } from '../finding.ts';

/** Audit retention the guide requires per environment, in days. */
export const AUDIT_RETENTION_DAYS = {
  dev: 7,
  staging: 30,
  production: 90,
} as const satisfies Record<Stack['environment'], number>;

/**
 * Bucket and audit checks: object lock needs versioning; an SSE-C key is
 * a declared 32-byte secret; audit retention is at least the
 * environment's; staging and production ship audit events to a declared
 * bucket whose lifecycle keeps them for the retention; production locks
 * them in compliance mode for at least the retention.
 */
export function checkStorage(stack: Stack): Finding[] {
  return [
    ...stack.buckets.flatMap((bucket, b) => checkBucket(stack, bucket, b)),
    ...checkAudit(stack),
  ];
}

function checkBucket(stack: Stack, bucket: StackBucket, b: number): Finding[] {
  const findings: Finding[] = [];
  if (bucket.objectLock && !bucket.versioning) {
    findings.push(
      error(
        'buckets.object-lock-versioning',
        ['buckets', b, 'versioning'],
        'object lock needs versioning: set `versioning: true`',
      ),
    );
  }

  const keySecret = bucket.sseC?.keySecret;
  if (keySecret !== undefined) {
    const path = ['buckets', b, 'sseC', 'keySecret'];
    const secret = stack.secrets.find((s) => s.name === keySecret);
    if (secret === undefined) {
      findings.push(
        error('references.secret', path, 'name a secret declared in secrets'),
      );
    } else {
      const generator = secret.generator;
      const is256Bits =
        generator.kind === 'manual' ||
        (generator.kind === 'random' && generator.bytes === 32);
      if (!is256Bits) {
        findings.push(
          error(
            'buckets.sse-c-key',
            path,
            'SSE-C takes a 256-bit key: give the secret the generator ' +
              '`{ kind: random, bytes: 32 }`',
          ),
        );
      }
    }
  }

  return findings;
}

function checkAudit(stack: Stack): Finding[] {
  const audit = stack.audit;
  const required = AUDIT_RETENTION_DAYS[stack.environment];
  const findings: Finding[] = [];

  if (audit.retentionDays < required) {
    findings.push(
      error(
        'audit.retention',
        ['audit', 'retentionDays'],
        `${stack.environment} keeps audit logs at least ${required} days: ` +
          `set \`retentionDays: ${required}\` or more`,
      ),
    );
  }

  const needsBucket = stack.environment !== 'dev';
  if (needsBucket && audit.sink !== 'object-storage') {
    findings.push(
      error(
        'audit.sink',
        ['audit', 'sink'],
        `${stack.environment} stores audit logs in Object Storage: set ` +
          '`sink: object-storage` and `bucket`',
      ),
    );
  }
  if (audit.sink !== 'object-storage') {
    return findings;
  }

  if (audit.bucket === undefined) {
    findings.push(
      error(
        'audit.bucket',
        ['audit', 'bucket'],
        'the object-storage sink needs `bucket`: the base name of a ' +
          'declared bucket',
      ),
    );
    return findings;
  }

  const index = stack.buckets.findIndex((b) => b.name === audit.bucket);
  const bucket = stack.buckets[index];
  if (bucket === undefined) {
    findings.push(
      error(
        'references.bucket',
        ['audit', 'bucket'],
        'name a bucket declared in buckets',
      ),
    );
    return findings;
  }

  return [
    ...findings,
    ...checkAuditBucket(stack, bucket, index, audit.retentionDays),
  ];
}

function checkAuditBucket(
  stack: Stack,
  bucket: StackBucket,
  b: number,
  retentionDays: number,
): Finding[] {
  const findings: Finding[] = [];
  const expiration = bucket.lifecycle?.expirationDays;
  if (expiration === undefined || expiration < retentionDays) {
    findings.push(
      error(
        'audit.bucket-lifecycle',
        ['buckets', b, 'lifecycle'],
        'the audit bucket keeps events for the retention: set ' +
          `\`lifecycle: { expirationDays: ${retentionDays} }\``,
      ),
    );
  }

  if (stack.environment !== 'production') {
    return findings;
  }

  const lock = bucket.objectLock;
  if (lock?.mode !== 'COMPLIANCE' || lock.days < retentionDays) {
    findings.push(
      error(
        'audit.object-lock',
        ['buckets', b, 'objectLock'],
        'production audit logs are locked against deletion: set ' +
          `\`objectLock: { mode: COMPLIANCE, days: ${retentionDays} }\``,
      ),
    );
  }

  return findings;
}
