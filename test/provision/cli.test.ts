import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configuredRuntime,
  DRIFT_EXIT,
  driftCommand,
} from '../../cli/commands/drift.ts';
import type { AuditEvent } from '../../lib/audit/index.ts';
import { loadConfig } from '../../lib/config/index.ts';
import {
  PROVISION_EXIT,
  runProvisionCommand,
} from '../../lib/provision/cli.ts';
import { createQueueClient } from '../../lib/scaleway/client.ts';
import { stageAuditQueue } from '../../local/defaults.ts';
import { captureIo } from '../support/cli.ts';
import { type ProvisionFixture, startProvisionFixture } from './support.ts';

let fixture: ProvisionFixture;

function capture() {
  return captureIo(fixture.environment);
}

beforeAll(async () => {
  fixture = await startProvisionFixture();
});

afterAll(() => fixture.close());

describe('evalap-infra apply and plan', () => {
  it('applies the production example with a line per resource', async () => {
    const { out, io } = capture();

    const code = await runProvisionCommand(
      'apply',
      'stacks/production.yaml',
      { json: false },
      io,
    );

    expect(code).toBe(PROVISION_EXIT.ok);
    expect(out).toContain('✓ create vpc evalap-vpc-production');
    expect(out.join('\n')).toMatch(/Applied production: [1-9]\d* created/);
  });

  it('then plans no change', async () => {
    const { out, io } = capture();

    const code = await runProvisionCommand(
      'plan',
      'stacks/production.yaml',
      {},
      io,
    );

    const text = out.join('\n');
    expect(code).toBe(PROVISION_EXIT.ok);
    expect(text).toMatch(/^\s+ACTION\s+KIND\s+NAME\s+DETAILS$/m);
    expect(text).toMatch(/^=\s+no-change\s+vpc\s+evalap-vpc-production/m);
    expect(text).toMatch(/0 to create, 0 to update, 0 to replace, 0 to delete/);
  });

  it('then finds no drift, without reading a secret value', async () => {
    const { out, err, io } = capture();
    fixture.platform.controls.counters.reset();

    const code = await driftCommand(
      'stacks/production.yaml',
      { store: false },
      configuredRuntime,
      io,
    );
    const routes = fixture.platform.controls.counters.snapshot().routes;

    expect(out.join('\n')).toContain('Status: **clean**');
    expect(err.join('\n')).not.toContain('not the stack last applied');
    expect(code).toBe(DRIFT_EXIT.clean);
    expect(Object.keys(routes).filter((r) => r.endsWith('/access'))).toEqual(
      [],
    );
  });

  it('says when the file is not the stack last applied', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'evalap-edited-'));
    const file = join(folder, 'production.yaml');
    const text = await readFile('stacks/production.yaml', 'utf8');
    await writeFile(file, text.replace('maxScale: 10', 'maxScale: 12'));
    const { err, io } = capture();

    const code = await driftCommand(
      file,
      { store: false },
      configuredRuntime,
      io,
    );

    expect(code).toBe(DRIFT_EXIT.drift);
    expect(err.join('\n')).toContain(
      'this file is not the stack last applied to production',
    );
  });

  it('dates the drift report on the local platform clock', async () => {
    const { out, io } = capture();
    const moved = fixture.platform.clock.advance(30 * 86_400_000);

    await driftCommand(
      'stacks/production.yaml',
      { store: false, json: true },
      configuredRuntime,
      io,
    );
    const report = JSON.parse(out.join('\n')) as { checkedAt: string };

    const checkedAt = Date.parse(report.checkedAt);
    expect(checkedAt).toBeGreaterThanOrEqual(moved.getTime());
    expect(checkedAt - Date.now()).toBeGreaterThan(29 * 86_400_000);
  });

  it('then applies again with zero write calls', async () => {
    const { out, io } = capture();
    fixture.platform.controls.counters.reset();

    const code = await runProvisionCommand(
      'apply',
      'stacks/production.yaml',
      {},
      io,
    );

    expect(code).toBe(PROVISION_EXIT.ok);
    expect(out.join('\n')).toMatch(/Applied production: 0 created, 0 updated/);
    expect(fixture.apiWrites()).toBe(0);
  });

  it('says a missing file is not a stack (exit 2)', async () => {
    const { err, io } = capture();

    const code = await runProvisionCommand('plan', 'stacks/nope.yaml', {}, io);

    expect(code).toBe(PROVISION_EXIT.notAStack);
    expect(err.join('\n')).toMatch(/nope\.yaml/);
  });
});

describe('evalap-infra drift, stored', () => {
  /** The drift events the CLI sent to the production audit queue. */
  let sqs: SQSClient;

  beforeAll(() => {
    sqs = createQueueClient(loadConfig(fixture.environment));
  });

  async function driftEvents(queueUrl: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        events.push(JSON.parse(message.Body ?? '{}') as AuditEvent);
        await sqs.send(
          new DeleteMessageCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: message.ReceiptHandle,
          }),
        );
      }
    }

    return events.filter((event) => event.operation === 'drift');
  }

  it('audits new drift once, as the function does', async () => {
    const { clients } = fixture.context;
    const queue = await sqs.send(
      new CreateQueueCommand({ QueueName: stageAuditQueue('production') }),
    );
    const queueUrl = queue.QueueUrl ?? '';
    const { namespaces } = await clients.container.listNamespaces({
      region: 'fr-par',
      name: 'evalap-production',
    });
    const { containers } = await clients.container.listContainers({
      region: 'fr-par',
      namespaceId: namespaces[0]?.id ?? '',
      name: 'runners-production',
    });
    await clients.container.updateContainer({
      region: 'fr-par',
      containerId: containers[0]?.id ?? '',
      maxScale: 7,
    });
    const drift = () =>
      driftCommand(
        'stacks/production.yaml',
        { json: true },
        configuredRuntime,
        captureIo(fixture.environment).io,
      );

    const code = await drift();
    const first = await driftEvents(queueUrl);
    await drift();
    const second = await driftEvents(queueUrl);

    expect(code).toBe(DRIFT_EXIT.drift);
    expect(first).toMatchObject([
      {
        project: 'evalap',
        actor: 'evalap-infra drift',
        details: { event: 'drift-detected', new_findings: 1 },
      },
    ]);
    expect(second).toEqual([]);
  });
});

describe('evalap-infra apply of the dev stack', () => {
  it("writes its audit events to the stack's local file", async () => {
    const folder = await mkdtemp(join(tmpdir(), 'evalap-dev-audit-'));
    const file = join(folder, 'dev.yaml');
    const text = await readFile('stacks/dev.yaml', 'utf8');
    const audit = join(folder, 'audit', 'dev.jsonl');
    await writeFile(file, text.replace('.audit/dev.jsonl', audit));
    const { err, io } = capture();

    const code = await runProvisionCommand('apply', file, {}, io);

    expect(code).toBe(PROVISION_EXIT.ok);
    const [day] = await readdir(join(folder, 'audit'));
    expect(day).toMatch(/^dev-\d{4}-\d{2}-\d{2}\.jsonl$/);
    const events = (await readFile(join(folder, 'audit', `${day}`), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditEvent);
    expect(events[0]).toMatchObject({
      operation: 'deploy',
      environment: 'dev',
    });
    expect(
      events.filter((e) => e.operation === 'create').length,
    ).toBeGreaterThan(10);
    // the events went to the file, not to stderr
    expect(err.join('\n')).not.toMatch(/"operation"/);
  });
});
