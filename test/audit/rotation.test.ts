import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HOUR_MS } from '../../lib/audit/clock.ts';
import { sealAuditHours } from '../../lib/audit/integrity/seal.ts';
import { verifyAuditTrail } from '../../lib/audit/integrity/verify.ts';
import {
  AuditEncryptionKeys,
  AuditSigningKeys,
  scalewaySecretReader,
} from '../../lib/audit/keys.ts';
import { runRotation } from '../../lib/rotation/index.ts';
import { deployedName } from '../../lib/stack/index.ts';
import type { LocalPlatform } from '../../local/platform.ts';
import {
  provisionScenario,
  type Scenario,
  startRotationPlatform,
  versionsOf,
} from '../rotation/fixture.ts';
import {
  createBucket,
  sampleEvent,
  shipperFor,
  storedEvents,
} from './fixtures.ts';

let platform: LocalPlatform;
let scenario: Scenario;

beforeAll(async () => {
  platform = await startRotationPlatform();
  scenario = await provisionScenario(platform, 'audkeys');
}, 60_000);

afterAll(() => platform?.close());

/** The Secret Manager name of a declared secret: `<path>/<name>-<env>`. */
function secretName(base: string): string {
  const { stack } = scenario;
  const declared = stack.secrets.find((s) => s.name === base);

  return `${declared?.path ?? ''}/${deployedName(base, stack.environment)}`;
}

/**
 * Gives an audit key secret a first value as provisioning generates it
 * (32 random bytes, base64; the scenario plants a test string), disabling
 * the planted version. Returns the new revision.
 */
async function generateFirstKey(base: string): Promise<string> {
  const { stack, clients } = scenario;
  const secretId =
    scenario.ids.get(`secret:${deployedName(base, stack.environment)}`) ?? '';
  const version = await clients.secret.createSecretVersion({
    region: stack.region,
    secretId,
    data: Buffer.from(randomBytes(32).toString('base64')).toString('base64'),
    disablePrevious: true,
  });

  return String(version.revision);
}

/** The audit keys and bucket of the scenario, read from Secret Manager. */
async function auditTrail() {
  const reader = scalewaySecretReader(scenario.clients.secret, {
    projectId: scenario.stack.project.id,
  });
  const encryption = new AuditEncryptionKeys(
    reader,
    secretName('audit-sse-key'),
  );
  const signingKeys = new AuditSigningKeys(
    reader,
    secretName('audit-signing-key'),
  );
  const name = await createBucket(scenario.clients.s3);
  const { bucket, shipper } = shipperFor(
    scenario.clients.s3,
    name,
    'production',
    platform.clock,
    encryption,
  );
  const seal = () =>
    sealAuditHours({
      bucket,
      environment: 'production',
      signingKeys,
      clock: platform.clock,
    });
  const verify = () =>
    verifyAuditTrail({
      bucket,
      environment: 'production',
      clock: platform.clock,
      retentionDays: 90,
      publicKey: (v, f) => signingKeys.publicKey(v, f),
    });

  return { bucket, shipper, seal, verify };
}

describe('rotating the audit keys', () => {
  it('keeps what the previous versions protect readable', async () => {
    const first = await generateFirstKey('audit-sse-key');
    await generateFirstKey('audit-signing-key');
    const trail = await auditTrail();
    const hoursAgo = (hours: number) =>
      new Date(platform.clock.now().getTime() - hours * HOUR_MS).toISOString();
    await trail.shipper.ship([
      sampleEvent(hoursAgo(3), { environment: 'production' }),
    ]);
    await trail.seal();

    for (const secret of ['audit-sse-key', 'audit-signing-key']) {
      await runRotation(scenario.stack, scenario.context({ graceMs: 0 }), {
        secret,
      });
    }
    await trail.shipper.ship([
      sampleEvent(hoursAgo(0), { environment: 'production' }),
    ]);
    platform.clock.advance(2 * HOUR_MS);
    await trail.seal();
    const report = await trail.verify();

    const stored = await storedEvents(trail.bucket, 'production');
    const signedWith = new Set<string>();
    for (const key of await trail.bucket.list('production/digests/')) {
      const body = (await trail.bucket.get(key))?.body.toString() ?? '{}';
      signedWith.add(JSON.parse(body).signingKeyVersion);
    }
    const keyVersions = [...stored.keys()].map(
      (key) => /\.k(\d+)\.jsonl\.gz$/.exec(key)?.[1],
    );
    for (const secret of ['audit-sse-key', 'audit-signing-key']) {
      const versions = await versionsOf(scenario, secret);
      expect(versions.map((v) => v.status)).toEqual([
        'disabled',
        'enabled',
        'enabled',
      ]);
    }
    expect(keyVersions).toEqual([first, String(Number(first) + 1)]);
    expect([...stored.values()].flat()).toHaveLength(2);
    expect(signedWith.size).toBe(2);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.objects).toBe(2);
  });
});
