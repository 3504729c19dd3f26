import type { Iamv1alpha1 } from '@scaleway/sdk-iam';
import type { Rdbv1 } from '@scaleway/sdk-rdb';
import pLimit from 'p-limit';
import type { RetryOptions } from '../scaleway/retry.ts';
import { InventoryScopeError } from './errors.ts';
import { listContainersPage, TYPE_LISTERS } from './listers.ts';
import { listAllPages, MAX_PAGE_SIZE } from './paginate.ts';
import {
  type InventoryApis,
  type InventoryScope,
  RESOURCE_TYPES,
  type ResourceType,
  type TypeListing,
} from './types.ts';

/** Options of {@link InventoryReader}. */
export interface InventoryReaderOptions {
  readonly apis: InventoryApis;
  readonly scope: InventoryScope;
  /** Requests in flight at once, across every listing. Default 4. */
  readonly concurrency?: number;
  /** Items per page. Default 100 (the API maximum). */
  readonly pageSize?: number;
  /**
   * Retry of each page on 429/5xx/network, honouring `Retry-After`.
   * Default: 3 retries, 250 ms doubling to 4 s, Retry-After up to 30 s.
   */
  readonly retry?: RetryOptions;
}

/** Every type's listing, and what it cost. */
export interface Inventory {
  readonly listings: { readonly [K in ResourceType]: TypeListing<K> };
  /** HTTP requests made by the listings, retries included. */
  readonly requests: number;
  /**
   * The fewest list pages that could have returned what was listed: one
   * per listed type, more for types holding more than a page.
   */
  readonly minimumPages: number;
}

const DEFAULT_RETRY: RetryOptions = {
  retries: 3,
  minDelayMs: 250,
  maxDelayMs: 4_000,
};

/**
 * Reads live resources with list calls only: one paginated listing per
 * type, every page through one limiter (bounded concurrency), each page
 * retried with backoff on the outside world's failures. A type whose
 * listing fails is `unknown`, never empty. Detail lists (a policy's
 * rules, a database's ACL) are read on request for the few resources
 * that need them, through the same limiter and retry.
 *
 * The provisioning plan and the drift check share it.
 *
 * @example
 * const reader = new InventoryReader({ apis, scope });
 * const inventory = await reader.readAll();
 * if (inventory.listings.secret.status === 'unknown') { ... }
 */
export class InventoryReader {
  readonly #options: InventoryReaderOptions;
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #retry: RetryOptions;
  #requests = 0;

  constructor(options: InventoryReaderOptions) {
    this.#options = options;
    this.#limit = pLimit(options.concurrency ?? 4);
    this.#retry = options.retry ?? DEFAULT_RETRY;
  }

  /** HTTP requests made so far by this reader, retries included. */
  get requests(): number {
    return this.#requests;
  }

  /**
   * Lists `types` (default: all) concurrently; never throws. Containers
   * are listed per namespace, so listing them lists namespaces too.
   */
  async readAll(
    types: readonly ResourceType[] = RESOURCE_TYPES,
  ): Promise<Inventory> {
    const before = this.#requests;
    const wanted = (type: ResourceType) => types.includes(type);
    const namespaces =
      wanted('container-namespace') || wanted('container')
        ? this.list('container-namespace')
        : Promise.resolve(skipped<'container-namespace'>());
    const containers = wanted('container')
      ? namespaces.then((listing) => this.#listContainers(listing))
      : Promise.resolve({ listing: skipped<'container'>(), pages: 0 });
    const others = RESOURCE_TYPES.filter(
      (type) => type !== 'container' && type !== 'container-namespace',
    );
    const entries = await Promise.all(
      others.map(async (type) => {
        const listing = wanted(type) ? await this.list(type) : skipped();
        return [type, listing] as const;
      }),
    );
    const containerResult = await containers;
    const listings = {
      ...Object.fromEntries(entries),
      'container-namespace': await namespaces,
      container: containerResult.listing,
    } as Inventory['listings'];

    return {
      listings,
      requests: this.#requests - before,
      minimumPages:
        minimumPages(
          Object.entries(listings)
            .filter(([type]) => type !== 'container')
            .map(([, listing]) => listing),
          this.#pageSize(),
        ) + containerResult.pages,
    };
  }

  /** Lists one type; a failure becomes `unknown` with its reason. */
  async list<K extends Exclude<ResourceType, 'container'>>(
    type: K,
  ): Promise<TypeListing<K>> {
    const { apis, scope } = this.#options;
    if (type.startsWith('iam-') && scope.organizationId === undefined) {
      const error = new InventoryScopeError(type, 'an organization id');
      return { status: 'unknown', reason: error.message, error };
    }

    const lister = TYPE_LISTERS[type];
    try {
      const resources = await listAllPages(
        (page, pageSize) => lister(apis, scope, page, pageSize),
        this.#pagingOptions(type),
      );
      return { status: 'listed', resources } as TypeListing<K>;
    } catch (error) {
      return { status: 'unknown', reason: reasonOf(error), error };
    }
  }

  async #listContainers(
    namespaces: TypeListing<'container-namespace'>,
  ): Promise<{ listing: TypeListing<'container'>; pages: number }> {
    if (namespaces.status === 'unknown') {
      const reason = `container namespaces unknown (${namespaces.reason})`;
      return {
        listing: { status: 'unknown', reason, error: namespaces.error },
        pages: 0,
      };
    }

    const { apis, scope } = this.#options;
    try {
      const perNamespace = await Promise.all(
        namespaces.resources.map((namespace) =>
          listAllPages(
            (page, pageSize) =>
              listContainersPage(apis, scope, namespace.id, page, pageSize),
            this.#pagingOptions('container'),
          ),
        ),
      );
      const pages = perNamespace.reduce(
        (sum, items) =>
          sum + Math.max(1, Math.ceil(items.length / this.#pageSize())),
        0,
      );
      return {
        listing: { status: 'listed', resources: perNamespace.flat() },
        pages,
      };
    } catch (error) {
      return {
        listing: { status: 'unknown', reason: reasonOf(error), error },
        pages: 0,
      };
    }
  }

  /** Every rule of one IAM policy (throws a ListingFailedError). */
  policyRules(policyId: string): Promise<Iamv1alpha1.Rule[]> {
    return listAllPages(async (page, pageSize) => {
      const r = await this.#options.apis.iam.listRules({
        policyId,
        page,
        pageSize,
      });
      return { items: r.rules, totalCount: r.totalCount };
    }, this.#pagingOptions('iam-rule'));
  }

  /** Every ACL rule of one database instance (throws when it fails). */
  databaseAcl(instanceId: string): Promise<Rdbv1.ACLRule[]> {
    return listAllPages(async (page, pageSize) => {
      const r = await this.#options.apis.rdb.listInstanceACLRules({
        region: this.#options.scope.region,
        instanceId,
        page,
        pageSize,
      });
      return { items: r.rules, totalCount: r.totalCount };
    }, this.#pagingOptions('database-acl'));
  }

  /**
   * Runs one other read (e.g. a secret version access) through the same
   * limiter and request count; the caller retries it if it wants to.
   */
  read<T>(call: () => Promise<T>): Promise<T> {
    return this.#limit(() => {
      this.#requests += 1;
      return call();
    });
  }

  #pageSize(): number {
    return this.#options.pageSize ?? MAX_PAGE_SIZE;
  }

  #pagingOptions(resourceType: string) {
    return {
      resourceType,
      limit: this.#limit,
      pageSize: this.#pageSize(),
      retry: this.#retry,
      onRequest: () => {
        this.#requests += 1;
      },
    };
  }
}

function skipped<K extends ResourceType>(): TypeListing<K> {
  return { status: 'unknown', reason: 'not listed in this run', error: null };
}

function minimumPages(
  listings: readonly TypeListing[],
  pageSize: number,
): number {
  return listings.reduce((sum, listing) => {
    if (listing.status !== 'listed') return sum;

    return sum + Math.max(1, Math.ceil(listing.resources.length / pageSize));
  }, 0);
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return 'listing failed';

  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';

  return `${error.message}${cause}`;
}
