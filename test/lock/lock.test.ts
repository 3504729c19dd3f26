import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireLock,
  EnvironmentBusyError,
  LockStorageError,
} from '../../lib/lock/index.ts';
import { ensureStateBucket } from '../../lib/state/index.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';

const BUCKET = 'lock-test';

let fixture: StorageFixture;

beforeAll(async () => {
  fixture = await startStorageFixture();
  await ensureStateBucket(fixture.s3, BUCKET);
});

afterAll(() => fixture.close());

describe('acquireLock', () => {
  it('lets exactly one of many concurrent claimants in', async () => {
    const key = 'dev/lock.json';

    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        acquireLock(fixture.s3, BUCKET, key, { holder: `request-${i}` }),
      ),
    );

    const held = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(held).toHaveLength(1);
    for (const outcome of refused) {
      expect(outcome.reason).toBeInstanceOf(EnvironmentBusyError);
    }
    await (
      held[0] as PromiseFulfilledResult<{ release(): Promise<void> }>
    ).value.release();
  });

  it('is free again once released', async () => {
    const key = 'staging/lock.json';
    const first = await acquireLock(fixture.s3, BUCKET, key, { holder: 'a' });

    await expect(
      acquireLock(fixture.s3, BUCKET, key, { holder: 'b' }),
    ).rejects.toThrow(/busy with request a/);
    await first.release();
    const second = await acquireLock(fixture.s3, BUCKET, key, {
      holder: 'b',
    });

    expect(second.versionId).toBeTruthy();
    await second.release();
  });

  it('takes over a claim that expired (crashed holder)', async () => {
    const key = 'production/lock.json';
    const start = new Date('2025-01-01T00:00:00Z');
    await acquireLock(fixture.s3, BUCKET, key, {
      holder: 'crashed',
      ttlMs: 1000,
      now: () => start,
    });

    const later = new Date(start.getTime() + 2000);
    const lock = await acquireLock(fixture.s3, BUCKET, key, {
      holder: 'next',
      now: () => later,
    });

    expect(lock.versionId).toBeTruthy();
    await lock.release();
  });

  it('refuses an unversioned bucket with what to do', async () => {
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'plain' }));

    const claim = acquireLock(fixture.s3, 'plain', 'dev/lock.json', {
      holder: 'x',
    });

    await expect(claim).rejects.toBeInstanceOf(LockStorageError);
    await expect(claim).rejects.toThrow(/enable versioning/);
  });
});
