import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { PlatformClock } from '../../local/controls/clock.ts';
import { localS3Client, localSqsClient } from '../../local/storage/clients.ts';
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
