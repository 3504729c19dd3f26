import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from 'fauxqs';
import type { PlatformClock } from '../controls/clock.ts';
import { S3ReplyError } from './errors.ts';
import { registerStorageExtensions } from './extensions.ts';
import { StorageFaults, storageFaultSchema } from './faults.ts';
import { createFauxqsStores } from './fauxqs-internals.ts';
import { VersionedObjects } from './objects.ts';
import { loadQueues, saveQueues } from './queue-snapshot.ts';
import { loadSnapshot, saveSnapshot } from './snapshot.ts';

const SNAPSHOT_FILE = 'object-storage.json';
const QUEUES_FILE = 'queues.json';

/** Options of {@link startObjectStorage}. */
export interface ObjectStorageOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default: 0. */
  port?: number;
  /** The platform clock (lifecycle, object lock, version times). */
  clock: PlatformClock;
  /** Region used in queue ARNs and URLs. Default: `fr-par`. */
  region?: string;
  /**
   * Folder where buckets, their configuration and every object version
   * (`object-storage.json`), and the queues with their messages
   * (`queues.json`: names, attributes, tags, messages) are saved on close
   * and restored on start. Default: none (memory only).
   */
  dataDir?: string;
}

/** A running Object Storage + queues endpoint. */
export interface ObjectStorage {
  /** `http://127.0.0.1:<port>`: the S3 and SQS endpoint. */
  readonly endpoint: string;
  readonly port: number;
  /** The fault switch, also reachable under `/_local/storage/faults`. */
  readonly faults: StorageFaults;
  /** Applies lifecycle rules now (requests also do it). */
  sweepLifecycle(): number;
  close(): Promise<void>;
}

/**
 * Starts fauxqs (S3 + SQS on one port) with the features we rely on that
 * it lacks: bucket versioning, lifecycle expiration on the platform clock,
 * object lock and SSE-C. Reach it with `@aws-sdk/client-s3`
 * (`forcePathStyle: true`) and `@aws-sdk/client-sqs`.
 *
 * @example
 * ```ts
 * const storage = await startObjectStorage({ port: 0, clock });
 * const s3 = new S3Client({ endpoint: storage.endpoint,
 *   forcePathStyle: true, region: 'fr-par', credentials });
 * ```
 */
export async function startObjectStorage(
  options: ObjectStorageOptions,
): Promise<ObjectStorage> {
  const stores = await createFauxqsStores();
  const app = buildApp({
    logger: false,
    defaultRegion: options.region ?? 'fr-par',
    stores: stores as never,
  }) as unknown as FastifyInstance;
  const objects = new VersionedObjects(stores.s3Store, options.clock);
  const faults = new StorageFaults();
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const snapshotFile = dataDir ? join(dataDir, SNAPSHOT_FILE) : undefined;
  const queuesFile = dataDir ? join(dataDir, QUEUES_FILE) : undefined;
  if (snapshotFile) {
    await loadSnapshot(snapshotFile, stores.s3Store, objects);
  }

  registerFaultHook(app, faults);
  registerControlRoutes(app, faults, objects);
  registerStorageExtensions(app, objects, options.clock);

  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  if (queuesFile) {
    // after listen: a restored queue's URL names the port it has now
    await loadQueues(queuesFile, stores.sqsStore, port).catch(
      async (error: unknown) => {
        await app.close();
        throw error;
      },
    );
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    faults,
    sweepLifecycle: () => objects.sweepLifecycle(),
    close: async () => {
      await app.close();
      if (snapshotFile) {
        await saveSnapshot(snapshotFile, stores.s3Store, objects);
      }
      if (queuesFile) {
        await saveQueues(queuesFile, stores.sqsStore);
      }
    },
  };
}

function registerFaultHook(app: FastifyInstance, faults: StorageFaults): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/_local/')) {
      return;
    }

    const mode = faults.active();
    if (mode === 'drop') {
      request.raw.socket.destroy();
      return reply;
    }
    if (mode === 'unavailable') {
      const error = new S3ReplyError(
        'ServiceUnavailable',
        503,
        'Please reduce your request rate.',
      );
      reply.code(503).header('content-type', 'application/xml');
      return reply.send(error.toXml());
    }

    return undefined;
  });
}

function registerControlRoutes(
  app: FastifyInstance,
  faults: StorageFaults,
  objects: VersionedObjects,
): void {
  app.post('/_local/storage/faults', async (request, reply) => {
    const parsed = storageFaultSchema.safeParse(parseJson(request.body));
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      }));
      return reply.code(400).send({ type: 'invalid_arguments', issues });
    }

    faults.inject(parsed.data);

    return reply.code(204).send();
  });

  app.delete('/_local/storage/faults', async (_request, reply) => {
    faults.clear();

    return reply.code(204).send();
  });

  app.post('/_local/storage/lifecycle/sweep', async () => ({
    expired: objects.sweepLifecycle(),
  }));
}

function parseJson(body: unknown): unknown {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  if (typeof text !== 'string') {
    return text;
  }

  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
