import type { RotationStrategy } from '../rotation/record.ts';
import { strategyOf } from '../rotation/schedule.ts';
import { bindingsOfContainer, type Stack } from '../stack/index.ts';

/**
 * What a companion variable holds: the database role of an alternating
 * pair (`username` of the credentials), or the access key of an IAM key.
 */
export type CompanionPart = 'username' | 'access-key';

/** A variable set next to a secret one, naming whose secret it is. */
export interface CompanionBinding {
  /** The companion variable, e.g. `DATABASE_USER`. */
  env: string;
  /** The secret variable it goes with, e.g. `DATABASE_PASSWORD`. */
  of: string;
  /** Base name of the secret. */
  secret: string;
  part: CompanionPart;
}

/**
 * The name of a companion variable: `DATABASE_PASSWORD` → `DATABASE_USER`
 * (else `<env>_USER`), `…_SECRET_KEY` → `…_ACCESS_KEY` (else
 * `<env>_ACCESS_KEY`).
 */
export function companionName(part: CompanionPart, env: string): string {
  const [suffix, replacement] =
    part === 'username'
      ? ['_PASSWORD', '_USER']
      : ['_SECRET_KEY', '_ACCESS_KEY'];

  return env.endsWith(suffix)
    ? `${env.slice(0, -suffix.length)}${replacement}`
    : `${env}${replacement}`;
}

/**
 * The companion variables of one container's secrets. Rotation switches
 * an application user's password between two roles, and an IAM key's
 * secret between two keys, so the role or access key travels with the
 * secret: provisioning sets the role from the first apply on, rotation
 * sets both, and neither is ever removed as undeclared.
 */
export function companionsOfContainer(
  stack: Stack,
  container: string,
): CompanionBinding[] {
  const companions: CompanionBinding[] = [];
  for (const binding of bindingsOfContainer(stack, container)) {
    const part = companionPart(stack, binding.secret);
    if (part === undefined) continue;

    companions.push({
      env: companionName(part, binding.env),
      of: binding.env,
      secret: binding.secret,
      part,
    });
  }

  return companions;
}

/**
 * What the companion of a rotation strategy holds: the role of an
 * alternating pair, or an IAM key's access key; none for the others.
 */
export function companionPartOf(
  strategy: RotationStrategy | undefined,
): CompanionPart | undefined {
  if (strategy === 'alternating-users') return 'username';
  if (strategy === 'iam-api-key') return 'access-key';

  return undefined;
}

function companionPart(stack: Stack, name: string): CompanionPart | undefined {
  const secret = stack.secrets.find((s) => s.name === name);

  return secret && companionPartOf(strategyOf(stack, secret));
}
