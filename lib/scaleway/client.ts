import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  type Client,
  createAdvancedClient,
  withAdditionalInterceptors,
  withHTTPClient,
  withProfile,
  withUserAgentSuffix,
} from '@scaleway/sdk-client';
import type { Config, EndpointSettings } from '../config/index.ts';
import { failureInterceptor, rememberingFetch } from './request-context.ts';

const USER_AGENT_SUFFIX = 'evalap-infra';

/** Options of {@link createScalewayClient}. */
export interface ScalewayClientOptions {
  /** HTTP client; default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/**
 * Builds the one SDK client every product API of a process shares, from
 * the validated config (credentials, project, region, zone, `apiUrl`).
 * Errors of its calls carry their request for `translateScalewayError`.
 *
 * Per-product APIs are built on it by the caller, so that a bundle holds
 * only the products it uses: `new Secretv1beta1.API(client)`.
 */
export function createScalewayClient(
  config: Pick<Config, 'scaleway'>,
  options: ScalewayClientOptions = {},
): Client {
  const { scaleway } = config;
  const profile = {
    accessKey: scaleway.accessKey,
    secretKey: scaleway.secretKey,
    apiURL: scaleway.apiUrl,
    defaultProjectId: scaleway.projectId,
    defaultRegion: scaleway.region,
    defaultZone: scaleway.zone,
    ...(scaleway.organizationId === undefined
      ? {}
      : { defaultOrganizationId: scaleway.organizationId }),
  };
  const scope = {
    projectId: scaleway.projectId,
    organizationId: scaleway.organizationId,
  };

  return createAdvancedClient(
    withProfile(profile),
    withHTTPClient(rememberingFetch(options.fetch ?? fetch)),
    withUserAgentSuffix(USER_AGENT_SUFFIX),
    withAdditionalInterceptors([failureInterceptor(scope)]),
  );
}

/**
 * An S3 client for Scaleway Object Storage (or the local platform): path
 * style addressing, the configured endpoint and region, and checksums
 * only where the operation requires them (S3-compatible endpoints).
 */
export function createObjectStorageClient(
  config: Pick<Config, 'objectStorage'>,
): S3Client {
  const settings = config.objectStorage;

  return new S3Client({
    ...awsSettings(settings),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** An SQS client for Scaleway Queues (or the local platform). */
export function createQueueClient(config: Pick<Config, 'queues'>): SQSClient {
  return new SQSClient(awsSettings(config.queues));
}

function awsSettings(settings: EndpointSettings) {
  return {
    endpoint: settings.endpoint,
    region: settings.region,
    credentials: {
      accessKeyId: settings.accessKey,
      secretAccessKey: settings.secretKey,
    },
  };
}
