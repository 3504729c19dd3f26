import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROVISION_EXIT,
  runProvisionCommand,
} from '../../lib/provision/cli.ts';
import { type ProvisionFixture, startProvisionFixture } from './support.ts';

let fixture: ProvisionFixture;

function capture() {
  const out: string[] = [];
  const err: string[] = [];

  return {
    out,
    err,
    io: {
      out: (line: string) => out.push(line),
      err: (line: string) => err.push(line),
      env: { ...fixture.environment, EVALAP_AUDIT_QUEUE_URL: undefined },
    },
  };
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
