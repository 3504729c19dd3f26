/**
 * The steps of one secret's rotation, in order. A rotation record names
 * the NEXT step to run; every step is idempotent, so a re-run after a
 * crash anywhere inside a step repeats it safely.
 *
 * - `create-pending`: a new version; the previous one stays enabled and
 *   working. Its description carries the rotation id, so a crash between
 *   creating it and recording it is recovered. For IAM keys the new API
 *   key is created here too, since only its creation returns it.
 * - `set-in-target`: the system that checks the value learns it (the
 *   database user's password through the Managed Databases API).
 * - `test`: the new value is used for real (a TLS login for database
 *   users, a read-back of its shape for generated values).
 * - `redeploy`: every consuming container gets the new value (one
 *   deployment per container per run, whatever the number of secrets).
 * - `verify`: each consumer runs and holds the new value (argon2id hash
 *   read back); the credential still works.
 * - `finish`: after the grace period, the previous value is retired
 *   (version disabled, old API key deleted, old database role's password
 *   scrambled).
 */
export const ROTATION_STEPS = [
  'create-pending',
  'set-in-target',
  'test',
  'redeploy',
  'verify',
  'finish',
] as const;

/** One step of a rotation; see {@link ROTATION_STEPS}. */
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** The step after `step`, or `undefined` after `finish`. */
export function nextStep(step: RotationStep): RotationStep | undefined {
  return ROTATION_STEPS[ROTATION_STEPS.indexOf(step) + 1];
}

/** True once consumers may hold the new value (past `test`). */
export function isPromoted(step: RotationStep): boolean {
  return ROTATION_STEPS.indexOf(step) > ROTATION_STEPS.indexOf('test');
}
