/** Managed Databases (RDB v1) for the local Scaleway API. */
export type {
  AclRule,
  DatabaseRecord,
  InstanceRecord,
  PrivilegeRecord,
  UserRecord,
} from './model.ts';
export { type RdbProductOptions, rdbProduct } from './product.ts';
