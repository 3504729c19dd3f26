import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  RESOURCE_TYPES,
  type ResourceType,
  type TypeListing,
} from '../inventory/types.ts';
import {
  DRIFT_SEVERITIES,
  type DriftFinding,
  type DriftSeverity,
  FINDING_CLASSES,
  type FindingClass,
} from './finding.ts';
import { canonical } from './normalize.ts';
import type { IgnoredDifference } from './secret-env.ts';

/** `clean`: no finding, everything read; `incomplete`: no finding, but
 * something could not be read; `drift`: at least one finding. */
export type DriftStatus = 'clean' | 'drift' | 'incomplete';

/** A finding as reported: with its fingerprint and history. */
export interface ReportedFinding extends DriftFinding {
  /** Stable hash of what the finding says; equal when unchanged. */
  readonly fingerprint: string;
  /** `new` the first time it is reported, `known` afterwards. */
  readonly status: 'new' | 'known';
  /** When it was first reported (ISO 8601). */
  readonly firstSeenAt: string;
}

/** A finding of the previous report that is no longer there. */
export interface ResolvedFinding {
  readonly fingerprint: string;
  readonly class: FindingClass;
  readonly resourceType: ResourceType;
  readonly resourceName: string;
  readonly field?: string;
}

/** How each type was read. */
export type TypeStatus =
  | { readonly status: 'listed'; readonly count: number }
  | { readonly status: 'unknown'; readonly reason: string };

/** One drift check of one environment. */
export interface DriftReport {
  readonly version: 1;
  readonly environment: string;
  readonly projectId: string;
  readonly region: string;
  readonly checkedAt: string;
  readonly status: DriftStatus;
  readonly summary: {
    readonly findings: number;
    readonly new: number;
    readonly known: number;
    readonly resolved: number;
    readonly byClass: Record<FindingClass, number>;
    readonly bySeverity: Record<DriftSeverity, number>;
  };
  readonly types: Record<ResourceType, TypeStatus>;
  readonly findings: readonly ReportedFinding[];
  readonly resolved: readonly ResolvedFinding[];
  /**
   * Findings of the previous report about types unknown this run: kept,
   * unverified, so they are neither "resolved" nor "new" next time.
   */
  readonly unverified: readonly ReportedFinding[];
  readonly ignored: readonly IgnoredDifference[];
  /** Details that could not be read (named, never valued). */
  readonly unchecked: readonly string[];
  /** API requests of the check and the fewest list pages possible. */
  readonly api: { readonly requests: number; readonly minimumPages: number };
}

/** Inputs of {@link buildReport}. */
export interface ReportInput {
  readonly environment: string;
  readonly projectId: string;
  readonly region: string;
  readonly checkedAt: Date;
  readonly findings: readonly DriftFinding[];
  readonly listings: { readonly [K in ResourceType]: TypeListing<K> };
  readonly ignored: readonly IgnoredDifference[];
  readonly unchecked: readonly string[];
  readonly api: DriftReport['api'];
  /** The last stored report, if any. */
  readonly previous?: DriftReport | undefined;
}

/**
 * Builds a report: fingerprints each finding, marks the ones the previous
 * report already had as `known` (keeping when they were first seen), and
 * lists what was resolved since. Findings are sorted by class, severity,
 * type and name so two reports of the same drift read the same.
 */
export function buildReport(input: ReportInput): DriftReport {
  const checkedAt = input.checkedAt.toISOString();
  const earlier = new Map(
    [
      ...(input.previous?.findings ?? []),
      ...(input.previous?.unverified ?? []),
    ].map((finding) => [finding.fingerprint, finding]),
  );
  const findings = sortFindings(input.findings).map((finding) => {
    const fingerprint = fingerprintOf(finding);
    const before = earlier.get(fingerprint);
    return {
      ...finding,
      fingerprint,
      status: before === undefined ? 'new' : 'known',
      firstSeenAt: before?.firstSeenAt ?? checkedAt,
    } satisfies ReportedFinding;
  });
  const current = new Set(findings.map((finding) => finding.fingerprint));
  const unknown = (type: ResourceType) =>
    input.listings[type].status === 'unknown';
  const carried = [...earlier.values()].filter(
    (finding) => !current.has(finding.fingerprint),
  );
  const unverified = carried.filter((f) => unknown(f.resourceType));
  const resolved = carried
    .filter((f) => !unknown(f.resourceType))
    .map(({ fingerprint, class: kind, resourceType, resourceName, field }) => ({
      fingerprint,
      class: kind,
      resourceType,
      resourceName,
      ...(field === undefined ? {} : { field }),
    }));
  const types = typeStatuses(input.listings);
  const incomplete =
    Object.values(types).some((t) => t.status === 'unknown') ||
    input.unchecked.length > 0;

  return {
    version: 1,
    environment: input.environment,
    projectId: input.projectId,
    region: input.region,
    checkedAt,
    status: findings.length > 0 ? 'drift' : incomplete ? 'incomplete' : 'clean',
    summary: {
      findings: findings.length,
      new: findings.filter((f) => f.status === 'new').length,
      known: findings.filter((f) => f.status === 'known').length,
      resolved: resolved.length,
      byClass: countBy(FINDING_CLASSES, findings, (f) => f.class),
      bySeverity: countBy(DRIFT_SEVERITIES, findings, (f) => f.severity),
    },
    types,
    findings,
    resolved,
    unverified,
    ignored: [...input.ignored],
    unchecked: [...input.unchecked],
    api: input.api,
  };
}

/**
 * The fingerprint of a finding: its class, resource, field, rule and both
 * values (already masked when secret), hashed. The same drift seen twice
 * has the same fingerprint; a value that changes again gets a new one.
 */
export function fingerprintOf(finding: DriftFinding): string {
  const parts = [
    finding.class,
    finding.resourceType,
    finding.resourceName,
    finding.field ?? '',
    finding.ruleId ?? '',
    canonical(finding.declared),
    canonical(finding.live),
  ];

  return createHash('sha256')
    .update(JSON.stringify(parts))
    .digest('hex')
    .slice(0, 16);
}

function sortFindings(findings: readonly DriftFinding[]): DriftFinding[] {
  const rank = (f: DriftFinding) => [
    FINDING_CLASSES.indexOf(f.class),
    DRIFT_SEVERITIES.indexOf(f.severity),
    RESOURCE_TYPES.indexOf(f.resourceType),
  ];
  return [...findings].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < ra.length; i += 1) {
      const delta = (ra[i] ?? 0) - (rb[i] ?? 0);
      if (delta !== 0) return delta;
    }
    return `${a.resourceName} ${a.field ?? ''}`.localeCompare(
      `${b.resourceName} ${b.field ?? ''}`,
    );
  });
}

function typeStatuses(
  listings: ReportInput['listings'],
): Record<ResourceType, TypeStatus> {
  const entries = RESOURCE_TYPES.map((type) => {
    const listing = listings[type] as TypeListing;
    const status: TypeStatus =
      listing.status === 'listed'
        ? { status: 'listed', count: listing.resources.length }
        : { status: 'unknown', reason: listing.reason };
    return [type, status] as const;
  });

  return Object.fromEntries(entries) as Record<ResourceType, TypeStatus>;
}

function countBy<K extends string, T>(
  keys: readonly K[],
  items: readonly T[],
  keyOf: (item: T) => K,
): Record<K, number> {
  const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<
    K,
    number
  >;
  for (const item of items) counts[keyOf(item)] += 1;

  return counts;
}

/**
 * The parts of a stored report a new check relies on (previous findings
 * and their fingerprints), validated when read back from storage.
 */
export const StoredReportSchema = z.looseObject({
  version: z.literal(1),
  environment: z.string(),
  checkedAt: z.string(),
  status: z.enum(['clean', 'drift', 'incomplete']),
  findings: z.array(
    z.looseObject({
      fingerprint: z.string(),
      class: z.enum(['missing', 'changed', 'unmanaged', 'policy-violation']),
      resourceType: z.enum(RESOURCE_TYPES),
      resourceName: z.string(),
      firstSeenAt: z.string(),
    }),
  ),
  unverified: z.array(z.looseObject({ fingerprint: z.string() })).default([]),
});
