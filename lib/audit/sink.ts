import type { AuditEvent } from './event.ts';

/**
 * A place an audit event is written to. `write` resolves only once the
 * event is accepted by the sink (flushed to the stream, appended to the
 * file, acknowledged by the queue), never earlier.
 */
export interface AuditSink {
  /** A short name used in failure reports: stdout, file, queue. */
  readonly name: string;
  write(event: AuditEvent): Promise<void>;
}
