import type { Writable } from 'node:stream';

import { encodeAuditEvent } from '../event.ts';
import type { AuditSink } from '../sink.ts';

/**
 * Writes each event as one JSON line to a stream (default: stdout, which
 * Scaleway Cockpit collects). Resolves when the stream has taken the line,
 * so nothing is left queued in memory when the function returns.
 */
export function stdoutSink(stream: Writable = process.stdout): AuditSink {
  return {
    name: 'stdout',
    write: (event) =>
      new Promise((resolve, reject) => {
        stream.write(`${encodeAuditEvent(event)}\n`, (error) => {
          if (error) {
            reject(error);
            return;
          }

          resolve();
        });
      }),
  };
}
