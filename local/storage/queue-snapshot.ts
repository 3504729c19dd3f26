import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { FauxqsQueue, FauxqsSqsStore } from './fauxqs-internals.ts';

const storedQueue = z.object({
  name: z.string().min(1),
  arn: z.string().regex(/^arn:aws:sqs:[^:]+:\d+:.+$/),
  attributes: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  createdTimestamp: z.number().int(),
  lastModifiedTimestamp: z.number().int(),
});

const queueSnapshotSchema = z.object({
  version: z.literal(1),
  queues: z.array(storedQueue),
});

type QueueSnapshot = z.infer<typeof queueSnapshotSchema>;

/**
 * Writes the definition of every queue (name, ARN, attributes such as
 * `VisibilityTimeout` and `RedrivePolicy`, tags) to `file`, atomically.
 * Messages are not written.
 */
export async function saveQueues(
  file: string,
  store: FauxqsSqsStore,
): Promise<void> {
  const snapshot: QueueSnapshot = {
    version: 1,
    queues: [...store.queues.values()].map(storeQueue),
  };

  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(snapshot), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/**
 * Recreates, empty, the queues a snapshot of {@link saveQueues} lists, if
 * there is one. Their URLs are rebuilt for `port`, the port the server
 * listens on now, so a queue keeps working when the ports move. Returns
 * how many queues were restored.
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
  const snapshot = queueSnapshotSchema.parse(JSON.parse(text));

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
  };
}
