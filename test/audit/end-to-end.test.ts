import { gunzipSync } from 'node:zlib';

import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { AUDIT_VERIFY_EXIT, verifyCommand } from '../../cli/commands/audit.ts';
import { HOUR_MS, startOfHour } from '../../lib/audit/clock.ts';
import type { AuditEvent } from '../../lib/audit/event.ts';
import { eventHour } from '../../lib/audit/event.ts';
import { sealAuditHours } from '../../lib/audit/integrity/seal.ts';
import { verifyAuditTrail } from '../../lib/audit/integrity/verify.ts';
import { logPrefix } from '../../lib/audit/layout.ts';
import { AuditLogger } from '../../lib/audit/logger.ts';
import type { AuditRuntime } from '../../lib/audit/runtime.ts';
import {
  CRON_JOB,
  shipAuditLogsHandler,
} from '../../lib/audit/shipping/function.ts';
import { handleAuditMessage } from '../../lib/audit/shipping/queue.ts';
import type { AuditShipper } from '../../lib/audit/shipping/shipper.ts';
import { queueSink } from '../../lib/audit/sinks/queue.ts';
import { stdoutSink } from '../../lib/audit/sinks/stdout.ts';
import { createLogger } from '../../lib/log/index.ts';
import { applyStack } from '../../lib/provision/index.ts';
import { loadStack, type Stack } from '../../lib/stack/index.ts';
import { localSqsClient } from '../../local/storage/clients.ts';
import {
  memorySink,
  type ProvisionFixture,
  startProvisionFixture,
} from '../provision/support.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';
import {
  createBucket,
  createQueue,
  memoryKeys,
  shipperFor,
  storedEvents,
} from './fixtures.ts';

const PLANTED = ['pl4nted-Pa55word', 'pl4nted-t0ken-value', 'pl4nted-dsn-pw'];

let fixture: StorageFixture;
let runtime: AuditRuntime;
const output: string[] = [];

function post(body: string) {
  return { httpMethod: 'POST', path: '/', headers: {}, body };
}

beforeAll(async () => {
  fixture = await startStorageFixture();
  const name = await createBucket(fixture.s3);
  const keys = memoryKeys();
  const { bucket, shipper } = shipperFor(
    fixture.s3,
    name,
    'staging',
    fixture.clock,
    keys.encryptionKeys,
  );
  const { queueUrl, dlqUrl } = await createQueue(fixture.sqs);
  runtime = {
    environment: 'staging',
    bucket,
    shipper,
    signingKeys: keys.signingKeys,
    sqs: fixture.sqs,
    queueUrls: [queueUrl, dlqUrl],
  };
});

afterAll(async () => {
  await fixture?.close();
});

async function capturedStdout<T>(run: () => Promise<T>): Promise<T> {
  const spy = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  try {
    return await run();
  } finally {
    spy.mockRestore();
  }
}

describe('a provisioning run, shipped, sealed and verified', () => {
  it('ships through the function, verifies, and leaks no secret', async () => {
    const logLines: string[] = [];
    const handler = shipAuditLogsHandler({
      runtime: async () => runtime,
      logger: createLogger({
        destination: { write: (line: string) => logLines.push(line) },
      }),
      clock: fixture.clock,
    });
    const cockpit: string[] = [];
    const audit = new AuditLogger({
      environment: 'staging',
      project: 'evalap',
      actor: 'deploy-bot',
      clock: {
        now: () => new Date(fixture.clock.now().getTime() - 3 * HOUR_MS),
      },
      sinks: [
        stdoutSink({
          write: (line: string, done: () => void) => {
            cockpit.push(line);
            done();
            return true;
          },
        } as never),
        queueSink({
          sqs: fixture.sqs,
          queueUrl: runtime.queueUrls[0] as string,
        }),
      ],
    });

    await audit.logDeploymentStart('staging', ['db']);
    await audit.logCreate('DatabaseInstance', 'evalap-db', {
      password: PLANTED[0],
      url: `postgres://app:${PLANTED[2]}@db:5432/evalap`,
    });
    await audit.logError(
      'Secret',
      'api-token',
      'rotate',
      new Error(`bad token=${PLANTED[1]}`),
    );
    await audit.logDeploymentComplete('staging', { created: 1 });
    const duplicate = cockpit[1] as string;
    const trigger = await handler(post(duplicate.trim()));
    const cron = await handler(post(JSON.stringify({ job: CRON_JOB })));
    const invalid = await handler(post(`{"password":"${PLANTED[0]}"}`));
    const intact = await capturedStdout(() =>
      verifyCommand({ env: 'staging', json: true }, async () => runtime),
    );

    expect(trigger.statusCode).toBe(200);
    expect(cron.statusCode).toBe(200);
    expect(JSON.parse(cron.body)).toMatchObject({
      received: 4,
      stored: 3,
      duplicates: 1,
    });
    expect(invalid.statusCode).toBe(400);
    expect(intact).toBe(AUDIT_VERIFY_EXIT.intact);

    const stored: string[] = [];
    for (const key of await runtime.bucket.list('staging/')) {
      const version = /\.k(\d+)\.jsonl\.gz$/.exec(key)?.[1] ?? null;
      const body =
        (await runtime.bucket.get(key, version))?.body ?? Buffer.alloc(0);
      stored.push(
        key.endsWith('.gz') ? gunzipSync(body).toString() : body.toString(),
      );
    }
    const everything = [
      ...cockpit,
      ...logLines,
      ...output,
      trigger.body,
      cron.body,
      invalid.body,
      ...stored,
    ].join('\n');
    expect(
      stored
        .join('')
        .split('\n')
        .filter((l) => l.includes('"event_id"')),
    ).toHaveLength(4);
    for (const secret of PLANTED) {
      expect(everything).not.toContain(secret);
    }
  });

  it('exits 1 when an object was changed', async () => {
    const [key] = (await runtime.bucket.list('staging/2')).filter((k) =>
      k.endsWith('.gz'),
    );
    const version = /\.k(\d+)\.jsonl\.gz$/.exec(key as string)?.[1] ?? null;
    await runtime.bucket.put(key as string, Buffer.from('tampered'), {
      contentType: 'application/gzip',
      keyVersion: version,
    });

    const code = await capturedStdout(() =>
      verifyCommand({ env: 'staging' }, async () => runtime),
    );

    expect(code).toBe(AUDIT_VERIFY_EXIT.problems);
    expect(output.at(-1)).toMatch(/NOT intact/);
  });
});

/**
 * What the queue trigger does, message by message: ships each message
 * (every third one twice, as a redelivery would), then deletes it.
 */
async function deliverQueue(
  sqs: SQSClient,
  queueUrl: string,
  shipper: AuditShipper,
): Promise<{ delivered: number; statuses: number[] }> {
  const statuses: number[] = [];
  let delivered = 0;

  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
      }),
    );
    if (Messages.length === 0) {
      return { delivered, statuses };
    }

    for (const message of Messages) {
      const times = delivered % 3 === 0 ? 2 : 1;
      for (let time = 0; time < times; time += 1) {
        const outcome = await handleAuditMessage(message.Body ?? '', shipper);
        statuses.push(outcome.statusCode);
      }
      delivered += 1;
      await sqs.send(
        new DeleteMessageCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.ReceiptHandle,
        }),
      );
    }
  }
}

/** The stack with one more secret, so that a second apply changes it. */
function withReportToken(stack: Stack): Stack {
  const model = stack.secrets.find((s) => s.name === 'audit-sse-key');
  if (model === undefined) {
    throw new Error('the production stack has no audit-sse-key');
  }

  return {
    ...stack,
    secrets: [
      ...stack.secrets,
      { ...model, name: 'report-token', description: 'Report token' },
    ],
  };
}

describe('the events of a provisioning run', () => {
  let provision: ProvisionFixture;
  let sqs: SQSClient;

  beforeAll(async () => {
    provision = await startProvisionFixture();
    sqs = localSqsClient(provision.platform.storageEndpoint);
  });

  afterAll(async () => {
    sqs?.destroy();
    await provision?.close();
  });

  it('reach the bucket hour by hour, gzip, each once', async () => {
    const { clients } = provision.context;
    const clock = provision.platform.clock;
    const stack = await loadStack('stacks/production.yaml');
    const name = await createBucket(clients.s3);
    const { queueUrl } = await createQueue(sqs);
    const keys = memoryKeys();
    const { bucket, shipper } = shipperFor(
      clients.s3,
      name,
      'production',
      clock,
    );
    const sent: AuditEvent[] = [];
    const audit = new AuditLogger({
      environment: 'production',
      project: 'evalap',
      actor: 'deploy-bot',
      clock,
      sinks: [memorySink(sent), queueSink({ sqs: sqs, queueUrl })],
    });
    const context = { ...provision.context, audit };

    await applyStack(context, stack);
    const first = await deliverQueue(sqs, queueUrl, shipper);
    const nextHour = startOfHour(clock.now()).getTime() + HOUR_MS;
    clock.advance(nextHour + 60_000 - clock.now().getTime());
    await applyStack(context, withReportToken(stack));
    const second = await deliverQueue(sqs, queueUrl, shipper);
    clock.advance(2 * HOUR_MS);
    await sealAuditHours({
      bucket,
      environment: 'production',
      signingKeys: keys.signingKeys,
      clock,
    });
    const report = await verifyAuditTrail({
      bucket,
      environment: 'production',
      clock,
      retentionDays: 90,
      publicKey: (v, f) => keys.signingKeys.publicKey(v, f),
    });

    const stored = await storedEvents(bucket, 'production');
    const storedIds = [...stored.values()].flat().map((e) => e.event_id);
    const hours = new Set(sent.map((e) => eventHour(e).getTime()));
    expect(hours.size).toBe(2);
    expect(first.delivered + second.delivered).toBe(sent.length);
    expect(first.statuses.length).toBeGreaterThan(first.delivered);
    expect([...first.statuses, ...second.statuses]).not.toContain(400);
    expect(storedIds.sort()).toEqual(sent.map((e) => e.event_id).sort());
    for (const [key, events] of stored) {
      const object = await bucket.get(key);
      expect(object?.body.subarray(0, 2).toString('hex')).toBe('1f8b');
      for (const event of events) {
        expect(key.startsWith(logPrefix('production', eventHour(event)))).toBe(
          true,
        );
      }
    }
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.objects).toBe(stored.size);
  });
});
