import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import type {
  FauxqsMessage,
  FauxqsQueue,
  FauxqsSqsStore,
} from './fauxqs-internals.ts';

const storedQueue = z.object({
  name: z.string().min(1),
  arn: z.string().regex(/^arn:aws:sqs:[^:]+:\d+:.+$/),
  attributes: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  createdTimestamp: z.number().int(),
  lastModifiedTimestamp: z.number().int(),
  // version 1 snapshots kept no messages
  messages: z
    .array(z.looseObject({ messageId: z.string(), body: z.string() }))
    .default([]),
});

const queueSnapshotSchema = z.object({
  version: z.union([z.literal(1), z.literal(2)]),
  queues: z.array(storedQueue),
});

type QueueSnapshot = z.infer<typeof queueSnapshotSchema>;

/**
 * Writes every queue (name, ARN, attributes such as `VisibilityTimeout`
 * and `RedrivePolicy`, tags) with its messages to `file`, atomically.
 * A message received and not deleted is saved as a visible one: after a
 * restart it is delivered again, as after a consumer crash.
 */
export async function saveQueues(
  file: string,
  store: FauxqsSqsStore,
): Promise<void> {
  const snapshot: QueueSnapshot = {
    version: 2,
    queues: [...store.queues.values()].map(storeQueue),
  };

  await mkdir(dirname(file), { recursive: true });
  const text = JSON.stringify(snapshot, encodeBinary);
  await writeFileAtomic(file, text, { mode: 0o600 });
}

/**
 * Recreates the queues a snapshot of {@link saveQueues} lists, with their
 * messages, if there is one. Their URLs are rebuilt for `port`, the port
 * the server listens on now, so a queue keeps working when the ports
 * move. Returns how many queues were restored.
 */
export async function loadQueues(
  file: string,
  store: FauxqsSqsStore,
  port: number,
): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return 0;
  }
  const snapshot = queueSnapshotSchema.parse(JSON.parse(text, decodeBinary));

  let restored = 0;
  for (const stored of snapshot.queues) {
    if (store.getQueueByArn(stored.arn) !== undefined) continue;

    const region = stored.arn.split(':')[3] ?? '';
    const url = store.buildQueueUrl(stored.name, String(port), '', region);
    const queue = store.createQueue(
      stored.name,
      url,
      stored.arn,
      stored.attributes,
      stored.tags,
    );
    queue.createdTimestamp = stored.createdTimestamp;
    queue.lastModifiedTimestamp = stored.lastModifiedTimestamp;
    for (const message of stored.messages) {
      queue.enqueue(message as FauxqsMessage);
    }
    restored += 1;
  }

  return restored;
}

function storeQueue(queue: FauxqsQueue): QueueSnapshot['queues'][number] {
  return {
    name: queue.name,
    arn: queue.arn,
    attributes: { ...queue.attributes },
    tags: Object.fromEntries(queue.tags),
    createdTimestamp: queue.createdTimestamp,
    lastModifiedTimestamp: queue.lastModifiedTimestamp,
    messages: messagesOf(queue),
  };
}

/** Every message of a queue, received ones first (sent earliest). */
function messagesOf(queue: FauxqsQueue): FauxqsMessage[] {
  const received = [...queue.inflightMessages.values()].map(
    (entry) => entry.message,
  );

  return [
    ...received,
    ...queue.messages,
    ...queue.delayedMessages,
    ...[...queue.fifoMessages.values()].flat(),
    ...[...queue.fifoDelayed.values()].flat(),
  ];
}

/** JSON replacer: a Buffer (a binary attribute) as `{ $binary: base64 }`. */
function encodeBinary(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];

  return Buffer.isBuffer(original)
    ? { $binary: original.toString('base64') }
    : value;
}

/** JSON reviver: the inverse of {@link encodeBinary}. */
function decodeBinary(_key: string, value: unknown): unknown {
  const binary = (value as { $binary?: unknown } | null)?.$binary;

  return typeof binary === 'string' ? Buffer.from(binary, 'base64') : value;
}
