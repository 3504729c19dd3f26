import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

import { AuditError, type AuditEventProblem } from '../errors.ts';
import { type AuditEvent, decodeAuditEvent } from '../event.ts';
import { scrubText } from '../scrub.ts';
import type { EventShipper } from './log-shipper.ts';

/** The answer to one queue-triggered invocation. */
export interface AuditMessageOutcome {
  /** 200 stored or duplicate; 400 invalid; 503 retry later; 500 bug. */
  statusCode: 200 | 400 | 500 | 503;
  stored: number;
  duplicates: number;
  problems: AuditEventProblem[];
  /** A safe, value-free description of a failure, for the log. */
  error?: string;
}

function failureText(error: unknown): string {
  if (!(error instanceof Error)) {
    return 'unknown failure';
  }

  const cause = error.cause instanceof Error ? `: ${error.cause.name}` : '';

  return scrubText(`${error.message}${cause}`);
}

/**
 * Handles one message of the queue trigger (Scaleway sends one message per
 * invocation and retries when the status is 300 or more).
 *
 * An invalid event gets 400 with every problem: the platform retries it a
 * few times, then the queue's dead-letter policy moves it aside; it is
 * never stored. A storage failure gets 503 so the message is retried.
 */
export async function handleAuditMessage(
  body: string,
  shipper: EventShipper,
): Promise<AuditMessageOutcome> {
  let event: AuditEvent;
  try {
    event = decodeAuditEvent(body);
    shipper.assertEnvironment(event);
  } catch (error) {
    const problems =
      (error as { problems?: AuditEventProblem[] }).problems ?? [];

    return { statusCode: 400, stored: 0, duplicates: 0, problems };
  }

  try {
    const result = await shipper.ship([event]);

    return {
      statusCode: 200,
      stored: result.stored,
      duplicates: result.duplicates,
      problems: [],
    };
  } catch (error) {
    const retryable = error instanceof AuditError && error.retryable;

    return {
      statusCode: retryable ? 503 : 500,
      stored: 0,
      duplicates: 0,
      problems: [],
      error: failureText(error),
    };
  }
}

/** Options of drainAuditQueue. */
export interface DrainOptions {
  sqs: SQSClient;
  /** Queues drained in order: the audit queue, then its dead-letter queue. */
  queueUrls: readonly string[];
  shipper: EventShipper;
  /** Events gathered before one object is written. Default: 100. */
  eventsPerObject?: number;
  /** Messages read per run at most, to bound the run. Default: 5000. */
  maxMessages?: number;
}

/** A message that was not stored because its event is invalid. */
export interface RejectedMessage {
  queueUrl: string;
  messageId: string;
  problems: AuditEventProblem[];
}

/** The report of one CRON run. */
export interface DrainReport {
  received: number;
  stored: number;
  duplicates: number;
  deleted: number;
  objects: string[];
  rejected: RejectedMessage[];
  /** Queues that do not exist (e.g. no dead-letter queue), skipped. */
  missingQueues: string[];
  /** Set when a storage or queue failure stopped the run early. */
  failure?: string;
}

interface Pending {
  message: Message;
  event: AuditEvent;
}

/**
 * Drains the audit queues (CRON mode): reads messages in batches of ten,
 * stores their events, and deletes a message only after its event is
 * durably stored. Invalid events are left in the queue (its redrive policy
 * moves them to the dead-letter queue) and reported. When storage fails,
 * the run stops, the unstored messages are made visible again, and the
 * next run resumes with them.
 *
 * The dead-letter queue is drained too, so valid events that reached it
 * during a long storage outage are still shipped; invalid ones stay there.
 */
export async function drainAuditQueue(
  options: DrainOptions,
): Promise<DrainReport> {
  const report: DrainReport = {
    received: 0,
    stored: 0,
    duplicates: 0,
    deleted: 0,
    objects: [],
    rejected: [],
    missingQueues: [],
  };

  for (const queueUrl of options.queueUrls) {
    const completed = await drainOne(queueUrl, options, report);
    if (!completed) {
      break;
    }
  }

  return report;
}

async function drainOne(
  queueUrl: string,
  options: DrainOptions,
  report: DrainReport,
): Promise<boolean> {
  const perObject = options.eventsPerObject ?? 100;
  const maxMessages = options.maxMessages ?? 5000;
  const seen = new Set<string>();
  let pending: Pending[] = [];

  while (report.received < maxMessages) {
    const messages = await receive(options.sqs, queueUrl, report);
    if (messages === null) {
      return false;
    }

    const fresh = messages.filter((m) => !seen.has(m.MessageId ?? ''));
    for (const message of fresh) {
      seen.add(message.MessageId ?? '');
      report.received += 1;
      const item = readMessage(queueUrl, message, options.shipper, report);
      if (item !== null) {
        pending.push(item);
      }
    }

    const lastBatch = fresh.length === 0;
    if (pending.length >= perObject || (lastBatch && pending.length > 0)) {
      const stored = await storeAndDelete(queueUrl, pending, options, report);
      if (!stored) {
        return false;
      }
      pending = [];
    }

    if (lastBatch) {
      return true;
    }
  }

  return storeAndDelete(queueUrl, pending, options, report);
}

async function receive(
  sqs: SQSClient,
  queueUrl: string,
  report: DrainReport,
): Promise<Message[] | null> {
  try {
    const response = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );

    return response.Messages ?? [];
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (/NonExistentQueue|QueueDoesNotExist/.test(name)) {
      report.missingQueues.push(queueUrl);

      return [];
    }

    report.failure = `receive failed: ${failureText(error)}`;

    return null;
  }
}

function readMessage(
  queueUrl: string,
  message: Message,
  shipper: EventShipper,
  report: DrainReport,
): Pending | null {
  try {
    const event = decodeAuditEvent(message.Body ?? '');
    shipper.assertEnvironment(event);

    return { message, event };
  } catch (error) {
    report.rejected.push({
      queueUrl,
      messageId: message.MessageId ?? '',
      problems: (error as { problems?: AuditEventProblem[] }).problems ?? [],
    });

    return null;
  }
}

async function storeAndDelete(
  queueUrl: string,
  pending: readonly Pending[],
  options: DrainOptions,
  report: DrainReport,
): Promise<boolean> {
  if (pending.length === 0) {
    return true;
  }

  try {
    const result = await options.shipper.ship(pending.map((p) => p.event));
    report.stored += result.stored;
    report.duplicates += result.duplicates;
    report.objects.push(...result.objects);
  } catch (error) {
    report.failure = `storage failed: ${failureText(error)}`;
    await release(options.sqs, queueUrl, pending);

    return false;
  }

  return acknowledge(options.sqs, queueUrl, pending, report);
}

async function acknowledge(
  sqs: SQSClient,
  queueUrl: string,
  pending: readonly Pending[],
  report: DrainReport,
): Promise<boolean> {
  for (let start = 0; start < pending.length; start += 10) {
    const batch = pending.slice(start, start + 10);
    try {
      const response = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((item, index) => ({
            Id: String(index),
            ReceiptHandle: item.message.ReceiptHandle,
          })),
        }),
      );
      report.deleted += response.Successful?.length ?? 0;
    } catch (error) {
      // Stored but not deleted: the redelivery is dropped as a duplicate.
      report.failure = `delete failed: ${failureText(error)}`;

      return false;
    }
  }

  return true;
}

async function release(
  sqs: SQSClient,
  queueUrl: string,
  pending: readonly Pending[],
): Promise<void> {
  await Promise.allSettled(
    pending.map((item) =>
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: item.message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      ),
    ),
  );
}
