import type { Environment } from '../stack/index.ts';

/** The tag every managed resource carries. */
export const MANAGED_BY_TAG = 'managed-by=evalap-infra';

/** Tags of a managed resource of an environment. */
export function managedTags(environment: Environment): string[] {
  return [MANAGED_BY_TAG, `environment=${environment}`];
}

/** True when `tags` mark a resource managed for `environment`. */
export function isManaged(
  tags: readonly string[] | undefined,
  environment: Environment,
): boolean {
  const list = tags ?? [];

  return managedTags(environment).every((tag) => list.includes(tag));
}

/**
 * Description of the IAM API keys provisioning creates (API keys carry
 * no tags): how they are found again after a crash.
 */
export function apiKeyDescription(secretDeployedName: string): string {
  return `evalap-infra: value of secret ${secretDeployedName}`;
}
