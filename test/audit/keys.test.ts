import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  AuditEncryptionKeys,
  AuditSigningKeys,
  scalewaySecretReader,
} from '../../lib/audit/keys.ts';
import {
  startTestScalewayApi,
  type TestScalewayApi,
} from '../support/scaleway.ts';

let local: TestScalewayApi;

beforeAll(async () => {
  local = await startTestScalewayApi();
});

afterAll(async () => {
  await local?.close();
});

async function createSecret(name: string, versions: Buffer[]): Promise<void> {
  const secret = await local.secret.createSecret({
    name,
    path: '/evalap/audit',
    protected: false,
    type: 'opaque',
  });
  for (const data of versions) {
    await local.secret.createSecretVersion({
      secretId: secret.id,
      data: data.toString('base64'),
    });
  }
}

describe('audit keys from Secret Manager (local API)', () => {
  it('derives the Ed25519 signing key of each version from its seed', async () => {
    await createSecret('audit-signing-key-staging', [
      Buffer.from(randomBytes(32).toString('base64')),
      Buffer.from(randomBytes(32).toString('base64')),
    ]);
    const keys = new AuditSigningKeys(
      scalewaySecretReader(local.secret),
      '/evalap/audit/audit-signing-key-staging',
    );

    const current = await keys.current();
    const first = await keys.byVersion('1');

    expect(current.version).toBe('2');
    expect(current.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(first.fingerprint).not.toBe(current.fingerprint);
    expect(await keys.publicKey('1', first.fingerprint)).not.toBeNull();
    expect(await keys.publicKey('1', current.fingerprint)).toBeNull();
  });

  it('reads every SSE-C key version', async () => {
    const v1 = randomBytes(32);
    const v2 = randomBytes(32);
    await createSecret('audit-sse-key-staging', [
      Buffer.from(v1.toString('base64')),
      Buffer.from(v2.toString('base64')),
    ]);
    const keys = new AuditEncryptionKeys(
      scalewaySecretReader(local.secret),
      '/evalap/audit/audit-sse-key-staging',
    );

    const current = await keys.current();
    const old = await keys.byVersion('1');

    expect(current).toEqual({ version: '2', key: v2 });
    expect(old.key).toEqual(v1);
  });
});
