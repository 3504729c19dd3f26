import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD_ALPHABET,
  type RotationReport,
  runRotation,
} from '../../lib/rotation/index.ts';
import type { LocalPlatform } from '../../local/platform.ts';
import {
  DAY_MS,
  provisionScenario,
  type Scenario,
  startRotationPlatform,
  versionsOf,
} from './fixture.ts';

const DECLARED_KEYS = ['client_id', 'client_secret', 'signing_salt'];
const VALUE_LENGTH = 24;

/** Secrets production does not declare: one per generator of interest. */
const EXTRA_SECRETS = [
  {
    name: 'tls-certificate',
    type: 'certificate',
    path: '/evalap/tls',
    generator: { kind: 'manual' },
  },
  {
    name: 'deploy-ssh-key',
    type: 'ssh_key',
    path: '/evalap/ssh',
    generator: { kind: 'manual' },
  },
  {
    name: 'webhook-keys',
    type: 'key_value',
    path: '/evalap/webhooks',
    generator: {
      kind: 'key_value',
      keys: DECLARED_KEYS,
      length: VALUE_LENGTH,
    },
  },
];

let platform: LocalPlatform;

beforeAll(async () => {
  platform = await startRotationPlatform();
}, 60_000);

afterAll(() => platform?.close());

function parseObject(payload: string | undefined): Record<string, string> {
  return JSON.parse(payload ?? '{}') as Record<string, string>;
}

describe('runRotation: the generator of each secret type, a year on', () => {
  let scenario: Scenario;
  let report: RotationReport;

  beforeAll(async () => {
    scenario = await provisionScenario(platform, 'gen', {
      extraSecrets: EXTRA_SECRETS,
    });
    platform.clock.advance(366 * DAY_MS);

    report = await runRotation(scenario.stack, scenario.context());
  }, 60_000);

  it.each([
    { case: 'a certificate', secret: 'tls-certificate', type: 'certificate' },
    { case: 'an SSH key', secret: 'deploy-ssh-key', type: 'ssh_key' },
  ])('reports $case due for a person, creating no version', async (row) => {
    const versions = await versionsOf(scenario, row.secret);

    const manual = report.manual.find((o) => o.secret === row.secret);

    expect(manual?.reason).toMatch(/^rotation due, manual action needed/);
    expect(manual?.reason).toContain(row.type);
    expect(manual?.ageDays).toBe(366);
    expect(report.rotated.map((o) => o.secret)).not.toContain(row.secret);
    expect(versions).toHaveLength(1);
  });

  it('gives key_value new random values under the declared keys', async () => {
    const [previous, current] = await versionsOf(scenario, 'webhook-keys');

    const before = parseObject(previous?.payload);
    const after = parseObject(current?.payload);

    expect(report.rotated.map((o) => o.secret)).toContain('webhook-keys');
    expect(Object.keys(after).sort()).toEqual([...DECLARED_KEYS].sort());
    for (const key of DECLARED_KEYS) {
      expect(after[key], key).toHaveLength(VALUE_LENGTH);
      const foreign = [...(after[key] ?? '')].filter(
        (c) => !PASSWORD_ALPHABET.includes(c),
      );
      expect(foreign, key).toEqual([]);
      expect(after[key], key).not.toBe(before[key]);
    }
    expect(new Set(Object.values(after)).size).toBe(DECLARED_KEYS.length);
  });
});
