import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { PlatformClock } from '../../local/controls/clock.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import {
  type ObjectStorage,
  startObjectStorage,
} from '../../local/storage/server.ts';

/** A running local Object Storage with SDK clients pointed at it. */
export interface StorageFixture {
  storage: ObjectStorage;
  clock: PlatformClock;
  s3: S3Client;
  sqs: SQSClient;
  close(): Promise<void>;
}

const credentials = {
  accessKeyId: LOCAL_DEFAULTS.accessKey,
  secretAccessKey: LOCAL_DEFAULTS.secretKey,
};

/** The S3 client settings the local Object Storage needs. */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: LOCAL_DEFAULTS.region,
    credentials,
  });
}

/** The SQS client settings the local queues need. */
export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: LOCAL_DEFAULTS.region,
    credentials,
  });
}

/** Starts Object Storage on an ephemeral port with its own clock. */
export async function startStorageFixture(): Promise<StorageFixture> {
  const clock = new PlatformClock();
  const storage = await startObjectStorage({ port: 0, clock });
  const s3 = localS3Client(storage.endpoint);
  const sqs = localSqsClient(storage.endpoint);

  return {
    storage,
    clock,
    s3,
    sqs,
    close: async () => {
      s3.destroy();
      sqs.destroy();
      await storage.close();
    },
  };
}
