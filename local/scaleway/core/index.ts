/**
 * The core of the local Scaleway API: routing, errors with the real wire
 * bodies, validation, pagination, the resource store and the product
 * interface. Product modules import from here only.
 */
export {
  TokenAuthenticator,
  type TokenVerdict,
  type TokenVerifier,
} from './auth.ts';
export * from './errors.ts';
export {
  byFields,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type Orderings,
  type Page,
  paginate,
} from './pagination.ts';
export {
  type AccountDefaults,
  defineProduct,
  type ProductContext,
  type ScalewayProduct,
} from './product.ts';
export {
  type ApiReply,
  type ApiRequest,
  type HttpMethod,
  noContent,
  ok,
  type RequestHook,
  type RouteHandler,
  Router,
} from './router.ts';
export {
  Collection,
  type CollectionSpec,
  ResourceStore,
  STORE_FILE_NAME,
} from './store.ts';
export {
  parseBody,
  parseQuery,
  queryArray,
  queryBoolean,
  queryInt,
  queryString,
} from './validation.ts';
export {
  isUuid,
  newId,
  pathParam,
  REGIONS,
  type Region,
  regionParam,
  timestamp,
  ZONES,
  type Zone,
  zoneParam,
} from './wire.ts';
