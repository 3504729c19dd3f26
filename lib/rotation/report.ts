import type { SecretRotation } from './machine.ts';
import type { RotationRun } from './run-context.ts';
import type { RotationReport, SecretOutcome } from './types.ts';

/** A report with no entries yet. */
export function emptyReport(run: RotationRun, dryRun: boolean): RotationReport {
  const now = run.now().toISOString();

  return {
    runId: run.runId,
    environment: run.stack.environment,
    dryRun,
    startedAt: now,
    finishedAt: now,
    rotated: [],
    resumed: [],
    finished: [],
    stuck: [],
    skipped: [],
    manual: [],
    due: [],
    redeployed: [],
  };
}

/** The report entry of a rotation: names, step, revision; no value. */
export function outcomeOf(rotation: SecretRotation): SecretOutcome {
  const { record } = rotation;
  const stuck = record.status === 'stuck' ? record.stuck : undefined;

  return {
    secret: rotation.secret.name,
    strategy: record.strategy,
    step: rotation.done ? 'finish' : record.step,
    ...(record.pendingRevision === undefined
      ? {}
      : { revision: record.pendingRevision }),
    ...(stuck ? { reason: stuck.reason, fault: stuck.fault } : {}),
    ...(stuck ? { needsOperator: rotation.needsOperator } : {}),
    ...(record.finishAfter && !rotation.done
      ? { finishAfter: record.finishAfter }
      : {}),
    ...(rotation.containers.length > 0
      ? { containers: [...rotation.containers] }
      : {}),
    ...(rotation.role === undefined ? {} : { role: rotation.role }),
    ...(rotation.warnings.length > 0
      ? { warnings: [...rotation.warnings] }
      : {}),
  };
}

/** One line per category with its count, for the CLI and the log. */
export function summarizeReport(report: RotationReport): string {
  const counts = (
    [
      'rotated',
      'resumed',
      'finished',
      'stuck',
      'skipped',
      'manual',
      'due',
    ] as const
  )
    .map((category) => `${category} ${report[category].length}`)
    .join(', ');

  return (
    `${report.environment}: ${counts}; ` +
    `${report.redeployed.length} container(s) redeployed`
  );
}
