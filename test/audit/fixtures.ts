import { randomBytes, randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

import type { AuditClock } from '../../lib/audit/clock.ts';
import type { AuditEvent } from '../../lib/audit/event.ts';
import {
  AuditEncryptionKeys,
  AuditSigningKeys,
  memorySecretReader,
} from '../../lib/audit/keys.ts';
import { AuditShipper } from '../../lib/audit/shipping/shipper.ts';
import { AuditBucket } from '../../lib/audit/storage.ts';

/** A fresh bucket name per test, so tests share one server. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Creates a bucket and returns its name. */
export async function createBucket(
  s3: S3Client,
  prefix = 'audit',
  objectLock = false,
): Promise<string> {
  const name = uniqueName(prefix);
  await s3.send(
    new CreateBucketCommand({
      Bucket: name,
      ...(objectLock ? { ObjectLockEnabledForBucket: true } : {}),
    }),
  );

  return name;
}

/** Creates a queue (with a dead-letter queue when asked); its URLs. */
export async function createQueue(
  sqs: SQSClient,
  options: { maxReceiveCount?: number; visibilitySeconds?: number } = {},
): Promise<{ queueUrl: string; dlqUrl: string }> {
  const name = uniqueName('audit');
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-dlq` }),
  );
  const dlqUrl = dlq.QueueUrl as string;
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(options.visibilitySeconds ?? 30),
  };
  if (options.maxReceiveCount !== undefined) {
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: dlqUrl,
        AttributeNames: ['QueueArn'],
      }),
    );
    const arn = attrs.Attributes?.QueueArn;
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: arn,
      maxReceiveCount: options.maxReceiveCount,
    });
  }
  const queue = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );

  return { queueUrl: queue.QueueUrl as string, dlqUrl };
}

/** Signing (and optionally SSE-C) keys held in memory. */
export function memoryKeys(): {
  secrets: Map<string, Buffer[]>;
  signingKeys: AuditSigningKeys;
  encryptionKeys: AuditEncryptionKeys;
} {
  const secrets = new Map<string, Buffer[]>([
    ['/evalap/audit/audit-signing-key', [randomBytes(32)]],
    [
      '/evalap/audit/audit-sse-key',
      [Buffer.from(randomBytes(32).toString('base64'))],
    ],
  ]);
  const reader = memorySecretReader(secrets);

  return {
    secrets,
    signingKeys: new AuditSigningKeys(
      reader,
      '/evalap/audit/audit-signing-key',
    ),
    encryptionKeys: new AuditEncryptionKeys(
      reader,
      '/evalap/audit/audit-sse-key',
    ),
  };
}

/** A bucket wrapper and a shipper for one environment. */
export function shipperFor(
  s3: S3Client,
  bucketName: string,
  environment: string,
  clock: AuditClock,
  encryption?: AuditEncryptionKeys,
): { bucket: AuditBucket; shipper: AuditShipper } {
  const bucket = new AuditBucket({
    s3,
    bucket: bucketName,
    ...(encryption ? { encryption } : {}),
  });

  return {
    bucket,
    shipper: new AuditShipper({ bucket, environment, clock }),
  };
}

/** A valid event at a given time. */
export function sampleEvent(
  timestamp: string,
  overrides: Partial<AuditEvent> = {},
): AuditEvent {
  return {
    event_id: randomUUID(),
    request_id: 'req-1',
    timestamp,
    operation: 'create',
    resource_type: 'DatabaseInstance',
    resource_name: 'evalap-db',
    stack: 'staging',
    project: 'evalap',
    environment: 'staging',
    severity: 'info',
    actor: 'deploy-bot',
    details: {},
    success: true,
    error_message: null,
    duration_ms: null,
    ...overrides,
  };
}

/** Every event stored under an environment, per log object key. */
export async function storedEvents(
  bucket: AuditBucket,
  environment: string,
): Promise<Map<string, AuditEvent[]>> {
  const result = new Map<string, AuditEvent[]>();
  for (const key of await bucket.list(`${environment}/`)) {
    if (!key.endsWith('.jsonl.gz')) {
      continue;
    }
    const version = /\.k(\d+)\.jsonl\.gz$/.exec(key)?.[1] ?? null;
    const object = await bucket.get(key, version);
    const lines = gunzipSync(object?.body ?? Buffer.alloc(0))
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0);
    result.set(
      key,
      lines.map((line) => JSON.parse(line) as AuditEvent),
    );
  }

  return result;
}
