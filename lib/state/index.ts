/**
 * The applied-state contract. Provisioning writes, after each successful
 * apply, what it applied to an environment; rotation and drift read it:
 *
 * ```ts
 * const stored = await readAppliedState(s3, config.stateBucket, 'production');
 * stored?.state.resources // [{ kind: 'secret', name: 'db-password-production',
 *                         //    id: '…', region: 'fr-par',
 *                         //    attributes: { path: '/evalap/database' } }, …]
 * ```
 *
 * Layout of the state bucket (see {@link stateKeys}):
 * `<environment>/state.json`, `<environment>/lock.json`,
 * `<environment>/requests/<requestId>.json`.
 */

export { ensureStateBucket } from './bucket.ts';
export {
  StateConflictError,
  StateCorruptError,
  StateError,
  StateStorageError,
} from './errors.ts';
export { stateKeys } from './keys.ts';
export { canonicalJson, stackRevision } from './revision.ts';
export {
  type AppliedResource,
  AppliedResourceSchema,
  type AppliedState,
  AppliedStateSchema,
  RESOURCE_KINDS,
  type ResourceKind,
} from './schema.ts';
export {
  getObjectText,
  httpStatusOf,
  type ObjectText,
  readAppliedState,
  type StoredState,
  type WriteStateOptions,
  writeAppliedState,
} from './store.ts';
