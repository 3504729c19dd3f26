import type pLimit from 'p-limit';
import { type RetryOptions, retryScaleway } from '../scaleway/retry.ts';
import { IncompleteListingError, ListingFailedError } from './errors.ts';

/** The largest `page_size` Scaleway list endpoints accept. */
export const MAX_PAGE_SIZE = 100;

/** One page as the SDK's list methods resolve it, under a common shape. */
export interface ListPage<T> {
  readonly items: readonly T[];
  readonly totalCount: number;
}

/** Fetches page `page` (1-based) of `pageSize` items. */
export type PageFetcher<T> = (
  page: number,
  pageSize: number,
) => Promise<ListPage<T>>;

/** Options of {@link listAllPages}. */
export interface ListAllPagesOptions {
  /** The resource type, for errors, e.g. `secret`. */
  readonly resourceType: string;
  /** Shared limiter: every page of every listing goes through it. */
  readonly limit: ReturnType<typeof pLimit>;
  /** Items per page. Default {@link MAX_PAGE_SIZE}. */
  readonly pageSize?: number;
  /** Retry of each page (429/5xx, Retry-After). Default retryScaleway's. */
  readonly retry?: RetryOptions;
  /** Called once per HTTP page request, retries included. Default none. */
  readonly onRequest?: () => void;
}

/**
 * Lists every item of one list endpoint: page 1 tells the total, then
 * pages 2..n are fetched through the shared limiter (bounded
 * concurrency), each retried on the outside world's failures. Unlike the
 * SDK's `.all()`, it never fires every page at once, and it fails with
 * {@link ListingFailedError} or {@link IncompleteListingError} rather than
 * return a partial list, so that a caller can say "unknown" instead of
 * "missing".
 *
 * @example
 * const secrets = await listAllPages(
 *   (page, pageSize) => api.listSecrets({ page, pageSize }).then(
 *     (r) => ({ items: r.secrets, totalCount: r.totalCount })),
 *   { resourceType: 'secret', limit: pLimit(4) },
 * );
 */
export async function listAllPages<T>(
  fetchPage: PageFetcher<T>,
  options: ListAllPagesOptions,
): Promise<T[]> {
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  const fetchOne = (page: number) =>
    options.limit(() => fetchWithRetry(fetchPage, page, pageSize, options));

  const first = await fetchOne(1);
  const total = first.totalCount;
  if (first.items.length === 0 || first.items.length >= total) {
    return checkComplete([...first.items], total, options.resourceType);
  }

  const pages = Math.ceil(total / pageSize);
  const rest = await Promise.all(
    Array.from({ length: pages - 1 }, (_, index) => fetchOne(index + 2)),
  );
  const moved = rest.find((page) => page.totalCount !== total);
  if (moved !== undefined) {
    throw new IncompleteListingError(
      options.resourceType,
      total,
      moved.totalCount,
    );
  }
  const items = [first, ...rest].flatMap((page) => page.items);

  return checkComplete(items, total, options.resourceType);
}

async function fetchWithRetry<T>(
  fetchPage: PageFetcher<T>,
  page: number,
  pageSize: number,
  options: ListAllPagesOptions,
): Promise<ListPage<T>> {
  try {
    return await retryScaleway(
      () => {
        options.onRequest?.();
        return fetchPage(page, pageSize);
      },
      { operation: `list ${options.resourceType}`, ...options.retry },
    );
  } catch (error) {
    throw new ListingFailedError(options.resourceType, page, {
      cause: error,
    });
  }
}

/**
 * A list is complete when every page announced the same `total_count` and
 * it holds exactly that many items. Fewer
 * means a page came back short (items deleted while we paged, or a
 * paginator bug); more means items were added: either way we cannot
 * tell "deleted" from "not seen", so the listing is refused.
 */
function checkComplete<T>(items: T[], total: number, type: string): T[] {
  if (!Number.isFinite(total) || items.length !== total) {
    throw new IncompleteListingError(type, total, items.length);
  }

  return items;
}
