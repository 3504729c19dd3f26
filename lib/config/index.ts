export {
  type Config,
  type ConfigWith,
  describeConfig,
  type EndpointSettings,
  type Environment,
  LOCAL_AUDIT_QUEUE,
  LOCAL_STATE_BUCKET,
  type LoadConfigOptions,
  type LogLevel,
  loadConfig,
  localPlatformConfig,
  type RequirableKey,
  type RequirableSettings,
  type ScalewaySettings,
} from './config.ts';
export { ConfigError } from './errors.ts';
export { EVALAP_KEYS, SCALEWAY_KEYS, type SettingKey } from './keys.ts';
export {
  type EnvRecord,
  loadScwProfile,
  resolveProfileFile,
} from './profile.ts';
export { ENVIRONMENTS, LOG_LEVELS } from './schema.ts';
