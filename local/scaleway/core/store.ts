import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ResourceNotFoundError } from './errors.ts';

/** How a kind of resource is kept. */
export interface CollectionSpec<T> {
  /** Unique name of the kind, `<product>.<resource>`, e.g. `vpc.vpc`. */
  kind: string;
  /** The `resource` named in a 404 body, e.g. `private_network`. */
  resource: string;
  /** The record's key. Default: its `id` field. */
  keyOf?: (record: T) => string;
}

/** The file a store persists to, inside the data folder. */
export const STORE_FILE_NAME = 'scaleway-api.json';

interface StoreFile {
  version: 1;
  collections: Record<string, unknown[]>;
}

/**
 * In-memory resources of every product, one typed `Collection` per kind,
 * persisted as one JSON file in `dataDir` when one is given (state then
 * survives a restart). Records must be plain JSON values (timestamps as
 * RFC 3339 strings).
 *
 * @example
 * const store = ResourceStore.open({ dataDir: '.local-platform' });
 * const vpcs = store.collection<VpcRecord>({ kind: 'vpc.vpc',
 *   resource: 'vpc' });
 */
export class ResourceStore {
  readonly #file: string | undefined;
  readonly #loaded: Record<string, unknown[]>;
  readonly #collections = new Map<string, Collection<unknown>>();
  #dirty = false;

  private constructor(file: string | undefined, loaded: StoreFile) {
    this.#file = file;
    this.#loaded = loaded.collections;
  }

  /**
   * Opens a store; with `dataDir`, loads `scaleway-api.json` from it if it
   * exists. Without `dataDir` (the default) state lives in memory only.
   */
  static open(options: { dataDir?: string | undefined } = {}): ResourceStore {
    if (options.dataDir === undefined) {
      return new ResourceStore(undefined, { version: 1, collections: {} });
    }

    const file = join(options.dataDir, STORE_FILE_NAME);

    return new ResourceStore(file, readStoreFile(file));
  }

  /** The collection of a kind; the same instance for the same `kind`. */
  collection<T>(spec: CollectionSpec<T>): Collection<T> {
    const existing = this.#collections.get(spec.kind);
    if (existing !== undefined) {
      return existing as Collection<T>;
    }

    const records = (this.#loaded[spec.kind] ?? []) as T[];
    const created = new Collection<T>(spec, records, () => {
      this.#dirty = true;
    });
    this.#collections.set(spec.kind, created as Collection<unknown>);

    return created;
  }

  /** Writes the file if anything changed since the last flush. */
  flush(): void {
    if (this.#file === undefined || !this.#dirty) {
      return;
    }

    const collections: Record<string, unknown[]> = { ...this.#loaded };
    for (const [kind, collection] of this.#collections) {
      collections[kind] = collection.all();
    }
    const content: StoreFile = { version: 1, collections };

    mkdirSync(dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(content));
    renameSync(temporary, this.#file);
    this.#dirty = false;
  }
}

function readStoreFile(file: string): StoreFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { version: 1, collections: {} };
    }
    throw error;
  }

  const parsed = JSON.parse(text) as Partial<StoreFile>;
  if (parsed.version !== 1 || typeof parsed.collections !== 'object') {
    throw new Error(`unsupported store file format: ${file}`);
  }

  return { version: 1, collections: parsed.collections };
}

/**
 * The records of one kind, in insertion order. Reads return the stored
 * record (treat it as read-only); every change goes through `insert`,
 * `update` or `delete` so the store knows to persist it.
 */
export class Collection<T> {
  readonly resource: string;
  readonly #records = new Map<string, T>();
  readonly #keyOf: (record: T) => string;
  readonly #changed: () => void;

  constructor(
    spec: CollectionSpec<T>,
    records: readonly T[],
    changed: () => void,
  ) {
    this.resource = spec.resource;
    this.#keyOf =
      spec.keyOf ?? ((record) => (record as { id: string }).id as string);
    this.#changed = changed;
    for (const record of records) {
      this.#records.set(this.#keyOf(record), record);
    }
  }

  /** The record with this key, or `undefined`. */
  get(key: string): T | undefined {
    return this.#records.get(key);
  }

  /** The record with this key; throws a 404 `ResourceNotFoundError`. */
  require(key: string): T {
    const record = this.#records.get(key);
    if (record === undefined) {
      throw new ResourceNotFoundError(this.resource, key);
    }

    return record;
  }

  /** Every record, in insertion order. */
  all(): T[] {
    return [...this.#records.values()];
  }

  /** The records that satisfy `predicate`, in insertion order. */
  filter(predicate: (record: T) => boolean): T[] {
    return this.all().filter(predicate);
  }

  /** Adds (or replaces) a record and returns it. */
  insert(record: T): T {
    this.#records.set(this.#keyOf(record), record);
    this.#changed();

    return record;
  }

  /**
   * Replaces the record with `change(current)`; throws a 404 if the key is
   * unknown. Returns the new record.
   */
  update(key: string, change: (current: T) => T): T {
    const next = change(this.require(key));
    this.#records.set(key, next);
    this.#changed();

    return next;
  }

  /** Removes a record; returns whether it existed. */
  delete(key: string): boolean {
    const existed = this.#records.delete(key);
    if (existed) {
      this.#changed();
    }

    return existed;
  }
}
