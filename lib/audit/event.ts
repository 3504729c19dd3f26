import { z } from 'zod';

import { AuditEventInvalidError, type AuditEventProblem } from './errors.ts';

/** The operations an audit event can record. */
export const AUDIT_OPERATIONS = [
  'create',
  'update',
  'delete',
  'deploy',
  'preview',
  'refresh',
  'destroy',
  'rotate',
  'drift',
] as const;

/** The severities of the guide, from normal to most serious. */
export const AUDIT_SEVERITIES = [
  'info',
  'warning',
  'error',
  'critical',
] as const;

/** What was done to the resource. */
export type AuditOperation = (typeof AUDIT_OPERATIONS)[number];

/** info: normal; warning: delete; error: failure; critical: failed prod. */
export type AuditSeverity = (typeof AUDIT_SEVERITIES)[number];

const UTC_TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00)$/;

const boundedText = (max: number) => z.string().min(1).max(max);

/**
 * The audit event of the guide, plus `event_id` (a UUID, the key used to
 * drop duplicates) and `request_id` (the invocation that caused it).
 * Unknown keys are rejected so that a typo in another system's event fails
 * loudly instead of being stored half-read.
 */
export const auditEventSchema = z
  .strictObject({
    event_id: z.uuid(),
    request_id: z.string().max(256).nullable(),
    timestamp: z
      .string()
      .regex(UTC_TIMESTAMP, 'must be ISO 8601 in UTC (Z or +00:00)')
      .refine((value) => !Number.isNaN(Date.parse(value)), 'not a date'),
    operation: z.enum(AUDIT_OPERATIONS),
    resource_type: boundedText(128),
    resource_name: boundedText(512),
    stack: boundedText(128),
    project: boundedText(128),
    environment: boundedText(64),
    severity: z.enum(AUDIT_SEVERITIES),
    actor: boundedText(256),
    details: z.record(z.string(), z.json()),
    success: z.boolean(),
    error_message: z.string().max(4096).nullable(),
    duration_ms: z.number().int().nonnegative().nullable(),
  })
  .refine((event) => JSON.stringify(event.details).length <= 64 * 1024, {
    path: ['details'],
    message: 'larger than 64 KiB once encoded',
  });

/** One audit event, as stored and shipped. */
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** The outcome of reading an event from outside: the event or problems. */
export type AuditEventParse =
  | { ok: true; event: AuditEvent }
  | { ok: false; problems: AuditEventProblem[] };

/**
 * Checks a value against the event schema and lists every problem at once,
 * each with its path (`details.x`, `timestamp`, or `(root)`).
 */
export function parseAuditEvent(value: unknown): AuditEventParse {
  const result = auditEventSchema.safeParse(value);
  if (result.success) {
    return { ok: true, event: result.data };
  }

  const problems = result.error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(root)' : issue.path.join('.'),
    message: issue.message,
  }));

  return { ok: false, problems };
}

/**
 * Parses one JSON text into an event. Throws AuditEventInvalidError with
 * every problem when the text is not JSON or not a valid event.
 */
export function decodeAuditEvent(text: string): AuditEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AuditEventInvalidError([
      { path: '(root)', message: 'body is not JSON' },
    ]);
  }

  const parsed = parseAuditEvent(value);
  if (!parsed.ok) {
    throw new AuditEventInvalidError(parsed.problems);
  }

  return parsed.event;
}

/**
 * Encodes an event as exactly one line of JSON (no trailing newline).
 * JSON escapes CR, LF and every other control character; U+2028 and
 * U+2029 are escaped too so that no reader splits the line on them.
 */
export function encodeAuditEvent(event: AuditEvent): string {
  return JSON.stringify(event)
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029')
    .replaceAll('\u0085', '\\u0085');
}

/** The start of the UTC hour the event belongs to. */
export function eventHour(event: AuditEvent): Date {
  const time = new Date(Date.parse(event.timestamp));
  time.setUTCMinutes(0, 0, 0);

  return time;
}
