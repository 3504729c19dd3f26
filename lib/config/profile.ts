import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadAllProfilesFromConfigurationFile,
  type Profile,
} from '@scaleway/configuration-loader';
import { ConfigError } from './errors.ts';

/** Environment variables as a plain record (`process.env` fits). */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

/** A profile of the scw CLI's configuration file, and where it came from. */
export interface LoadedProfile {
  readonly name: string;
  readonly file: string;
  readonly values: Profile;
}

/**
 * Resolves the scw CLI configuration file the way the CLI does:
 * `SCW_CONFIG_PATH`, then `$XDG_CONFIG_HOME/scw/config.yaml`, then
 * `$HOME/.config/scw/config.yaml`. Only the given record is read.
 */
export function resolveProfileFile(env: EnvRecord): string | undefined {
  if (nonEmpty(env.SCW_CONFIG_PATH)) return env.SCW_CONFIG_PATH;
  if (nonEmpty(env.XDG_CONFIG_HOME)) {
    return join(env.XDG_CONFIG_HOME, 'scw', 'config.yaml');
  }
  if (nonEmpty(env.HOME))
    return join(env.HOME, '.config', 'scw', 'config.yaml');

  return undefined;
}

/**
 * Loads the profile named by `SCW_PROFILE` (default `default`) from the
 * scw CLI configuration file. Returns `undefined` when no file is asked for
 * and the default file does not exist; throws a {@link ConfigError} when
 * an explicitly requested file or profile is missing.
 */
export function loadScwProfile(env: EnvRecord): LoadedProfile | undefined {
  const explicit = nonEmpty(env.SCW_CONFIG_PATH) || nonEmpty(env.SCW_PROFILE);
  const file = resolveProfileFile(env);
  const name = nonEmpty(env.SCW_PROFILE) ? env.SCW_PROFILE : 'default';

  if (file === undefined || !existsSync(file)) {
    if (!explicit) return undefined;
    throw new ConfigError(
      `scw configuration file not found: ${file ?? '(no path)'} ` +
        '(set SCW_CONFIG_PATH or create it with `scw init`)',
      ['SCW_CONFIG_PATH'],
    );
  }

  let profiles: Record<string, Profile>;
  try {
    profiles = loadAllProfilesFromConfigurationFile({ filepath: file });
  } catch (error) {
    throw new ConfigError(
      `scw configuration file could not be read: ${file}`,
      ['SCW_CONFIG_PATH'],
      { cause: error },
    );
  }

  const values = profiles[name];
  if (values === undefined && !explicit) return undefined;
  if (values === undefined) {
    throw new ConfigError(
      `profile '${name}' not found in ${file} (check SCW_PROFILE)`,
      ['SCW_PROFILE'],
    );
  }

  return { name, file, values };
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.length > 0;
}
