import type { Logger } from 'pino';
import { z } from 'zod';
import {
  createHttpHandler,
  type FunctionHandler,
  type HandlerAuth,
  ok,
  parseRequestBody,
  type RouteContext,
  TRIGGER_AUTH,
} from '../http/index.ts';
import type { Stack } from '../stack/index.ts';
import { abandonRotation, resumeRotation } from './operator.ts';
import { summarizeReport } from './report.ts';
import { runRotation } from './run.ts';
import type { RotationContext } from './types.ts';

/** The CRON trigger's body (serverless.yml `input`). */
export const CRON_JOB = 'rotate-due';

const CronBody = z.strictObject({ job: z.literal(CRON_JOB) });

const RotateBody = z.strictObject({
  secret: z.string().min(1),
  action: z.enum(['rotate', 'resume', 'abandon']).default('rotate'),
  dryRun: z.boolean().default(false),
});

/** What the function needs per invocation: the stack and a context. */
export interface RotationRuntime {
  stack: Stack;
  context: RotationContext;
}

/** Options of {@link rotateSecretsHandler}. */
export interface RotateFunctionOptions {
  logger: Logger;
  auth: HandlerAuth;
  /** Built per invocation (reads the applied stack). */
  runtime: () => Promise<RotationRuntime>;
}

/**
 * The rotate-secrets function:
 * - `POST /` with `{"job":"rotate-due"}` (the daily CRON): rotates what
 *   is due, resumes what is in progress; 200 with the report;
 * - `GET /due`: what a run would do, changing nothing;
 * - `POST /rotate` with `{"secret", "action"?, "dryRun"?}`: rotate one
 *   secret now, or `resume` / `abandon` its rotation.
 * Errors answer by fault (400 / 404 / 409 / 500 / 503) with no value.
 */
export function rotateSecretsHandler(
  options: RotateFunctionOptions,
): FunctionHandler {
  const withRuntime =
    (
      handle: (
        runtime: RotationRuntime,
        route: RouteContext,
      ) => Promise<unknown>,
    ) =>
    async (route: RouteContext) => {
      const runtime = await options.runtime();
      const context = { ...runtime.context, logger: route.logger };
      const body = await handle({ ...runtime, context }, route);
      return ok(body);
    };

  return createHttpHandler({
    auth: options.auth,
    logger: options.logger,
    routes: [
      {
        method: 'POST',
        path: '/',
        auth: TRIGGER_AUTH,
        handle: withRuntime(async ({ stack, context }, route) => {
          parseRequestBody(route.event, CronBody);
          const report = await runRotation(stack, context, {
            requestId: route.correlationId,
          });
          route.logger.info({ summary: summarizeReport(report) }, 'rotated');
          return report;
        }),
      },
      {
        method: 'GET',
        path: '/due',
        handle: withRuntime(({ stack, context }, route) =>
          runRotation(stack, context, {
            dryRun: true,
            requestId: route.correlationId,
          }),
        ),
      },
      {
        method: 'POST',
        path: '/rotate',
        handle: withRuntime(async ({ stack, context }, route) => {
          const request = parseRequestBody(route.event, RotateBody);
          if (request.action === 'abandon') {
            return abandonRotation(stack, context, request.secret);
          }
          if (request.action === 'resume') {
            return resumeRotation(
              stack,
              context,
              request.secret,
              route.correlationId,
            );
          }
          return runRotation(stack, context, {
            secret: request.secret,
            dryRun: request.dryRun,
            requestId: route.correlationId,
          });
        }),
      },
    ],
  });
}
