import type { Logger } from 'pino';
import { z } from 'zod';
import {
  createHttpHandler,
  type FunctionHandler,
  type HandlerAuth,
  HttpError,
  parseRequestBody,
  type RouteResult,
  TRIGGER_AUTH,
  validateInput,
} from '../http/index.ts';
import { checkDrift, type DriftCheckOptions } from './check.ts';
import type { DriftReport } from './report.ts';
import type { DriftReportStore } from './store.ts';

/** What one invocation needs, built lazily (config, clients, stack). */
export interface DriftRuntime {
  readonly environment: string;
  readonly store: DriftReportStore;
  /** Everything `checkDrift` needs; called only for a check. */
  check(): Promise<Omit<DriftCheckOptions, 'store' | 'logger'>>;
}

/** Options of {@link checkDriftHandler}. */
export interface CheckDriftHandlerOptions {
  readonly logger: Logger;
  readonly auth: HandlerAuth;
  readonly runtime: () => Promise<DriftRuntime>;
}

/** Body of the CRON trigger (`POST /`). */
const CheckRequestSchema = z.strictObject({
  job: z.literal('check-drift'),
});

/** Query of `GET /drift`. */
const ReportQuerySchema = z.strictObject({
  format: z.enum(['json', 'markdown']).default('json'),
});

/**
 * The check-drift function: `POST /` with `{"job":"check-drift"}` (the
 * hourly CRON) runs a check and answers its summary; `GET /drift` answers
 * the latest report as JSON, or `?format=markdown` as Markdown (404 when
 * no check ran yet). Drift is not an error: a check that finds drift
 * answers 200.
 *
 * @example
 * export const handle = checkDriftHandler({ logger, auth, runtime });
 */
export function checkDriftHandler(
  options: CheckDriftHandlerOptions,
): FunctionHandler {
  let runtime: Promise<DriftRuntime> | undefined;
  const getRuntime = () => {
    runtime ??= options.runtime().catch((error: unknown) => {
      runtime = undefined;
      throw error;
    });
    return runtime;
  };

  return createHttpHandler({
    auth: options.auth,
    logger: options.logger,
    routes: [
      {
        method: 'POST',
        path: '/',
        auth: TRIGGER_AUTH,
        handle: async ({ event, logger }) => {
          parseRequestBody(event, CheckRequestSchema);
          const current = await getRuntime();
          const report = await checkDrift({
            ...(await current.check()),
            store: current.store,
            logger,
          });
          return { status: 200, body: summaryOf(report) };
        },
      },
      {
        method: 'GET',
        path: '/drift',
        handle: async ({ event }) => {
          const query = validateInput(
            event.queryStringParameters ?? {},
            ReportQuerySchema,
          );
          const current = await getRuntime();
          return latestReport(current, query.format);
        },
      },
    ],
  });
}

async function latestReport(
  runtime: DriftRuntime,
  format: 'json' | 'markdown',
): Promise<RouteResult> {
  const missing = () =>
    new HttpError(404, `no drift check has run for ${runtime.environment}`);
  if (format === 'json') {
    const report = await runtime.store.latest(runtime.environment);
    if (report === undefined) throw missing();
    return { status: 200, body: report };
  }

  const markdown = await runtime.store.latestMarkdown(runtime.environment);
  if (markdown === undefined) throw missing();

  return {
    statusCode: 200,
    headers: { 'Content-Type': 'text/markdown; charset=utf-8' },
    body: markdown,
  };
}

/** The answer of a check: counts and what could not be read. */
export function summaryOf(report: DriftReport) {
  return {
    environment: report.environment,
    checkedAt: report.checkedAt,
    status: report.status,
    summary: report.summary,
    unknownTypes: Object.entries(report.types)
      .filter(([, type]) => type.status === 'unknown')
      .map(([name]) => name),
    api: report.api,
  };
}
