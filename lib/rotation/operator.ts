import { acquireLock } from '../lock/index.ts';
import { ScalewayNotFoundError } from '../scaleway/index.ts';
import type { Stack } from '../stack/index.ts';
import { readAppliedState, stateKeys } from '../state/index.ts';
import {
  RotationNotFoundError,
  RotationPastPointOfNoReturnError,
  RotationSetupError,
} from './errors.ts';
import { deleteApiKey } from './iam.ts';
import {
  deleteRotationRecord,
  type RotationRecord,
  readRotationRecords,
} from './record.ts';
import { runRotation } from './run.ts';
import { RotationRun } from './run-context.ts';
import { isPromoted } from './steps.ts';
import type { RotationContext, RotationReport } from './types.ts';
import { credentialsOf, fromSecretData } from './values.ts';

/**
 * Resumes one secret's rotation in progress or stuck, now, whatever its
 * failed attempts (`evalap-infra rotate <stack> --secret x --resume`).
 *
 * @throws RotationNotFoundError when the secret has no rotation record.
 */
export function resumeRotation(
  stack: Stack,
  context: RotationContext,
  secret: string,
  requestId?: string,
): Promise<RotationReport> {
  return runRotation(stack, context, {
    secret,
    resume: true,
    ...(requestId === undefined ? {} : { requestId }),
  });
}

/** What abandoning a rotation undid. */
export interface AbandonOutcome {
  secret: string;
  rotationId: string;
  /** The step it was stopped at. */
  step: RotationRecord['step'];
  /** The new version, scheduled for deletion. */
  deletedRevision?: number;
  /** Single-user database rotations: the old password was set back. */
  restoredPassword: boolean;
}

/**
 * Abandons one secret's rotation before its new value was promoted (up
 * to and including `test`): schedules the new version for deletion,
 * deletes the new API key, sets the previous password back on a
 * single-user database role, and deletes the record. The previous value
 * stays current everywhere (`--abandon`).
 *
 * @throws RotationNotFoundError without a record;
 *   RotationPastPointOfNoReturnError once containers may hold the new
 *   value (roll forward with `--resume` instead).
 */
export async function abandonRotation(
  stack: Stack,
  context: RotationContext,
  secretName: string,
): Promise<AbandonOutcome> {
  const secret = stack.secrets.find((s) => s.name === secretName);
  const stored = await readAppliedState(
    context.clients.s3,
    context.stateBucket,
    stack.environment,
  );
  if (secret === undefined || stored === undefined) {
    throw new RotationSetupError(
      `secret ${secretName} is not declared or the stack was never applied`,
      secretName,
    );
  }
  const run = new RotationRun(stack, stored.state, context);
  const lock = await acquireLock(
    context.clients.s3,
    context.stateBucket,
    stateKeys.lock(stack.environment),
    { holder: `rotation abandon ${run.runId}`, now: () => run.now() },
  );

  try {
    const { records } = await readRotationRecords(
      context.clients.s3,
      context.stateBucket,
      stack.environment,
    );
    const record = records.get(secretName);
    if (record === undefined) throw new RotationNotFoundError(secretName);
    if (isPromoted(record.step)) {
      throw new RotationPastPointOfNoReturnError(secretName, record.step);
    }

    const restoredPassword = await undo(run, record);
    await deleteRotationRecord(
      context.clients.s3,
      context.stateBucket,
      stack.environment,
      secretName,
    );
    await run.auditStep(secret, record, 'abandon', {
      abandoned_step: record.step,
      restored_password: restoredPassword,
    });

    return {
      secret: secretName,
      rotationId: record.rotationId,
      step: record.step,
      ...(record.pendingRevision === undefined
        ? {}
        : { deletedRevision: record.pendingRevision }),
      restoredPassword,
    };
  } finally {
    await lock.release();
  }
}

async function undo(run: RotationRun, record: RotationRecord) {
  const api = run.clients.secret;
  const request = { region: run.region, secretId: record.secretId };
  const secret = run.stack.secrets.find((s) => s.name === record.secret);
  let restored = false;

  // A crash right after the API call leaves the record at set-in-target
  // with the password already changed: restore it there too (harmless
  // when it was not changed).
  const passwordMayHaveChanged =
    record.step === 'set-in-target' || record.step === 'test';
  if (record.strategy === 'single-user' && passwordMayHaveChanged && secret) {
    const previous = await run.call('read the previous version', () =>
      api.accessSecretVersion({
        ...request,
        revision: String(record.previousRevision),
      }),
    );
    const credentials = credentialsOf(
      secret.type,
      fromSecretData(previous.data),
    );
    const instance = await run.instance(record.secret);
    await run.call('restore the previous database password', () =>
      run.clients.rdb.updateUser({
        region: run.region,
        instanceId: instance.id,
        name: credentials.username ?? '',
        password: credentials.password ?? '',
      }),
    );
    restored = true;
  }
  if (record.pendingAccessKey) {
    await deleteApiKey(run, record.pendingAccessKey);
  }
  if (record.pendingRevision !== undefined) {
    const revision = String(record.pendingRevision);
    await run
      .call('delete the pending version', () =>
        api.deleteSecretVersion({ ...request, revision }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ScalewayNotFoundError)) throw error;
      });
  }

  return restored;
}
