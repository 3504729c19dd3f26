import type { Environment } from './vocabulary.ts';

/**
 * The name a declared resource is deployed under: `{name}-{environment}`,
 * e.g. `db-password` in production is `db-password-production`. Applies to
 * secrets, IAM applications and policies, the VPC, the private network,
 * the container namespace, containers, the database instance, buckets and
 * queues.
 */
export function deployedName(name: string, environment: Environment): string {
  return `${name}-${environment}`;
}
