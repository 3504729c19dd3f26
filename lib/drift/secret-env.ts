import type { InventoryReader } from '../inventory/inventory.ts';
import type { InventoryApis, LiveResource } from '../inventory/types.ts';
import { retryScaleway } from '../scaleway/retry.ts';
import { argon2idMatches } from '../secrets/argon2.ts';
import type { Matching } from './compare.ts';
import { type DriftFinding, MASKED } from './finding.ts';

/**
 * How secret environment variables are compared:
 * - `verify` (default): each live argon2id hash is verified against the
 *   secret's enabled versions read from Secret Manager, in memory only;
 * - `keys-only`: only which keys exist is compared, no value is read.
 */
export type SecretValueMode = 'verify' | 'keys-only';

/** A difference drift knows of and does not report, with why. */
export interface IgnoredDifference {
  readonly resourceType: string;
  readonly resourceName: string;
  readonly field: string;
  /** e.g. `rotation in progress: an older enabled version`. */
  readonly reason: string;
}

/** What the secret env check found. */
export interface SecretEnvResult {
  readonly findings: DriftFinding[];
  readonly ignored: IgnoredDifference[];
  /** Bindings whose value could not be checked, named, never valued. */
  readonly unchecked: string[];
}

interface Context {
  readonly apis: InventoryApis;
  readonly reader: InventoryReader;
  readonly region: string;
}

/**
 * Checks that each declared secret environment variable of each matched
 * container holds a value of the secret it is bound to. The hash the API
 * returns is verified with argon2id against the secret's enabled
 * versions: the latest one is in sync; an older enabled one means a
 * rotation has not redeployed the container yet (owned by rotation,
 * ignored); none is drift, reported with both values masked.
 *
 * The clear value is read from Secret Manager (the drift function needs
 * secret access), kept in memory for the check, never logged or stored.
 * Each secret's latest enabled version is read once per run, whatever
 * the number of consumers; older versions only when a hash does not
 * match the latest.
 */
export async function checkSecretEnvironment(
  matching: Matching,
  context: Context,
): Promise<SecretEnvResult> {
  const result: SecretEnvResult = { findings: [], ignored: [], unchecked: [] };
  const secretIds = new Map(
    matching.matched
      .filter((m) => m.live.type === 'secret')
      .map((m) => [m.declared.name, m.live.id]),
  );
  const latest = new Map<string, Promise<string>>();
  const older = new Map<string, Promise<string[]>>();
  const once = <T>(
    cache: Map<string, Promise<T>>,
    id: string,
    read: () => Promise<T>,
  ) => {
    let pending = cache.get(id);
    if (pending === undefined) {
      pending = read();
      cache.set(id, pending);
    }
    return pending;
  };

  const checks = matching.matched
    .filter((m) => m.live.type === 'container')
    .flatMap(({ declared, live }) =>
      Object.entries(declared.secretEnv ?? {}).map(([key, secret]) => ({
        live: live as LiveResource<'container'>,
        key,
        secret,
        role: declared.roleSecretEnv?.includes(key) ?? false,
      })),
    );

  await Promise.all(
    checks.map(async ({ live, key, secret, role }) => {
      const hashed = live.raw.secretEnvironmentVariables.find(
        (variable) => variable.key === key,
      )?.hashedValue;
      const secretId = secretIds.get(secret);
      if (hashed === undefined || secretId === undefined) return;

      const field = `secretEnv.${key}`;
      let match: 'latest' | 'older' | 'none';
      try {
        const current = await once(latest, secretId, () =>
          readVersion(secretId, 'latest_enabled', context),
        );
        match = 'latest';
        if (!(await matchesAny(hashed, candidateValues(current, role)))) {
          const previous = await once(older, secretId, () =>
            readOlderEnabled(secretId, context),
          );
          const found = await Promise.all(
            previous.map((text) =>
              matchesAny(hashed, candidateValues(text, role)),
            ),
          );
          match = found.includes(true) ? 'older' : 'none';
        }
      } catch {
        result.unchecked.push(`${live.name} ${field}`);
        return;
      }

      if (match === 'latest') return;
      if (match === 'older') {
        const held = `an older enabled version of ${secret}`;
        result.ignored.push({
          resourceType: 'container',
          resourceName: live.name,
          field,
          reason: `rotation in progress: holds ${held}`,
        });
        return;
      }

      result.findings.push({
        class: 'changed',
        severity: 'high',
        resourceType: 'container',
        resourceName: live.name,
        resourceId: live.id,
        field,
        declared: MASKED,
        live: MASKED,
        message:
          `container ${live.name}: ${key} does not hold any enabled ` +
          `version of secret ${secret}; apply the stack to set it again ` +
          'from Secret Manager.',
      });
    }),
  );

  return result;
}

/** The clear text of one version of a secret. */
async function readVersion(
  secretId: string,
  revision: string,
  context: Context,
): Promise<string> {
  const { apis, reader, region } = context;
  const access = await reader.read(() =>
    retryScaleway(
      () => apis.secret.accessSecretVersion({ region, secretId, revision }),
      { operation: 'access secret version' },
    ),
  );

  return Buffer.from(access.data, 'base64').toString('utf8');
}

/**
 * The text of every enabled version but the latest, read only when a
 * hash does not match the latest (a rotation in progress).
 */
async function readOlderEnabled(
  secretId: string,
  context: Context,
): Promise<string[]> {
  const { apis, reader, region } = context;
  const listed = await reader.read(() =>
    retryScaleway(
      () =>
        apis.secret.listSecretVersions({
          region,
          secretId,
          status: ['enabled'],
          pageSize: 100,
        }),
      { operation: 'list secret versions' },
    ),
  );
  const revisions = listed.versions
    .map((version) => version.revision)
    .sort((a, b) => b - a)
    .slice(1);

  return Promise.all(
    revisions.map((revision) =>
      readVersion(secretId, String(revision), context),
    ),
  );
}

/**
 * A credentials secret (JSON with a `password`) may be bound either whole
 * or by its password (as provisioning's `consumerValue` does): both are
 * candidates. A role variable (DATABASE_USER) holds its `username`.
 */
function candidateValues(text: string, role: boolean): string[] {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { password?: unknown }).password === 'string'
    ) {
      const { password, username } = parsed as {
        password: string;
        username?: unknown;
      };
      if (role) return typeof username === 'string' ? [username] : [];

      return [text, password];
    }
  } catch {
    // Not JSON: the value is the text itself.
  }

  return role ? [] : [text];
}

/** Whether the hash is the argon2id hash of one of the values. */
async function matchesAny(
  hashed: string,
  values: readonly string[],
): Promise<boolean> {
  for (const value of values) {
    if (await argon2idMatches(hashed, value)) return true;
  }

  return false;
}
