import type { ResourceType } from '../inventory/types.ts';

/**
 * What a finding says about a resource:
 * - `missing`: declared, not found live (the type was listed);
 * - `changed`: declared and live, a field differs after normalisation;
 * - `unmanaged`: live in the stack's scope (tagged for its environment,
 *   or inside a managed container namespace) but not declared;
 * - `policy-violation`: the live resource breaks the security model,
 *   whatever the stack declares.
 */
export type FindingClass =
  | 'missing'
  | 'changed'
  | 'unmanaged'
  | 'policy-violation';

/** Finding classes in report order. */
export const FINDING_CLASSES: readonly FindingClass[] = [
  'policy-violation',
  'missing',
  'changed',
  'unmanaged',
];

/** How urgent a finding is, from most to least. */
export const DRIFT_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** How urgent a finding is. */
export type DriftSeverity = (typeof DRIFT_SEVERITIES)[number];

/** A value shown in a finding; secret values are replaced by this. */
export const MASKED = '***';

/** One difference between the declared stack and the live project. */
export interface DriftFinding {
  readonly class: FindingClass;
  readonly severity: DriftSeverity;
  readonly resourceType: ResourceType;
  /** The deployed name, e.g. `api-production`. */
  readonly resourceName: string;
  /** The live id, when the resource exists. */
  readonly resourceId?: string;
  /** The field that differs (`changed`, some violations). */
  readonly field?: string;
  /** Declared value, masked when secret. */
  readonly declared?: unknown;
  /** Live value, masked when secret. */
  readonly live?: unknown;
  /** Stable id of the live policy rule (`policy-violation`). */
  readonly ruleId?: string;
  /** What is wrong and what to do, naming keys, never secret values. */
  readonly message: string;
}

/** The higher of two severities. */
export function maxSeverity(
  a: DriftSeverity | undefined,
  b: DriftSeverity,
): DriftSeverity {
  if (a === undefined) return b;

  return DRIFT_SEVERITIES.indexOf(a) <= DRIFT_SEVERITIES.indexOf(b) ? a : b;
}
