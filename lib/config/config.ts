import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import { ConfigError } from './errors.ts';
import {
  EVALAP_KEYS,
  PROFILE_FIELDS,
  SCALEWAY_KEYS,
  type SettingKey,
} from './keys.ts';
import { localDefaults } from './local.ts';
import {
  type EnvRecord,
  type LoadedProfile,
  loadScwProfile,
} from './profile.ts';
import {
  type ENVIRONMENTS,
  type LOG_LEVELS,
  type RawSettings,
  settingsSchema,
} from './schema.ts';

/** A deployment stage of the control plane. */
export type Environment = (typeof ENVIRONMENTS)[number];

/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Credentials and defaults for the Scaleway API. */
export interface ScalewaySettings {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly organizationId: string | undefined;
  readonly projectId: string;
  readonly region: string;
  readonly zone: string;
  /** Base URL without trailing slash; `https://api.scaleway.com` default. */
  readonly apiUrl: string;
}

/** An S3- or SQS-compatible endpoint and the key pair that signs for it. */
export interface EndpointSettings {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

/** The validated configuration of a function or of the CLI. */
export interface Config {
  readonly scaleway: ScalewaySettings;
  /** Object Storage (S3); the Scaleway key pair signs by default. */
  readonly objectStorage: EndpointSettings;
  /** Scaleway Queues (SQS); the Scaleway key pair signs by default. */
  readonly queues: EndpointSettings;
  readonly environment: Environment | undefined;
  readonly logLevel: LogLevel;
  /** Token expected in `X-Auth-Token` by the HTTP functions. */
  readonly functionToken: string | undefined;
  readonly stateBucket: string | undefined;
  readonly auditQueueUrl: string | undefined;
  /** True when no credentials were found: the `npm start` platform. */
  readonly usingLocalPlatform: boolean;
  /** Where the credentials came from, for humans (never a value). */
  readonly source: string;
}

/** Optional settings that an entry point may declare mandatory. */
export interface RequirableSettings {
  EVALAP_ENVIRONMENT: { readonly environment: Environment };
  EVALAP_STATE_BUCKET: { readonly stateBucket: string };
  EVALAP_AUDIT_QUEUE_URL: { readonly auditQueueUrl: string };
  EVALAP_FUNCTION_TOKEN: { readonly functionToken: string };
  SCW_DEFAULT_ORGANIZATION_ID: {
    readonly scaleway: ScalewaySettings & { readonly organizationId: string };
  };
}

/** A key of {@link RequirableSettings}. */
export type RequirableKey = keyof RequirableSettings;

type Intersect<U> = (U extends unknown ? (u: U) => void : never) extends (
  i: infer I,
) => void
  ? I
  : never;

/** A config whose settings named by `K` are known to be set. */
export type ConfigWith<K extends RequirableKey> = Config &
  Intersect<RequirableSettings[K]>;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions<K extends RequirableKey> {
  /** Optional settings this entry point cannot run without. Default none. */
  readonly require?: readonly K[];
  /**
   * The environment the caller acts on, e.g. its stack's: the value of
   * `EVALAP_ENVIRONMENT` when that variable is not set. On the local
   * platform the state bucket and the audit queue then default to that
   * stage's (serverless.yml's names). Default: `EVALAP_ENVIRONMENT`, and
   * on the local platform the stage `npm start` serves
   * (LOCAL_DEFAULTS.stage).
   */
  readonly environment?: Environment;
}

const DEFAULT_API_URL = 'https://api.scaleway.com';
const DEFAULT_REGION = 'fr-par';
const DEFAULT_LOG_LEVEL = 'info';
const LOCAL_SOURCE = 'the local platform defaults';

/**
 * Reads and validates every setting from `env` (and from the scw CLI
 * profile it points to). Pure given its input and the profile file: tests
 * pass their own record. With no credentials anywhere, the local platform
 * of `npm start` is targeted and `usingLocalPlatform` is true.
 *
 * Precedence per key: `SCW_X`, then `EVALAP_SCW_X`, then the profile
 * (`SCW_PROFILE`, default `default`, of `SCW_CONFIG_PATH` or
 * `~/.config/scw/config.yaml`), then the built-in default.
 *
 * @throws ConfigError naming every missing or invalid key, never a value.
 * @example
 * const config = loadConfig(process.env, { require: ['EVALAP_STATE_BUCKET'] });
 */
export function loadConfig<K extends RequirableKey = never>(
  env: EnvRecord = process.env,
  options: LoadConfigOptions<K> = {},
): ConfigWith<K> {
  const sources = collectSources(env, options.environment);
  const config = validate(sources);

  assertRequired(sources, options.require ?? []);

  return config as ConfigWith<K>;
}

/**
 * The configuration of the local platform of `npm start`, built from
 * `local/defaults.ts` alone, for `environment` (default: the stage
 * `npm start` serves, production).
 */
export function localPlatformConfig(environment?: Environment): Config {
  return validate(collectSources({}, environment));
}

/**
 * The one line every command that calls Scaleway prints on stderr: what
 * it targets (the local platform or a Scaleway API URL), the project and
 * region, and where the credentials came from; never a secret.
 *
 * @example
 * describeConfig(loadConfig({}))
 * // 'Target: the local platform of npm start at http://127.0.0.1:4600
 * //  (no Scaleway credentials set), project …, region fr-par'
 */
export function describeConfig(config: Config): string {
  const { scaleway } = config;
  const target = config.usingLocalPlatform
    ? `the local platform of npm start at ${scaleway.apiUrl}`
    : `the Scaleway API at ${scaleway.apiUrl}`;
  const credentials =
    config.source === LOCAL_SOURCE
      ? 'no Scaleway credentials set'
      : `credentials from ${config.source}`;

  return (
    `Target: ${target} (${credentials}), project ${scaleway.projectId}, ` +
    `region ${scaleway.region}`
  );
}

interface Sources {
  readonly raw: Partial<Record<SettingKey, string>>;
  readonly origin: Partial<Record<SettingKey, string>>;
  readonly local: boolean;
  readonly source: string;
}

function collectSources(
  env: EnvRecord,
  environment: Environment | undefined,
): Sources {
  const raw: Partial<Record<SettingKey, string>> = {};
  const origin: Partial<Record<SettingKey, string>> = {};
  const noCredentials = !hasAnyCredential(env);
  const profile = noCredentials ? undefined : loadScwProfile(env);

  for (const key of SCALEWAY_KEYS) {
    const direct = value(env[key]);
    const alias = value(env[`EVALAP_${key}`]);
    const fromProfile = value(profile?.values[PROFILE_FIELDS[key].field]);

    if (direct !== undefined) set(key, direct, key);
    else if (alias !== undefined) set(key, alias, `EVALAP_${key}`);
    else if (fromProfile !== undefined && profile !== undefined) {
      set(key, fromProfile, profileOrigin(key, profile));
    }
  }
  for (const key of EVALAP_KEYS) {
    const direct = value(env[key]);
    if (direct !== undefined) set(key, direct, key);
  }
  if (raw.EVALAP_ENVIRONMENT === undefined && environment !== undefined) {
    set('EVALAP_ENVIRONMENT', environment, "the stack's environment");
  }

  // The local key is accepted by the local platform only: the variables
  // printed by `npm start` therefore also mean the local platform.
  const local =
    noCredentials || raw.SCW_ACCESS_KEY === LOCAL_DEFAULTS.accessKey;
  applyDefaults(raw, origin, local ? localDefaults(raw) : null);

  return {
    raw,
    origin,
    local,
    source: describeSource(env, profile, noCredentials),
  };

  function set(key: SettingKey, text: string, from: string): void {
    raw[key] = text;
    origin[key] = from;
  }
}

function hasAnyCredential(env: EnvRecord): boolean {
  const keys = [
    'SCW_ACCESS_KEY',
    'SCW_SECRET_KEY',
    'EVALAP_SCW_ACCESS_KEY',
    'EVALAP_SCW_SECRET_KEY',
    'SCW_PROFILE',
    'SCW_CONFIG_PATH',
  ];
  if (keys.some((key) => value(env[key]) !== undefined)) return true;

  return loadScwProfile(env) !== undefined;
}

function applyDefaults(
  raw: Partial<Record<SettingKey, string>>,
  origin: Partial<Record<SettingKey, string>>,
  local: Partial<Record<SettingKey, string>> | null,
): void {
  const defaults = {
    EVALAP_LOG_LEVEL: DEFAULT_LOG_LEVEL,
    ...(local ?? remoteDefaults(raw)),
  };

  for (const [key, text] of Object.entries(defaults) as [
    SettingKey,
    string,
  ][]) {
    if (raw[key] !== undefined) continue;

    raw[key] = text;
    origin[key] = `${key} (default)`;
  }
}

function remoteDefaults(
  raw: Partial<Record<SettingKey, string>>,
): Partial<Record<SettingKey, string>> {
  const region = raw.SCW_DEFAULT_REGION ?? DEFAULT_REGION;
  const defaults: Partial<Record<SettingKey, string>> = {
    SCW_DEFAULT_REGION: region,
    SCW_DEFAULT_ZONE: `${region}-1`,
    SCW_API_URL: DEFAULT_API_URL,
    EVALAP_S3_ENDPOINT: `https://s3.${region}.scw.cloud`,
    EVALAP_S3_REGION: region,
    EVALAP_SQS_ENDPOINT: `https://sqs.mnq.${region}.scaleway.com`,
    EVALAP_SQS_REGION: region,
  };

  return defaults;
}

function validate(sources: Sources): Config {
  const parsed = settingsSchema.safeParse(sources.raw);

  if (!parsed.success) {
    const problems = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]) as SettingKey;
      const missing = sources.raw[key] === undefined;
      if (problems.has(key)) continue;

      problems.set(key, describeProblem(key, sources, missing, issue.message));
    }
    throw configError([...problems.keys()], [...problems.values()]);
  }

  return toConfig(parsed.data, sources);
}

function describeProblem(
  key: SettingKey,
  sources: Sources,
  missing: boolean,
  message: string,
): string {
  if (missing) return `${key} is not set${hint(key)}`;

  const from = sources.origin[key] ?? key;
  const label = from === key ? key : `${key} (from ${from})`;

  return `${label} ${message}`;
}

function hint(key: SettingKey): string {
  if (!key.startsWith('SCW_')) return '';

  const fileKey = PROFILE_FIELDS[key as keyof typeof PROFILE_FIELDS].fileKey;

  return ` (or EVALAP_${key} in a function, or ${fileKey} in the scw profile)`;
}

function configError(keys: string[], problems: string[]): ConfigError {
  const lines = problems.map((problem) => `  - ${problem}`).join('\n');

  return new ConfigError(`invalid configuration:\n${lines}`, keys);
}

function assertRequired(
  sources: Sources,
  required: readonly RequirableKey[],
): void {
  const missing = required.filter((key) => sources.raw[key] === undefined);
  if (missing.length === 0) return;

  const problems = missing.map((key) => `${key} is not set${hint(key)}`);
  throw configError(missing, problems);
}

function toConfig(data: RawSettings, sources: Sources): Config {
  return {
    scaleway: {
      accessKey: data.SCW_ACCESS_KEY,
      secretKey: data.SCW_SECRET_KEY,
      organizationId: data.SCW_DEFAULT_ORGANIZATION_ID,
      projectId: data.SCW_DEFAULT_PROJECT_ID,
      region: data.SCW_DEFAULT_REGION,
      zone: data.SCW_DEFAULT_ZONE,
      apiUrl: data.SCW_API_URL,
    },
    objectStorage: {
      endpoint: data.EVALAP_S3_ENDPOINT,
      region: data.EVALAP_S3_REGION,
      accessKey: data.SCW_ACCESS_KEY,
      secretKey: data.SCW_SECRET_KEY,
    },
    queues: {
      endpoint: data.EVALAP_SQS_ENDPOINT,
      region: data.EVALAP_SQS_REGION,
      accessKey: data.EVALAP_SQS_ACCESS_KEY ?? data.SCW_ACCESS_KEY,
      secretKey: data.EVALAP_SQS_SECRET_KEY ?? data.SCW_SECRET_KEY,
    },
    environment: data.EVALAP_ENVIRONMENT,
    logLevel: data.EVALAP_LOG_LEVEL,
    functionToken: data.EVALAP_FUNCTION_TOKEN,
    stateBucket: data.EVALAP_STATE_BUCKET,
    auditQueueUrl: data.EVALAP_AUDIT_QUEUE_URL,
    usingLocalPlatform: sources.local,
    source: sources.source,
  };
}

function describeSource(
  env: EnvRecord,
  profile: LoadedProfile | undefined,
  local: boolean,
): string {
  if (local) return LOCAL_SOURCE;
  if (value(env.SCW_SECRET_KEY) !== undefined) return 'environment';
  if (value(env.EVALAP_SCW_SECRET_KEY) !== undefined) return 'environment';
  if (profile !== undefined) {
    return `profile '${profile.name}' of ${profile.file}`;
  }

  return 'environment';
}

function profileOrigin(key: SettingKey, profile: LoadedProfile): string {
  const fileKey = PROFILE_FIELDS[key as keyof typeof PROFILE_FIELDS].fileKey;

  return `${fileKey} of profile '${profile.name}' in ${profile.file}`;
}

function value(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;

  const trimmed = text.trim();

  return trimmed.length === 0 ? undefined : trimmed;
}
