export {
  type Config,
  type ConfigWith,
  describeConfig,
  type EndpointSettings,
  type Environment,
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
export { localPlatformPort, parseLocalPort } from './local.ts';
export {
  type EnvRecord,
  loadScwProfile,
  resolveProfileFile,
} from './profile.ts';
export { ENVIRONMENTS, LOCAL_PORT_RANGE, LOG_LEVELS } from './schema.ts';
