import { z } from 'zod';
import type { PlatformClock } from '../../controls/clock.ts';
import {
  type AccountDefaults,
  type ArgumentProblem,
  byFields,
  InvalidArgumentsError,
  newId,
  noContent,
  ok,
  paginate,
  parseBody,
  parseQuery,
  pathParam,
  queryArray,
  queryBoolean,
  queryString,
  ResourceNotFoundError,
  type Router,
  timestamp,
} from '../core/index.ts';
import { PERMISSION_SETS, permissionSetNamed } from './permission-sets.ts';
import {
  IAM_BASE,
  type IamCollections,
  type PolicyRecord,
  type Principal,
  policyToWire,
  type RuleRecord,
  rulesOf,
  ruleToWire,
} from './records.ts';
import { IAM_DESCRIPTION, IAM_NAME, IAM_TAGS } from './schemas.ts';

const RuleSpecs = z.object({
  permission_set_names: z.array(z.string().min(1)).min(1),
  condition: z.string().max(1000).nullish(),
  project_ids: z.array(z.guid()).min(1).nullish(),
  organization_id: z.guid().nullish(),
});

type RuleSpecsInput = z.infer<typeof RuleSpecs>;

const PRINCIPAL_FIELDS = {
  user_id: z.guid().nullish(),
  group_id: z.guid().nullish(),
  application_id: z.guid().nullish(),
  no_principal: z.boolean().nullish(),
};

const CreatePolicyBody = z.object({
  name: IAM_NAME,
  description: IAM_DESCRIPTION,
  organization_id: z.guid().nullish(),
  rules: z.array(RuleSpecs).nullish(),
  tags: IAM_TAGS,
  ...PRINCIPAL_FIELDS,
});

const UpdatePolicyBody = z.object({
  name: IAM_NAME.nullish(),
  description: IAM_DESCRIPTION,
  tags: IAM_TAGS,
  ...PRINCIPAL_FIELDS,
});

const SetRulesBody = z.object({
  policy_id: z.guid(),
  rules: z.array(RuleSpecs),
});

const ListPoliciesQuery = z.object({
  organization_id: queryString(),
  policy_name: queryString(),
  tag: queryString(),
  user_ids: queryArray(z.string()),
  group_ids: queryArray(z.string()),
  application_ids: queryArray(z.string()),
  no_principal: queryBoolean(),
  policy_ids: queryArray(z.string()),
  editable: queryBoolean(),
});

const ListRulesQuery = z.object({ policy_id: z.guid() });

const POLICY_ORDERINGS = byFields<PolicyRecord>({
  policy_name: (policy) => policy.name,
  created_at: (policy) => policy.created_at,
});

const SET_ORDERINGS = byFields<(typeof PERMISSION_SETS)[number]>({
  name: (set) => set.name,
  created_at: (set) => set.name,
});

/** Registers policies, rules and permission sets. */
export function registerPolicyRoutes(
  router: Router,
  collections: IamCollections,
  clock: PlatformClock,
  account: AccountDefaults,
): void {
  const { policies } = collections;
  const wire = (policy: PolicyRecord) => ok(policyToWire(collections, policy));
  const idOf = (params: Readonly<Record<string, string>>) =>
    pathParam(params, 'policy_id');
  const replaceRules = (policyId: string, specs: RuleSpecsInput[]) => {
    const rules = buildRules(policyId, specs);
    for (const rule of rulesOf(collections, policyId)) {
      collections.rules.delete(rule.id);
    }
    for (const rule of rules) {
      collections.rules.insert(rule);
    }
    return rules;
  };

  router.post(`${IAM_BASE}/policies`, (request) => {
    const input = parseBody(CreatePolicyBody, request.body);
    const principal = principalOf(collections, input);
    if (principal === null) {
      throw missingPrincipal();
    }
    const id = newId();
    buildRules(id, input.rules ?? []);

    const now = timestamp(clock);
    const policy = policies.insert({
      id,
      name: input.name,
      description: input.description ?? '',
      organization_id: input.organization_id ?? account.organizationId,
      created_at: now,
      updated_at: now,
      editable: true,
      deletable: true,
      managed: false,
      tags: input.tags ?? [],
      principal,
    });
    replaceRules(id, input.rules ?? []);

    return wire(policy);
  });

  router.get(`${IAM_BASE}/policies`, (request) => {
    const query = parseQuery(ListPoliciesQuery, request.query);
    const principalIn = (
      field: 'user_id' | 'group_id' | 'application_id',
      ids: string[] | undefined,
      policy: PolicyRecord,
    ) =>
      ids === undefined ||
      (field in policy.principal &&
        ids.includes(
          (policy.principal as Record<string, string>)[field] ?? '',
        ));

    const matching = policies.filter(
      (policy) =>
        (query.organization_id === undefined ||
          policy.organization_id === query.organization_id) &&
        (query.policy_name === undefined ||
          policy.name.includes(query.policy_name)) &&
        (query.tag === undefined || policy.tags.includes(query.tag)) &&
        principalIn('user_id', query.user_ids, policy) &&
        principalIn('group_id', query.group_ids, policy) &&
        principalIn('application_id', query.application_ids, policy) &&
        (query.no_principal === undefined ||
          'no_principal' in policy.principal === query.no_principal) &&
        (query.policy_ids === undefined ||
          query.policy_ids.includes(policy.id)) &&
        (query.editable === undefined || policy.editable === query.editable),
    );
    const page = paginate(
      matching,
      request.query,
      POLICY_ORDERINGS,
      'created_at_asc',
    );

    return ok({
      policies: page.items.map((policy) => policyToWire(collections, policy)),
      total_count: page.totalCount,
    });
  });

  router.get(`${IAM_BASE}/policies/{policy_id}`, (request) =>
    wire(policies.require(idOf(request.params))),
  );

  router.patch(`${IAM_BASE}/policies/{policy_id}`, (request) => {
    const id = idOf(request.params);
    policies.require(id);
    const input = parseBody(UpdatePolicyBody, request.body);
    const principal = principalOf(collections, input);

    return wire(
      policies.update(id, (current) => ({
        ...current,
        name: input.name ?? current.name,
        description: input.description ?? current.description,
        tags: input.tags ?? current.tags,
        principal: principal ?? current.principal,
        updated_at: timestamp(clock),
      })),
    );
  });

  router.delete(`${IAM_BASE}/policies/{policy_id}`, (request) => {
    const policy = policies.require(idOf(request.params));
    for (const rule of rulesOf(collections, policy.id)) {
      collections.rules.delete(rule.id);
    }
    policies.delete(policy.id);

    return noContent();
  });

  router.post(`${IAM_BASE}/policies/{policy_id}/clone`, (request) => {
    const source = policies.require(idOf(request.params));
    const now = timestamp(clock);
    const clone = policies.insert({
      ...source,
      id: newId(),
      name: `${source.name}-copy`.slice(0, 64),
      created_at: now,
      updated_at: now,
    });
    replaceRules(
      clone.id,
      rulesOf(collections, source.id).map((rule) => ({
        permission_set_names: rule.permission_set_names,
        condition: rule.condition,
        ...rule.scope,
      })),
    );

    return wire(clone);
  });

  router.put(`${IAM_BASE}/rules`, (request) => {
    const input = parseBody(SetRulesBody, request.body);
    policies.require(input.policy_id);
    const rules = replaceRules(input.policy_id, input.rules);
    policies.update(input.policy_id, (current) => ({
      ...current,
      updated_at: timestamp(clock),
    }));

    return ok({ rules: rules.map(ruleToWire) });
  });

  router.get(`${IAM_BASE}/rules`, (request) => {
    const query = parseQuery(ListRulesQuery, request.query);
    policies.require(query.policy_id);
    const page = paginate(rulesOf(collections, query.policy_id), request.query);

    return ok({
      rules: page.items.map(ruleToWire),
      total_count: page.totalCount,
    });
  });

  router.get(`${IAM_BASE}/permission-sets`, (request) => {
    const page = paginate(
      PERMISSION_SETS,
      request.query,
      SET_ORDERINGS,
      'name_asc',
    );

    return ok({ permission_sets: page.items, total_count: page.totalCount });
  });
}

function principalOf(
  collections: IamCollections,
  input: {
    user_id?: string | null | undefined;
    group_id?: string | null | undefined;
    application_id?: string | null | undefined;
    no_principal?: boolean | null | undefined;
  },
): Principal | null {
  // Differs from Scaleway (docs/local-platform.md): users and groups are
  // not emulated.
  if (input.user_id !== undefined && input.user_id !== null) {
    throw new ResourceNotFoundError('user', input.user_id);
  }
  if (input.group_id !== undefined && input.group_id !== null) {
    throw new ResourceNotFoundError('group', input.group_id);
  }
  if (input.application_id !== undefined && input.application_id !== null) {
    collections.applications.require(input.application_id);
    return { application_id: input.application_id };
  }
  if (input.no_principal === true) {
    return { no_principal: true };
  }

  return null;
}

function missingPrincipal(): InvalidArgumentsError {
  return InvalidArgumentsError.of(
    'principal',
    'required',
    'one of user_id, group_id, application_id or no_principal is required',
  );
}

/**
 * Checks rule specs (known permission sets, one scope type per rule, an
 * organization-scoped set only with `organization_id`, exactly one of
 * `project_ids` / `organization_id`) and builds the records. Every problem
 * is reported at once.
 */
function buildRules(policyId: string, specs: RuleSpecsInput[]): RuleRecord[] {
  const problems: ArgumentProblem[] = [];
  const rules: RuleRecord[] = [];

  for (const [index, spec] of specs.entries()) {
    const at = `rules.${index}`;
    const sets = spec.permission_set_names.map((name) => ({
      name,
      set: permissionSetNamed(name),
    }));
    for (const { name, set } of sets) {
      if (set === undefined) {
        problems.push({
          argumentName: `${at}.permission_set_names`,
          reason: 'constraint',
          helpMessage: `unknown permission set ${name}`,
        });
      }
    }
    const scopes = new Set(sets.map(({ set }) => set?.scope_type));
    scopes.delete(undefined);
    if (scopes.size > 1) {
      problems.push({
        argumentName: `${at}.permission_set_names`,
        reason: 'constraint',
        helpMessage: 'permission sets must be of the same scope type',
      });
    }

    const projectIds = spec.project_ids ?? null;
    const organizationId = spec.organization_id ?? null;
    if ((projectIds === null) === (organizationId === null)) {
      problems.push({
        argumentName: at,
        reason: 'required',
        helpMessage:
          'exactly one of project_ids or organization_id is required',
      });
      continue;
    }
    const scopeType = scopes.has('organization') ? 'organization' : 'projects';
    if (scopeType === 'organization' && organizationId === null) {
      problems.push({
        argumentName: `${at}.organization_id`,
        reason: 'required',
        helpMessage: 'organization-scoped permission sets need organization_id',
      });
      continue;
    }

    rules.push({
      id: newId(),
      policy_id: policyId,
      position: index,
      permission_set_names: spec.permission_set_names,
      permission_sets_scope_type: scopeType,
      condition: spec.condition ?? '',
      scope:
        organizationId === null
          ? { project_ids: projectIds ?? [] }
          : { organization_id: organizationId },
    });
  }

  if (problems.length > 0) {
    throw new InvalidArgumentsError(problems);
  }

  return rules;
}
