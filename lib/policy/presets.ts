import type { IamPolicy } from '../stack/schema.ts';
import type { PolicyPreset, RuleScope } from '../stack/vocabulary.ts';
import type {
  IamService,
  PolicyPresetDefinition,
  PresetRule,
} from './permission-sets.ts';
import { permissionSetsFor } from './permission-sets.ts';

function onProject(service: IamService, access: string): PresetRule {
  return { service, access, scope: 'project' };
}

/**
 * The IAM policy presets. `evalap-service`, `ci-cd` and `read-only` are
 * the guide's tables; `control-plane` is what the four functions of this
 * project need: provisioning (IAM, secrets, VPC, databases, containers,
 * Object Storage), rotation (secrets, databases, containers, IAM API keys),
 * drift (read-only) and audit shipping (Object Storage, secret access).
 */
export const POLICY_PRESET_DEFINITIONS: Record<
  PolicyPreset,
  PolicyPresetDefinition
> = {
  'evalap-service': {
    description: 'EvalAP service account with least privilege access',
    rules: [
      onProject('serverless_containers', 'full_access'),
      onProject('database', 'full_access'),
      onProject('object_storage', 'full_access'),
      onProject('secret_manager', 'secret_access'),
      onProject('container_registry', 'read_only'),
      onProject('cockpit', 'read_only'),
    ],
    needs: {
      serverless_containers: 'manage',
      database: 'manage',
      object_storage: 'manage',
      secret_manager: 'read-secrets',
      container_registry: 'read',
      cockpit: 'read',
    },
  },
  'ci-cd': {
    description: 'CI/CD pipeline with deployment permissions',
    // The guide grants Secret Manager read-only, which reads metadata, not
    // values; a pipeline that reads secret values needs secret_access.
    rules: [
      onProject('serverless_containers', 'full_access'),
      onProject('container_registry', 'full_access'),
      onProject('secret_manager', 'read_only'),
      onProject('cockpit', 'read_only'),
    ],
    needs: {
      serverless_containers: 'manage',
      container_registry: 'write',
      secret_manager: 'read',
      cockpit: 'read',
    },
  },
  'read-only': {
    description: 'Read-only access for monitoring and auditing',
    rules: [
      onProject('serverless_containers', 'read_only'),
      onProject('database', 'read_only'),
      onProject('object_storage', 'read_only'),
      onProject('secret_manager', 'read_only'),
      onProject('container_registry', 'read_only'),
      onProject('cockpit', 'read_only'),
      onProject('vpc', 'read_only'),
    ],
    needs: {
      serverless_containers: 'read',
      database: 'read',
      object_storage: 'read',
      secret_manager: 'read',
      container_registry: 'read',
      cockpit: 'read',
      vpc: 'read',
    },
  },
  'control-plane': {
    description: 'evalap-infra control plane: provision, rotate, drift, audit',
    // What each function calls, and so the rules below:
    // - provision: IAM applications, policies and their API keys
    //   (organization), secrets, VPC, databases, containers, buckets and
    //   the state bucket;
    // - rotate-secrets: secret versions, database users, container
    //   secret env and deploys, application API keys;
    // - check-drift: reads of the same products (served by the levels
    //   above: no extra read-only rule);
    // - ship-audit-logs: audit objects and digests (Object Storage), the
    //   signing key (Secret Manager).
    // Scaleway Queues are not reached through IAM: the functions sign SQS
    // calls with Queues credentials (publish and receive on the stage's
    // queues, EVALAP_SQS_*), and queue triggers are created by the
    // deployer, not by the control plane (docs/deploy.md).
    rules: [
      {
        service: 'iam',
        access: 'applications_and_policies',
        scope: 'organization',
      },
      onProject('secret_manager', 'full_access'),
      onProject('vpc', 'full_access'),
      onProject('database', 'full_access'),
      onProject('serverless_containers', 'full_access'),
      onProject('object_storage', 'full_access'),
    ],
    needs: {
      iam: 'manage',
      secret_manager: 'manage',
      vpc: 'manage',
      database: 'manage',
      serverless_containers: 'manage',
      object_storage: 'manage',
    },
  },
};

/** A policy rule with its permission sets resolved. */
export interface ResolvedRule {
  /** Service of the table, when the rule was written as service+access. */
  service?: string;
  access?: string;
  /** The Scaleway permission set names the rule grants. */
  permissionSetNames: readonly string[];
  scope: RuleScope;
}

/**
 * The rules a declared policy grants: the preset's, or its own rules.
 * Unknown services or levels resolve to no permission sets (the policy
 * checks report them).
 */
export function resolvePolicyRules(policy: IamPolicy): ResolvedRule[] {
  if (policy.preset !== undefined) {
    return POLICY_PRESET_DEFINITIONS[policy.preset].rules.map((rule) =>
      resolveRule(rule.service, rule.access, undefined, rule.scope),
    );
  }

  return (policy.rules ?? []).map((rule) =>
    resolveRule(rule.service, rule.access, rule.permissionSets, rule.scope),
  );
}

/** The uses a policy declares: its own `needs`, else its preset's. */
export function policyNeeds(policy: IamPolicy): Record<string, string> {
  if (policy.needs !== undefined) {
    return policy.needs;
  }
  if (policy.preset !== undefined) {
    return { ...POLICY_PRESET_DEFINITIONS[policy.preset].needs };
  }

  return {};
}

function resolveRule(
  service: string | undefined,
  access: string | undefined,
  permissionSets: readonly string[] | undefined,
  scope: RuleScope,
): ResolvedRule {
  const names = [...(permissionSets ?? [])];
  if (service !== undefined && access !== undefined) {
    names.push(...(permissionSetsFor(service, access) ?? []));
  }

  const rule: ResolvedRule = { permissionSetNames: names, scope };
  if (service !== undefined) rule.service = service;
  if (access !== undefined) rule.access = access;

  return rule;
}
