import type { StackPath } from '../../stack/path.ts';
import type { IamPolicy, IamRule, Stack } from '../../stack/schema.ts';
import { error, type Finding, warning } from '../finding.ts';
import {
  accessLevelsOf,
  type IamService,
  isIamService,
  LEVEL_USES,
  ORGANIZATION_SERVICES,
  PERMISSION_SET_SCOPES,
  PERMISSION_SETS,
  permissionSetsFor,
  serviceOfPermissionSet,
} from '../permission-sets.ts';
import { POLICY_PRESET_DEFINITIONS, policyNeeds } from '../presets.ts';

const SERVICE_LIST = Object.keys(PERMISSION_SETS).join(', ');

/** A rule reduced to what the checks compare, with where it came from. */
interface Grant {
  path: StackPath;
  service: IamService;
  access: string;
  scope: 'project' | 'organization';
}

/**
 * Permission-set and least-privilege checks of every IAM policy: known
 * services, levels and permission sets; one scope type per rule; no
 * organization-wide grant of project resources; no service the policy
 * does not need; no full access where a narrower level serves the need.
 */
export function checkIam(stack: Stack): Finding[] {
  const findings: Finding[] = [];

  stack.iam.applications.forEach((application, a) => {
    application.policies.forEach((policy, p) => {
      const path = ['iam', 'applications', a, 'policies', p];
      findings.push(...checkPolicy(policy, path));
    });
  });

  return findings;
}

function checkPolicy(policy: IamPolicy, path: StackPath): Finding[] {
  const shape = checkPolicyShape(policy, path);
  if (shape.length > 0) {
    return shape;
  }

  const findings: Finding[] = [];
  const grants: Grant[] = [];

  if (policy.preset !== undefined) {
    for (const rule of POLICY_PRESET_DEFINITIONS[policy.preset].rules) {
      grants.push({ ...rule, path: [...path, 'preset'] });
    }
  }
  (policy.rules ?? []).forEach((rule, r) => {
    const rulePath = [...path, 'rules', r];
    findings.push(...checkRule(rule, rulePath));
    grants.push(...grantsOf(rule, rulePath));
  });

  findings.push(...checkNeeds(policy, path, grants));
  if (policy.preset !== 'control-plane') {
    findings.push(...organizationIamWarnings(grants));
  }

  return findings;
}

function checkPolicyShape(policy: IamPolicy, path: StackPath): Finding[] {
  if (policy.preset !== undefined && policy.rules !== undefined) {
    return [
      error(
        'permission-sets.rule-shape',
        path,
        'declare either `preset` or `rules`, not both; split the policy ' +
          'in two if you need both',
      ),
    ];
  }
  if (policy.preset === undefined && (policy.rules ?? []).length === 0) {
    return [
      error(
        'permission-sets.rule-shape',
        path,
        'declare a `preset` or at least one rule in `rules`',
      ),
    ];
  }
  if (policy.preset === undefined && policy.needs === undefined) {
    return [
      error(
        'least-privilege.needs-missing',
        [...path, 'needs'],
        'a policy with custom rules must declare `needs` (service: use) ' +
          'so its rules can be checked against what it does',
      ),
    ];
  }

  return [];
}

function checkRule(rule: IamRule, path: StackPath): Finding[] {
  const hasService = rule.service !== undefined || rule.access !== undefined;
  const hasSets = rule.permissionSets !== undefined;
  if (hasService === hasSets) {
    return [
      error(
        'permission-sets.rule-shape',
        path,
        'give either `service` and `access`, or `permissionSets`',
      ),
    ];
  }

  return hasService ? checkServiceRule(rule, path) : checkSetsRule(rule, path);
}

function checkServiceRule(rule: IamRule, path: StackPath): Finding[] {
  const service = rule.service;
  if (service === undefined || !isIamService(service)) {
    return [
      error(
        'permission-sets.unknown-service',
        [...path, 'service'],
        `use one of the services: ${SERVICE_LIST}`,
      ),
    ];
  }
  if (rule.access === undefined || !permissionSetsFor(service, rule.access)) {
    return [
      error(
        'permission-sets.unknown-access-level',
        [...path, 'access'],
        `use one of the access levels of ${service}: ` +
          accessLevelsOf(service).join(', '),
      ),
    ];
  }

  return checkScope(permissionSetsFor(service, rule.access) ?? [], rule, path);
}

function checkSetsRule(rule: IamRule, path: StackPath): Finding[] {
  const names = rule.permissionSets ?? [];
  const unknown = names
    .map((name, index) => ({ name, index }))
    .filter(({ name }) => !PERMISSION_SET_SCOPES.has(name));
  if (unknown.length > 0) {
    return unknown.map(({ name, index }) =>
      error(
        'permission-sets.unknown-permission-set',
        [...path, 'permissionSets', index],
        `"${name}" is not a known Scaleway permission set; check the ` +
          'name (case matters) or use `service` and `access`',
      ),
    );
  }
  if (names.length === 0) {
    return [
      error(
        'permission-sets.rule-shape',
        [...path, 'permissionSets'],
        'list at least one permission set',
      ),
    ];
  }

  const findings = checkScope(names, rule, path);
  if (names.includes('AllProductsFullAccess')) {
    findings.push(
      error(
        'least-privilege.all-products',
        [...path, 'permissionSets'],
        'AllProductsFullAccess grants every product; grant the services ' +
          'the principal needs instead',
      ),
    );
  }

  return findings;
}

function checkScope(
  names: readonly string[],
  rule: IamRule,
  path: StackPath,
): Finding[] {
  const scopeTypes = new Set(names.map((n) => PERMISSION_SET_SCOPES.get(n)));
  if (scopeTypes.size > 1) {
    return [
      error(
        'permission-sets.mixed-scope-types',
        path,
        'this rule mixes organization-scoped and project-scoped ' +
          'permission sets, which Scaleway rejects; split it into one ' +
          'rule per scope type',
      ),
    ];
  }

  const scopeType = [...scopeTypes][0];
  if (scopeType === 'organization' && rule.scope !== 'organization') {
    return [
      error(
        'permission-sets.scope-type',
        [...path, 'scope'],
        'these permission sets are organization-scoped: set ' +
          '`scope: organization`',
      ),
    ];
  }
  if (scopeType === 'projects' && rule.scope === 'organization') {
    return [
      error(
        'least-privilege.organization-wide',
        [...path, 'scope'],
        'organization-wide access to project resources: set ' +
          '`scope: project` to scope the rule to the stack project',
      ),
    ];
  }

  return [];
}

function grantsOf(rule: IamRule, path: StackPath): Grant[] {
  if (rule.service !== undefined && rule.access !== undefined) {
    if (!isIamService(rule.service)) {
      return [];
    }
    if (!permissionSetsFor(rule.service, rule.access)) {
      return [];
    }
    return [
      { path, service: rule.service, access: rule.access, scope: rule.scope },
    ];
  }

  return (rule.permissionSets ?? []).flatMap((name) => {
    const service = serviceOfPermissionSet(name);
    const access = service && levelOfPermissionSet(service, name);
    return service && access
      ? [{ path, service, access, scope: rule.scope }]
      : [];
  });
}

function levelOfPermissionSet(
  service: IamService,
  name: string,
): string | undefined {
  const levels: Record<string, readonly string[]> = PERMISSION_SETS[service];

  return Object.keys(levels).find((level) => levels[level]?.includes(name));
}

function checkNeeds(
  policy: IamPolicy,
  path: StackPath,
  grants: readonly Grant[],
): Finding[] {
  const findings: Finding[] = [];
  const needs = policyNeeds(policy);

  for (const service of Object.keys(needs)) {
    if (!isIamService(service)) {
      findings.push(
        error(
          'permission-sets.unknown-service',
          [...path, 'needs', service],
          `use one of the services: ${SERVICE_LIST}`,
        ),
      );
      continue;
    }
    if (!grants.some((grant) => grant.service === service)) {
      findings.push(
        warning(
          'least-privilege.need-not-granted',
          [...path, 'needs', service],
          `no rule grants ${service}; add a rule or drop the need`,
        ),
      );
    }
  }

  for (const grant of grants) {
    findings.push(...checkGrant(grant, needs[grant.service]));
  }

  return findings;
}

function checkGrant(grant: Grant, use: string | undefined): Finding[] {
  if (use === undefined) {
    return [
      error(
        'least-privilege.unneeded-service',
        grant.path,
        `grants ${grant.service}, which the policy does not declare in ` +
          '`needs`; remove the rule or declare the need',
      ),
    ];
  }

  const levels = LEVEL_USES[grant.service];
  const serves = (level: string) =>
    (levels[level] ?? []).some((served) => served === use);
  if (!serves(grant.access)) {
    return [
      warning(
        'least-privilege.insufficient-access',
        grant.path,
        `${grant.access} on ${grant.service} does not serve the declared ` +
          `use "${use}"; grant a level that does`,
      ),
    ];
  }

  const narrower = Object.keys(levels).find(
    (level) => level !== 'full_access' && serves(level),
  );
  if (grant.access === 'full_access' && narrower !== undefined) {
    return [
      error(
        'least-privilege.full-access',
        grant.path,
        `full_access on ${grant.service} exceeds the declared use "${use}"` +
          `; grant ${narrower} instead`,
      ),
    ];
  }

  return [];
}

function organizationIamWarnings(grants: readonly Grant[]): Finding[] {
  return grants
    .filter(
      (grant) =>
        grant.scope === 'organization' &&
        ORGANIZATION_SERVICES.has(grant.service),
    )
    .map((grant) =>
      warning(
        'least-privilege.organization-scoped-iam',
        grant.path,
        'organization-scoped IAM permissions reach every project; only ' +
          'the control plane should hold them (preset control-plane)',
      ),
    );
}
