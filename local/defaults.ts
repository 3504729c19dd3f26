/** Ports of the local platform's servers. */
export interface LocalPorts {
  scalewayApi: number;
  storage: number;
  postgres: number;
  /** First function's port; the n-th function gets functions + n. */
  functions: number;
}

/** First port of the local platform when none is chosen. */
const BASE_PORT = 4600;

/**
 * The ports of a platform whose first port is `base`: the Scaleway API on
 * `base`, Object Storage and queues on `base + 1`, PostgreSQL on
 * `base + 2`, the functions from `base + 10` on.
 *
 * @example
 * localPorts(5600); // { scalewayApi: 5600, storage: 5601, … }
 */
export function localPorts(base: number): LocalPorts {
  return {
    scalewayApi: base,
    storage: base + 1,
    postgres: base + 2,
    functions: base + 10,
  };
}

/**
 * Built-in defaults of the local platform: it needs no account and no
 * configuration. The token below is accepted by the local API only; it is
 * not a credential anywhere else.
 */
export const LOCAL_DEFAULTS = {
  host: '127.0.0.1',
  /** `npm start -- --port`, `EVALAP_LOCAL_PORT`. */
  basePort: BASE_PORT,
  ports: localPorts(BASE_PORT),
  /**
   * Stage of serverless.yml the functions are served as: the one the
   * README's walkthrough and the events/ samples use.
   */
  stage: 'production',
  secretKey: '11111111-1111-4111-8111-111111111111',
  accessKey: 'SCWLOCAL000000000000',
  organizationId: '22222222-2222-4222-8222-222222222222',
  projectId: '33333333-3333-4333-8333-333333333333',
  region: 'fr-par',
  zone: 'fr-par-1',
  dataDir: '.local-platform',
} as const;

/**
 * URL of a queue of the local platform, in the form its SQS endpoint
 * (fauxqs) gives and resolves: the region sits in the host name.
 */
export function localQueueUrl(storagePort: number, name: string): string {
  const { region } = LOCAL_DEFAULTS;

  return `http://sqs.${region}.localhost:${storagePort}/000000000000/${name}`;
}

/** The state bucket serverless.yml gives a stage (`params.stateBucket`). */
export function stageStateBucket(stage: string): string {
  return `evalap-infra-state-${stage}`;
}

/** The audit queue serverless.yml gives a stage (`params.auditQueue`). */
export function stageAuditQueue(stage: string): string {
  return `evalap-audit-${stage}`;
}

/**
 * The variables that point the CLI and the SDKs at a local platform whose
 * Scaleway API and Object Storage (with queues) listen at these URLs: the
 * `export` lines of `npm start`, and the local defaults of lib/config.
 */
export function localPlatformVariables(
  apiUrl: string,
  storageUrl: string,
): Record<string, string> {
  return {
    SCW_API_URL: apiUrl,
    SCW_ACCESS_KEY: LOCAL_DEFAULTS.accessKey,
    SCW_SECRET_KEY: LOCAL_DEFAULTS.secretKey,
    SCW_DEFAULT_ORGANIZATION_ID: LOCAL_DEFAULTS.organizationId,
    SCW_DEFAULT_PROJECT_ID: LOCAL_DEFAULTS.projectId,
    SCW_DEFAULT_REGION: LOCAL_DEFAULTS.region,
    SCW_DEFAULT_ZONE: LOCAL_DEFAULTS.zone,
    EVALAP_S3_ENDPOINT: storageUrl,
    EVALAP_S3_REGION: LOCAL_DEFAULTS.region,
    EVALAP_SQS_ENDPOINT: storageUrl,
    EVALAP_SQS_REGION: LOCAL_DEFAULTS.region,
  };
}
