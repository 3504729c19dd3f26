import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { faultOf } from '../http/fault.ts';
import { acquireLock, type HeldLock } from '../lock/index.ts';
import { scrubSecrets } from '../log/index.ts';
import { ScalewayNotFoundError } from '../scaleway/index.ts';
import type { Stack, StackSecret } from '../stack/index.ts';
import {
  readAppliedState,
  stateKeys,
  writeAppliedState,
} from '../state/index.ts';
import {
  secretHashDigest,
  withRecordedHashes,
} from '../state/secret-hashes.ts';
import { RotationNotFoundError, RotationSetupError } from './errors.ts';
import { provisionedAccessKey } from './iam.ts';
import { accessKeyInDescription, SecretRotation } from './machine.ts';
import {
  type RotationRecord,
  readRotationRecords,
  rotationKeys,
} from './record.ts';
import {
  type ContainerChange,
  type ContainerOutcome,
  redeployContainer,
} from './redeploy.ts';
import { emptyReport, outcomeOf } from './report.ts';
import { RotationRun } from './run-context.ts';
import { dueStatus, isManual, strategyOf } from './schedule.ts';
import type {
  RotationContext,
  RotationReport,
  RotationRunOptions,
  SecretOutcome,
} from './types.ts';

/**
 * Runs the rotation of a stack's environment: resumes the rotations in
 * progress, starts one for each due secret (or for `options.secret`,
 * now), redeploys every affected container ONCE, verifies, and finishes
 * the rotations whose grace period is over. A failing secret is reported
 * stuck; the others go on. Holds the environment lock (not in a dry run).
 *
 * @throws RotationSetupError when nothing was applied to the environment
 *   or `options.secret` is not declared; EnvironmentBusyError when an
 *   apply or another rotation holds the lock.
 * @example
 * const report = await runRotation(stack, context, { dryRun: true });
 * report.due // [{ secret: 'db-password', ageDays: 91, periodDays: 90 }]
 */
export async function runRotation(
  stack: Stack,
  context: RotationContext,
  options: RotationRunOptions & { resume?: boolean } = {},
): Promise<RotationReport> {
  const run = await openRun(stack, context);
  const report = emptyReport(run, options.dryRun ?? false);
  const secrets = selectSecrets(stack, options.secret);
  const lock = options.dryRun ? undefined : await lockEnvironment(run, options);

  try {
    const { records, unreadable } = await readRotationRecords(
      context.clients.s3,
      context.stateBucket,
      stack.environment,
    );
    if (unreadable.length > 0) {
      // Also those outside this run's selection, or no longer declared.
      run.logger.error({ secrets: unreadable }, 'unreadable rotation records');
    }
    for (const secret of secrets.filter((s) => unreadable.includes(s.name))) {
      report.stuck.push(unreadableRecord(stack.environment, secret.name));
    }
    const readable = secrets.filter((s) => !unreadable.includes(s.name));
    const rotations = await planRotations(run, readable, records, report, {
      dryRun: options.dryRun ?? false,
      force: options.secret !== undefined,
      resume: options.resume ?? false,
    });
    if (!options.dryRun) await executeRotations(run, rotations, report);
  } finally {
    await lock?.release();
  }

  report.finishedAt = run.now().toISOString();
  run.logger.info({ report }, 'rotation run done');

  return report;
}

async function openRun(
  stack: Stack,
  context: RotationContext,
): Promise<RotationRun> {
  const stored = await readAppliedState(
    context.clients.s3,
    context.stateBucket,
    stack.environment,
  );
  if (stored === undefined) {
    throw new RotationSetupError(
      `nothing was applied to ${stack.environment}: apply the stack ` +
        'before rotating its secrets',
    );
  }

  return new RotationRun(stack, stored.state, context);
}

function selectSecrets(stack: Stack, name: string | undefined) {
  if (name === undefined) return stack.secrets;

  const secret = stack.secrets.find((s) => s.name === name);
  if (secret === undefined) {
    const known = stack.secrets.map((s) => s.name).join(', ');
    throw new RotationSetupError(
      `secret ${name} is not declared in the stack (declared: ${known})`,
    );
  }

  return [secret];
}

function lockEnvironment(
  run: RotationRun,
  options: RotationRunOptions,
): Promise<HeldLock> {
  return acquireLock(
    run.clients.s3,
    run.context.stateBucket,
    stateKeys.lock(run.stack.environment),
    {
      holder: `rotation ${options.requestId ?? run.runId}`,
      now: () => run.now(),
    },
  );
}

interface PlanFlags {
  dryRun: boolean;
  force: boolean;
  resume: boolean;
}

/**
 * A secret whose rotation record does not parse: it may be mid-rotation,
 * so it is not rotated again until an operator restores the record.
 */
function unreadableRecord(
  environment: Stack['environment'],
  secret: string,
): SecretOutcome {
  return {
    secret,
    reason:
      `its rotation record ${rotationKeys.record(environment, secret)} ` +
      'in the state bucket cannot be read: restore a previous version ' +
      '(the bucket is versioned), or delete it once the secret and its ' +
      'containers are checked (docs/rotation.md)',
    fault: 'ours',
    needsOperator: true,
  };
}

/** Decides, per secret, to resume, start, skip or report it. */
async function planRotations(
  run: RotationRun,
  secrets: readonly StackSecret[],
  records: Map<string, RotationRecord>,
  report: RotationReport,
  flags: PlanFlags,
): Promise<SecretRotation[]> {
  const limit = pLimit(run.concurrency);
  const planned = await Promise.all(
    secrets.map((secret) =>
      limit(() =>
        planSecret(run, secret, records.get(secret.name), report, flags),
      ),
    ),
  );

  return planned.filter((r): r is SecretRotation => r !== undefined);
}

async function planSecret(
  run: RotationRun,
  secret: StackSecret,
  record: RotationRecord | undefined,
  report: RotationReport,
  flags: PlanFlags,
): Promise<SecretRotation | undefined> {
  if (record !== undefined) {
    return planInProgress(run, secret, record, report, flags);
  }
  if (flags.resume) throw new RotationNotFoundError(secret.name);

  try {
    return await planNew(run, secret, report, flags);
  } catch (error) {
    if (error instanceof RotationSetupError) {
      report.skipped.push({ secret: secret.name, reason: error.message });
      return undefined;
    }
    // Nothing changed yet; counted as stuck so the failure is seen.
    const reason = error instanceof Error ? error.message : String(error);
    run.logger.warn({ secretName: secret.name, err: error }, 'cannot plan');
    report.stuck.push({
      secret: secret.name,
      reason: `could not read its current version: ${scrubSecrets(reason)}`,
      fault: faultOf(error),
    });
    return undefined;
  }
}

async function planInProgress(
  run: RotationRun,
  secret: StackSecret,
  record: RotationRecord,
  report: RotationReport,
  flags: PlanFlags,
): Promise<SecretRotation | undefined> {
  const rotation = new SecretRotation(run, secret, record, true);
  if (flags.resume) {
    const { stuck: _stuck, ...rest } = record;
    rotation.record = { ...rest, status: 'in-progress', attempts: 0 };
  }

  if (rotation.needsOperator) {
    report.stuck.push({ ...outcomeOf(rotation), needsOperator: true });
    return undefined;
  }
  if (record.step === 'finish' && !rotation.graceOver) {
    const retiredAfter = record.finishAfter;
    report.skipped.push({
      ...outcomeOf(rotation),
      reason: `rotated; the previous version is retired after ${retiredAfter}`,
    });
    return undefined;
  }
  if (flags.dryRun) {
    const list = record.status === 'stuck' ? report.stuck : report.due;
    list.push(outcomeOf(rotation));
    return undefined;
  }

  return rotation;
}

async function planNew(
  run: RotationRun,
  secret: StackSecret,
  report: RotationReport,
  flags: PlanFlags,
): Promise<SecretRotation | undefined> {
  const secretId = run.resourceId(
    'secret',
    run.deployed(secret.name),
    secret.name,
  );
  const current = await currentVersion(run, secretId);
  if (current === undefined) {
    const reason = isManual(secret)
      ? 'has no value yet: a person must add its first version'
      : 'has no enabled version yet: apply the stack';
    (isManual(secret) ? report.manual : report.skipped).push({
      secret: secret.name,
      reason,
    });
    return undefined;
  }

  const status = dueStatus(secret, current.createdAt, run.now());
  const timing = { ageDays: status.ageDays, periodDays: status.periodDays };
  const strategy = strategyOf(run.stack, secret);
  if (!status.due && !flags.force) {
    report.skipped.push({
      secret: secret.name,
      ...timing,
      reason: `not due before ${status.dueAt.toISOString()}`,
    });
    return undefined;
  }
  if (strategy === undefined) {
    report.manual.push({
      secret: secret.name,
      ...timing,
      reason:
        `rotation due, manual action needed (${secret.type}, ` +
        `generator ${secret.generator.kind})`,
    });
    return undefined;
  }
  if (flags.dryRun) {
    report.due.push({ secret: secret.name, strategy, ...timing });
    return undefined;
  }

  const now = run.now().toISOString();
  const previousAccessKey =
    accessKeyInDescription(current.description) ??
    provisionedAccessKey(run, secret);
  const rotation = new SecretRotation(
    run,
    secret,
    {
      rotationId: randomUUID(),
      secret: secret.name,
      secretId,
      strategy,
      step: 'create-pending',
      status: 'in-progress',
      previousRevision: current.revision,
      startedAt: now,
      updatedAt: now,
      attempts: 0,
      ...(previousAccessKey ? { previousAccessKey } : {}),
    },
    false,
  );
  // Written before the first change: its id is in the new version.
  await rotation.save({});

  return rotation;
}

async function currentVersion(run: RotationRun, secretId: string) {
  try {
    const version = await run.call('get the current secret version', () =>
      run.clients.secret.getSecretVersion({
        region: run.region,
        secretId,
        revision: 'latest_enabled',
      }),
    );
    return {
      revision: version.revision,
      createdAt: version.createdAt ?? run.now(),
      description: version.description,
    };
  } catch (error) {
    if (error instanceof ScalewayNotFoundError) return undefined;
    throw error;
  }
}

/** Phase by phase: up to redeploy, redeploy all, then verify/finish. */
async function executeRotations(
  run: RotationRun,
  rotations: SecretRotation[],
  report: RotationReport,
): Promise<void> {
  const limit = pLimit(run.concurrency);
  const failed = new Set<SecretRotation>();
  const attempt = async (
    rotation: SecretRotation,
    stop: 'redeploy' | 'finish' | 'done',
  ) => {
    try {
      if (rotation.record.status === 'stuck') {
        await rotation.save({ status: 'in-progress' });
      }
      await rotation.advanceUntil(stop);
    } catch (error) {
      failed.add(rotation);
      await rotation.markStuck(rotation.record.step, error);
    }
  };

  await Promise.all(rotations.map((r) => limit(() => attempt(r, 'redeploy'))));

  const ready = rotations.filter(
    (r) => !failed.has(r) && r.record.step === 'redeploy',
  );
  await redeployAll(run, ready, failed, report);

  await Promise.all(
    rotations
      .filter((r) => !failed.has(r))
      .map((r) =>
        limit(async () => {
          await attempt(r, 'finish');
          if (failed.has(r) || !r.graceOver) return;
          await attempt(r, 'done');
        }),
      ),
  );

  for (const rotation of rotations) {
    report[categoryOf(rotation, failed)].push(outcomeOf(rotation));
  }
}

function categoryOf(
  rotation: SecretRotation,
  failed: Set<SecretRotation>,
): 'stuck' | 'rotated' | 'resumed' | 'finished' {
  if (failed.has(rotation)) return 'stuck';
  if (!rotation.resumed) return 'rotated';

  return rotation.initialStep === 'finish' ? 'finished' : 'resumed';
}

/**
 * Gives each affected container the new values of ALL its rotated
 * secrets in one deployment, then moves the secrets whose consumers all
 * succeeded past `redeploy`; the others are stuck there.
 */
async function redeployAll(
  run: RotationRun,
  rotations: SecretRotation[],
  failed: Set<SecretRotation>,
  report: RotationReport,
): Promise<void> {
  const changes = new Map<string, ContainerChange>();
  const owners = new Map<string, SecretRotation[]>();
  for (const rotation of rotations) {
    try {
      for (const consumer of await rotation.consumerValues()) {
        const change = changes.get(consumer.containerId) ?? {
          container: consumer.container,
          containerId: consumer.containerId,
          secrets: [],
          values: [],
        };
        change.secrets.push(rotation.secret.name);
        change.values.push(...consumer.values);
        changes.set(consumer.containerId, change);
        owners.set(consumer.containerId, [
          ...(owners.get(consumer.containerId) ?? []),
          rotation,
        ]);
      }
    } catch (error) {
      failed.add(rotation);
      await rotation.markStuck('redeploy', error);
    }
  }

  const limit = pLimit(run.concurrency);
  const outcomes = await Promise.all(
    [...changes.values()]
      .filter((change) =>
        (owners.get(change.containerId) ?? []).every((r) => !failed.has(r)),
      )
      .map((change) =>
        limit(() =>
          redeployContainer(
            run,
            change,
            (owners.get(change.containerId) ?? []).some((r) => r.resumed),
          ),
        ),
      ),
  );
  await recordRedeploys(run, outcomes, owners, failed, report);
  await recordHashes(run, outcomes, owners, failed);

  for (const rotation of rotations.filter((r) => !failed.has(r))) {
    try {
      await rotation.runStep('redeploy');
    } catch (error) {
      failed.add(rotation);
      await rotation.markStuck('redeploy', error);
    }
  }
}

async function recordRedeploys(
  run: RotationRun,
  outcomes: ContainerOutcome[],
  owners: Map<string, SecretRotation[]>,
  failed: Set<SecretRotation>,
  report: RotationReport,
): Promise<void> {
  for (const outcome of outcomes) {
    const { change } = outcome;
    const secrets = [...new Set(change.secrets)];
    if (outcome.error === undefined) {
      if (outcome.deployed) {
        report.redeployed.push({ container: change.container, secrets });
        await run.context.audit?.record({
          operation: 'deploy',
          resourceType: 'Container',
          resourceName: run.deployed(change.container),
          severity: 'info',
          details: { reason: 'secret rotation', secrets },
        });
      }
      for (const rotation of owners.get(change.containerId) ?? []) {
        rotation.containers.push(change.container);
      }
      continue;
    }

    for (const rotation of owners.get(change.containerId) ?? []) {
      if (failed.has(rotation)) continue;
      failed.add(rotation);
      await rotation.markStuck('redeploy', outcome.error);
    }
  }
}

/**
 * Records in the applied state the digest of each hash a redeployed
 * container was verified to hold, so that drift knows these variables
 * were set by the control plane (it never reads a value). Done under the
 * environment lock, before the rotations move past `redeploy`: when the
 * write fails (or the run dies first), their rotations stay at
 * `redeploy`, whose re-run finds the containers holding their values,
 * leaves them alone and records again.
 */
async function recordHashes(
  run: RotationRun,
  outcomes: ContainerOutcome[],
  owners: Map<string, SecretRotation[]>,
  failed: Set<SecretRotation>,
): Promise<void> {
  const digests = new Map<string, Map<string, string>>();
  for (const { change, hashes, error } of outcomes) {
    if (error !== undefined || hashes === undefined) continue;
    const byKey = new Map(
      [...hashes].map(([key, hash]) => [key, secretHashDigest(hash)]),
    );
    digests.set(run.deployed(change.container), byKey);
  }
  if (digests.size === 0) return;

  const { s3 } = run.clients;
  const bucket = run.context.stateBucket;
  try {
    const stored = await readAppliedState(s3, bucket, run.stack.environment);
    if (stored === undefined) {
      // Only an apply creates the state, and the run held the lock.
      run.logger.warn('applied state gone: redeployed hashes not recorded');
      return;
    }
    const state = withRecordedHashes(stored.state, digests);
    await writeAppliedState(s3, bucket, state, {
      ...(stored.etag === undefined ? {} : { ifMatch: stored.etag }),
    });
  } catch (error) {
    run.logger.warn({ err: error }, 'cannot record the redeployed hashes');
    const recorded = outcomes.filter((o) => o.hashes !== undefined);
    for (const { change } of recorded) {
      for (const rotation of owners.get(change.containerId) ?? []) {
        if (failed.has(rotation)) continue;
        failed.add(rotation);
        await rotation.markStuck('redeploy', error);
      }
    }
  }
}
