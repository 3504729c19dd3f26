export {
  IncompleteListingError,
  InventoryError,
  InventoryScopeError,
  ListingFailedError,
} from './errors.ts';
export {
  type Inventory,
  InventoryReader,
  type InventoryReaderOptions,
} from './inventory.ts';
export { TYPE_LISTERS, type TypeLister } from './listers.ts';
export {
  type ListAllPagesOptions,
  type ListPage,
  listAllPages,
  MAX_PAGE_SIZE,
  type PageFetcher,
} from './paginate.ts';
export {
  environmentTag,
  type InventoryApis,
  type InventoryScope,
  type LiveObjects,
  type LiveResource,
  MANAGED_BY_TAG,
  RESOURCE_TYPES,
  type ResourceType,
  type TypeListing,
} from './types.ts';
