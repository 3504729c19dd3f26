import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  type AuditSink,
  fileSink,
  queueSink,
  stdoutSink,
} from '../audit/index.ts';
import type { Stack } from '../stack/index.ts';
import { type CommandIo, errorStream } from './output.ts';

/**
 * Where a command's audit events go, as the stack declares: its local
 * file (`audit.sink: file`, development, kept 7 days), else the audit
 * queue when one is configured (shipped to the audit bucket), else the
 * command's stderr as JSON lines (stdout holds the command's output).
 *
 * @param auditQueueUrl - `EVALAP_AUDIT_QUEUE_URL`, if set.
 */
export function commandAuditSinks(
  stack: Stack,
  io: CommandIo,
  queue: { sqs: SQSClient; auditQueueUrl: string | undefined },
): AuditSink[] {
  const { audit } = stack;
  if (audit.sink === 'file' && audit.filePath !== undefined) {
    return [fileSink({ file: audit.filePath })];
  }
  if (queue.auditQueueUrl !== undefined) {
    return [queueSink({ sqs: queue.sqs, queueUrl: queue.auditQueueUrl })];
  }

  return [stdoutSink(errorStream(io))];
}
