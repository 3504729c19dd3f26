/**
 * Scheduled secret rotation: a resumable state machine per secret, then
 * one redeploy of every consuming container. See docs/rotation.md.
 *
 * ```ts
 * const report = await runRotation(stack, {
 *   clients, stateBucket, audit, logger,
 * });
 * report.rotated // [{ secret: 'db-password', step: 'finish', ... }]
 * ```
 */

export {
  DEFAULT_PASSWORD_LENGTH,
  generatePassword,
  PASSWORD_ALPHABET,
} from '../secrets/values.ts';
export { defaultDatabaseAddress, tlsOptions } from './database.ts';
export {
  DatabaseLoginError,
  RotationError,
  RotationNotFoundError,
  RotationPastPointOfNoReturnError,
  RotationSetupError,
  RotationStepError,
} from './errors.ts';
export { keepsPreviousVersions, versionDescription } from './machine.ts';
export {
  type AbandonOutcome,
  abandonRotation,
  resumeRotation,
} from './operator.ts';
export {
  ROTATION_STRATEGIES,
  type RotationRecord,
  RotationRecordSchema,
  type RotationStrategy,
  readRotationRecords,
  rotationKeys,
} from './record.ts';
export { summarizeReport } from './report.ts';
export { runRotation } from './run.ts';
export { type DueStatus, dueStatus, isManual, strategyOf } from './schedule.ts';
export { ROTATION_STEPS, type RotationStep } from './steps.ts';
export type {
  ContainerRedeploy,
  DatabaseAddress,
  RotationClients,
  RotationContext,
  RotationReport,
  RotationRunOptions,
  SecretOutcome,
} from './types.ts';
export { alternateRole, companionEnv, consumerValues } from './values.ts';
