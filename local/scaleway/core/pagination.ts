import { z } from 'zod';
import { parseQuery, queryInt } from './validation.ts';

/** Default and maximum `page_size` of every list (the real API's). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A comparator per accepted `order_by` value. */
export type Orderings<T> = Readonly<Record<string, (a: T, b: T) => number>>;

/** One page of a list, before it is wrapped under its list key. */
export interface Page<T> {
  items: T[];
  totalCount: number;
}

const PagingQuery = z.object({
  page: queryInt(1, Number.MAX_SAFE_INTEGER),
  page_size: queryInt(1, MAX_PAGE_SIZE),
  order_by: z.string().optional(),
});

/**
 * Sorts and slices `items` with the request's `page` (1-based, default 1),
 * `page_size` (default 20, max 100) and `order_by` (one of `orderings`'
 * keys; `defaultOrder` when absent or an `unknown_*`-like value the
 * orderings do not know). Out-of-range paging is a 400; `total_count` is
 * always the number of matching items, not the page length.
 *
 * @example
 * const page = paginate(secrets, request.query, SECRET_ORDERINGS,
 *   'created_at_asc');
 * return ok({ secrets: page.items.map(toWire),
 *   total_count: page.totalCount });
 */
export function paginate<T>(
  items: readonly T[],
  query: URLSearchParams,
  orderings: Orderings<T> = {},
  defaultOrder?: string,
): Page<T> {
  const paging = parseQuery(PagingQuery, pick(query));
  const page = paging.page ?? 1;
  const pageSize = paging.page_size ?? DEFAULT_PAGE_SIZE;
  const compare =
    orderings[paging.order_by ?? ''] ??
    (defaultOrder === undefined ? undefined : orderings[defaultOrder]);

  const sorted = compare === undefined ? [...items] : [...items].sort(compare);
  const start = (page - 1) * pageSize;

  return {
    items: sorted.slice(start, start + pageSize),
    totalCount: sorted.length,
  };
}

/** Orderings `<field>_asc` / `<field>_desc` for string fields. */
export function byFields<T>(
  fields: Readonly<Record<string, (item: T) => string | number>>,
): Orderings<T> {
  const orderings: Record<string, (a: T, b: T) => number> = {};
  for (const [name, read] of Object.entries(fields)) {
    const ascending = (a: T, b: T) => compareValues(read(a), read(b));
    orderings[`${name}_asc`] = ascending;
    orderings[`${name}_desc`] = (a, b) => ascending(b, a);
  }

  return orderings;
}

function compareValues(a: string | number, b: string | number): number {
  if (a < b) {
    return -1;
  }

  return a > b ? 1 : 0;
}

function pick(query: URLSearchParams): URLSearchParams {
  const paging = new URLSearchParams();
  for (const key of ['page', 'page_size', 'order_by']) {
    const value = query.getAll(key).at(-1);
    if (value !== undefined) {
      paging.set(key, value);
    }
  }

  return paging;
}
