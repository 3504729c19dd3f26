import {
  DeleteObjectCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HOUR_MS } from '../../lib/audit/clock.ts';
import { sealAuditHours } from '../../lib/audit/integrity/seal.ts';
import {
  type IntegrityProblemKind,
  verifyAuditTrail,
} from '../../lib/audit/integrity/verify.ts';
import { digestKey, logPrefix } from '../../lib/audit/layout.ts';
import { retentionLifecycle } from '../../lib/audit/retention.ts';
import type { AuditBucket } from '../../lib/audit/storage.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';
import {
  createBucket,
  memoryKeys,
  sampleEvent,
  shipperFor,
} from './fixtures.ts';

let fixture: StorageFixture;

beforeAll(async () => {
  fixture = await startStorageFixture();
});

afterAll(async () => {
  await fixture?.close();
});

/** How the trail's bucket is protected, as provisioning sets it up. */
interface Protection {
  /** Lifecycle expiration and COMPLIANCE lock, in days. */
  retentionDays: number;
}

/**
 * A bucket like production's: versioning, a lifecycle expiration of the
 * retention (current and noncurrent versions) and object lock COMPLIANCE
 * for the same period.
 */
async function protectedBucket(
  storage: StorageFixture,
  { retentionDays }: Protection,
): Promise<string> {
  const name = await createBucket(storage.s3, 'audit', true);
  await storage.s3.send(
    new PutBucketVersioningCommand({
      Bucket: name,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  await storage.s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: name,
      LifecycleConfiguration: retentionLifecycle(retentionDays),
    }),
  );
  await storage.s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket: name,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: retentionDays } },
      },
    }),
  );

  return name;
}

/**
 * A sealed trail in a new bucket: hours H-5 (three events in two objects),
 * H-4 (one), H-3 (none) and H-2 (one), H being the current hour. Verified
 * on the platform clock with a 30-day retention unless told otherwise.
 */
async function sealedTrail(
  options: { protect?: Protection; storage?: StorageFixture } = {},
) {
  const storage = options.storage ?? fixture;
  const name =
    options.protect === undefined
      ? await createBucket(storage.s3)
      : await protectedBucket(storage, options.protect);
  const keys = memoryKeys();
  const { bucket, shipper } = shipperFor(
    storage.s3,
    name,
    'staging',
    storage.clock,
  );
  const base = Math.floor(storage.clock.now().getTime() / HOUR_MS) * HOUR_MS;
  const at = (hoursAgo: number, seconds: number) =>
    new Date(base - hoursAgo * HOUR_MS + seconds * 1000).toISOString();

  await shipper.ship([sampleEvent(at(5, 1)), sampleEvent(at(5, 2))]);
  await shipper.ship([sampleEvent(at(5, 3))]);
  await shipper.ship([sampleEvent(at(4, 5))]);
  await shipper.ship([sampleEvent(at(2, 5))]);
  const seal = () =>
    sealAuditHours({
      bucket,
      environment: 'staging',
      signingKeys: keys.signingKeys,
      clock: storage.clock,
    });
  const sealed = await seal();
  const verify = () =>
    verifyAuditTrail({
      bucket,
      environment: 'staging',
      clock: storage.clock,
      retentionDays: options.protect?.retentionDays ?? 30,
      publicKey: (version, fingerprint) =>
        keys.signingKeys.publicKey(version, fingerprint),
    });

  return { bucket, keys, sealed, seal, verify, shipper, at };
}

type Trail = Awaited<ReturnType<typeof sealedTrail>>;

async function rewrite(
  bucket: AuditBucket,
  key: string,
  change: (body: Buffer) => Buffer,
): Promise<void> {
  const object = await bucket.get(key);
  await bucket.put(key, change(object?.body ?? Buffer.alloc(0)), {
    contentType: 'application/octet-stream',
    metadata: object?.metadata ?? {},
  });
}

async function remove(bucket: AuditBucket, key: string): Promise<void> {
  await fixture.s3.send(
    new DeleteObjectCommand({ Bucket: bucket.name, Key: key }),
  );
}

/** The log objects of a digest's hour. */
async function objectsOf(bucket: AuditBucket, digest: string) {
  const hour = digest.replace('digests/', '').replace('.json', '/');

  return bucket.list(hour);
}

/** Deletes digests (from `from` on, up to `to`) and their hours' objects. */
async function truncate(
  { bucket, sealed }: Trail,
  from: number,
  to = sealed.digests.length,
): Promise<void> {
  for (const digest of sealed.digests.slice(from, to)) {
    for (const key of await objectsOf(bucket, digest)) {
      await remove(bucket, key);
    }
    await remove(bucket, digest);
  }
}

/**
 * Re-seal laundering: an object of H-4 changed, the digests from H-4 on
 * deleted, and the CRON run again, which seals the changed object.
 */
async function launder(trail: Trail): Promise<{ object: string }> {
  const { bucket, sealed } = trail;
  const [object] = await objectsOf(bucket, sealed.digests[1] as string);
  await rewrite(bucket, object as string, (body) =>
    Buffer.concat([body, Buffer.from('x')]),
  );
  for (const digest of sealed.digests.slice(1)) {
    await remove(bucket, digest);
  }
  await trail.seal();

  return { object: object as string };
}

describe('sealAuditHours', () => {
  it('writes one digest per closed hour, empty hours included', async () => {
    const { sealed, bucket } = await sealedTrail();

    const digests = await bucket.list('staging/digests/');

    const digestOf = (hoursAgo: number) =>
      digestKey(
        'staging',
        new Date(fixture.clock.now().getTime() - hoursAgo * HOUR_MS),
      );
    expect(sealed.digests.length).toBeGreaterThanOrEqual(4);
    expect(digests).toEqual(sealed.digests);
    expect(digests[0]).toBe(digestOf(5));
    expect(digests[2]).toBe(digestOf(3));
  });

  it('seals nothing twice', async () => {
    const { bucket, keys } = await sealedTrail();

    const again = await sealAuditHours({
      bucket,
      environment: 'staging',
      signingKeys: keys.signingKeys,
      clock: fixture.clock,
    });

    expect(again.digests).toEqual([]);
  });

  it('puts a late event of a sealed hour under its delivery hour', async () => {
    const { shipper, at, verify } = await sealedTrail();

    const result = await shipper.ship([sampleEvent(at(5, 30))]);

    const deliveryHour = logPrefix('staging', fixture.clock.now());
    const report = await verify();
    expect(result.objects[0]).toContain(deliveryHour);
    expect(report.ok).toBe(true);
    expect(report.pending).toBe(1);
  });
});

describe('verifyAuditTrail', () => {
  it.each([
    { case: 'an unversioned bucket', protect: undefined },
    {
      case: 'a versioned bucket under object lock',
      protect: { retentionDays: 30 },
    },
  ])('passes on untouched data in $case', async ({ protect }) => {
    const { verify } = await sealedTrail(protect ? { protect } : {});

    const report = await verify();

    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.objects).toBe(4);
  });

  type Tamper = (trail: Trail) => Promise<string>;

  const cases: {
    case: string;
    tamper: Tamper;
    kind: IntegrityProblemKind;
    protect?: Protection;
  }[] = [
    {
      case: 'a modified object',
      kind: 'modified-object',
      tamper: async ({ bucket }) => {
        const [key] = await bucket.list('staging/2');
        await rewrite(bucket, key as string, (body) =>
          Buffer.concat([body, Buffer.from('x')]),
        );
        return key as string;
      },
    },
    {
      case: 'a deleted object',
      kind: 'missing-object',
      tamper: async ({ bucket }) => {
        const [key] = await bucket.list('staging/2');
        await remove(bucket, key as string);
        return key as string;
      },
    },
    {
      case: 'two objects swapped',
      kind: 'reordered-object',
      tamper: async ({ bucket }) => {
        const [a, b] = await bucket.list('staging/2');
        const first = await bucket.get(a as string);
        const second = await bucket.get(b as string);
        await rewrite(
          bucket,
          a as string,
          () => second?.body ?? Buffer.alloc(0),
        );
        await rewrite(
          bucket,
          b as string,
          () => first?.body ?? Buffer.alloc(0),
        );
        return a as string;
      },
    },
    {
      case: 'an object added to a sealed hour',
      kind: 'unlisted-object',
      tamper: async ({ bucket, sealed }) => {
        const digest = sealed.digests[1] as string;
        const hour = digest.replace('digests/', '').replace('.json', '/');
        const key = `${hour}20200101T000000Z_${'a'.repeat(32)}.jsonl.gz`;
        await bucket.put(key, Buffer.from('forged'), {
          contentType: 'application/gzip',
        });
        return key;
      },
    },
    {
      case: 'a modified digest',
      kind: 'modified-digest',
      tamper: async ({ bucket, sealed }) => {
        const key = sealed.digests[1] as string;
        await rewrite(bucket, key, (body) =>
          Buffer.from(
            // flip the first hex digit, so the digest always changes
            body
              .toString()
              .replace(
                /"sha256": "([0-9a-f])/,
                (_, digit: string) => `"sha256": "${digit === 'f' ? '0' : 'f'}`,
              ),
          ),
        );
        return key;
      },
    },
    {
      case: 'a deleted digest',
      kind: 'missing-digest',
      tamper: async ({ bucket, sealed }) => {
        await remove(bucket, sealed.digests[1] as string);
        return sealed.digests[2] as string;
      },
    },
    {
      case: 'two digests swapped',
      kind: 'reordered-digest',
      tamper: async ({ bucket, sealed }) => {
        const a = sealed.digests[0] as string;
        const b = sealed.digests[1] as string;
        const first = await bucket.get(a);
        const second = await bucket.get(b);
        await rewrite(bucket, a, () => second?.body ?? Buffer.alloc(0));
        await rewrite(bucket, b, () => first?.body ?? Buffer.alloc(0));
        return a;
      },
    },
    {
      case: 'the newest digests deleted with their objects (tail)',
      kind: 'missing-digest',
      tamper: async (trail) => {
        await truncate(trail, 2);
        return trail.sealed.digests[2] as string;
      },
    },
    {
      case: 'every digest deleted, the objects kept',
      kind: 'missing-digest',
      tamper: async ({ bucket, sealed }) => {
        for (const digest of sealed.digests) {
          await remove(bucket, digest);
        }
        return sealed.digests[0] as string;
      },
    },
    {
      case: 'the oldest digest deleted with its objects, within retention',
      kind: 'missing-digest',
      tamper: async (trail) => {
        await truncate(trail, 0, 1);
        return trail.sealed.digests[0] as string;
      },
    },
    {
      case: 'a re-sealed object under object lock (the object)',
      kind: 'overwritten-object',
      protect: { retentionDays: 30 },
      tamper: async (trail) => (await launder(trail)).object,
    },
    {
      case: 'a re-sealed object under object lock (the digest)',
      kind: 'deleted-digest',
      protect: { retentionDays: 30 },
      tamper: async (trail) => {
        await launder(trail);
        return trail.sealed.digests[1] as string;
      },
    },
    {
      case: 'a re-sealed object under object lock (the new digest)',
      kind: 'overwritten-digest',
      protect: { retentionDays: 30 },
      tamper: async (trail) => {
        await launder(trail);
        return trail.sealed.digests[1] as string;
      },
    },
    {
      case: 'a deleted object under object lock',
      kind: 'deleted-object',
      protect: { retentionDays: 30 },
      tamper: async ({ bucket, sealed }) => {
        const [key] = await objectsOf(bucket, sealed.digests[0] as string);
        await remove(bucket, key as string);
        return key as string;
      },
    },
  ];

  it.each(cases)('detects $case', async ({ tamper, kind, protect }) => {
    const trail = await sealedTrail(protect ? { protect } : {});
    const key = await tamper(trail);

    const report = await trail.verify();

    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind, key }),
    );
  });

  it('refuses digests signed by another key', async () => {
    const trail = await sealedTrail();
    const other = memoryKeys();

    const report = await verifyAuditTrail({
      bucket: trail.bucket,
      environment: 'staging',
      publicKey: (v, f) => other.signingKeys.publicKey(v, f),
    });

    expect(report.ok).toBe(false);
    expect(report.problems.every((p) => p.kind === 'modified-digest')).toBe(
      true,
    );
  });

  it('sees a re-seal only in the version history', async () => {
    const trail = await sealedTrail({ protect: { retentionDays: 30 } });
    await launder(trail);

    const report = await trail.verify();

    const kinds = new Set(report.problems.map((p) => p.kind));
    expect(report.ok).toBe(false);
    expect([...kinds].sort()).toEqual([
      'deleted-digest',
      'overwritten-digest',
      'overwritten-object',
    ]);
  });
});

describe('verifyAuditTrail after the retention', () => {
  let storage: StorageFixture;

  beforeAll(async () => {
    storage = await startStorageFixture();
  });

  afterAll(async () => {
    await storage?.close();
  });

  it('accepts digests and objects expired by the lifecycle', async () => {
    const trail = await sealedTrail({
      storage,
      protect: { retentionDays: 1 },
    });
    storage.clock.advance(20 * HOUR_MS);
    await trail.seal();
    storage.clock.advance(8 * HOUR_MS);
    await trail.seal();

    const report = await trail.verify();

    const digests = await trail.bucket.list('staging/digests/');
    expect(digests).not.toContain(trail.sealed.digests[0]);
    expect(digests).not.toContain(trail.sealed.digests.at(-1));
    expect(report.chainStart).toBe(digests[0]);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
