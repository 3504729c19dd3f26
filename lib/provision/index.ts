/**
 * Provisioning: plan and apply a stack, converge after any crash, keep
 * the applied state, audit every change.
 *
 * ```ts
 * const context = { clients, stateBucket, audit };
 * const plan = await planStack(context, stack);
 * const { state } = await applyStack(context, stack, { allowReplace: false });
 * ```
 */
export {
  MissingValueError,
  PolicyRejectedError,
  ProtectedSecretError,
  ProvisionError,
  ProvisionStepError,
  ReplacementRefusedError,
  UnmanagedResourceError,
} from './errors.ts';
export { type ApplyResult, applyStack, planStack } from './provision.ts';
export {
  apiKeyDescription,
  isManaged,
  MANAGED_BY_TAG,
  managedTags,
} from './tags.ts';
export type {
  FieldChange,
  Plan,
  PlanAction,
  PlanItem,
  ProgressEvent,
  ProvisionClients,
  ProvisionContext,
  ProvisionOptions,
} from './types.ts';
export {
  consumerValue,
  databaseUserPayload,
  generatePassword,
  generateSecretValue,
} from './values.ts';
