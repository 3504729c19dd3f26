import type { StackPath } from '../stack/path.ts';
import type { Environment } from '../stack/vocabulary.ts';

/** `error` blocks provisioning; `warning` is reported and allowed. */
export type Severity = 'error' | 'warning';

/**
 * One policy finding: which rule, how bad, where in the stack, and a
 * message that says how to fix it. Messages name keys, never secret
 * values (a stack holds none).
 */
export interface Finding {
  /** Stable rule id, e.g. `network.cidr-private`. */
  ruleId: string;
  severity: Severity;
  /** Keys and indexes from the stack root. */
  path: StackPath;
  message: string;
}

/** Builds an error finding. */
export function error(
  ruleId: string,
  path: StackPath,
  message: string,
): Finding {
  return { ruleId, severity: 'error', path, message };
}

/** Builds a warning finding. */
export function warning(
  ruleId: string,
  path: StackPath,
  message: string,
): Finding {
  return { ruleId, severity: 'warning', path, message };
}

/**
 * The severity the guide's encryption table gives a setting per
 * environment: required in production (error), recommended in staging
 * (warning), optional in development (nothing).
 */
export function severityByEnvironment(
  environment: Environment,
): Severity | undefined {
  if (environment === 'production') {
    return 'error';
  }
  if (environment === 'staging') {
    return 'warning';
  }

  return undefined;
}
