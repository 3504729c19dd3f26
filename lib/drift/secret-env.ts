import { verify } from '@node-rs/argon2';
import type { InventoryReader } from '../inventory/inventory.ts';
import type { InventoryApis, LiveResource } from '../inventory/types.ts';
import { retryScaleway } from '../scaleway/retry.ts';
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
 * Each secret is read once per run, whatever the number of consumers.
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
  const versions = new Map<string, Promise<string[][]>>();
  const candidatesOf = (secretId: string) => {
    let pending = versions.get(secretId);
    if (pending === undefined) {
      pending = readEnabledValues(secretId, context);
      versions.set(secretId, pending);
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
      })),
    );

  await Promise.all(
    checks.map(async ({ live, key, secret }) => {
      const hashed = live.raw.secretEnvironmentVariables.find(
        (variable) => variable.key === key,
      )?.hashedValue;
      const secretId = secretIds.get(secret);
      if (hashed === undefined || secretId === undefined) return;

      const field = `secretEnv.${key}`;
      let values: string[][];
      try {
        values = await candidatesOf(secretId);
      } catch {
        result.unchecked.push(`${live.name} ${field}`);
        return;
      }

      const match = await firstMatching(hashed, values);
      if (match === 0) return;
      if (match > 0) {
        result.ignored.push({
          resourceType: 'container',
          resourceName: live.name,
          field,
          reason: `rotation in progress: holds an older enabled version of ${secret}`,
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

/**
 * The candidate clear values of each enabled version, newest first. A
 * credentials secret (JSON with a `password`) may be bound either whole
 * or by its password, so both are candidates.
 */
async function readEnabledValues(
  secretId: string,
  context: Context,
): Promise<string[][]> {
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
    .sort((a, b) => b - a);

  return Promise.all(
    revisions.map(async (revision) => {
      const access = await reader.read(() =>
        retryScaleway(
          () =>
            apis.secret.accessSecretVersion({
              region,
              secretId,
              revision: String(revision),
            }),
          { operation: 'access secret version' },
        ),
      );
      return candidateValues(access.data);
    }),
  );
}

function candidateValues(data: string): string[] {
  const text = Buffer.from(data, 'base64').toString('utf8');
  try {
    const parsed = JSON.parse(text) as unknown;
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { password?: unknown }).password === 'string'
    ) {
      return [text, (parsed as { password: string }).password];
    }
  } catch {
    // Not JSON: the value is the text itself.
  }

  return [text];
}

/** Index of the first version whose value matches the hash, or -1. */
async function firstMatching(
  hashed: string,
  versions: readonly string[][],
): Promise<number> {
  for (const [index, candidates] of versions.entries()) {
    for (const candidate of candidates) {
      if (await verifyQuietly(hashed, candidate)) return index;
    }
  }

  return -1;
}

async function verifyQuietly(hashed: string, value: string): Promise<boolean> {
  try {
    return await verify(hashed, value);
  } catch {
    // A malformed hash matches nothing.
    return false;
  }
}
