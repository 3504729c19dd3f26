import type { S3Client } from '@aws-sdk/client-s3';
import type { LiveResource } from '../inventory/types.ts';
import { lockHolder } from '../lock/index.ts';
import { readRotationRecords } from '../rotation/record.ts';
import { deployedName } from '../stack/index.ts';
import { type AppliedState, stateKeys } from '../state/index.ts';
import {
  type RecordedSecretHashes,
  recordedSecretHashes,
  secretHashDigest,
} from '../state/secret-hashes.ts';
import type { Matching } from './compare.ts';
import { type DriftFinding, MASKED } from './finding.ts';

/** A difference drift knows of and does not report, with why. */
export interface IgnoredDifference {
  readonly resourceType: string;
  readonly resourceName: string;
  readonly field: string;
  /** e.g. `rotation of db-password in progress: ...`. */
  readonly reason: string;
}

/** What the secret env check found. */
export interface SecretEnvResult {
  readonly findings: DriftFinding[];
  readonly ignored: IgnoredDifference[];
  /** Bindings whose value could not be checked, named, never valued. */
  readonly unchecked: string[];
}

/**
 * What the control plane recorded of the secret variables it set, read
 * from the state bucket: never a value, never a hash.
 */
export interface SecretEnvRecord {
  /** Digests of the hashes verified after each apply and rotation. */
  readonly hashes: RecordedSecretHashes;
  /**
   * Secrets (deployed names) whose rotation is at its `redeploy` step:
   * their consumers may hold the new value, not recorded yet.
   */
  readonly rotating: ReadonlySet<string>;
  /**
   * Secrets (deployed names) whose rotation record cannot be read: their
   * rotation may be redeploying too.
   */
  readonly unreadable?: ReadonlySet<string>;
  /**
   * Who holds the environment lock, if anyone: an apply or a rotation
   * in progress may have set variables it has not recorded yet.
   */
  readonly lockedBy?: string | undefined;
}

/**
 * Reads the record {@link checkSecretEnvironment} compares with, from
 * the state bucket: the hash digests of the applied state, the secrets
 * whose rotation is redeploying (`<environment>/rotations/`), and who
 * holds the environment lock.
 *
 * @throws StateStorageError or LockStorageError when the bucket cannot
 *   be read.
 */
export async function readSecretEnvRecord(
  s3: S3Client,
  bucket: string,
  state: AppliedState,
  now: Date = new Date(),
): Promise<SecretEnvRecord> {
  const { environment } = state;
  const { records, unreadable } = await readRotationRecords(
    s3,
    bucket,
    environment,
  );
  const rotating = [...records.values()]
    .filter((record) => record.step === 'redeploy')
    .map((record) => record.secret);
  const deployed = (names: string[]) =>
    new Set(names.map((name) => deployedName(name, environment)));
  const lockedBy = await lockHolder(
    s3,
    bucket,
    stateKeys.lock(environment),
    now,
  );

  return {
    hashes: recordedSecretHashes(state),
    rotating: deployed(rotating),
    unreadable: deployed(unreadable),
    ...(lockedBy === undefined ? {} : { lockedBy }),
  };
}

/**
 * Checks that each declared secret environment variable of each matched
 * container still holds what the control plane set, by comparing the
 * argon2id hash the API returns with the digest recorded when provisioning
 * or rotation set the variable and verified it. The Containers API hashes
 * with a fresh salt on every write, so a hash differs exactly when the
 * variable was written since: by hand in the console, or by anything
 * else. No value is read: drift needs no access to Secret Manager.
 *
 * Which version of its secret a container holds is rotation's concern:
 * a container still holding the previous value, while a rotation is in
 * progress, was set by the control plane and is in sync here. A hash
 * that differs while its rotation redeploys, or while an apply or a
 * rotation holds the environment lock (set, not recorded yet), is listed
 * under `ignored`; without a record (no applied state, or a container
 * applied before hashes were recorded) the variable is `unchecked`.
 */
export function checkSecretEnvironment(
  matching: Matching,
  record: SecretEnvRecord | undefined,
): SecretEnvResult {
  const result: SecretEnvResult = { findings: [], ignored: [], unchecked: [] };
  const checks = matching.matched
    .filter((m) => m.live.type === 'container')
    .flatMap(({ declared, live }) =>
      Object.entries(declared.secretEnv ?? {}).map(([key, secret]) => ({
        live: live as LiveResource<'container'>,
        key,
        secret,
      })),
    );

  for (const { live, key, secret } of checks) {
    const hashed = live.raw.secretEnvironmentVariables.find(
      (variable) => variable.key === key,
    )?.hashedValue;
    if (!hashed) continue;

    const field = `secretEnv.${key}`;
    const recorded = record?.hashes.get(live.name)?.get(key);
    if (recorded === undefined) {
      result.unchecked.push(
        `${live.name} ${field}: no hash recorded (apply the stack once)`,
      );
      continue;
    }
    if (secretHashDigest(hashed) === recorded) continue;

    const pending = pendingWriter(record, secret);
    if (pending !== undefined) {
      result.ignored.push({
        resourceType: 'container',
        resourceName: live.name,
        field,
        reason: `${pending}: the hash it set is not recorded yet`,
      });
      continue;
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
        `container ${live.name}: ${key} was written since the control ` +
        `plane set it from secret ${secret} (its hash changed); apply ` +
        'the stack to set it again from Secret Manager.',
    });
  }

  return result;
}

/** Who may have set a variable without recording it yet, if anyone. */
function pendingWriter(
  record: SecretEnvRecord | undefined,
  secret: string,
): string | undefined {
  if (record?.rotating.has(secret)) {
    return `rotation of ${secret} redeploying`;
  }
  if (record?.unreadable?.has(secret)) {
    return `rotation record of ${secret} unreadable (see docs/rotation.md)`;
  }
  if (record?.lockedBy !== undefined) {
    return `${record.lockedBy} holds the environment lock`;
  }

  return undefined;
}
