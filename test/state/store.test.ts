import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStack } from '../../lib/stack/index.ts';
import {
  type AppliedState,
  readAppliedState,
  StateCorruptError,
  stackRevision,
  writeAppliedState,
} from '../../lib/state/index.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';

const BUCKET = 'state-test';

let fixture: StorageFixture;

beforeAll(async () => {
  fixture = await startStorageFixture();
  await fixture.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(() => fixture.close());

async function sampleState(): Promise<AppliedState> {
  const stack = await loadStack('stacks/dev.yaml');

  return {
    environment: stack.environment,
    stackRevision: stackRevision(stack),
    appliedAt: '2025-01-01T00:00:00.000Z',
    stack,
    resources: [
      {
        kind: 'secret',
        name: 'db-password-dev',
        id: '0b3c9a4e-1111-4111-8111-111111111111',
        region: 'fr-par',
        attributes: { path: '/evalap/database' },
      },
    ],
  };
}

describe('stackRevision', () => {
  it('ignores key order', async () => {
    const stack = await loadStack('stacks/dev.yaml');
    const reordered = Object.fromEntries(
      Object.entries(stack).reverse(),
    ) as typeof stack;

    expect(stackRevision(reordered)).toBe(stackRevision(stack));
  });

  it('changes when a field changes', async () => {
    const stack = await loadStack('stacks/dev.yaml');
    const changed = { ...stack, region: 'nl-ams' as const };

    expect(stackRevision(changed)).not.toBe(stackRevision(stack));
  });
});

describe('applied state store', () => {
  it('reads nothing for an environment never applied', async () => {
    const stored = await readAppliedState(fixture.s3, BUCKET, 'staging');

    expect(stored).toBeUndefined();
  });

  it('reads back what it wrote', async () => {
    const state = await sampleState();

    const etag = await writeAppliedState(fixture.s3, BUCKET, state);
    const stored = await readAppliedState(fixture.s3, BUCKET, 'dev');

    expect(etag).toBeTruthy();
    expect(stored?.state).toEqual(state);
    expect(stored?.etag).toBe(etag);
  });

  it('refuses to write an invalid state, before any write', async () => {
    const state = { ...(await sampleState()), environment: 'prod' } as never;

    await expect(
      writeAppliedState(fixture.s3, BUCKET, state),
    ).rejects.toThrow();
    const stored = await readAppliedState(fixture.s3, BUCKET, 'staging');

    expect(stored).toBeUndefined();
  });

  it('reports a corrupt object without echoing it', async () => {
    await fixture.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'production/state.json',
        Body: '{"password":"hunter2-secret"}',
      }),
    );

    const read = readAppliedState(fixture.s3, BUCKET, 'production');

    await expect(read).rejects.toBeInstanceOf(StateCorruptError);
    await expect(read).rejects.not.toThrow(/hunter2/);
  });
});
