import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

import { encodeAuditEvent } from '../event.ts';
import type { AuditSink } from '../sink.ts';

/** Where the queue sink sends events. */
export interface QueueSinkOptions {
  sqs: SQSClient;
  /** The audit queue's URL (Scaleway Queues, SQS protocol). */
  queueUrl: string;
}

/**
 * Sends each event to the audit queue, the event's JSON as the message
 * body, for ship-audit-logs to store. Resolves once the queue accepted it.
 */
export function queueSink(options: QueueSinkOptions): AuditSink {
  return {
    name: 'queue',
    write: async (event) => {
      await options.sqs.send(
        new SendMessageCommand({
          QueueUrl: options.queueUrl,
          MessageBody: encodeAuditEvent(event),
        }),
      );
    },
  };
}
