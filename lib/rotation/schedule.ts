import {
  ROTATION_PERIOD_DAYS,
  rotationPeriodDays,
} from '../policy/rotation.ts';
import type { Stack, StackSecret } from '../stack/index.ts';
import type { RotationStrategy } from './record.ts';

const DAY_MS = 86_400_000;

/**
 * The rotation strategy of a declared secret, `undefined` when a person
 * rotates it (`manual` generator, certificates, SSH keys):
 * - `alternating-users` for a non-admin database user: two roles take
 *   turns, so the password the containers hold always works;
 * - `single-user` for an admin database user (one admin per instance);
 * - `iam-api-key` for an application's API key;
 * - `generated` for `password`, `random` and `key_value` values.
 */
export function strategyOf(
  stack: Stack,
  secret: StackSecret,
): RotationStrategy | undefined {
  if (isManual(secret)) {
    return undefined;
  }

  switch (secret.generator.kind) {
    case 'database-user': {
      const name = secret.generator.user;
      const user = stack.database?.users.find((u) => u.name === name);
      return user?.admin ? 'single-user' : 'alternating-users';
    }
    case 'iam-api-key':
      return 'iam-api-key';
    default:
      return 'generated';
  }
}

/** True when rotation cannot generate the value: a person must. */
export function isManual(secret: StackSecret): boolean {
  return (
    secret.generator.kind === 'manual' ||
    secret.type === 'certificate' ||
    secret.type === 'ssh_key'
  );
}

/** When a secret's current value is due, from its version's age. */
export interface DueStatus {
  due: boolean;
  ageDays: number;
  periodDays: number;
  /** When it is (or was) due. */
  dueAt: Date;
}

/**
 * Whether the current value (created at `createdAt`, platform clock) is
 * due at `now`: its age has reached the period of its type (database
 * passwords 90 days, API keys 180, service account keys 365: see
 * lib/policy/rotation.ts) or its own `rotationDays`.
 *
 * @example
 * dueStatus(dbPassword, created, now) // { due: true, ageDays: 91, ... }
 */
export function dueStatus(
  secret: StackSecret,
  createdAt: Date,
  now: Date,
): DueStatus {
  const periodDays = rotationPeriodDays(secret);
  const dueAt = new Date(createdAt.getTime() + periodDays * DAY_MS);
  const ageDays = Math.floor((now.getTime() - createdAt.getTime()) / DAY_MS);

  return { due: now >= dueAt, ageDays, periodDays, dueAt };
}

export { ROTATION_PERIOD_DAYS };
