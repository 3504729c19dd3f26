import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DAY_MS } from '../../lib/audit/clock.ts';
import { sealAuditHours } from '../../lib/audit/integrity/seal.ts';
import { verifyAuditTrail } from '../../lib/audit/integrity/verify.ts';
import {
  AUDIT_RETENTION_DAYS,
  type AuditBucketSettings,
  auditBucketSettings,
} from '../../lib/audit/retention.ts';
import { loadStack, type Stack } from '../../lib/stack/index.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';
import {
  memoryKeys,
  sampleEvent,
  shipperFor,
  storedEvents,
} from './fixtures.ts';

let fixture: StorageFixture;

beforeEach(async () => {
  fixture = await startStorageFixture();
});

afterEach(async () => {
  await fixture?.close();
});

async function productionStack(): Promise<Stack> {
  return loadStack(
    new URL('../../stacks/production.yaml', import.meta.url).pathname,
  );
}

/** What provisioning does with the settings (here by hand). */
async function applySettings(
  s3: S3Client,
  settings: AuditBucketSettings,
): Promise<void> {
  await s3.send(
    new CreateBucketCommand({
      Bucket: settings.bucket,
      ObjectLockEnabledForBucket: settings.objectLock !== null,
    }),
  );
  if (settings.versioning) {
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: settings.bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
  }
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: settings.bucket,
      LifecycleConfiguration: settings.lifecycle,
    }),
  );
  if (settings.objectLock !== null) {
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: settings.bucket,
        ObjectLockConfiguration: settings.objectLock,
      }),
    );
  }
}

describe('auditBucketSettings', () => {
  it.each([
    { case: 'dev', environment: 'dev' as const, lock: false },
    { case: 'staging', environment: 'staging' as const, lock: false },
    { case: 'production', environment: 'production' as const, lock: true },
  ])('expires after the retention of $case', async ({ environment, lock }) => {
    const base = await productionStack();
    const days = AUDIT_RETENTION_DAYS[environment];
    const stack: Stack = {
      ...base,
      environment,
      buckets: base.buckets.map((b) => {
        const { objectLock: _, ...rest } = b;
        return rest;
      }),
      audit: { ...base.audit, retentionDays: days },
    };

    const settings = auditBucketSettings(stack);

    expect(settings?.bucket).toBe(`evalap-audit-${environment}`);
    expect(settings?.lifecycle.Rules?.[0]?.Expiration?.Days).toBe(days);
    expect(settings?.objectLock?.Rule?.DefaultRetention ?? null).toEqual(
      lock ? { Mode: 'COMPLIANCE', Days: days } : null,
    );
  });
});

describe('production audit bucket', () => {
  it('refuses a delete under object lock, then expires after 90 days', async () => {
    const stack = await productionStack();
    const settings = auditBucketSettings(stack) as AuditBucketSettings;
    await applySettings(fixture.s3, settings);
    const { bucket, shipper } = shipperFor(
      fixture.s3,
      settings.bucket,
      'production',
      fixture.clock,
    );
    await shipper.ship([
      sampleEvent(fixture.clock.now().toISOString(), {
        environment: 'production',
      }),
    ]);
    const versions = await fixture.s3.send(
      new ListObjectVersionsCommand({
        Bucket: settings.bucket,
        Prefix: 'production/2',
      }),
    );
    const version = versions.Versions?.[0];

    const early = await fixture.s3
      .send(
        new DeleteObjectCommand({
          Bucket: settings.bucket,
          Key: version?.Key,
          VersionId: version?.VersionId,
        }),
      )
      .then(
        () => 'deleted',
        (error: { name: string }) => error.name,
      );
    fixture.clock.advance(89 * DAY_MS);
    const kept = await storedEvents(bucket, 'production');
    fixture.clock.advance(2 * DAY_MS);
    fixture.storage.sweepLifecycle();
    const expired = await bucket.list('production/2');

    expect(early).toBe('AccessDenied');
    expect(kept.size).toBe(1);
    expect(expired).toEqual([]);
  });

  it('encrypts with SSE-C and reads every key version after rotation', async () => {
    const stack = await productionStack();
    const settings = auditBucketSettings(stack) as AuditBucketSettings;
    await applySettings(fixture.s3, settings);
    const keys = memoryKeys();
    const { bucket, shipper } = shipperFor(
      fixture.s3,
      settings.bucket,
      'production',
      fixture.clock,
      keys.encryptionKeys,
    );
    const at = new Date(fixture.clock.now().getTime() - 3 * 3_600_000);
    const event = (seconds: number) =>
      sampleEvent(new Date(at.getTime() + seconds * 1000).toISOString(), {
        environment: 'production',
      });
    const before = await shipper.ship([event(1)]);
    keys.secrets
      .get('/evalap/audit/audit-sse-key')
      ?.push(Buffer.from(Buffer.alloc(32, 7).toString('base64')));
    const after = await shipper.ship([event(2)]);
    await sealAuditHours({
      bucket,
      environment: 'production',
      signingKeys: keys.signingKeys,
      clock: fixture.clock,
    });

    const plain = await fixture.s3
      .send(
        new (await import('@aws-sdk/client-s3')).GetObjectCommand({
          Bucket: settings.bucket,
          Key: before.objects[0],
        }),
      )
      .then(
        () => 'read',
        () => 'refused',
      );
    const report = await verifyAuditTrail({
      bucket,
      environment: 'production',
      publicKey: (v, f) => keys.signingKeys.publicKey(v, f),
    });
    const stored = await storedEvents(bucket, 'production');

    expect(before.objects[0]).toMatch(/\.k1\.jsonl\.gz$/);
    expect(after.objects[0]).toMatch(/\.k2\.jsonl\.gz$/);
    expect(plain).toBe('refused');
    expect(report.problems).toEqual([]);
    expect([...stored.values()].flat()).toHaveLength(2);
  });
});
