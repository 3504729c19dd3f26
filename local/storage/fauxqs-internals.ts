import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Access to fauxqs's in-memory stores. fauxqs exports `buildApp`, which
 * accepts its stores, but not the store classes themselves; we load them
 * from the package's files so the storage extensions can read and write
 * objects directly.
 */

/** An object as fauxqs keeps it. */
export interface FauxqsObject {
  key: string;
  body: Buffer;
  contentType: string;
  contentLength: number;
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

/** The part of fauxqs's S3 store the extensions use. */
export interface FauxqsS3Store {
  createBucket(name: string): void;
  hasBucket(name: string): boolean;
  listObjects(
    bucket: string,
    options: { maxKeys: number },
  ): { objects: FauxqsObject[] };
  listBuckets(): { name: string; creationDate: Date }[];
  putObject(
    bucket: string,
    key: string,
    body: Buffer,
    contentType?: string,
    metadata?: Record<string, string>,
  ): FauxqsObject;
  getObject(bucket: string, key: string): FauxqsObject;
  deleteObject(bucket: string, key: string): void;
}

/**
 * A message as fauxqs keeps it: `messageId`, `body`, its digests, send
 * time, receive count, attributes (a `BinaryValue` is a Buffer), and the
 * FIFO group and deduplication ids. Kept as a plain record.
 */
export type FauxqsMessage = Record<string, unknown> & {
  messageId: string;
  body: string;
};

/** A queue as fauxqs keeps it (the parts a snapshot needs). */
export interface FauxqsQueue {
  name: string;
  url: string;
  arn: string;
  /** Settable attributes, defaults included (`VisibilityTimeout`, …). */
  attributes: Record<string, string>;
  tags: Map<string, string>;
  /** Seconds since the epoch. */
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  /** Visible messages of a standard queue. */
  messages: FauxqsMessage[];
  /** Messages sent with a delay that has not ended. */
  delayedMessages: FauxqsMessage[];
  /** Received, not yet deleted, by receipt handle. */
  inflightMessages: Map<string, { message: FauxqsMessage }>;
  /** FIFO queues: visible and delayed messages by group. */
  fifoMessages: Map<string, FauxqsMessage[]>;
  fifoDelayed: Map<string, FauxqsMessage[]>;
  /** Adds a message as a send does (delay and FIFO group honoured). */
  enqueue(message: FauxqsMessage): void;
}

/** The part of fauxqs's SQS store the queue snapshot uses. */
export interface FauxqsSqsStore {
  /** Queues by URL. */
  queues: Map<string, FauxqsQueue>;
  createQueue(
    name: string,
    url: string,
    arn: string,
    attributes?: Record<string, string>,
    tags?: Record<string, string>,
  ): FauxqsQueue;
  /** `http://sqs.<region>.localhost:<port>/000000000000/<name>`. */
  buildQueueUrl(
    name: string,
    port: string,
    requestHost: string,
    region: string,
  ): string;
  getQueueByArn(arn: string): FauxqsQueue | undefined;
}

/** The three stores fauxqs's `buildApp` accepts. */
export interface FauxqsStores {
  sqsStore: FauxqsSqsStore;
  snsStore: unknown;
  s3Store: FauxqsS3Store;
}

type StoreModule = Record<string, new () => unknown>;

// These paths are fauxqs 1.9.2 internals, not its public API: the version
// is pinned exactly in package.json, and an upgrade that moves them fails
// here, at start, with a clear error (test/local/storage).
const STORE_FILES = {
  sqsStore: ['./sqs/sqsStore.js', 'SqsStore'],
  snsStore: ['./sns/snsStore.js', 'SnsStore'],
  s3Store: ['./s3/s3Store.js', 'S3Store'],
} as const;

/** The URL of fauxqs's entry file, found the way Node finds packages. */
function fauxqsEntry(): URL {
  const require = createRequire(import.meta.url);
  const folders = require.resolve.paths('fauxqs') ?? [];
  const found = folders
    .map((folder) => join(folder, 'fauxqs', 'dist', 'app.js'))
    .find((file) => existsSync(file));
  if (!found) {
    throw new Error('fauxqs is not installed');
  }

  return pathToFileURL(found);
}

/** Creates fresh fauxqs stores. */
export async function createFauxqsStores(): Promise<FauxqsStores> {
  const entry = fauxqsEntry();
  const stores: Record<string, unknown> = {};

  for (const [name, [file, className]] of Object.entries(STORE_FILES)) {
    const module = (await import(new URL(file, entry).href)) as StoreModule;
    const StoreClass = module[className];
    if (!StoreClass) {
      throw new Error(`fauxqs internals moved: ${className} not found`);
    }
    stores[name] = new StoreClass();
  }

  return stores as unknown as FauxqsStores;
}

/** fauxqs's decoder for `Content-Encoding: aws-chunked` bodies. */
export async function loadChunkedDecoder(): Promise<(b: Buffer) => Buffer> {
  const entry = fauxqsEntry();
  const file = new URL('./s3/chunkedEncoding.js', entry).href;
  const module = (await import(file)) as {
    decodeAwsChunked: (b: Buffer) => Buffer;
  };

  return module.decodeAwsChunked;
}
