import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HOUR_MS, startOfHour } from '../../lib/audit/clock.ts';
import { sealAuditHours } from '../../lib/audit/integrity/seal.ts';
import { verifyAuditTrail } from '../../lib/audit/integrity/verify.ts';
import {
  closingKey,
  lateNoteBody,
  lateNoteKey,
  logObjectKey,
  parseDigestKey,
  parseLateNoteKey,
  parseLogObjectKey,
} from '../../lib/audit/layout.ts';
import { AuditShipper } from '../../lib/audit/shipping/shipper.ts';
import { AuditBucket } from '../../lib/audit/storage.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';
import { createBucket, memoryKeys, sampleEvent } from './fixtures.ts';

// A shipper and a sealer run at once: the queue trigger ships while the
// CRON seals, and two CRON runs may overlap. These tests stop one of
// them at the worst line and let the other run through.

let storage: StorageFixture;

beforeAll(async () => {
  storage = await startStorageFixture();
});

afterAll(async () => {
  await storage?.close();
});

/**
 * The bucket as seen by a shipper whose first log-object put stops until
 * `release()`: `reached` resolves once it has stopped there.
 */
function stallingBucket(bucket: AuditBucket) {
  let release = () => {};
  let reachedPut = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    reachedPut = resolve;
  });
  const put: AuditBucket['put'] = async (key, body, options) => {
    if (parseLogObjectKey(key) !== null) {
      reachedPut();
      await gate;
    }
    return bucket.put(key, body, options);
  };
  return { bucket: withPut(bucket, put), reached, release };
}

/** The bucket, with `put` replaced. */
function withPut(bucket: AuditBucket, put: AuditBucket['put']): AuditBucket {
  return new Proxy(bucket, {
    get(target, property) {
      if (property === 'put') return put;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Resolves for everyone once `count` callers have arrived. */
function atBarrier(count: number): () => Promise<void> {
  let arrived = 0;
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });

  return () => {
    arrived += 1;
    if (arrived === count) open();
    return opened;
  };
}

/** The bucket, with its first digest put held at `barrier`. */
function waitingAtDigests(
  bucket: AuditBucket,
  barrier: () => Promise<void>,
): AuditBucket {
  let first = true;
  const put: AuditBucket['put'] = async (key, body, options) => {
    if (first && parseDigestKey(key) !== null) {
      first = false;
      await barrier();
    }
    return bucket.put(key, body, options);
  };

  return withPut(bucket, put);
}

async function trail(environment: string) {
  const name = await createBucket(storage.s3, 'audit', true);
  const bucket = new AuditBucket({ s3: storage.s3, bucket: name });
  const keys = memoryKeys();
  const seal = (offsetMs = 0) =>
    sealAuditHours({
      bucket,
      environment,
      signingKeys: keys.signingKeys,
      clock: {
        now: () => new Date(storage.clock.now().getTime() + offsetMs),
      },
    });
  const verify = () =>
    verifyAuditTrail({
      bucket,
      environment,
      clock: storage.clock,
      retentionDays: 30,
      publicKey: (version, fingerprint) =>
        keys.signingKeys.publicKey(version, fingerprint),
    });

  return { bucket, keys, seal, verify };
}

/**
 * The race of these tests: one minute into a new hour, `shipper` (whose
 * bucket is `stalling`) ships an event of that hour, finds the hour open
 * and stops before its put; the hour ends and the CRON seals it; then
 * `meanwhile` runs, and the put goes through. The ship is not awaited.
 */
async function stallAcrossSeal(race: {
  stalling: ReturnType<typeof stallingBucket>;
  shipper: AuditShipper;
  seal: () => Promise<unknown>;
  meanwhile?: () => Promise<void>;
}) {
  const now = storage.clock.now().getTime();
  const eventsHour = startOfHour(new Date(now)).getTime() + HOUR_MS;
  storage.clock.advance(eventsHour + 60_000 - now);
  const event = sampleEvent(new Date(eventsHour + 5_000).toISOString());

  const shipping = race.shipper.ship([event]);
  await race.stalling.reached;
  storage.clock.advance(HOUR_MS + 15 * 60_000);
  await race.seal();
  await race.meanwhile?.();
  race.stalling.release();

  return { event, eventsHour, shipping };
}

function shipperOn(bucket: AuditBucket): AuditShipper {
  return new AuditShipper({
    bucket,
    environment: 'staging',
    clock: storage.clock,
  });
}

describe('a shipper stalled between its check and its put', () => {
  let objectKey: string;
  let eventsHour: number;
  let whileAwaiting: Awaited<ReturnType<typeof verifyAuditTrail>>;
  let adopted: Awaited<ReturnType<typeof verifyAuditTrail>>;
  let adoptingDigest: unknown;

  beforeAll(async () => {
    const { bucket, seal, verify } = await trail('staging');
    const stalling = stallingBucket(bucket);
    const shipper = shipperOn(stalling.bucket);

    const race = await stallAcrossSeal({ stalling, shipper, seal });
    eventsHour = race.eventsHour;
    objectKey = (await race.shipping).objects[0] ?? '';
    whileAwaiting = await verify();

    // the next hour's digest adopts it
    storage.clock.advance(HOUR_MS);
    const sealed = await seal();
    adopted = await verify();
    const digest = await bucket.get(sealed.digests.at(-1) ?? '');
    adoptingDigest = JSON.parse(digest?.body.toString('utf8') ?? '{}');
  });

  it('lands in the hour of its events, sealed meanwhile', () => {
    const hour = parseLogObjectKey(objectKey)?.hour.getTime();

    expect(hour).toBe(eventsHour);
  });

  it('is pending, not unlisted, until the next digest', () => {
    expect(whileAwaiting.problems).toEqual([]);
    expect(whileAwaiting.pending).toBe(1);
  });

  it('is adopted by the next digest, and the trail verifies', () => {
    expect(adoptingDigest).toMatchObject({
      adoptedObjects: [{ key: objectKey }],
    });
    expect(adopted.problems).toEqual([]);
    expect(adopted.ok).toBe(true);
  });
});

describe('a shipper killed between its put and its late note', () => {
  it('leaves the note to the redelivery, and the trail verifies', async () => {
    const { bucket, seal, verify } = await trail('staging');
    const stalling = stallingBucket(bucket);
    const dying = withPut(stalling.bucket, async (key, body, options) => {
      if (key.includes('/late/')) throw new Error('killed');
      return stalling.bucket.put(key, body, options);
    });
    const race = await stallAcrossSeal({
      stalling,
      shipper: shipperOn(dying),
      seal,
    });
    const { event } = race;

    const killed = await race.shipping.then(
      () => 'shipped',
      (error: Error) => error.message,
    );
    const redelivered = await shipperOn(bucket).ship([event]);
    storage.clock.advance(HOUR_MS);
    await seal();
    const report = await verify();

    expect(killed).toBe('killed');
    expect(redelivered.duplicates).toBe(1);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});

describe('a late note while the current hour is being sealed too', () => {
  it('goes under the next hour, whose digest adopts the object', async () => {
    const { bucket, seal, verify } = await trail('staging');
    const stalling = stallingBucket(bucket);
    // a sealer has begun the current hour as well (a clock ahead)
    const beginCurrent = async () => {
      const current = startOfHour(storage.clock.now());
      await bucket.put(closingKey('staging', current), Buffer.from('{}'), {
        contentType: 'application/json',
      });
    };

    const race = await stallAcrossSeal({
      stalling,
      shipper: shipperOn(stalling.bucket),
      seal,
      meanwhile: beginCurrent,
    });
    await race.shipping;
    const current = startOfHour(storage.clock.now());
    const notes = await bucket.list('staging/late/');
    storage.clock.advance(2 * HOUR_MS);
    await seal();
    const report = await verify();

    expect(notes.map((key) => parseLateNoteKey(key)?.getTime())).toEqual([
      current.getTime() + HOUR_MS,
    ]);
    expect(report.problems).toEqual([]);
  });
});

describe('a late note for an object added to an old sealed hour', () => {
  it('leaves the object unlisted, before and after a seal', async () => {
    const { bucket, seal, verify } = await trail('staging');
    const base = startOfHour(storage.clock.now()).getTime();
    const oldHour = new Date(base - 4 * HOUR_MS);
    const shipper = shipperOn(bucket);
    await shipper.ship([
      sampleEvent(new Date(base - 4 * HOUR_MS).toISOString()),
    ]);
    await seal();
    // three hours later, someone adds an object to the old hour, and
    // notes asking this hour's digest (and one far ahead) to adopt it
    storage.clock.advance(3 * HOUR_MS);
    await seal();
    const injected = logObjectKey(
      'staging',
      oldHour,
      oldHour.toISOString(),
      'f'.repeat(32),
      null,
    );
    await bucket.put(injected, Buffer.from('forged'), {
      contentType: 'application/gzip',
    });
    const now = startOfHour(storage.clock.now());
    for (const hour of [now, new Date('2099-01-01T00:00:00Z')]) {
      await bucket.put(
        lateNoteKey('staging', hour, 'e'.repeat(32)),
        lateNoteBody(injected),
        { contentType: 'application/json' },
      );
    }

    const before = await verify();
    storage.clock.advance(HOUR_MS);
    await seal();
    const after = await verify();

    for (const report of [before, after]) {
      expect(report.problems).toEqual([
        expect.objectContaining({ kind: 'unlisted-object', key: injected }),
      ]);
    }
  });
});

describe('two sealing runs at once', () => {
  it('write each digest once, and the chain verifies', async () => {
    const { bucket, keys, verify } = await trail('staging');
    const shipper = shipperOn(bucket);
    const base = startOfHour(storage.clock.now()).getTime();
    await shipper.ship([
      sampleEvent(new Date(base - 3 * HOUR_MS + 1_000).toISOString()),
      sampleEvent(new Date(base - 2 * HOUR_MS + 1_000).toISOString()),
    ]);

    // both runs reach their first digest put before either writes it,
    // one second apart: their digests differ (sealedAt)
    const barrier = atBarrier(2);
    const runs = await Promise.all(
      [0, 1_000].map((offsetMs) =>
        sealAuditHours({
          bucket: waitingAtDigests(bucket, barrier),
          environment: 'staging',
          signingKeys: keys.signingKeys,
          clock: {
            now: () => new Date(storage.clock.now().getTime() + offsetMs),
          },
        }),
      ),
    );
    const report = await verify();
    const versions = await bucket.listVersions('staging/digests/');

    expect(runs.filter((run) => run.contended !== undefined)).toHaveLength(1);
    expect(versions.length).toBe(new Set(versions.map((v) => v.key)).size);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
