import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../lib/audit/clock.ts';
import {
  type AuditEvent,
  decodeAuditEvent,
  parseAuditEvent,
} from '../../lib/audit/event.ts';
import { AuditLogger } from '../../lib/audit/logger.ts';
import type { AuditSink } from '../../lib/audit/sink.ts';
import { fileSink } from '../../lib/audit/sinks/file.ts';
import { queueSink } from '../../lib/audit/sinks/queue.ts';
import { stdoutSink } from '../../lib/audit/sinks/stdout.ts';
import { PlatformClock } from '../../local/controls/clock.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';
import { createQueue } from './fixtures.ts';

/** A stdout-like stream whose lines the test reads back. */
function capture(): { sink: AuditSink; lines: () => string[] } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));

  return {
    sink: stdoutSink(stream),
    lines: () =>
      Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean),
  };
}

function loggerFor(
  environment: string,
  sinks: AuditSink[],
  clock = new PlatformClock(),
) {
  return new AuditLogger({
    environment,
    project: 'evalap',
    actor: 'deploy-bot',
    requestId: 'req-42',
    sinks,
    clock,
  });
}

describe('AuditLogger', () => {
  it.each([
    {
      case: 'create',
      call: (a: AuditLogger) => a.logCreate('Bucket', 'b', { size: 1 }),
      expected: { operation: 'create', severity: 'info', success: true },
    },
    {
      case: 'update',
      call: (a: AuditLogger) => a.logUpdate('Container', 'api', { cpu: 2 }),
      expected: { severity: 'info', details: { changes: { cpu: 2 } } },
    },
    {
      case: 'delete',
      call: (a: AuditLogger) => a.logDelete('Bucket', 'old', 'cleanup'),
      expected: { severity: 'warning', details: { reason: 'cleanup' } },
    },
    {
      case: 'error',
      call: (a: AuditLogger) =>
        a.logError('DatabaseInstance', 'db', 'create', new Error('quota')),
      expected: { severity: 'error', success: false, error_message: 'quota' },
    },
    {
      case: 'deployment start',
      call: (a: AuditLogger) => a.logDeploymentStart('staging', ['db']),
      expected: {
        operation: 'deploy',
        resource_type: 'Stack',
        details: { phase: 'start', resources: ['db'] },
      },
    },
    {
      case: 'deployment complete',
      call: (a: AuditLogger) =>
        a.logDeploymentComplete('staging', { created: 3 }),
      expected: {
        severity: 'info',
        details: {
          phase: 'complete',
          resources_created: 3,
          resources_updated: 0,
          resources_deleted: 0,
        },
      },
    },
    {
      case: 'failed staging deployment',
      call: (a: AuditLogger) => a.logDeploymentFailed('staging', 'boom'),
      expected: { severity: 'error', success: false },
    },
  ])('records $case with the guide severity', async ({ call, expected }) => {
    const out = capture();
    const audit = loggerFor('staging', [out.sink]);

    const event = await call(audit);

    expect(event).toMatchObject(expected);
    expect(out.lines()).toHaveLength(1);
    expect(parseAuditEvent(JSON.parse(out.lines()[0] as string)).ok).toBe(true);
  });

  it('marks a failed production deployment critical', async () => {
    const audit = loggerFor('production', []);

    const event = await audit.logDeploymentFailed('production', new Error('x'));

    expect(event.severity).toBe('critical');
  });

  it('measures the duration from startOperation, once', async () => {
    const clock = new PlatformClock();
    const audit = loggerFor('staging', [], clock);

    audit.startOperation('DatabaseInstance', 'db');
    clock.advance(181_000);
    const first = await audit.logCreate('DatabaseInstance', 'db');
    const second = await audit.logCreate('DatabaseInstance', 'db');

    expect(first.duration_ms).toBeGreaterThanOrEqual(181_000);
    expect(second.duration_ms).toBeNull();
  });

  it('keeps going when a sink fails, and reports it', async () => {
    const out = capture();
    const failures: string[] = [];
    const broken: AuditSink = {
      name: 'queue',
      write: async () => {
        throw new Error('queue down');
      },
    };
    const audit = new AuditLogger({
      environment: 'staging',
      sinks: [broken, out.sink],
      onSinkFailure: (failure) => failures.push(failure.sink),
    });

    await audit.logCreate('Bucket', 'b');

    expect(failures).toEqual(['queue']);
    expect(audit.failures).toBe(1);
    expect(out.lines()).toHaveLength(1);
  });
});

describe('event encoding', () => {
  const hostile = [
    'line one\nline two\r\n',
    'quote " and \\ backslash',
    'unicode é 日本 🚀',
    'ansi \u001b[31mred\u001b[0m bell \u0007',
    'separators \u2028 \u2029 \u0085 \u000b \u000c',
    '{"forged":"event"}\n{"operation":"delete"}',
  ];

  it.each(hostile.map((text) => ({ case: JSON.stringify(text), text })))(
    'keeps $case on one line and round-trips it exactly',
    async ({ text }) => {
      const out = capture();
      const audit = new AuditLogger({
        environment: 'staging',
        actor: text,
        sinks: [out.sink],
      });

      await audit.logCreate('Bucket', text, { note: text, [text]: 1 });

      const lines = out.lines();
      expect(lines).toHaveLength(1);
      const raw = ['\n', '\r', '\u2028', '\u2029', '\u0085', '\u001b'];
      expect(raw.filter((c) => lines[0]?.includes(c))).toEqual([]);
      const event = decodeAuditEvent(lines[0] as string);
      expect(event.resource_name).toBe(text);
      expect(event.actor).toBe(text);
      expect(event.details.note).toBe(text);
      expect(event.details[text]).toBe(1);
    },
  );
});

describe('fileSink', () => {
  it('appends JSON lines per day and prunes days older than 7', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'audit-file-'));
    const file = join(directory, 'dev.jsonl');
    const clock = new PlatformClock();
    const day = (daysAgo: number) =>
      new Date(clock.now().getTime() - daysAgo * DAY_MS)
        .toISOString()
        .slice(0, 10);
    await writeFile(join(directory, `dev-${day(9)}.jsonl`), '{}\n');
    await writeFile(join(directory, `dev-${day(6)}.jsonl`), '{}\n');
    await writeFile(join(directory, 'notes.txt'), 'kept\n');
    const audit = loggerFor('dev', [fileSink({ file, clock })], clock);

    const event = await audit.logCreate('Bucket', 'b');
    await audit.logDelete('Bucket', 'b');

    const today = event.timestamp.slice(0, 10);
    expect((await readdir(directory)).sort()).toEqual(
      [`dev-${day(6)}.jsonl`, `dev-${today}.jsonl`, 'notes.txt'].sort(),
    );
    const lines = (
      await readFile(join(directory, `dev-${today}.jsonl`), 'utf8')
    )
      .split('\n')
      .filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as AuditEvent).operation)).toEqual([
      'create',
      'delete',
    ]);
  });
});

describe('queueSink', () => {
  let queues: StorageFixture;

  beforeAll(async () => {
    queues = await startStorageFixture();
  });

  afterAll(async () => {
    await queues?.close();
  });

  it('sends the event as the message body', async () => {
    const { queueUrl } = await createQueue(queues.sqs);
    const audit = loggerFor('staging', [
      queueSink({ sqs: queues.sqs, queueUrl }),
    ]);
    const { ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');

    const event = await audit.logCreate('Bucket', 'b');

    const received = await queues.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl }),
    );
    const body = received.Messages?.[0]?.Body ?? '';
    expect(decodeAuditEvent(body)).toEqual(event);
  });
});
