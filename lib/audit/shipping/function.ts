import type { Logger } from 'pino';

import { correlationIdOf } from '../../http/request.ts';
import { errorResponse } from '../../http/response.ts';
import type {
  FunctionEvent,
  FunctionHandler,
  FunctionResponse,
} from '../../http/types.ts';
import type { AuditClock } from '../clock.ts';
import { sealAuditHours } from '../integrity/seal.ts';
import type { AuditRuntime } from '../runtime.ts';
import type { LogShipper } from './log-shipper.ts';
import { drainAuditQueue, handleAuditMessage } from './queue.ts';

/** The CRON trigger's body (`schedule.input`): which job to run. */
export const CRON_JOB = 'ship-and-seal';

function reply(statusCode: number, body: unknown): FunctionResponse {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

function decodeBody(event: FunctionEvent): string {
  const body = event.body ?? '';

  return event.isBase64Encoded === true
    ? Buffer.from(body, 'base64').toString('utf8')
    : body;
}

function isCronBody(body: string): boolean {
  try {
    return (JSON.parse(body) as { job?: unknown })?.job === CRON_JOB;
  } catch {
    return false;
  }
}

/**
 * The audit of an environment whose stack keeps no audit bucket
 * (`audit.sink: local-file`): events are written to the function's log
 * and acknowledged; the CRON has nothing to drain or seal.
 */
export interface LogOnlyAudit {
  readonly logOnly: true;
  readonly shipper: LogShipper;
}

/** What the ship-audit-logs handler needs. */
export interface ShipFunctionOptions {
  /** Built once per cold start, on the first invocation that works. */
  runtime: () => Promise<AuditRuntime | LogOnlyAudit>;
  logger: Logger;
  clock?: AuditClock;
}

/**
 * The ship-audit-logs function. Both triggers POST to `/`:
 * - the CRON sends `{"job":"ship-and-seal"}`: drain the queues, then seal
 *   the closed hours; 200 with the run's report, 503 if storage failed;
 * - the queue trigger sends one audit event: store it; 200 when stored or
 *   already stored, 400 when invalid (never stored; retried a few times by
 *   the platform, then dead-lettered), 503 to be retried later.
 */
export function shipAuditLogsHandler(
  options: ShipFunctionOptions,
): FunctionHandler {
  let runtime: Promise<AuditRuntime | LogOnlyAudit> | undefined;
  const runtimeOnce = () => {
    runtime ??= options.runtime().catch((error: unknown) => {
      runtime = undefined;
      throw error;
    });
    return runtime;
  };

  return async (event) => {
    if (event.httpMethod !== 'POST') {
      return reply(405, { error: 'use POST' });
    }

    const correlationId = correlationIdOf(event);
    const logger = options.logger.child({ correlationId });
    try {
      const audit = await runtimeOnce();
      const body = decodeBody(event);
      if (isCronBody(body)) {
        return 'logOnly' in audit
          ? reply(200, { logOnly: true, received: 0, sealed: [] })
          : await runCron(audit, options);
      }

      return await shipMessage(body, audit, logger);
    } catch (error) {
      // a setup failure: a generic answer, the details in the log only
      return errorResponse(error, correlationId, logger);
    }
  };
}

async function shipMessage(
  body: string,
  audit: AuditRuntime | LogOnlyAudit,
  logger: Logger,
): Promise<FunctionResponse> {
  const outcome = await handleAuditMessage(body, audit.shipper);
  const level = outcome.statusCode === 200 ? 'info' : 'warn';
  logger[level](
    {
      statusCode: outcome.statusCode,
      problems: outcome.problems,
      failure: outcome.error,
      stored: outcome.stored,
      duplicates: outcome.duplicates,
    },
    'audit message handled',
  );

  return reply(outcome.statusCode, {
    stored: outcome.stored,
    duplicates: outcome.duplicates,
    problems: outcome.problems,
    ...('logOnly' in audit ? { logOnly: true } : {}),
  });
}

async function runCron(
  audit: AuditRuntime,
  options: ShipFunctionOptions,
): Promise<FunctionResponse> {
  const drained = await drainAuditQueue({
    sqs: audit.sqs,
    queueUrls: audit.queueUrls,
    shipper: audit.shipper,
  });

  let sealed: string[] = [];
  let contended: string | undefined;
  let sealFailure: string | undefined;
  try {
    const report = await sealAuditHours({
      bucket: audit.bucket,
      environment: audit.environment,
      signingKeys: audit.signingKeys,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    sealed = report.digests;
    contended = report.contended;
  } catch (error) {
    sealFailure = error instanceof Error ? error.message : 'seal failed';
  }

  const failed = drained.failure !== undefined || sealFailure !== undefined;
  const report = {
    received: drained.received,
    stored: drained.stored,
    duplicates: drained.duplicates,
    deleted: drained.deleted,
    rejected: drained.rejected.length,
    missingQueues: drained.missingQueues,
    sealed,
    ...(contended === undefined ? {} : { sealedByAnotherRun: contended }),
    failure: drained.failure,
    sealFailure,
  };
  options.logger[failed ? 'warn' : 'info'](
    { ...report, rejectedMessages: drained.rejected },
    'audit shipping run',
  );

  return reply(failed ? 503 : 200, report);
}
