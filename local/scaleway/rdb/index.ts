/** Managed Databases (RDB v1) for the local Scaleway API. */
export type { AclRule, InstanceRecord, UserRecord } from './model.ts';
export { type RdbProductOptions, rdbProduct } from './product.ts';
