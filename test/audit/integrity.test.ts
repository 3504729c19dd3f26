import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HOUR_MS } from '../../lib/audit/clock.ts';
import { sealAuditHours } from '../../lib/audit/integrity/seal.ts';
import {
  type IntegrityProblemKind,
  verifyAuditTrail,
} from '../../lib/audit/integrity/verify.ts';
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

/**
 * A sealed trail in a new bucket: hours H-5 (three events in two objects),
 * H-4 (one), H-3 (none) and H-2 (one), H being the current hour.
 */
async function sealedTrail() {
  const name = await createBucket(fixture.s3);
  const keys = memoryKeys();
  const { bucket, shipper } = shipperFor(
    fixture.s3,
    name,
    'staging',
    fixture.clock,
  );
  const base = Math.floor(fixture.clock.now().getTime() / HOUR_MS) * HOUR_MS;
  const at = (hoursAgo: number, seconds: number) =>
    new Date(base - hoursAgo * HOUR_MS + seconds * 1000).toISOString();

  await shipper.ship([sampleEvent(at(5, 1)), sampleEvent(at(5, 2))]);
  await shipper.ship([sampleEvent(at(5, 3))]);
  await shipper.ship([sampleEvent(at(4, 5))]);
  await shipper.ship([sampleEvent(at(2, 5))]);
  const sealed = await sealAuditHours({
    bucket,
    environment: 'staging',
    signingKeys: keys.signingKeys,
    clock: fixture.clock,
  });
  const verify = () =>
    verifyAuditTrail({
      bucket,
      environment: 'staging',
      publicKey: (version, fingerprint) =>
        keys.signingKeys.publicKey(version, fingerprint),
    });

  return { bucket, keys, sealed, verify, shipper, at };
}

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
  const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  await fixture.s3.send(
    new DeleteObjectCommand({ Bucket: bucket.name, Key: key }),
  );
}

describe('sealAuditHours', () => {
  it('writes one digest per closed hour, empty hours included', async () => {
    const { sealed, bucket } = await sealedTrail();

    const digests = await bucket.list('staging/digests/');

    const hour = (hoursAgo: number) => {
      const iso = new Date(
        fixture.clock.now().getTime() - hoursAgo * HOUR_MS,
      ).toISOString();
      return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}`;
    };
    expect(sealed.digests.length).toBeGreaterThanOrEqual(4);
    expect(digests).toEqual(sealed.digests);
    expect(digests[0]).toBe(`staging/digests/${hour(5)}.json`);
    expect(digests[2]).toBe(`staging/digests/${hour(3)}.json`);
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

    const now = fixture.clock.now().toISOString();
    const hourPath = `${now.slice(0, 4)}/${now.slice(5, 7)}/${now.slice(8, 10)}/${now.slice(11, 13)}`;
    expect(result.objects[0]).toContain(`staging/${hourPath}/`);
    expect((await verify()).ok).toBe(true);
  });
});

describe('verifyAuditTrail', () => {
  it('passes on untouched data', async () => {
    const { verify } = await sealedTrail();

    const report = await verify();

    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.objects).toBe(4);
  });

  type Tamper = (
    trail: Awaited<ReturnType<typeof sealedTrail>>,
  ) => Promise<string>;

  const cases: { case: string; tamper: Tamper; kind: IntegrityProblemKind }[] =
    [
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
                  (_, digit: string) =>
                    `"sha256": "${digit === 'f' ? '0' : 'f'}`,
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
    ];

  it.each(cases)('detects $case', async ({ tamper, kind }) => {
    const trail = await sealedTrail();
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
});
