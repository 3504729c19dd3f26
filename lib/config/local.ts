import {
  LOCAL_DEFAULTS,
  localPlatformVariables,
  localPorts,
  localQueueUrl,
  stageAuditQueue,
  stageStateBucket,
} from '../../local/defaults.ts';
import { ConfigError } from './errors.ts';
import type { SettingKey } from './keys.ts';
import type { EnvRecord } from './profile.ts';
import { ENVIRONMENTS, localPortSchema } from './schema.ts';

type Stage = (typeof ENVIRONMENTS)[number];

type RawValues = Partial<Record<SettingKey, string>>;

/**
 * The first port of the local platform: `EVALAP_LOCAL_PORT`, else 4600
 * (LOCAL_DEFAULTS.basePort). `npm start` and the CLI read it the same
 * way, so exporting it once points both at the same ports.
 *
 * @throws ConfigError naming EVALAP_LOCAL_PORT when it is not a port.
 */
export function localPlatformPort(env: EnvRecord = process.env): number {
  const text = env.EVALAP_LOCAL_PORT?.trim();
  if (text === undefined || text === '') return LOCAL_DEFAULTS.basePort;

  const parsed = localPortSchema.safeParse(text);
  if (!parsed.success) {
    const problem = parsed.error.issues[0]?.message ?? 'is not valid';
    throw new ConfigError(
      `invalid configuration:\n  - EVALAP_LOCAL_PORT ${problem}`,
      ['EVALAP_LOCAL_PORT'],
    );
  }

  return parsed.data;
}

/** The port in `text`, or undefined when it is not an accepted one. */
export function parseLocalPort(text: string): number | undefined {
  const parsed = localPortSchema.safeParse(text);

  return parsed.success ? parsed.data : undefined;
}

/**
 * Defaults that point at the local platform of `npm start`: its fixed
 * key, its ports (from EVALAP_LOCAL_PORT) and, for `stage`, the state
 * bucket and audit queue serverless.yml gives that stage, so the CLI and
 * the functions served as that stage share state and audit trail. The
 * stage is EVALAP_ENVIRONMENT (set by loadConfig from a stack's
 * environment when unset), else the stage `npm start` serves by default.
 */
export function localDefaults(raw: RawValues): RawValues {
  const { host } = LOCAL_DEFAULTS;
  const stage = knownStage(raw.EVALAP_ENVIRONMENT);
  const base =
    parseLocalPort(raw.EVALAP_LOCAL_PORT ?? '') ?? LOCAL_DEFAULTS.basePort;
  const ports = localPorts(base);
  const storage = `http://${host}:${ports.storage}`;
  // the queue is where the SQS endpoint in use is, if one was exported
  const queuePort = endpointPort(raw.EVALAP_SQS_ENDPOINT) ?? ports.storage;

  return {
    ...localPlatformVariables(`http://${host}:${ports.scalewayApi}`, storage),
    EVALAP_ENVIRONMENT: stage,
    EVALAP_STATE_BUCKET: stageStateBucket(stage),
    EVALAP_AUDIT_QUEUE_URL: localQueueUrl(queuePort, stageAuditQueue(stage)),
    EVALAP_SQS_ACCESS_KEY: LOCAL_DEFAULTS.accessKey,
    EVALAP_SQS_SECRET_KEY: LOCAL_DEFAULTS.secretKey,
  };
}

function knownStage(text: string | undefined): Stage {
  const stage = ENVIRONMENTS.find((name) => name === text);

  return stage ?? LOCAL_DEFAULTS.stage;
}

function endpointPort(url: string | undefined): number | undefined {
  if (url === undefined || !URL.canParse(url)) return undefined;

  const { port } = new URL(url);

  return port === '' ? undefined : Number(port);
}
