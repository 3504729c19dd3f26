import type { Iamv1alpha1 } from '@scaleway/sdk-iam';
import type { Rdbv1 } from '@scaleway/sdk-rdb';
import type { Logger } from 'pino';
import type { AuditLogger } from '../audit/logger.ts';
import { InventoryReader } from '../inventory/inventory.ts';
import type { InventoryApis, LiveResource } from '../inventory/types.ts';
import type { RetryOptions } from '../scaleway/retry.ts';
import type { Stack } from '../stack/index.ts';
import { compareResources, type Matching, matchResources } from './compare.ts';
import { declaredResources } from './declared.ts';
import {
  type DriftFinding,
  type DriftSeverity,
  maxSeverity,
} from './finding.ts';
import { checkLivePolicy, type PolicyDetails } from './live-policy.ts';
import { buildReport, type DriftReport } from './report.ts';
import { checkSecretEnvironment, type SecretEnvRecord } from './secret-env.ts';
import type { DriftReportStore } from './store.ts';

/** What a drift check reads, compares and where it reports. */
export interface DriftCheckOptions {
  /** The declared stack (from a file, or from the applied state). */
  readonly stack: Stack;
  readonly apis: InventoryApis;
  /** Organization of the IAM lists; without it IAM types are unknown. */
  readonly organizationId?: string | undefined;
  /** Where reports are kept; default none (nothing stored, all new). */
  readonly store?: DriftReportStore | undefined;
  /** Writes the drift-detected event; default none. */
  readonly audit?: Pick<AuditLogger, 'record'> | undefined;
  /** Default none. */
  readonly logger?: Logger | undefined;
  /**
   * What the control plane recorded of the secret variables it set
   * (see `readSecretEnvRecord`). Default none: those variables are
   * reported unchecked.
   */
  readonly secretEnv?: SecretEnvRecord | undefined;
  /** Requests in flight at once. Default 4. */
  readonly concurrency?: number;
  /** Retry of each read. Default the inventory's (3 retries). */
  readonly retry?: RetryOptions;
  /** Default the wall clock. */
  readonly now?: () => Date;
}

/**
 * Checks one environment for drift: lists the live project (list calls
 * only), matches it with the declared stack, compares declared fields,
 * checks the security model on live state, compares the hashes of secret
 * environment variables with the recorded ones (no value is read),
 * builds the report against the previous one, stores it (JSON and
 * Markdown) and writes a drift-detected audit event when something new
 * was found. Reads only: nothing is reverted.
 *
 * @example
 * const report = await checkDrift({ stack, apis, organizationId, store });
 * process.exitCode = report.status === 'clean' ? 0 : 1;
 */
export async function checkDrift(
  options: DriftCheckOptions,
): Promise<DriftReport> {
  const { stack, apis } = options;
  const checkedAt = (options.now ?? (() => new Date()))();
  const reader = new InventoryReader({
    apis,
    scope: {
      projectId: stack.project.id,
      organizationId: options.organizationId,
      region: stack.region,
    },
    ...(options.concurrency === undefined
      ? {}
      : { concurrency: options.concurrency }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });

  const previous = await options.store?.latest(stack.environment);
  const inventory = await reader.readAll();
  const matching = matchResources(
    declaredResources(stack),
    inventory,
    stack.environment,
  );

  const unchecked: string[] = [];
  const details = await readDetails(matching, reader, unchecked);
  const violations = checkLivePolicy(stack, matching, details);
  const changes = compareResources(matching, details);
  const secrets = checkSecretEnvironment(matching, options.secretEnv);

  const report = buildReport({
    environment: stack.environment,
    projectId: stack.project.id,
    region: stack.region,
    checkedAt,
    findings: withoutCoveredChanges([
      ...violations,
      ...changes,
      ...secrets.findings,
    ]),
    listings: inventory.listings,
    ignored: secrets.ignored,
    unchecked: [...unchecked, ...secrets.unchecked],
    api: { requests: reader.requests, minimumPages: inventory.minimumPages },
    previous,
  });

  await options.store?.save(report, previous);
  await auditNewDrift(report, options);
  logOutcome(report, options.logger);

  return report;
}

/**
 * Detail lists, read only for resources in scope that need them (never
 * for the whole project): the rules of each in-scope IAM policy, the ACL
 * of each in-scope database with a public endpoint.
 */
async function readDetails(
  matching: Matching,
  reader: InventoryReader,
  unchecked: string[],
): Promise<PolicyDetails> {
  const inScope: LiveResource[] = [
    ...matching.matched.map((m) => m.live),
    ...matching.unmanaged,
  ];
  const policyRules = new Map<string, readonly Iamv1alpha1.Rule[]>();
  const databaseAcl = new Map<string, readonly Rdbv1.ACLRule[]>();

  await Promise.all(
    inScope.map(async (live) => {
      try {
        if (live.type === 'iam-policy') {
          policyRules.set(live.id, await reader.policyRules(live.id));
        }
        if (live.type === 'database' && hasPublicEndpoint(live)) {
          databaseAcl.set(live.id, await reader.databaseAcl(live.id));
        }
      } catch {
        const what = live.type === 'iam-policy' ? 'rules' : 'ACL';
        unchecked.push(`${what} of ${live.type} ${live.name}`);
      }
    }),
  );

  return { policyRules, databaseAcl };
}

function hasPublicEndpoint(live: LiveResource): boolean {
  const endpoints = (live as LiveResource<'database'>).raw.endpoints ?? [];

  return endpoints.some((endpoint) => endpoint.loadBalancer !== undefined);
}

/**
 * A violation says more than a `changed` finding on the same field of the
 * same resource (and says it louder): the change is dropped.
 */
function withoutCoveredChanges(findings: DriftFinding[]): DriftFinding[] {
  const covered = new Set(
    findings
      .filter((f) => f.class === 'policy-violation' && f.field !== undefined)
      .map((f) => `${f.resourceId} ${f.field}`),
  );

  return findings.filter(
    (f) => f.class !== 'changed' || !covered.has(`${f.resourceId} ${f.field}`),
  );
}

async function auditNewDrift(
  report: DriftReport,
  options: DriftCheckOptions,
): Promise<void> {
  const fresh = report.findings.filter((f) => f.status === 'new');
  if (options.audit === undefined || fresh.length === 0) return;

  const worst = fresh.reduce<DriftSeverity | undefined>(
    (max, f) => maxSeverity(max, f.severity),
    undefined,
  );
  await options.audit.record({
    operation: 'drift',
    resourceType: 'Stack',
    resourceName: report.environment,
    severity:
      worst === 'critical'
        ? 'critical'
        : worst === 'high'
          ? 'error'
          : 'warning',
    details: {
      event: 'drift-detected',
      status: report.status,
      new_findings: fresh.length,
      known_findings: report.summary.known,
      findings: fresh.map((f) => ({
        fingerprint: f.fingerprint,
        class: f.class,
        severity: f.severity,
        resource_type: f.resourceType,
        resource_name: f.resourceName,
        ...(f.field === undefined ? {} : { field: f.field }),
      })),
    },
  });
}

function logOutcome(report: DriftReport, logger: Logger | undefined): void {
  if (logger === undefined) return;

  const fields = {
    environment: report.environment,
    status: report.status,
    findings: report.summary.findings,
    new: report.summary.new,
    requests: report.api.requests,
  };
  if (report.status === 'clean') {
    logger.info(fields, 'drift check clean');
    return;
  }
  const unknown = Object.entries(report.types)
    .filter(([, t]) => t.status === 'unknown')
    .map(([type]) => type);
  logger.warn({ ...fields, unknown }, 'drift check found drift or gaps');
}
