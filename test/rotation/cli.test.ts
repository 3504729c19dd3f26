import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROTATE_EXIT, rotateCommand } from '../../cli/commands/rotate.ts';
import { applyStack } from '../../lib/provision/index.ts';
import { loadStack } from '../../lib/stack/index.ts';
import {
  type ProvisionFixture,
  startProvisionFixture,
} from '../provision/support.ts';
import { captureIo } from '../support/cli.ts';

const STACK = 'stacks/production.yaml';
const SECRETS = '/secret-manager/v1beta1/regions/{region}/secrets';

let fixture: ProvisionFixture;

function capture() {
  return captureIo(fixture.environment);
}

beforeAll(async () => {
  fixture = await startProvisionFixture();
  await applyStack(fixture.context, await loadStack(STACK));
});

afterAll(() => fixture.close());

describe('evalap-infra rotate', () => {
  it('previews with --dry-run, saying why each secret is skipped', async () => {
    const { out, io } = capture();
    fixture.platform.controls.counters.reset();

    const code = await rotateCommand(STACK, { dryRun: true }, io);

    const text = out.join('\n');
    expect(code).toBe(ROTATE_EXIT.ok);
    expect(text).toMatch(/^Dry run: nothing was changed\.$/m);
    expect(text).toMatch(/^ {2}skipped api-key: .+/m);
    expect(text).toMatch(/^ {2}manual llm-api-key: .+/m);
    expect(fixture.apiWrites()).toBe(0);
  });

  it('rotates one secret now with --secret, redeploying its consumer', async () => {
    const { out, io } = capture();

    const code = await rotateCommand(STACK, { secret: 'api-key' }, io);

    const text = out.join('\n');
    expect(code).toBe(ROTATE_EXIT.ok);
    expect(text).toMatch(/rotated 1,/);
    expect(text).toMatch(
      /^ {2}rotated api-key; the previous version is retired after \S+Z$/m,
    );
    expect(text).toMatch(/^ {2}redeployed api \(api-key\)$/m);
    expect(text).not.toMatch(/Dry run/);
  });

  it('lists each secret a real run skipped, with why', async () => {
    const { out, io } = capture();

    const code = await rotateCommand(STACK, {}, io);

    const text = out.join('\n');
    expect(code).toBe(ROTATE_EXIT.ok);
    expect(text).toMatch(
      /^ {2}skipped db-password: not due before \S+ \(0 days old, rot/m,
    );
    expect(text).toMatch(/^ {2}skipped db-password: .+ rotated every 90\)$/m);
    expect(text).toMatch(
      /^ {2}skipped api-key: rotated; the previous version is retired after/m,
    );
  });

  it('reports a stuck rotation, warning without a stack trace', async () => {
    const route = `POST ${SECRETS}/{secret_id}/versions`;
    fixture.platform.controls.faults.add({ route, kind: 'error' });
    const { out, err, io } = capture();

    try {
      await rotateCommand(STACK, { secret: 'audit-sse-key' }, io);
    } finally {
      fixture.platform.controls.faults.clear();
    }

    const warnings = err
      .filter((line) => line.startsWith('{"level"'))
      .map((line) => JSON.parse(line) as { msg: string; err?: object });
    expect(out.join('\n')).toMatch(/^ {2}stuck audit-sse-key/m);
    expect(warnings.map((w) => w.msg)).toContain('rotation stuck');
    for (const warning of warnings) {
      expect(warning.err ?? {}).not.toHaveProperty('stack');
    }
  });

  it.each([
    { case: '--resume without --secret', options: { resume: true } },
    {
      case: '--resume with --abandon',
      options: { secret: 'api-key', resume: true, abandon: true },
    },
  ])('refuses $case as a usage error (exit 2)', async ({ options }) => {
    const { err, io } = capture();
    fixture.platform.controls.counters.reset();

    const code = await rotateCommand(STACK, options, io);

    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/^rotate: --/m);
    expect(fixture.platform.controls.counters.snapshot().total).toBe(0);
  });
});
