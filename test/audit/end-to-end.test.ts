import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { AUDIT_VERIFY_EXIT, verifyCommand } from '../../cli/commands/audit.ts';
import { HOUR_MS } from '../../lib/audit/clock.ts';
import { AuditLogger } from '../../lib/audit/logger.ts';
import type { AuditRuntime } from '../../lib/audit/runtime.ts';
import {
  CRON_JOB,
  shipAuditLogsHandler,
} from '../../lib/audit/shipping/function.ts';
import { queueSink } from '../../lib/audit/sinks/queue.ts';
import { stdoutSink } from '../../lib/audit/sinks/stdout.ts';
import { createLogger } from '../../lib/log/index.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';
import {
  createBucket,
  createQueue,
  memoryKeys,
  shipperFor,
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
