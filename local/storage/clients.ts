import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_DEFAULTS } from '../defaults.ts';

const credentials = {
  accessKeyId: LOCAL_DEFAULTS.accessKey,
  secretAccessKey: LOCAL_DEFAULTS.secretKey,
};

/** An S3 client for the local Object Storage (path style). */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: LOCAL_DEFAULTS.region,
    credentials,
  });
}

/** An SQS client for the local queues. */
export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: LOCAL_DEFAULTS.region,
    credentials,
  });
}
