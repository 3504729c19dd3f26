import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@scaleway/sdk-client';
import { Containerv1beta1 } from '@scaleway/sdk-container';
import { Functionv1beta1 } from '@scaleway/sdk-function';
import { Iamv1alpha1 } from '@scaleway/sdk-iam';
import { Rdbv1 } from '@scaleway/sdk-rdb';
import { Secretv1beta1 } from '@scaleway/sdk-secret';
import { Vpcv2 } from '@scaleway/sdk-vpc';
import type { Config } from '../config/index.ts';
import {
  createObjectStorageClient,
  createQueueClient,
  createScalewayClient,
  type ScalewayClientOptions,
} from './client.ts';

/** Every API the control plane talks to, on one shared SDK client. */
export interface ScalewayClients {
  readonly client: Client;
  readonly secret: Secretv1beta1.API;
  readonly iam: Iamv1alpha1.API;
  readonly vpc: Vpcv2.API;
  readonly rdb: Rdbv1.API;
  readonly container: Containerv1beta1.API;
  readonly functions: Functionv1beta1.API;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
}

/**
 * Builds all product APIs plus the S3 and SQS clients from a config. It
 * imports every product: a function that needs one or two should use
 * `createScalewayClient` and build its own APIs to stay small.
 *
 * @example
 * const { secret, s3 } = createScalewayClients(loadConfig());
 */
export function createScalewayClients(
  config: Config,
  options: ScalewayClientOptions = {},
): ScalewayClients {
  const client = createScalewayClient(config, options);

  return {
    client,
    secret: new Secretv1beta1.API(client),
    iam: new Iamv1alpha1.API(client),
    vpc: new Vpcv2.API(client),
    rdb: new Rdbv1.API(client),
    container: new Containerv1beta1.API(client),
    functions: new Functionv1beta1.API(client),
    s3: createObjectStorageClient(config),
    sqs: createQueueClient(config),
  };
}
