import { describe, expect, it } from 'vitest';
import { loadStack } from '../../lib/stack/index.ts';
import { type AppliedState, stackRevision } from '../../lib/state/index.ts';
import {
  recordedSecretHashes,
  SECRET_ENV_HASHES,
  secretHashDigest,
  withRecordedHashes,
} from '../../lib/state/secret-hashes.ts';

const HASH = '$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA';

async function stateWith(attribute: string): Promise<AppliedState> {
  const stack = await loadStack('stacks/production.yaml');

  return {
    environment: 'production',
    stackRevision: stackRevision(stack),
    appliedAt: '2026-12-04T10:00:00.000Z',
    stack,
    resources: [
      {
        kind: 'container',
        name: 'api-production',
        id: 'c-1',
        attributes: { privateNetwork: true, [SECRET_ENV_HASHES]: attribute },
      },
      { kind: 'secret', name: 'api-key-production', id: 's-1' },
    ],
  };
}

describe('secretHashDigest', () => {
  it('is 32 hex characters, other for another hash', () => {
    const digest = secretHashDigest(HASH);

    expect(digest).toMatch(/^[0-9a-f]{32}$/);
    expect(digest).not.toBe(secretHashDigest(`${HASH}x`));
  });
});

describe('withRecordedHashes', () => {
  it('merges by key and leaves the rest of the state as it was', async () => {
    const state = await stateWith('API_KEY=old,DATABASE_PASSWORD=kept,garbled');
    const update = new Map([
      ['api-production', new Map([['API_KEY', 'new']])],
      ['not-applied', new Map([['API_KEY', 'x']])],
    ]);

    const next = withRecordedHashes(state, update);

    expect(recordedSecretHashes(next)).toEqual(
      new Map([
        [
          'api-production',
          new Map([
            ['API_KEY', 'new'],
            ['DATABASE_PASSWORD', 'kept'],
          ]),
        ],
      ]),
    );
    expect(next.resources[0]?.attributes?.privateNetwork).toBe(true);
    expect(next.resources[1]).toEqual(state.resources[1]);
    expect(next.resources).toHaveLength(2);
  });
});
