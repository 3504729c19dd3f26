import { AuditEventInvalidError } from '../errors.ts';
import type { AuditEvent } from '../event.ts';
import type { AuditSink } from '../sink.ts';
import { type ShipResult, scrubEvent } from './shipper.ts';

/** What the queue handler needs of a shipper. */
export interface EventShipper {
  readonly environment: string;
  /** Throws AuditEventInvalidError for an event of another environment. */
  assertEnvironment(event: AuditEvent): void;
  ship(events: readonly AuditEvent[]): Promise<ShipResult>;
}

/**
 * The shipper of an environment whose stack keeps no audit bucket
 * (`audit.sink: local-file`, the guide's development setting). A deployed
 * function has no lasting disk, so each event goes to the sink (stdout,
 * which Scaleway Cockpit collects) as one JSON line, and its message is
 * acknowledged once the line is written. Nothing is sealed.
 */
export class LogShipper implements EventShipper {
  readonly environment: string;
  readonly #sink: AuditSink;

  constructor(environment: string, sink: AuditSink) {
    this.environment = environment;
    this.#sink = sink;
  }

  assertEnvironment(event: AuditEvent): void {
    if (event.environment === this.environment) {
      return;
    }

    throw new AuditEventInvalidError([
      {
        path: 'environment',
        message: `this queue takes ${this.environment} events only`,
      },
    ]);
  }

  async ship(events: readonly AuditEvent[]): Promise<ShipResult> {
    for (const event of events) {
      this.assertEnvironment(event);
    }

    for (const event of events) {
      await this.#sink.write(scrubEvent(event));
    }

    return { objects: [], stored: events.length, duplicates: 0 };
  }
}
