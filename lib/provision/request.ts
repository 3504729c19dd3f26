import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { acquireLock, EnvironmentBusyError } from '../lock/index.ts';
import {
  ENVIRONMENTS,
  SecretSchema,
  type Stack,
  StackSchema,
  type StackSecret,
} from '../stack/index.ts';
import {
  canonicalJson,
  getObjectText,
  readAppliedState,
  stateKeys,
} from '../state/index.ts';
import { issueMessage } from '../validation/index.ts';
import { EnvironmentNotServedError, ProvisionError } from './errors.ts';
import { applyStack, assertStackPolicy, planStack } from './provision.ts';
import type { Plan, ProvisionContext } from './types.ts';

/**
 * A change to the stack last applied to an environment, for systems that
 * ask for one resource rather than send a whole stack:
 * - `secrets`: secrets to add (or to replace, by name);
 * - `consumers`: secret bindings to add (`secret` read by `container`
 *   under `env`).
 */
export const StackPatchSchema = z
  .strictObject({
    secrets: z.array(SecretSchema).default([]),
    consumers: z
      .array(
        z.strictObject({
          secret: z.string().min(1),
          container: z.string().min(1),
          env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
        }),
      )
      .default([]),
  })
  .refine((p) => p.secrets.length + p.consumers.length > 0, {
    message: 'a patch must add at least one secret or consumer',
  });

/** A patch; see {@link StackPatchSchema}. */
export type StackPatch = z.infer<typeof StackPatchSchema>;

/**
 * A provisioning request, from HTTP (`POST /plan`, `POST /apply`) or from
 * the provisioning queue. `requestId` makes an apply or a patch
 * idempotent: a request delivered twice is applied once, and the same id
 * with another body is refused (422).
 */
export const ProvisionRequestSchema = z
  .strictObject({
    requestId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'use 1-128 letters, digits, . _ : -'),
    environment: z.enum(ENVIRONMENTS),
    action: z.enum(['plan', 'apply', 'patch']),
    stack: StackSchema.optional(),
    patch: StackPatchSchema.optional(),
    allowReplace: z.boolean().default(false),
  })
  .superRefine((request, ctx) => {
    if (request.action !== 'patch' && request.stack === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['stack'],
        message: `${request.action} needs a stack`,
      });
    }
    if (request.action === 'patch' && request.patch === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['patch'],
        message: 'patch needs a patch',
      });
    }
    if (
      request.stack !== undefined &&
      request.stack.environment !== request.environment
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['stack', 'environment'],
        message: `must be the request's environment (${request.environment})`,
      });
    }
  });

/** A validated provisioning request. */
export type ProvisionRequest = z.infer<typeof ProvisionRequestSchema>;

/** What a provisioning request answers (no secret value, ever). */
export interface ProvisionResponse {
  requestId: string;
  environment: string;
  action: ProvisionRequest['action'];
  /** True when this is the stored answer of an earlier delivery. */
  replayed: boolean;
  stackRevision: string;
  /** Resources created, updated, replaced or deleted (0 for a plan). */
  changed: number;
  plan: Plan;
}

/** A request id was used before with another body (HTTP 422). */
export class RequestIdReusedError extends ProvisionError {
  override name = 'RequestIdReusedError';
  override readonly fault = 'caller';
  override readonly httpStatus = 422;

  constructor(requestId: string) {
    super(
      `Request id ${requestId} was already used with a different body; ` +
        'use a new request id for a new request.',
    );
  }
}

/** A patch needs a stack applied before it (HTTP 409). */
export class NothingAppliedError extends ProvisionError {
  override name = 'NothingAppliedError';
  override readonly fault = 'caller';
  override readonly httpStatus = 409;

  constructor(environment: string) {
    super(
      `Nothing was applied to ${environment} yet: send an apply with the ` +
        'whole stack before patching it.',
    );
  }
}

/** The patched stack is not a valid stack (HTTP 400, every problem). */
export class PatchInvalidError extends ProvisionError {
  override name = 'PatchInvalidError';
  override readonly fault = 'caller';
  override readonly httpStatus = 400;
  readonly problems: { path: string; message: string }[];

  constructor(problems: { path: string; message: string }[]) {
    super(
      `The patched stack is not valid (${problems.length} problem(s)); ` +
        'nothing was changed.',
    );
    this.problems = problems;
  }

  override get details(): unknown {
    return { problems: this.problems };
  }
}

/** The busy error as the HTTP and queue adapters want it: 409, retry. */
export class EnvironmentBusy extends ProvisionError {
  override name = 'EnvironmentBusy';
  override readonly fault = 'caller';
  override readonly httpStatus = 409;
  readonly retryable = true;

  constructor(cause: EnvironmentBusyError) {
    super(cause.message, { cause });
  }
}

const StoredResponseSchema = z.object({
  bodyHash: z.string(),
  response: z.custom<ProvisionResponse>(),
});

/**
 * Runs one provisioning request; its audit events carry its request id.
 * A request for an environment the context does not serve is refused
 * (EnvironmentNotServedError, 422). A plan only reads. An apply or a
 * patch is checked against the policy first, so a refused one writes
 * nothing, not even a lock claim; then it takes the environment lock (a
 * concurrent one gets EnvironmentBusy, 409), answers a repeated request id
 * from its stored answer, refuses a reused id with another body
 * (RequestIdReusedError, 422), applies, and stores the answer under
 * `<env>/requests/<requestId>.json`.
 */
export async function handleProvisionRequest(
  provision: ProvisionContext,
  request: ProvisionRequest,
): Promise<ProvisionResponse> {
  const served = provision.environment;
  if (served !== undefined && request.environment !== served) {
    throw new EnvironmentNotServedError(request.environment, served);
  }
  const context = withRequestId(provision, request.requestId);

  if (request.action === 'plan') {
    const plan = await planStack(context, request.stack as Stack);
    return respond(request, plan, 0, false);
  }
  // reads only: the stack to apply, checked before the lock is taken
  assertStackPolicy(await stackOf(context, request));

  const { s3 } = context.clients;
  const bucket = context.stateBucket;
  const bodyHash = createHash('sha256')
    .update(canonicalJson(request))
    .digest('hex');

  let lock: Awaited<ReturnType<typeof acquireLock>>;
  try {
    lock = await acquireLock(s3, bucket, stateKeys.lock(request.environment), {
      holder: request.requestId,
      ...(context.now === undefined ? {} : { now: context.now }),
    });
  } catch (error) {
    if (error instanceof EnvironmentBusyError) {
      throw new EnvironmentBusy(error);
    }
    throw error;
  }

  try {
    const key = stateKeys.request(request.environment, request.requestId);
    const earlier = await getObjectText(s3, bucket, key);
    if (earlier !== undefined) {
      const stored = StoredResponseSchema.parse(JSON.parse(earlier.text));
      if (stored.bodyHash !== bodyHash) {
        throw new RequestIdReusedError(request.requestId);
      }
      return { ...stored.response, replayed: true };
    }

    const stack = await stackOf(context, request);
    const result = await applyStack(context, stack, {
      allowReplace: request.allowReplace,
    });
    const response = respond(request, result.plan, result.changed, false);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify({ bodyHash, response }),
        ContentType: 'application/json',
      }),
    );

    return response;
  } finally {
    await lock.release().catch((error: unknown) => {
      context.logger?.warn(
        { err: error, environment: request.environment },
        'lock release failed; it expires on its own',
      );
    });
  }
}

function withRequestId(
  context: ProvisionContext,
  requestId: string,
): ProvisionContext {
  if (context.audit === undefined) return context;

  return { ...context, audit: context.audit.child({ requestId }) };
}

async function stackOf(
  context: ProvisionContext,
  request: ProvisionRequest,
): Promise<Stack> {
  if (request.action === 'apply') {
    return request.stack as Stack;
  }

  const stored = await readAppliedState(
    context.clients.s3,
    context.stateBucket,
    request.environment,
  );
  if (stored === undefined) {
    throw new NothingAppliedError(request.environment);
  }

  return patchStack(stored.state.stack, request.patch as StackPatch);
}

/**
 * Applies a patch to a stack and validates the result: secrets replace
 * same-named ones or are added; consumers are added to their secret
 * (once). The result is checked like a stack file.
 *
 * @throws PatchInvalidError listing every problem.
 */
export function patchStack(base: Stack, patch: StackPatch): Stack {
  const secrets = new Map<string, StackSecret>(
    base.secrets.map((secret) => [secret.name, structuredClone(secret)]),
  );
  for (const secret of patch.secrets) {
    secrets.set(secret.name, structuredClone(secret));
  }
  const problems: { path: string; message: string }[] = [];
  patch.consumers.forEach((consumer, index) => {
    const secret = secrets.get(consumer.secret);
    if (secret === undefined) {
      problems.push({
        path: `patch.consumers.${index}.secret`,
        message: `no secret named ${consumer.secret} is declared`,
      });
      return;
    }
    const known = secret.consumers.some(
      (c) => c.container === consumer.container && c.env === consumer.env,
    );
    if (!known) {
      secret.consumers.push({
        container: consumer.container,
        env: consumer.env,
      });
    }
  });

  const patched = { ...base, secrets: [...secrets.values()] };
  const parsed = StackSchema.safeParse(patched);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({
        path: issue.path.join('.'),
        message: issueMessage(issue, patched),
      });
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new PatchInvalidError(problems);
  }

  return parsed.data;
}

function respond(
  request: ProvisionRequest,
  plan: Plan,
  changed: number,
  replayed: boolean,
): ProvisionResponse {
  return {
    requestId: request.requestId,
    environment: request.environment,
    action: request.action,
    replayed,
    stackRevision: plan.stackRevision,
    changed,
    plan,
  };
}
