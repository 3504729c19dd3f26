import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSecretEnvRecord } from '../../lib/drift/index.ts';
import { acquireLock } from '../../lib/lock/index.ts';
import {
  type RotationRecord,
  rotationKeys,
  writeRotationRecord,
} from '../../lib/rotation/record.ts';
import type { RotationStep } from '../../lib/rotation/steps.ts';
import {
  type AppliedState,
  ensureStateBucket,
  stackRevision,
  stateKeys,
} from '../../lib/state/index.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';
import { driftStack } from './fixture.ts';

const BUCKET = 'secret-env-record';

let storage: StorageFixture;
let state: AppliedState;

beforeAll(async () => {
  storage = await startStorageFixture();
  await ensureStateBucket(storage.s3, BUCKET);
  const stack = driftStack();
  state = {
    environment: stack.environment,
    stackRevision: stackRevision(stack),
    appliedAt: new Date().toISOString(),
    stack,
    resources: [
      {
        kind: 'container',
        name: 'api-staging',
        id: 'c-1',
        attributes: { secretEnvHashes: 'API_KEY=0123,DATABASE_PASSWORD=4567' },
      },
    ],
  };
});

afterAll(() => storage?.close());

function rotationAt(secret: string, step: RotationStep): RotationRecord {
  const now = new Date().toISOString();

  return {
    rotationId: randomUUID(),
    secret,
    secretId: randomUUID(),
    strategy: 'generated',
    step,
    status: 'in-progress',
    previousRevision: 1,
    startedAt: now,
    updatedAt: now,
    attempts: 0,
  };
}

describe('readSecretEnvRecord', () => {
  it('reads digests, rotations redeploying, lock holder', async () => {
    await writeRotationRecord(
      storage.s3,
      BUCKET,
      'staging',
      rotationAt('api-key', 'test'),
    );
    await writeRotationRecord(
      storage.s3,
      BUCKET,
      'staging',
      rotationAt('db-password', 'redeploy'),
    );
    const free = await readSecretEnvRecord(storage.s3, BUCKET, state);
    const lock = await acquireLock(
      storage.s3,
      BUCKET,
      stateKeys.lock('staging'),
      { holder: 'apply r-1' },
    );

    const held = await readSecretEnvRecord(storage.s3, BUCKET, state);
    await lock.release();

    expect(free.hashes.get('api-staging')).toEqual(
      new Map([
        ['API_KEY', '0123'],
        ['DATABASE_PASSWORD', '4567'],
      ]),
    );
    expect(free.rotating).toEqual(new Set(['db-password-staging']));
    expect(free.lockedBy).toBeUndefined();
    expect(held.lockedBy).toBe('apply r-1');
  });

  it('takes a garbled rotation as pending, a bad claim as free', async () => {
    const garbage = async (key: string) =>
      storage.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'not json' }),
      );
    await garbage(rotationKeys.record('staging', 'llm-key'));
    await garbage(stateKeys.lock('staging'));

    const record = await readSecretEnvRecord(storage.s3, BUCKET, state);

    expect(record.unreadable).toEqual(new Set(['llm-key-staging']));
    expect(record.lockedBy).toBeUndefined();
  });
});
