import { checkStack, hasErrors } from '../policy/index.ts';
import type { Stack } from '../stack/index.ts';
import {
  type AppliedState,
  RESOURCE_KINDS,
  readAppliedState,
  type StoredState,
  stackRevision,
  writeAppliedState,
} from '../state/index.ts';
import { PolicyRejectedError, ReplacementRefusedError } from './errors.ts';
import { convergeBuckets } from './steps/buckets.ts';
import { convergeContainers } from './steps/containers.ts';
import { convergeDatabase } from './steps/database.ts';
import { convergeIam } from './steps/iam.ts';
import { convergeNetwork } from './steps/network.ts';
import { convergeSecrets } from './steps/secrets.ts';
import type {
  Plan,
  PlanAction,
  ProvisionContext,
  ProvisionOptions,
} from './types.ts';
import { ProvisionWalk } from './walk.ts';

/** The steps, in dependency order. */
const STEPS = [
  convergeNetwork,
  convergeSecrets,
  convergeIam,
  convergeDatabase,
  convergeContainers,
  convergeBuckets,
] as const;

/** What an apply did. */
export interface ApplyResult {
  /** Every resource with what was done to it, in the order it was done. */
  plan: Plan;
  /** The applied state written to the state bucket. */
  state: AppliedState;
  /** Number of resources created, updated, replaced or deleted. */
  changed: number;
}

/**
 * Compares a stack with what exists and lists what an apply would do, in
 * dependency order. Read-only: no write to Scaleway or the state bucket.
 *
 * @throws PolicyRejectedError (every finding) when a policy rule fails.
 * @example
 * const plan = await planStack(context, await loadStack('stacks/dev.yaml'));
 * plan.summary // { create: 0, update: 1, replace: 0, delete: 0, ... }
 */
export async function planStack(
  context: ProvisionContext,
  stack: Stack,
): Promise<Plan> {
  const { plan } = await planWalk(context, stack);

  return plan;
}

async function planWalk(context: ProvisionContext, stack: Stack) {
  const warnings = assertStackPolicy(stack);
  const stored = await readAppliedState(
    context.clients.s3,
    context.stateBucket,
    stack.environment,
  );

  const walk = new ProvisionWalk(context, stack, 'plan', {
    previous: stored?.state,
  });
  await runSteps(walk);

  return { plan: toPlan(walk, warnings), walk, stored };
}

/**
 * Makes the live state match the stack, then writes the applied state.
 * Checks the policy and plans first, so a refused request changes
 * nothing; each step then re-reads what exists before writing, so a re-run
 * after a crash at any point converges without duplicates. A second apply
 * of the same stack makes no write. Not locked here: see
 * `handleProvisionRequest` for the environment lock and request ids.
 *
 * @throws PolicyRejectedError, ReplacementRefusedError before any write;
 *   ProvisionStepError (with the resource and a translated cause) when a
 *   change fails midway.
 */
export async function applyStack(
  base: ProvisionContext,
  stack: Stack,
  options: ProvisionOptions = {},
): Promise<ApplyResult> {
  // Events name the stack's project, as rotation's and drift's do.
  const audit = base.audit?.child({ project: stack.project.name });
  const context = { ...base, ...(audit === undefined ? {} : { audit }) };
  const planned = await planWalk(context, stack);
  const { plan: preview, stored } = planned;
  if (preview.replacements.length > 0 && options.allowReplace !== true) {
    throw new ReplacementRefusedError(preview.replacements);
  }

  const changing = preview.items.filter((i) => i.action !== 'no-change');
  if (changing.length === 0) {
    // The plan's reads are the whole picture: no second walk is needed.
    const state = await saveState(context, stack, planned.walk, stored);

    return { plan: preview, state, changed: 0 };
  }

  const stackName = stack.environment;
  await audit?.logDeploymentStart(
    stackName,
    // `kind/name` here and below: the scrubber reads `secret:x` as a
    // secret's value.
    changing.map((item) => `${item.kind}/${item.name}`),
  );

  const walk = new ProvisionWalk(context, stack, 'apply', {
    payloads: planned.walk.payloads,
    previous: stored?.state,
  });
  try {
    await runSteps(walk);
    const plan = toPlan(walk, preview.warnings);
    const state = await saveState(context, stack, walk, stored);
    await audit?.logDeploymentComplete(stackName, {
      created: plan.summary.create,
      updated: plan.summary.update + plan.summary.replace,
      deleted: plan.summary.delete,
    });

    return { plan, state, changed: countChanges(plan) };
  } catch (error) {
    await audit?.logDeploymentFailed(stackName, error, {
      done: walk.items
        .filter((i) => i.action !== 'no-change')
        .map((i) => `${i.action} ${i.kind}/${i.name}`),
    });
    throw error;
  }
}

/**
 * Checks a stack against the security policy; returns its warnings.
 *
 * @throws PolicyRejectedError with every finding when a rule fails.
 */
export function assertStackPolicy(stack: Stack) {
  const findings = checkStack(stack);
  if (hasErrors(findings)) {
    throw new PolicyRejectedError(findings);
  }

  return findings;
}

async function runSteps(walk: ProvisionWalk): Promise<void> {
  for (const step of STEPS) {
    await step(walk);
  }

  const reverse = [...walk.orphans].sort(
    (a, b) =>
      RESOURCE_KINDS.indexOf(b.item.kind) - RESOURCE_KINDS.indexOf(a.item.kind),
  );
  for (const orphan of reverse) {
    await walk.change({ ...orphan.item, action: 'delete' }, () =>
      walk.call(
        `delete ${orphan.item.kind} ${orphan.item.name}`,
        orphan.remove,
      ),
    );
  }
}

function toPlan(walk: ProvisionWalk, warnings: Plan['warnings']): Plan {
  const summary: Record<PlanAction, number> = {
    create: 0,
    update: 0,
    replace: 0,
    delete: 0,
    'no-change': 0,
  };
  for (const item of walk.items) {
    summary[item.action] += 1;
  }

  return {
    environment: walk.environment,
    stackRevision: stackRevision(walk.stack),
    items: walk.items,
    summary,
    replacements: walk.items.filter((item) => item.action === 'replace'),
    needsValue: [...walk.needsValue],
    warnings,
  };
}

function countChanges(plan: Plan): number {
  return plan.items.filter((item) => item.action !== 'no-change').length;
}

/**
 * Writes the applied state unless it is already the stored one (same
 * revision and resources), so that a no-op apply writes nothing at all.
 * The write is conditional on the ETag read before the plan, so a state
 * written meanwhile by someone else fails the apply instead of being lost.
 */
async function saveState(
  context: ProvisionContext,
  stack: Stack,
  walk: ProvisionWalk,
  stored: StoredState | undefined,
): Promise<AppliedState> {
  const now = context.now ?? (() => new Date());
  const revision = stackRevision(stack);
  const same =
    stored !== undefined &&
    stored.state.stackRevision === revision &&
    JSON.stringify(stored.state.resources) === JSON.stringify(walk.resources);
  if (same && stored !== undefined) {
    return stored.state;
  }

  const state: AppliedState = {
    environment: stack.environment,
    stackRevision: revision,
    appliedAt: now().toISOString(),
    stack,
    resources: walk.resources,
  };
  await writeAppliedState(context.clients.s3, context.stateBucket, state, {
    ...(stored?.etag === undefined ? {} : { ifMatch: stored.etag }),
  });

  return state;
}
