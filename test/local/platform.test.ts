import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { createClient } from '@scaleway/sdk-client';
import { Rdbv1 } from '@scaleway/sdk-rdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, localQueueUrl } from '../../local/defaults.ts';
import {
  type LocalPlatform,
  startLocalPlatform,
} from '../../local/platform.ts';
import { localS3Client, localSqsClient } from '../../local/storage/clients.ts';
import { loginOutcome } from '../support/postgres.ts';

const DAY_MS = 86_400_000;
const SERVERLESS = join(
  import.meta.dirname,
  'runner',
  'fixture',
  'serverless.yml',
);

let platform: LocalPlatform;

beforeAll(async () => {
  platform = await startLocalPlatform({
    ports: { scalewayApi: 0, storage: 0, postgres: 0, functions: 0 },
    serverlessConfig: SERVERLESS,
  });
});

afterAll(async () => {
  await platform?.close();
});

function rdbApi(): Rdbv1.API {
  const client = createClient({
    apiURL: platform.scalewayApiUrl,
    accessKey: LOCAL_DEFAULTS.accessKey,
    secretKey: LOCAL_DEFAULTS.secretKey,
    defaultProjectId: LOCAL_DEFAULTS.projectId,
    defaultRegion: LOCAL_DEFAULTS.region,
  });

  return new Rdbv1.API(client);
}

describe('startLocalPlatform', () => {
  it('changes a real role through the RDB API (verify-full)', async () => {
    const rdb = rdbApi();
    const engine = platform.postgres;
    if (!engine) throw new Error('postgres not started');
    const instance = await rdb.createInstance({
      name: 'platform-db',
      engine: 'PostgreSQL-17',
      nodeType: 'db-dev-s',
      userName: 'platform_admin',
      password: 'Adm1n-password!',
      isHaCluster: false,
      disableBackup: true,
      volumeType: 'lssd',
      volumeSize: 5_000_000_000,
      backupSameRegion: false,
    });
    await rdb.createUser({
      instanceId: instance.id,
      name: 'platform_app',
      password: 'Old-passw0rd!',
      isAdmin: false,
    });
    const certificate = await rdb.getInstanceCertificate({
      instanceId: instance.id,
    });

    await rdb.updateUser({
      instanceId: instance.id,
      name: 'platform_app',
      password: 'New-passw0rd!',
    });

    expect(await certificate.text()).toBe(engine.caCertificatePem());
    expect(await loginOutcome(engine, 'platform_app', 'Old-passw0rd!')).toBe(
      '28P01',
    );
    expect(await loginOutcome(engine, 'platform_app', 'New-passw0rd!')).toBe(
      'connected',
    );
  });

  it('shares one clock between the API and Object Storage', async () => {
    const s3 = localS3Client(platform.storageEndpoint);
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'platform-audit',
        ObjectLockEnabledForBucket: true,
      }),
    );
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: 'platform-audit',
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
        },
      }),
    );
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'platform-audit', Key: 'k', Body: 'v' }),
    );
    const remove = () =>
      s3.send(
        new DeleteObjectCommand({
          Bucket: 'platform-audit',
          Key: 'k',
          VersionId: put.VersionId,
        }),
      );

    const early = await remove().catch((error: Error) => error.name);
    platform.clock.advance(31 * DAY_MS);
    const late = await remove();
    s3.destroy();

    expect(early).toBe('AccessDenied');
    expect(late.$metadata.httpStatusCode).toBe(204);
    expect(platform.controls.clock).toBe(platform.clock);
  });

  it('serves the functions of serverless.yml', async () => {
    const echo = platform.functions.find((fn) => fn.name === 'echo');

    const reply = await fetch(`${echo?.url}/ping`);

    expect(reply.status).toBe(200);
    expect(platform.functions.map((fn) => fn.name)).toEqual([
      'echo',
      'bundled',
      'guarded',
      'nightly',
      'worker',
    ]);
  });

  it('creates each trigger queue with a dead-letter queue', async () => {
    const sqs = localSqsClient(platform.storageEndpoint);
    const url = async (name: string) =>
      (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    const attributes = async (name: string) =>
      (
        await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: await url(name),
            AttributeNames: [
              'QueueArn',
              'RedrivePolicy',
              'MessageRetentionPeriod',
            ],
          }),
        )
      ).Attributes ?? {};

    const queue = await attributes('runner-jobs');
    const dlq = await attributes('runner-jobs-dlq');
    sqs.destroy();

    expect(JSON.parse(queue.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: dlq.QueueArn,
      maxReceiveCount: 5,
    });
    // the stage's custom.evalap.queueRetentionSeconds
    expect(queue.MessageRetentionPeriod).toBe('86400');
    expect(dlq.MessageRetentionPeriod).toBe('1209600');
  });

  it('names every variable the CLI needs', () => {
    expect(Object.keys(platform.environment)).toEqual(
      expect.arrayContaining([
        'SCW_API_URL',
        'SCW_SECRET_KEY',
        'SCW_ACCESS_KEY',
        'SCW_DEFAULT_PROJECT_ID',
        'SCW_DEFAULT_REGION',
        'EVALAP_S3_ENDPOINT',
        'EVALAP_SQS_ENDPOINT',
      ]),
    );
    expect(platform.environment.SCW_API_URL).toBe(platform.scalewayApiUrl);
  });
});

describe('startLocalPlatform with persist', () => {
  it('keeps PostgreSQL roles and its CA across restarts', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'evalap-persist-'));
    // as root, PostgreSQL runs as `postgres` and must traverse the folder
    await chmod(folder, 0o755);
    const start = () =>
      startLocalPlatform({
        ports: { scalewayApi: 0, storage: 0, postgres: 0, functions: 0 },
        serverlessConfig: false,
        persist: folder,
      });
    const first = await start();
    await first.postgres?.createUser('kept_user', 'K3pt-password!');
    const firstCa = first.postgres?.caCertificatePem();
    await first.close();

    const second = await start();
    const engine = second.postgres;
    if (!engine) throw new Error('postgres not started');
    const outcome = await loginOutcome(engine, 'kept_user', 'K3pt-password!');
    const secondCa = engine.caCertificatePem();
    await second.close();
    await rm(folder, { recursive: true, force: true });

    expect(outcome).toBe('connected');
    expect(secondCa).toBe(firstCa);
  });
});

describe('local queue URLs', () => {
  it('reach a queue the platform created (the form config and functions get)', async () => {
    const sqs = localSqsClient(platform.storageEndpoint);
    await sqs.send(new CreateQueueCommand({ QueueName: 'url-check' }));
    const port = Number(new URL(platform.storageEndpoint).port);

    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: localQueueUrl(port, 'url-check'),
        MessageBody: 'ping',
      }),
    );

    expect(sent.MessageId).toBeTruthy();
    sqs.destroy();
  });
});
