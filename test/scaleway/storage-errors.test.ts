import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/index.ts';
import {
  callStorage,
  createObjectStorageClient,
  retryScaleway,
  ScalewayNotFoundError,
  ScalewayUnavailableError,
  translateStorageError,
} from '../../lib/scaleway/index.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';

let fixture: StorageFixture;

beforeAll(async () => {
  fixture = await startStorageFixture();
});

afterAll(async () => {
  await fixture.close();
});

function s3For(endpoint: string) {
  return createObjectStorageClient(
    loadConfig({ EVALAP_S3_ENDPOINT: endpoint }),
  );
}

async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

describe('translateStorageError', () => {
  it('names a missing bucket', async () => {
    const s3 = s3For(fixture.storage.endpoint);

    const error = await failure(() =>
      callStorage(() => s3.send(new HeadBucketCommand({ Bucket: 'absent' })), {
        bucket: 'absent',
      }),
    );

    expect(error).toBeInstanceOf(ScalewayNotFoundError);
    expect(error).toMatchObject({ fault: 'caller', resource: 'bucket' });
    expect((error as Error).message).toContain('bucket absent not found');
  });

  it('names a missing object and its bucket', async () => {
    const s3 = s3For(fixture.storage.endpoint);
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'state' }));
    const context = { bucket: 'state', key: 'production.json' };

    const error = await failure(() =>
      callStorage(
        () =>
          s3.send(new GetObjectCommand({ Bucket: 'state', Key: context.key })),
        context,
      ),
    );

    expect(error).toBeInstanceOf(ScalewayNotFoundError);
    expect((error as Error).message).toContain(
      'object production.json of bucket state not found',
    );
  });

  it('a 503 is the outside world; the retry succeeds once it ends', async () => {
    const s3 = s3For(fixture.storage.endpoint);
    await fixture.s3.send(new CreateBucketCommand({ Bucket: 'audit' }));
    fixture.storage.faults.inject({ mode: 'unavailable' });
    const seen: string[] = [];

    const result = await retryScaleway(
      () => s3.send(new HeadBucketCommand({ Bucket: 'audit' })),
      {
        translate: (e) => translateStorageError(e, { bucket: 'audit' }),
        onRetry: ({ error }) => seen.push(error.name),
        sleep: async () => fixture.storage.faults.clear(),
      },
    );

    expect(result.$metadata.httpStatusCode).toBe(200);
    expect(seen).toEqual(['ScalewayUnavailableError']);
  });

  it('an unreachable endpoint is retryable, and retried', async () => {
    const s3 = s3For('http://127.0.0.1:1');
    const waits: number[] = [];

    const error = await failure(() =>
      retryScaleway(() => s3.send(new HeadBucketCommand({ Bucket: 'x' })), {
        retries: 1,
        minDelayMs: 5,
        translate: (e) => translateStorageError(e, { bucket: 'x' }),
        sleep: async (ms) => {
          waits.push(ms);
        },
      }),
    );

    expect(error).toBeInstanceOf(ScalewayUnavailableError);
    expect(waits).toEqual([5]);
  });
});
