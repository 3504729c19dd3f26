import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import {
  IncompleteListingError,
  type ListPage,
  listAllPages,
} from '../../lib/inventory/index.ts';

/** A list endpoint over `items` that may misbehave like real paginators. */
function endpoint(
  items: readonly number[],
  quirk: 'none' | 'no-total' | 'short-page' | 'total-grows' = 'none',
) {
  const requested: number[] = [];
  const fetchPage = async (
    page: number,
    size: number,
  ): Promise<ListPage<number>> => {
    requested.push(page);
    const slice = items.slice((page - 1) * size, page * size);
    return {
      items: quirk === 'short-page' && page === 2 ? slice.slice(1) : slice,
      totalCount:
        quirk === 'no-total'
          ? Number.NaN
          : quirk === 'total-grows' && page > 1
            ? items.length + 1
            : items.length,
    };
  };

  return { fetchPage, requested };
}

const options = () => ({
  resourceType: 'secret',
  limit: pLimit(2),
  pageSize: 10,
});
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('listAllPages', () => {
  it.each([
    { case: 'an empty list', count: 0, pages: [1] },
    { case: 'one partial page', count: 7, pages: [1] },
    { case: 'exactly one page', count: 10, pages: [1] },
    { case: 'several pages', count: 25, pages: [1, 2, 3] },
  ])('reads $case with $pages.length request(s)', async (row) => {
    const { fetchPage, requested } = endpoint(range(row.count));

    const items = await listAllPages(fetchPage, options());

    expect(items).toEqual(range(row.count));
    expect(requested.sort()).toEqual(row.pages);
  });

  it.each([
    { case: 'a total_count missing', quirk: 'no-total' as const },
    { case: 'a page shorter than announced', quirk: 'short-page' as const },
    { case: 'a total that moves while paging', quirk: 'total-grows' as const },
  ])('refuses a list with $case', async (row) => {
    const { fetchPage } = endpoint(range(25), row.quirk);

    await expect(listAllPages(fetchPage, options())).rejects.toBeInstanceOf(
      IncompleteListingError,
    );
  });
});
