import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformClock } from '../../../local/controls/clock.ts';
import {
  localS3Client,
  localSqsClient,
} from '../../../local/storage/clients.ts';
import { startObjectStorage } from '../../../local/storage/server.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../../support/storage.ts';

const DAY_MS = 86_400_000;

let fixture: StorageFixture;
let bucketCount = 0;

beforeAll(async () => {
  fixture = await startStorageFixture();
});

afterAll(async () => {
  await fixture.close();
});

async function newBucket(options: { lock?: boolean } = {}): Promise<string> {
  bucketCount += 1;
  const bucket = `bucket-${bucketCount}`;
  await fixture.s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ObjectLockEnabledForBucket: options.lock ?? false,
    }),
  );

  return bucket;
}

async function s3Error(promise: Promise<unknown>): Promise<{
  name: string;
  status: number | undefined;
}> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) {
      return { name: error.name, status: error.$metadata.httpStatusCode };
    }
    throw error;
  }
  throw new Error('expected the S3 call to fail');
}

async function text(bucket: string, key: string, versionId?: string) {
  const reply = await fixture.s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );

  return reply.Body?.transformToString();
}

describe('Object Storage: versioning', () => {
  it('pages version listings by whole keys with KeyMarker', async () => {
    const bucket = await newBucket();
    await fixture.s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    for (const key of ['a', 'b', 'c']) {
      for (const body of ['one', 'two']) {
        await fixture.s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }),
        );
      }
    }

    const seen: string[] = [];
    let pages = 0;
    let marker: string | undefined;
    do {
      const page = await fixture.s3.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          MaxKeys: 3,
          ...(marker ? { KeyMarker: marker } : {}),
        }),
      );
      pages += 1;
      for (const v of page.Versions ?? []) seen.push(`${v.Key}@${v.VersionId}`);
      marker = page.IsTruncated ? page.NextKeyMarker : undefined;
    } while (marker !== undefined);

    expect(pages).toBe(3);
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
  });

  it('keeps every version and serves each by id', async () => {
    const bucket = await newBucket();
    await fixture.s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );

    const first = await fixture.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'a.txt', Body: 'one' }),
    );
    const second = await fixture.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'a.txt', Body: 'two' }),
    );

    const status = await fixture.s3.send(
      new GetBucketVersioningCommand({ Bucket: bucket }),
    );
    expect(status.Status).toBe('Enabled');
    expect(first.VersionId).toBeTruthy();
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(await text(bucket, 'a.txt')).toBe('two');
    expect(await text(bucket, 'a.txt', first.VersionId)).toBe('one');
  });

  it('turns a plain delete into a delete marker', async () => {
    const bucket = await newBucket();
    await fixture.s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    const put = await fixture.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'data' }),
    );

    const deleted = await fixture.s3.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }),
    );

    expect(deleted.DeleteMarker).toBe(true);
    expect((await s3Error(text(bucket, 'k'))).name).toBe('NoSuchKey');
    expect(await text(bucket, 'k', put.VersionId)).toBe('data');
    const versions = await fixture.s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket }),
    );
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual([put.VersionId]);
    expect(versions.DeleteMarkers).toHaveLength(1);
  });
});

describe('Object Storage: conditional writes', () => {
  const put = (bucket: string, body: string, condition: object) =>
    fixture.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'k',
        Body: body,
        ...condition,
      }),
    );

  it.each([
    {
      case: 'If-None-Match * on a new key',
      existing: false,
      condition: { IfNoneMatch: '*' },
      status: 200,
    },
    {
      case: 'If-None-Match * on an existing key',
      existing: true,
      condition: { IfNoneMatch: '*' },
      status: 412,
    },
    {
      case: 'If-Match with the current ETag',
      existing: true,
      condition: 'current',
      status: 200,
    },
    {
      case: 'If-Match with another ETag',
      existing: true,
      condition: { IfMatch: '"0123"' },
      status: 412,
    },
    {
      case: 'If-Match on a missing key',
      existing: false,
      condition: { IfMatch: '"0123"' },
      status: 404,
    },
  ])('answers $status to $case, and writes only then', async (row) => {
    const bucket = await newBucket();
    const first = row.existing ? await put(bucket, 'first', {}) : undefined;
    const condition: object =
      typeof row.condition === 'string'
        ? { IfMatch: first?.ETag }
        : row.condition;

    const outcome =
      row.status === 200
        ? await put(bucket, 'second', condition).then(() => 200)
        : (await s3Error(put(bucket, 'second', condition))).status;
    const stored = await text(bucket, 'k').catch(() => undefined);

    expect(outcome).toBe(row.status);
    expect(stored).toBe(
      row.status === 200 ? 'second' : row.existing ? 'first' : undefined,
    );
  });

  it('lets one of three concurrent If-None-Match writes through', async () => {
    const bucket = await newBucket();

    const outcomes = await Promise.allSettled(
      ['one', 'two', 'three'].map((body) =>
        put(bucket, body, { IfNoneMatch: '*' }),
      ),
    );

    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [o.reason.$metadata?.httpStatusCode] : [],
    );
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(2);
    for (const status of lost) expect([409, 412]).toContain(status);
    expect(['one', 'two', 'three']).toContain(await text(bucket, 'k'));
  });
});

describe('Object Storage: lifecycle expiration', () => {
  it('expires objects older than a 30-day rule once the clock moves 31 days', async () => {
    const bucket = await newBucket();
    await fixture.s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'expire-logs',
              Status: 'Enabled',
              Filter: { Prefix: 'logs/' },
              Expiration: { Days: 30 },
            },
          ],
        },
      }),
    );
    await fixture.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'logs/1', Body: 'x' }),
    );
    await fixture.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'keep/1', Body: 'y' }),
    );
    const before = await fixture.s3.send(
      new ListObjectsV2Command({ Bucket: bucket }),
    );

    fixture.clock.advance(31 * DAY_MS);
    const after = await fixture.s3.send(
      new ListObjectsV2Command({ Bucket: bucket }),
    );

    expect(before.Contents?.map((o) => o.Key)).toEqual(['keep/1', 'logs/1']);
    expect(after.Contents?.map((o) => o.Key)).toEqual(['keep/1']);
  });
});

describe('Object Storage: object lock', () => {
  it('refuses to delete a retained version until its date passes', async () => {
    const bucket = await newBucket({ lock: true });
    await fixture.s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
        },
      }),
    );
    const put = await fixture.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'audit', Body: 'log' }),
    );
    const deleteVersion = () =>
      fixture.s3.send(
        new DeleteObjectCommand({
          Bucket: bucket,
          Key: 'audit',
          VersionId: put.VersionId,
        }),
      );

    const early = await s3Error(deleteVersion());
    fixture.clock.advance(31 * DAY_MS);
    const late = await deleteVersion();

    expect(early).toEqual({ name: 'AccessDenied', status: 403 });
    expect(late.$metadata.httpStatusCode).toBe(204);
  });

  it('meets an overwrite with a new version, the locked one intact', async () => {
    const bucket = await newBucket({ lock: true });
    const until = new Date(fixture.clock.now().getTime() + 10 * DAY_MS);
    const locked = await fixture.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'state.json',
        Body: 'locked bytes',
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: until,
      }),
    );

    const overwrite = await fixture.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'state.json',
        Body: 'new bytes',
      }),
    );
    const refused = await s3Error(
      fixture.s3.send(
        new DeleteObjectCommand({
          Bucket: bucket,
          Key: 'state.json',
          VersionId: locked.VersionId,
        }),
      ),
    );

    expect(overwrite.VersionId).not.toBe(locked.VersionId);
    expect(await text(bucket, 'state.json')).toBe('new bytes');
    expect(await text(bucket, 'state.json', locked.VersionId)).toBe(
      'locked bytes',
    );
    expect(refused).toEqual({ name: 'AccessDenied', status: 403 });
  });

  it.each([
    { case: 'COMPLIANCE refuses a shorter date', mode: 'COMPLIANCE' },
    { case: 'GOVERNANCE refuses one without bypass', mode: 'GOVERNANCE' },
  ] as const)('per-object retention: $case', async ({ mode }) => {
    const bucket = await newBucket({ lock: true });
    const until = new Date(fixture.clock.now().getTime() + 10 * DAY_MS);
    const put = await fixture.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'k',
        Body: 'v',
        ObjectLockMode: mode,
        ObjectLockRetainUntilDate: until,
      }),
    );

    const shorten = await s3Error(
      fixture.s3.send(
        new PutObjectRetentionCommand({
          Bucket: bucket,
          Key: 'k',
          Retention: { Mode: mode, RetainUntilDate: new Date(0) },
        }),
      ),
    );
    const retention = await fixture.s3.send(
      new GetObjectRetentionCommand({
        Bucket: bucket,
        Key: 'k',
        VersionId: put.VersionId,
      }),
    );

    expect(shorten.name).toBe('AccessDenied');
    expect(retention.Retention?.Mode).toBe(mode);
    expect(retention.Retention?.RetainUntilDate?.toISOString()).toBe(
      until.toISOString(),
    );
  });
});

describe('Object Storage: SSE-C', () => {
  const key = randomBytes(32);
  const otherKey = randomBytes(32);
  const sse = (k: Buffer) => ({
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: k.toString('base64'),
    SSECustomerKeyMD5: createHash('md5').update(k).digest('base64'),
  });

  it.each([
    { case: 'no key', headers: {}, error: 'InvalidRequest' },
    { case: 'another key', headers: sse(otherKey), error: 'AccessDenied' },
  ])('refuses a read with $case', async ({ headers, error }) => {
    const bucket = await newBucket();
    await fixture.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'secret',
        Body: 'payload',
        ...sse(key),
      }),
    );

    const refused = await s3Error(
      fixture.s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: 'secret', ...headers }),
      ),
    );
    const read = await fixture.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'secret', ...sse(key) }),
    );

    expect(refused.name).toBe(error);
    expect(await read.Body?.transformToString()).toBe('payload');
  });

  it('answers 400 to a HEAD without the key', async () => {
    const bucket = await newBucket();
    await fixture.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 's',
        Body: 'p',
        ...sse(key),
      }),
    );

    const refused = await s3Error(
      fixture.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 's' })),
    );

    expect(refused.status).toBe(400);
  });
});

describe('Object Storage: faults', () => {
  it('answers 503 while unavailable, then recovers', async () => {
    const bucket = await newBucket();
    fixture.storage.faults.inject({ mode: 'unavailable' });

    const during = await s3Error(
      fixture.s3.send(new ListObjectsV2Command({ Bucket: bucket })),
    );
    const control = await fetch(
      `${fixture.storage.endpoint}/_local/storage/faults`,
      { method: 'DELETE' },
    );
    const after = await fixture.s3.send(
      new ListObjectsV2Command({ Bucket: bucket }),
    );

    expect(during.status).toBe(503);
    expect(control.status).toBe(204);
    expect(after.$metadata.httpStatusCode).toBe(200);
  });
});

describe('Queues', () => {
  it('delivers a sent message through the SQS API', async () => {
    const { QueueUrl } = await fixture.sqs.send(
      new CreateQueueCommand({ QueueName: 'jobs' }),
    );

    await fixture.sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: '{"job":1}' }),
    );
    const received = await fixture.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }),
    );

    expect(received.Messages?.[0]?.Body).toBe('{"job":1}');
  });
});

describe('Object Storage: persistence', () => {
  it('restores buckets, versions and retention from its folder', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'evalap-storage-'));
    const clock = new PlatformClock();
    const first = await startObjectStorage({ port: 0, clock, dataDir: folder });
    const s3 = localS3Client(first.endpoint);
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'kept',
        ObjectLockEnabledForBucket: true,
      }),
    );
    const v1 = await s3.send(
      new PutObjectCommand({
        Bucket: 'kept',
        Key: 'k',
        Body: 'one',
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: new Date(Date.now() + DAY_MS),
      }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'two' }),
    );
    s3.destroy();
    await first.close();
    const files = await readdir(folder);
    const modes = await Promise.all(
      files.map(async (name) => (await stat(join(folder, name))).mode & 0o777),
    );

    const second = await startObjectStorage({
      port: 0,
      clock,
      dataDir: folder,
    });
    const again = localS3Client(second.endpoint);
    const current = await again.send(
      new GetObjectCommand({ Bucket: 'kept', Key: 'k' }),
    );
    const old = await again.send(
      new GetObjectCommand({
        Bucket: 'kept',
        Key: 'k',
        VersionId: v1.VersionId,
      }),
    );
    const refused = await s3Error(
      again.send(
        new DeleteObjectCommand({
          Bucket: 'kept',
          Key: 'k',
          VersionId: v1.VersionId,
        }),
      ),
    );
    again.destroy();
    await second.close();
    await rm(folder, { recursive: true, force: true });

    expect(await current.Body?.transformToString()).toBe('two');
    expect(await old.Body?.transformToString()).toBe('one');
    expect(refused.name).toBe('AccessDenied');
    // only its owner may read what may hold secrets
    expect(files.length).toBeGreaterThan(0);
    expect(new Set(modes)).toEqual(new Set([0o600]));
  });
});

describe('Queues: persistence', () => {
  it('restores queues and their messages under the new port', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'evalap-queues-'));
    const clock = new PlatformClock();
    const first = await startObjectStorage({ port: 0, clock, dataDir: folder });
    const sqs = localSqsClient(first.endpoint);
    const dlq = await sqs.send(
      new CreateQueueCommand({ QueueName: 'jobs-dlq' }),
    );
    const dlqArn = (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: dlq.QueueUrl,
          AttributeNames: ['QueueArn'],
        }),
      )
    ).Attributes?.QueueArn;
    const redrive = JSON.stringify({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: 3,
    });
    const jobs = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'jobs',
        Attributes: { VisibilityTimeout: '45', RedrivePolicy: redrive },
      }),
    );
    const binary = Buffer.from([0, 1, 2, 254, 255]);
    for (const body of ['received', 'waiting']) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: jobs.QueueUrl,
          MessageBody: body,
          MessageAttributes: {
            raw: { DataType: 'Binary', BinaryValue: binary },
          },
        }),
      );
    }
    // received and not deleted: the consumer "crashed" with it
    const taken = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: jobs.QueueUrl }),
    );
    sqs.destroy();
    await first.close();

    const second = await startObjectStorage({
      port: 0,
      clock,
      dataDir: folder,
    });
    const again = localSqsClient(second.endpoint);
    const { QueueUrl } = await again.send(
      new GetQueueUrlCommand({ QueueName: 'jobs' }),
    );
    const attributes = await again.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
    );
    const delivered = await again.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    again.destroy();
    await second.close();
    await rm(folder, { recursive: true, force: true });

    expect(QueueUrl).toBe(
      `http://sqs.fr-par.localhost:${second.port}/000000000000/jobs`,
    );
    expect(taken.Messages).toHaveLength(1);
    expect(attributes.Attributes).toMatchObject({
      VisibilityTimeout: '45',
      RedrivePolicy: redrive,
      ApproximateNumberOfMessages: '2',
    });
    const messages = delivered.Messages ?? [];
    expect(messages.map((m) => m.Body).sort()).toEqual(['received', 'waiting']);
    for (const message of messages) {
      expect(message.MessageAttributes?.raw?.BinaryValue).toEqual(
        new Uint8Array(binary),
      );
    }
    // the message received before the restart was not deleted: same id
    expect(messages.map((m) => m.MessageId)).toContain(
      taken.Messages?.[0]?.MessageId,
    );
  });
});

describe('Object Storage: dropped connections', () => {
  it('closes connections while the drop fault is on', async () => {
    fixture.storage.faults.inject({ mode: 'drop', durationMs: 60_000 });

    const outcome = await fetch(`${fixture.storage.endpoint}/health`).then(
      () => 'answered',
      () => 'dropped',
    );
    fixture.storage.faults.clear();
    const after = await fetch(`${fixture.storage.endpoint}/health`);

    expect(outcome).toBe('dropped');
    expect(after.status).toBe(200);
  });
});
