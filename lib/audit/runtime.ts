import { SQSClient } from '@aws-sdk/client-sqs';

import type { Config } from '../config/index.ts';
import { deployedName, type Stack } from '../stack/index.ts';
import type { AuditClock } from './clock.ts';
import { AuditError } from './errors.ts';
import {
  AuditEncryptionKeys,
  AuditSigningKeys,
  type SecretReader,
} from './keys.ts';
import { auditBucketSettings } from './retention.ts';
import { AuditShipper } from './shipping/shipper.ts';
import { AuditBucket, auditS3Client } from './storage.ts';

/** The declared secret holding the digest signing key. */
export const SIGNING_KEY_SECRET = 'audit-signing-key';

/** Everything shipping, sealing and verifying need for one environment. */
export interface AuditRuntime {
  environment: string;
  bucket: AuditBucket;
  shipper: AuditShipper;
  signingKeys: AuditSigningKeys;
  sqs: SQSClient;
  /** The audit queue, then its dead-letter queue (`<queue>-dlq`). */
  queueUrls: string[];
  /** The stack's `audit.retentionDays` (verify's expiry horizon). */
  retentionDays?: number;
  /** The clock of shipping and verifying. Default: the wall clock. */
  clock?: AuditClock;
}

/** Inputs of auditRuntime. */
export interface AuditRuntimeOptions {
  config: Config;
  stack: Stack;
  secrets: SecretReader;
  clock?: AuditClock;
}

function secretFullName(stack: Stack, baseName: string): string {
  const declared = stack.secrets.find((secret) => secret.name === baseName);
  const path = declared?.path ?? '/';
  const name = deployedName(baseName, stack.environment);

  return `${path === '/' ? '' : path}/${name}`;
}

/**
 * Wires the audit bucket, shipper and keys of a stack from the
 * configuration (endpoints, credentials, queue URL) and the stack (bucket,
 * SSE-C key, signing key secret). Throws AuditError when the stack does
 * not ship audit events to Object Storage.
 */
export function auditRuntime(options: AuditRuntimeOptions): AuditRuntime {
  const { config, stack } = options;
  const settings = auditBucketSettings(stack);
  if (settings === null) {
    throw new AuditError('stack audit.sink is not object-storage');
  }

  const s3 = auditS3Client({
    endpoint: config.objectStorage.endpoint,
    region: config.objectStorage.region,
    accessKeyId: config.objectStorage.accessKey,
    secretAccessKey: config.objectStorage.secretKey,
  });
  const encryption =
    settings.sseCKeySecret === null
      ? undefined
      : new AuditEncryptionKeys(
          options.secrets,
          secretFullName(stack, settings.sseCKeySecret),
        );
  const bucket = new AuditBucket({
    s3,
    bucket: settings.bucket,
    ...(encryption ? { encryption } : {}),
  });

  const sqs = new SQSClient({
    endpoint: config.queues.endpoint,
    region: config.queues.region,
    maxAttempts: 5,
    credentials: {
      accessKeyId: config.queues.accessKey,
      secretAccessKey: config.queues.secretKey,
    },
  });
  const queueUrl = config.auditQueueUrl;

  return {
    environment: stack.environment,
    bucket,
    shipper: new AuditShipper({
      bucket,
      environment: stack.environment,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    signingKeys: new AuditSigningKeys(
      options.secrets,
      secretFullName(stack, SIGNING_KEY_SECRET),
    ),
    sqs,
    queueUrls: queueUrl === undefined ? [] : [queueUrl, `${queueUrl}-dlq`],
    retentionDays: stack.audit.retentionDays,
    ...(options.clock ? { clock: options.clock } : {}),
  };
}
