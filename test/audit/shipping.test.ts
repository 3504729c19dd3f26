import { gunzipSync } from 'node:zlib';

import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { encodeAuditEvent } from '../../lib/audit/event.ts';
import { markerKey } from '../../lib/audit/layout.ts';
import {
  drainAuditQueue,
  handleAuditMessage,
} from '../../lib/audit/shipping/queue.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';
import {
  createBucket,
  createQueue,
  sampleEvent,
  shipperFor,
  storedEvents,
} from './fixtures.ts';

let storage: StorageFixture;
let queues: StorageFixture;

beforeAll(async () => {
  storage = await startStorageFixture();
  queues = await startStorageFixture();
});

afterAll(async () => {
  await storage?.close();
  await queues?.close();
});

async function send(queueUrl: string, bodies: string[]): Promise<void> {
  for (const body of bodies) {
    await queues.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }),
    );
  }
}

describe('AuditShipper', () => {
  it('stores a run hour by hour, gzip compressed, each event once', async () => {
    const name = await createBucket(storage.s3);
    const { bucket, shipper } = shipperFor(
      storage.s3,
      name,
      'staging',
      storage.clock,
    );
    const run = [
      sampleEvent('2026-03-01T10:15:00.000Z'),
      sampleEvent('2026-03-01T10:59:59.999Z'),
      sampleEvent('2026-03-01T11:00:00.000Z'),
    ];

    const result = await shipper.ship(run);

    const stored = await storedEvents(bucket, 'staging');
    const keys = [...stored.keys()];
    expect(result.stored).toBe(3);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^staging\/2026\/03\/01\/10\/.+\.jsonl\.gz$/);
    expect(keys[1]).toMatch(/^staging\/2026\/03\/01\/11\/.+\.jsonl\.gz$/);
    const ids = [...stored.values()].flat().map((e) => e.event_id);
    expect(ids.sort()).toEqual(run.map((e) => e.event_id).sort());
    const raw = await bucket.get(keys[0] as string);
    expect(raw?.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('drops an event shipped before, whatever batch it comes in', async () => {
    const name = await createBucket(storage.s3);
    const { bucket, shipper } = shipperFor(
      storage.s3,
      name,
      'staging',
      storage.clock,
    );
    const first = sampleEvent('2026-03-01T10:00:00.000Z');
    const second = sampleEvent('2026-03-01T10:01:00.000Z');
    await shipper.ship([first]);

    const again = await shipper.ship([first, second, second]);

    const events = [...(await storedEvents(bucket, 'staging')).values()].flat();
    expect(again).toMatchObject({ stored: 1, duplicates: 2 });
    expect(events.map((e) => e.event_id).sort()).toEqual(
      [first.event_id, second.event_id].sort(),
    );
  });

  it('stores an event whose marker points to an object never written', async () => {
    const name = await createBucket(storage.s3);
    const { bucket, shipper } = shipperFor(
      storage.s3,
      name,
      'staging',
      storage.clock,
    );
    const event = sampleEvent('2026-03-01T10:00:00.000Z');
    const hour = new Date('2026-03-01T10:00:00.000Z');
    const ghost = `staging/2026/03/01/10/20260301T100000Z_${'0'.repeat(32)}.jsonl.gz`;
    await bucket.put(
      markerKey('staging', hour, event.event_id),
      Buffer.from(JSON.stringify({ object: ghost })),
      { contentType: 'application/json' },
    );

    const result = await shipper.ship([event]);

    expect(result.stored).toBe(1);
    expect(
      [...(await storedEvents(bucket, 'staging')).values()].flat(),
    ).toHaveLength(1);
  });

  it('refuses an event of another environment', async () => {
    const name = await createBucket(storage.s3);
    const { shipper } = shipperFor(storage.s3, name, 'staging', storage.clock);

    const shipping = shipper.ship([
      sampleEvent('2026-03-01T10:00:00.000Z', { environment: 'production' }),
    ]);

    await expect(shipping).rejects.toMatchObject({
      name: 'AuditEventInvalidError',
      problems: [{ path: 'environment' }],
    });
  });
});

describe('handleAuditMessage (queue trigger)', () => {
  it('stores a message delivered twice exactly once', async () => {
    const name = await createBucket(storage.s3);
    const { bucket, shipper } = shipperFor(
      storage.s3,
      name,
      'staging',
      storage.clock,
    );
    const body = encodeAuditEvent(sampleEvent('2026-03-01T12:00:00.000Z'));

    const first = await handleAuditMessage(body, shipper);
    const second = await handleAuditMessage(body, shipper);

    expect(first).toMatchObject({ statusCode: 200, stored: 1 });
    expect(second).toMatchObject({ statusCode: 200, stored: 0, duplicates: 1 });
    expect(await storedEvents(bucket, 'staging')).toHaveProperty('size', 1);
  });

  it.each([
    { case: 'not JSON', body: '{nope', paths: ['(root)'] },
    {
      case: 'several wrong fields',
      body: JSON.stringify({
        ...sampleEvent('2026-03-01T12:00:00.000Z'),
        timestamp: '2026-03-01 12:00',
        severity: 'loud',
        typo: 1,
      }),
      paths: ['(root)', 'severity', 'timestamp'],
    },
  ])('answers 400 with every problem: $case', async ({ body, paths }) => {
    const name = await createBucket(storage.s3);
    const { bucket, shipper } = shipperFor(
      storage.s3,
      name,
      'staging',
      storage.clock,
    );

    const outcome = await handleAuditMessage(body, shipper);

    expect(outcome.statusCode).toBe(400);
    expect(outcome.problems.map((p) => p.path).sort()).toEqual(paths);
    expect(await bucket.list('staging/')).toEqual([]);
  });

  it('answers 503 while storage is unavailable, 200 once it is back', async () => {
    const name = await createBucket(storage.s3);
    const { bucket, shipper } = shipperFor(
      storage.s3,
      name,
      'staging',
      storage.clock,
    );
    const body = encodeAuditEvent(sampleEvent('2026-03-01T12:00:00.000Z'));
    storage.storage.faults.inject({ mode: 'unavailable' });

    const during = await handleAuditMessage(body, shipper);
    storage.storage.faults.clear();
    const after = await handleAuditMessage(body, shipper);

    expect(during.statusCode).toBe(503);
    expect(after).toMatchObject({ statusCode: 200, stored: 1 });
    expect(await storedEvents(bucket, 'staging')).toHaveProperty('size', 1);
  });
});

describe('drainAuditQueue (CRON)', () => {
  it('ships every message, deletes them, and groups them per hour', async () => {
    const name = await createBucket(storage.s3);
    const { bucket, shipper } = shipperFor(
      storage.s3,
      name,
      'staging',
      storage.clock,
    );
    const { queueUrl } = await createQueue(queues.sqs);
    const events = Array.from({ length: 25 }, (_, i) =>
      sampleEvent(`2026-03-01T1${i % 2}:00:${String(i).padStart(2, '0')}.000Z`),
    );
    await send(queueUrl, events.map(encodeAuditEvent));

    const report = await drainAuditQueue({
      sqs: queues.sqs,
      queueUrls: [queueUrl],
      shipper,
    });
    const again = await drainAuditQueue({
      sqs: queues.sqs,
      queueUrls: [queueUrl],
      shipper,
    });

    expect(report).toMatchObject({ received: 25, stored: 25, deleted: 25 });
    expect(report.failure).toBeUndefined();
    expect(again.received).toBe(0);
    const stored = await storedEvents(bucket, 'staging');
    expect(stored.size).toBe(2);
    expect([...stored.values()].flat()).toHaveLength(25);
  });

  it('ships an event redelivered after a crash before the delete once', async () => {
    const name = await createBucket(storage.s3);
    const { bucket, shipper } = shipperFor(
      storage.s3,
      name,
      'staging',
      storage.clock,
    );
    const { queueUrl } = await createQueue(queues.sqs);
    const events = [
      sampleEvent('2026-03-01T10:00:00.000Z'),
      sampleEvent('2026-03-01T10:00:01.000Z'),
    ];
    await send(queueUrl, events.map(encodeAuditEvent));
    // The crashed run stored only the first event and deleted nothing.
    await shipper.ship([events[0] as (typeof events)[0]]);

    const report = await drainAuditQueue({
      sqs: queues.sqs,
      queueUrls: [queueUrl],
      shipper,
    });

    expect(report).toMatchObject({ stored: 1, duplicates: 1, deleted: 2 });
    const ids = [...(await storedEvents(bucket, 'staging')).values()]
      .flat()
      .map((e) => e.event_id);
    expect(ids.sort()).toEqual(events.map((e) => e.event_id).sort());
  });

  it('loses nothing while storage is down and resumes when it is back', async () => {
    const name = await createBucket(storage.s3);
    const { bucket, shipper } = shipperFor(
      storage.s3,
      name,
      'staging',
      storage.clock,
    );
    const { queueUrl } = await createQueue(queues.sqs);
    const events = Array.from({ length: 12 }, (_, i) =>
      sampleEvent(`2026-03-01T10:00:${String(i).padStart(2, '0')}.000Z`),
    );
    await send(queueUrl, events.map(encodeAuditEvent));
    storage.storage.faults.inject({ mode: 'unavailable' });

    const during = await drainAuditQueue({
      sqs: queues.sqs,
      queueUrls: [queueUrl],
      shipper,
    });
    storage.storage.faults.clear();
    const after = await drainAuditQueue({
      sqs: queues.sqs,
      queueUrls: [queueUrl],
      shipper,
    });

    expect(during.failure).toMatch(/storage failed/);
    expect(during.deleted).toBe(0);
    expect(after).toMatchObject({ stored: 12, deleted: 12 });
    const ids = [...(await storedEvents(bucket, 'staging')).values()]
      .flat()
      .map((e) => e.event_id);
    expect(ids.sort()).toEqual(events.map((e) => e.event_id).sort());
  });

  it('leaves an invalid message to the dead-letter queue, reported', async () => {
    const name = await createBucket(storage.s3);
    const { bucket, shipper } = shipperFor(
      storage.s3,
      name,
      'staging',
      storage.clock,
    );
    const { queueUrl, dlqUrl } = await createQueue(queues.sqs, {
      maxReceiveCount: 1,
      visibilitySeconds: 1,
    });
    const valid = sampleEvent('2026-03-01T10:00:00.000Z');
    await send(queueUrl, ['{"event_id": 42}', encodeAuditEvent(valid)]);

    const first = await drainAuditQueue({
      sqs: queues.sqs,
      queueUrls: [queueUrl, dlqUrl],
      shipper,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await drainAuditQueue({
      sqs: queues.sqs,
      queueUrls: [queueUrl, dlqUrl],
      shipper,
    });

    expect(first.stored).toBe(1);
    expect(first.rejected).toHaveLength(1);
    expect(first.rejected[0]?.problems.length).toBeGreaterThan(5);
    expect(second.rejected).toEqual([
      expect.objectContaining({ queueUrl: dlqUrl }),
    ]);
    expect(second.stored).toBe(0);
    expect(await storedEvents(bucket, 'staging')).toHaveProperty('size', 1);
  });
});

describe('log objects', () => {
  it('decompress to one JSON line per event', async () => {
    const name = await createBucket(storage.s3);
    const { bucket, shipper } = shipperFor(
      storage.s3,
      name,
      'staging',
      storage.clock,
    );
    await shipper.ship([
      sampleEvent('2026-03-01T10:00:00.000Z'),
      sampleEvent('2026-03-01T10:00:01.000Z'),
    ]);

    const [key] = await bucket.list('staging/2026/');
    const text = gunzipSync(
      (await bucket.get(key as string))?.body ?? Buffer.alloc(0),
    ).toString();

    expect(text.split('\n')).toHaveLength(3);
    expect(text.endsWith('\n')).toBe(true);
  });
});
