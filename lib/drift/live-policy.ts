import type { Iamv1alpha1 } from '@scaleway/sdk-iam';
import type { Rdbv1 } from '@scaleway/sdk-rdb';
import type { LiveResource } from '../inventory/types.ts';
import type { Stack } from '../stack/index.ts';
import type { Matching } from './compare.ts';
import type { DeclaredFields } from './declared.ts';
import type { DriftFinding, DriftSeverity } from './finding.ts';
import { liveRuleKey } from './live.ts';

/** Live details the policy checks read. */
export interface PolicyDetails {
  /** Rules by policy id, for in-scope policies whose rules were read. */
  readonly policyRules: ReadonlyMap<string, readonly Iamv1alpha1.Rule[]>;
  /** ACL rules by instance id, for databases with a public endpoint. */
  readonly databaseAcl: ReadonlyMap<string, readonly Rdbv1.ACLRule[]>;
}

/** Stable ids of the checks run on live state. */
export const LIVE_POLICY_RULES = {
  publicEndpoint: 'live.database-public-endpoint',
  openAcl: 'live.database-open-acl',
  encryption: 'live.database-encryption-at-rest',
  containerNetwork: 'live.container-private-network',
  organizationRule: 'live.iam-organization-wide-rule',
} as const;

const OPEN_RANGES = new Set(['0.0.0.0/0', '::/0']);

/**
 * The security model checked on every live resource in the stack's scope,
 * declared or not: what a console change or a silent default can break.
 * A declared choice the policy checks allow (a `public` database endpoint,
 * an organization-scoped IAM rule the stack declares) is not a violation.
 */
export function checkLivePolicy(
  stack: Stack,
  matching: Matching,
  details: PolicyDetails,
): DriftFinding[] {
  const production = stack.environment === 'production';
  const severity: DriftSeverity = production ? 'critical' : 'high';
  const declaredOf = new Map(
    matching.matched.map((m) => [
      m.live.id,
      m.declared.fields(matching.resolve),
    ]),
  );
  const inScope = [
    ...matching.matched.map((m) => m.live),
    ...matching.unmanaged,
  ];
  const findings: DriftFinding[] = [];
  const report = (
    live: LiveResource,
    ruleId: string,
    field: string,
    value: unknown,
    message: string,
  ) =>
    findings.push({
      class: 'policy-violation',
      severity,
      resourceType: live.type,
      resourceName: live.name,
      resourceId: live.id,
      ruleId,
      field,
      live: value,
      message: `${live.type} ${live.name}: ${message}`,
    });

  for (const live of inScope) {
    const declared = declaredOf.get(live.id);
    if (live.type === 'database') {
      checkDatabase(live as LiveResource<'database'>, declared, details, {
        production,
        report,
      });
    }
    if (live.type === 'container') {
      checkContainer(live as LiveResource<'container'>, declared, {
        production: production && stack.network !== undefined,
        report,
      });
    }
    if (live.type === 'iam-policy') {
      checkPolicy(live, declared, details, report);
    }
  }

  return findings;
}

type Report = (
  live: LiveResource,
  ruleId: string,
  field: string,
  value: unknown,
  message: string,
) => void;

function checkDatabase(
  live: LiveResource<'database'>,
  declared: DeclaredFields | undefined,
  details: PolicyDetails,
  context: { production: boolean; report: Report },
): void {
  const { report } = context;
  const endpoints = live.raw.endpoints ?? [];
  const isPublic = endpoints.some((e) => e.loadBalancer !== undefined);
  if (isPublic && declared?.publicEndpoint !== true) {
    report(
      live,
      LIVE_POLICY_RULES.publicEndpoint,
      'publicEndpoint',
      true,
      'has a public endpoint the stack does not declare; delete the ' +
        'endpoint so the database is reachable only from the private network.',
    );
  }

  const open = (details.databaseAcl.get(live.id) ?? []).filter((rule) =>
    OPEN_RANGES.has(rule.ip),
  );
  if (isPublic && open.length > 0) {
    report(
      live,
      LIVE_POLICY_RULES.openAcl,
      'acl',
      open.map((rule) => rule.ip),
      'its public endpoint accepts connections from anywhere; restrict ' +
        'the ACL to known addresses or delete the public endpoint.',
    );
  }

  const encrypted = live.raw.encryption?.enabled ?? false;
  if (!encrypted && (context.production || declared?.encryptionAtRest)) {
    report(
      live,
      LIVE_POLICY_RULES.encryption,
      'encryptionAtRest',
      false,
      'encryption at rest is off; it can only be set at creation: ' +
        'recreate the instance from a backup with encryption on.',
    );
  }
}

function checkContainer(
  live: LiveResource<'container'>,
  declared: DeclaredFields | undefined,
  context: { production: boolean; report: Report },
): void {
  const attached = Boolean(live.raw.privateNetworkId);
  // A declared container needs the network when the stack says so (the
  // stack's own policy decides which must); an undeclared one always does
  // in production.
  const required = declared
    ? typeof declared.privateNetwork === 'string'
    : context.production;
  if (attached || !required) return;

  context.report(
    live,
    LIVE_POLICY_RULES.containerNetwork,
    'privateNetwork',
    null,
    'is not attached to the private network; apply the stack to ' +
      're-attach it (its database traffic would otherwise leave the VPC).',
  );
}

function checkPolicy(
  live: LiveResource,
  declared: DeclaredFields | undefined,
  details: PolicyDetails,
  report: Report,
): void {
  const rules = details.policyRules.get(live.id);
  if (rules === undefined) return;

  const allowed = new Set(
    Array.isArray(declared?.rules) ? (declared.rules as string[]) : [],
  );
  const wide = rules
    .map(liveRuleKey)
    .filter((key) => key.startsWith('organization ') && !allowed.has(key));
  if (wide.length === 0) return;

  report(
    live,
    LIVE_POLICY_RULES.organizationRule,
    'rules',
    wide,
    'grants permission sets on the whole organization; scope the rule ' +
      'to the project (apply the stack, or edit the policy).',
  );
}
