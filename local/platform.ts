import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PlatformClock } from './controls/clock.ts';
import { PlatformControls } from './controls/controls.ts';
import {
  LOCAL_DEFAULTS,
  type LocalPorts,
  localPlatformVariables,
  localQueueUrl,
  stageAuditQueue,
} from './defaults.ts';
import { asPortInUse, assertPortFree } from './ports.ts';
import type { DatabaseEngine } from './postgres/engine.ts';
import { startPostgres } from './postgres/server.ts';
import {
  type FunctionRunner,
  type RunningFunction,
  startFunctionRunner,
} from './runner/runner.ts';
import type { ScalewayProduct } from './scaleway/core/index.ts';
import { functionProduct } from './scaleway/function/index.ts';
import { rdbProduct } from './scaleway/rdb/index.ts';
import {
  defaultScalewayProducts,
  type ScalewayApi,
  startScalewayApi,
} from './scaleway/server.ts';
import { localSqsClient } from './storage/clients.ts';
import type { StorageFaults } from './storage/faults.ts';
import { type ObjectStorage, startObjectStorage } from './storage/server.ts';

/** Where the platform reports trouble (never with a secret value). */
export interface LocalPlatformLogger {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: object, message: string): void;
}

/** Options of {@link startLocalPlatform}. */
export interface LocalPlatformOptions {
  /** Interface every server binds. Default: 127.0.0.1. */
  host?: string;
  /** Ports. Default: LOCAL_DEFAULTS.ports (4600, 4601, 4602, 4610). */
  ports?: Partial<LocalPorts>;
  /**
   * Keep state between runs in this folder (the Scaleway API's resources
   * and the PostgreSQL cluster with its CA). `true` means
   * `.local-platform` in the current folder. Default: false (memory and
   * a temporary cluster, gone on close).
   */
  persist?: boolean | string;
  /** Start PostgreSQL behind the RDB API. Default: true. */
  postgres?: boolean;
  /**
   * serverless.yml to run. Default: `serverless.yml` in the current
   * folder when it exists; false: no function runner.
   */
  serverlessConfig?: string | false;
  /**
   * Stage of serverless.yml's `${sls:stage}` and `params` the functions
   * are served as. Default: LOCAL_DEFAULTS.stage (production).
   */
  stage?: string;
  /** Products added to (or replacing, by name) the platform's ones. */
  extraProducts?: readonly ScalewayProduct[];
  logger?: LocalPlatformLogger;
}

/** A running local platform. */
export interface LocalPlatform {
  /** Base URL of the Scaleway API (the SDK's `apiURL`). */
  scalewayApiUrl: string;
  /** S3 and SQS endpoint (one port). */
  storageEndpoint: string;
  /** The PostgreSQL behind the RDB API, if started. */
  postgres: DatabaseEngine | undefined;
  clock: PlatformClock;
  /** API controls: clock, counters, latency and faults per route. */
  controls: PlatformControls;
  /** Object Storage and queues fault switch. */
  storageFaults: StorageFaults;
  /** Functions served from serverless.yml (empty without one). */
  functions: RunningFunction[];
  /** The function runner, if serverless.yml was found. */
  runner: FunctionRunner | undefined;
  /** Stage the functions are served as. */
  stage: string;
  /** The variables that point the CLI and the SDKs at this platform. */
  environment: Record<string, string>;
  close(): Promise<void>;
}

const silentLogger: LocalPlatformLogger = {
  warn: () => undefined,
  error: () => undefined,
};

/**
 * Starts the whole local platform on one clock: the Scaleway API (IAM,
 * Secret Manager, VPC, Managed Databases over a real PostgreSQL,
 * Serverless Containers and Functions), Object Storage + queues, and the
 * function runner. If any part fails to start, the parts already started
 * are stopped. A port already taken fails the start with PortInUseError
 * before anything starts.
 *
 * @example
 * ```ts
 * const platform = await startLocalPlatform({
 *   ports: { scalewayApi: 0, storage: 0, postgres: 0, functions: 0 },
 *   serverlessConfig: false,
 * });
 * platform.clock.advance(31 * 86_400_000);
 * await platform.close();
 * ```
 */
export async function startLocalPlatform(
  options: LocalPlatformOptions = {},
): Promise<LocalPlatform> {
  const host = options.host ?? LOCAL_DEFAULTS.host;
  const ports = { ...LOCAL_DEFAULTS.ports, ...options.ports };
  const dataDir = persistFolder(options.persist);
  const logger = options.logger ?? silentLogger;
  const stage = options.stage ?? LOCAL_DEFAULTS.stage;
  const configFile = runnerConfigFile(options);
  const controls = new PlatformControls();
  const clock = controls.clock;
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) {
      await closer().catch((error: unknown) =>
        logger.error({ err: error }, 'platform part failed to stop'),
      );
    }
  };

  await assertPortsFree(host, ports, {
    postgres: options.postgres !== false,
    functions: configFile !== undefined,
  });

  try {
    // started side by side; whichever started is stopped if the other fails
    const [postgresStart, storageStart] = await Promise.allSettled([
      options.postgres === false
        ? undefined
        : startPostgres(postgresOptions(ports.postgres, dataDir)),
      startObjectStorage({
        port: ports.storage,
        clock,
        ...(dataDir ? { dataDir: resolve(dataDir, 'storage') } : {}),
      }).catch((error: unknown) => {
        throw asPortInUse(PART.storage, host, error);
      }),
    ]);
    if (postgresStart.status === 'fulfilled' && postgresStart.value) {
      const started = postgresStart.value;
      closers.push(() => started.close());
    }
    if (storageStart.status === 'fulfilled') {
      const started = storageStart.value;
      closers.push(() => started.close());
    }
    if (postgresStart.status === 'rejected') throw postgresStart.reason;
    if (storageStart.status === 'rejected') throw storageStart.reason;
    const postgres = postgresStart.value;
    const storage = storageStart.value;

    const api = await startScalewayApi({
      port: ports.scalewayApi,
      host,
      controls,
      clock,
      logger,
      products: platformProducts(postgres, dataDir, options.extraProducts),
      ...(dataDir ? { dataDir: resolve(dataDir, 'scaleway') } : {}),
    }).catch((error: unknown) => {
      throw asPortInUse(PART.scalewayApi, host, error);
    });
    closers.push(() => api.close());

    const runner =
      configFile === undefined
        ? undefined
        : await startRunner({
            configFile,
            stage,
            basePort: ports.functions,
            host,
            apiUrl: api.url,
            storage,
            clock,
            logger,
          }).catch((error: unknown) => {
            throw asPortInUse(PART.functions, host, error);
          });
    if (runner) closers.push(() => runner.close());

    return {
      scalewayApiUrl: api.url,
      storageEndpoint: storage.endpoint,
      postgres,
      clock,
      controls,
      storageFaults: storage.faults,
      functions: runner?.functions ?? [],
      runner,
      stage,
      environment: platformEnvironment(api, storage),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The default products, with RDB over the engine and, when state
 * persists, function archives kept beside it. */
function platformProducts(
  engine: DatabaseEngine | undefined,
  dataDir: string | undefined,
  extra: readonly ScalewayProduct[] = [],
): ScalewayProduct[] {
  const archiveDir = dataDir ? resolve(dataDir, 'functions') : undefined;

  return [
    ...defaultScalewayProducts(),
    rdbProduct(engine ? { engine } : {}),
    functionProduct(archiveDir ? { archiveDir } : {}),
    ...extra,
  ];
}

/** What each port is for, as a start failure names it. */
const PART = {
  scalewayApi: 'Scaleway API',
  storage: 'Object Storage and queues',
  postgres: 'PostgreSQL',
  functions: 'functions',
} as const;

/** Fails fast, before the slow PostgreSQL start, on a port in use. */
async function assertPortsFree(
  host: string,
  ports: LocalPorts,
  parts: { postgres: boolean; functions: boolean },
): Promise<void> {
  await assertPortFree(PART.scalewayApi, host, ports.scalewayApi);
  await assertPortFree(PART.storage, host, ports.storage);
  if (parts.postgres) {
    await assertPortFree(PART.postgres, host, ports.postgres);
  }
  if (parts.functions) {
    await assertPortFree(PART.functions, host, ports.functions);
  }
}

/** The serverless.yml to serve, or undefined for no runner. */
function runnerConfigFile(options: LocalPlatformOptions): string | undefined {
  const configFile =
    options.serverlessConfig === undefined
      ? resolve('serverless.yml')
      : options.serverlessConfig;
  if (configFile === false || !existsSync(configFile)) {
    return undefined;
  }

  return configFile;
}

interface RunnerSettings {
  configFile: string;
  stage: string;
  basePort: number;
  host: string;
  apiUrl: string;
  storage: ObjectStorage;
  clock: PlatformClock;
  logger: LocalPlatformLogger;
}

function startRunner(settings: RunnerSettings): Promise<FunctionRunner> {
  const { storage, apiUrl, stage } = settings;

  return startFunctionRunner({
    configFile: settings.configFile,
    clock: settings.clock,
    sqs: localSqsClient(storage.endpoint),
    basePort: settings.basePort,
    host: settings.host,
    logger: settings.logger,
    stage,
    createQueues: true,
    env: { ...functionEnvironment(storage, apiUrl, stage), ...process.env },
  });
}

/**
 * The variables a user exports to point the CLI at this platform (names
 * from lib/config). The secret key is the local platform's fixed token:
 * it is accepted here and nowhere else.
 */
function platformEnvironment(
  api: ScalewayApi,
  storage: ObjectStorage,
): Record<string, string> {
  return localPlatformVariables(api.url, storage.endpoint);
}

/**
 * What `${env:…}` resolves to for the functions the runner serves, under
 * the variables you exported: the local endpoints and keys, so a function
 * never reaches the real Scaleway from here.
 */
function functionEnvironment(
  storage: ObjectStorage,
  apiUrl: string,
  stage: string,
): NodeJS.ProcessEnv {
  return {
    SCW_DEFAULT_PROJECT_ID: LOCAL_DEFAULTS.projectId,
    SCW_DEFAULT_ORGANIZATION_ID: LOCAL_DEFAULTS.organizationId,
    SCW_REGION: LOCAL_DEFAULTS.region,
    EVALAP_SCW_API_URL: apiUrl,
    EVALAP_SCW_ACCESS_KEY: LOCAL_DEFAULTS.accessKey,
    EVALAP_SCW_SECRET_KEY: LOCAL_DEFAULTS.secretKey,
    EVALAP_S3_ENDPOINT: storage.endpoint,
    EVALAP_SQS_ENDPOINT: storage.endpoint,
    EVALAP_SQS_ACCESS_KEY: LOCAL_DEFAULTS.accessKey,
    EVALAP_SQS_SECRET_KEY: LOCAL_DEFAULTS.secretKey,
    EVALAP_FUNCTION_TOKEN: LOCAL_DEFAULTS.secretKey,
    // the queue serverless.yml names `evalap-audit-${sls:stage}`
    EVALAP_AUDIT_QUEUE_URL: localQueueUrl(storage.port, stageAuditQueue(stage)),
  };
}

function persistFolder(persist: boolean | string | undefined) {
  if (persist === undefined || persist === false) {
    return undefined;
  }

  return resolve(persist === true ? LOCAL_DEFAULTS.dataDir : persist);
}

function postgresOptions(port: number, dataDir: string | undefined) {
  return dataDir ? { port, dataDir: resolve(dataDir, 'postgres') } : { port };
}
