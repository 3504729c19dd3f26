import { randomUUID } from 'node:crypto';

import { type AuditClock, systemClock } from './clock.ts';
import { AuditSinkError } from './errors.ts';
import {
  type AuditEvent,
  type AuditOperation,
  type AuditSeverity,
  auditEventSchema,
} from './event.ts';
import { REDACTED, scrubRecord, scrubText } from './scrub.ts';
import type { AuditSink } from './sink.ts';

/** How an AuditLogger is built: its context, sinks and clock. */
export interface AuditLoggerOptions {
  /** dev, staging, production... */
  environment: string;
  /** The stack the changes belong to. Default: the environment. */
  stack?: string;
  /** The Scaleway project name or id. Default: 'unknown'. */
  project?: string;
  /** Who acts: a user or service account. Default: 'unknown'. */
  actor?: string;
  /** The invocation that caused the events. Default: null. */
  requestId?: string | null;
  /** Where events go; each event is written to all of them. */
  sinks: readonly AuditSink[];
  /** Default: the wall clock. */
  clock?: AuditClock;
  /** Default: crypto.randomUUID. */
  newEventId?: () => string;
  /**
   * Called for each sink that failed. A failing sink never stops the
   * caller (OWASP); default: one JSON line on stderr naming the sink.
   */
  onSinkFailure?: (failure: AuditSinkError, event: AuditEvent) => void;
}

/** Fields of a free-form record; see AuditLogger.record. */
export interface AuditRecordInput {
  operation: AuditOperation;
  resourceType: string;
  resourceName: string;
  severity: AuditSeverity;
  details?: Record<string, unknown>;
  success?: boolean;
  error?: unknown;
}

/** Counts given to logDeploymentComplete. Each default: 0. */
export interface DeploymentCounts {
  created?: number;
  updated?: number;
  deleted?: number;
}

function reportToStderr(failure: AuditSinkError): void {
  const cause = failure.cause instanceof Error ? failure.cause.message : '';
  const line = JSON.stringify({
    level: 'warn',
    msg: 'audit sink failed',
    sink: failure.sink,
    err: scrubText(cause),
  });
  process.stderr.write(`${line}\n`);
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);

  return scrubText(message).slice(0, 4096);
}

/**
 * The audit logger of the guide. Each call builds one event (scrubbed of
 * secrets, validated), writes it to every sink and resolves to it.
 * Durations come from startOperation marks, one mark per resource.
 *
 * @example
 * const audit = new AuditLogger({ environment: 'staging', sinks });
 * audit.startOperation('DatabaseInstance', 'evalap-db');
 * await audit.logCreate('DatabaseInstance', 'evalap-db', { engine: 'PG15' });
 */
export class AuditLogger {
  readonly environment: string;
  /** Sink failures since the logger was built. */
  failures = 0;

  readonly #options: AuditLoggerOptions;
  readonly #clock: AuditClock;
  readonly #starts = new Map<string, number>();

  constructor(options: AuditLoggerOptions) {
    this.environment = options.environment;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** A logger with the same sinks for another request, actor or project. */
  child(context: {
    requestId?: string | null;
    actor?: string;
    project?: string;
  }): AuditLogger {
    return new AuditLogger({ ...this.#options, ...context });
  }

  /** Marks the start of an operation; the next event for it has a duration. */
  startOperation(resourceType: string, resourceName: string): void {
    this.#starts.set(
      `${resourceType}:${resourceName}`,
      this.#clock.now().getTime(),
    );
  }

  /** A resource was created (info). */
  logCreate(
    resourceType: string,
    resourceName: string,
    details: Record<string, unknown> = {},
  ): Promise<AuditEvent> {
    return this.record({
      operation: 'create',
      resourceType,
      resourceName,
      severity: 'info',
      details,
    });
  }

  /** A resource was updated (info); `changes` go under details.changes. */
  logUpdate(
    resourceType: string,
    resourceName: string,
    changes?: Record<string, unknown>,
  ): Promise<AuditEvent> {
    const details = changes === undefined ? {} : { changes };

    return this.record({
      operation: 'update',
      resourceType,
      resourceName,
      severity: 'info',
      details,
    });
  }

  /** A resource was deleted (warning); `reason` goes under details. */
  logDelete(
    resourceType: string,
    resourceName: string,
    reason?: string,
  ): Promise<AuditEvent> {
    const details = reason === undefined ? {} : { reason };

    return this.record({
      operation: 'delete',
      resourceType,
      resourceName,
      severity: 'warning',
      details,
    });
  }

  /** An operation on a resource failed (error). */
  logError(
    resourceType: string,
    resourceName: string,
    operation: AuditOperation,
    error: unknown,
    details: Record<string, unknown> = {},
  ): Promise<AuditEvent> {
    return this.record({
      operation,
      resourceType,
      resourceName,
      severity: 'error',
      details,
      success: false,
      error,
    });
  }

  /** A deployment of a stack starts; also starts its duration mark. */
  logDeploymentStart(
    stackName: string,
    resources: readonly string[] = [],
  ): Promise<AuditEvent> {
    const event = this.record({
      operation: 'deploy',
      resourceType: 'Stack',
      resourceName: stackName,
      severity: 'info',
      details: { phase: 'start', resources: [...resources] },
    });
    this.startOperation('Stack', stackName);

    return event;
  }

  /** A deployment completed (info), with its resource counts. */
  logDeploymentComplete(
    stackName: string,
    counts: DeploymentCounts = {},
  ): Promise<AuditEvent> {
    return this.record({
      operation: 'deploy',
      resourceType: 'Stack',
      resourceName: stackName,
      severity: 'info',
      details: {
        phase: 'complete',
        resources_created: counts.created ?? 0,
        resources_updated: counts.updated ?? 0,
        resources_deleted: counts.deleted ?? 0,
      },
    });
  }

  /**
   * A deployment failed: critical in production, error elsewhere (the
   * guide keeps critical for failures that affect production).
   */
  logDeploymentFailed(
    stackName: string,
    error: unknown,
    partialResources: Record<string, unknown> = {},
  ): Promise<AuditEvent> {
    const severity = this.environment === 'production' ? 'critical' : 'error';

    return this.record({
      operation: 'deploy',
      resourceType: 'Stack',
      resourceName: stackName,
      severity,
      details: { phase: 'failed', partial_resources: partialResources },
      success: false,
      error,
    });
  }

  /**
   * Builds, validates and writes one event (for operations without a
   * dedicated call, e.g. rotate or drift). Resolves once every sink has
   * answered; failed sinks are reported, never thrown.
   */
  async record(input: AuditRecordInput): Promise<AuditEvent> {
    const event = this.#build(input);

    const results = await Promise.allSettled(
      this.#options.sinks.map((sink) => sink.write(event)),
    );

    results.forEach((result, index) => {
      if (result.status === 'fulfilled') {
        return;
      }

      const sink = this.#options.sinks[index]?.name ?? 'unknown';
      this.failures += 1;
      const failure = new AuditSinkError(sink, result.reason);
      (this.#options.onSinkFailure ?? reportToStderr)(failure, event);
    });

    return event;
  }

  #build(input: AuditRecordInput): AuditEvent {
    const now = this.#clock.now();
    const success = input.success ?? input.error === undefined;
    const scrubbedActor = scrubText(this.#options.actor ?? 'unknown');

    return auditEventSchema.parse({
      event_id: (this.#options.newEventId ?? randomUUID)(),
      request_id: this.#options.requestId ?? null,
      timestamp: now.toISOString(),
      operation: input.operation,
      resource_type: input.resourceType,
      resource_name: scrubText(input.resourceName),
      stack: this.#options.stack ?? this.environment,
      project: this.#options.project ?? 'unknown',
      environment: this.environment,
      severity: input.severity,
      actor: scrubbedActor === '' ? REDACTED : scrubbedActor,
      details: scrubRecord(input.details ?? {}),
      success,
      error_message:
        input.error === undefined ? null : errorMessage(input.error),
      duration_ms: this.#takeDuration(input, now),
    });
  }

  #takeDuration(input: AuditRecordInput, now: Date): number | null {
    const key = `${input.resourceType}:${input.resourceName}`;
    const start = this.#starts.get(key);
    if (start === undefined) {
      return null;
    }

    this.#starts.delete(key);

    return Math.max(0, Math.trunc(now.getTime() - start));
  }
}
