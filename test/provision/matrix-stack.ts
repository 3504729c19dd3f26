import type { Stack } from '../../lib/stack/index.ts';

/**
 * A smaller production stack for the crash matrix: one resource of each
 * kind and each secret generator (random, database-user, iam-api-key,
 * manual), one container reading four secrets, the audit bucket with
 * object lock and lifecycle. It still passes every policy rule.
 */
export function matrixStack(production: Stack): Stack {
  const stack = structuredClone(production);
  const keepSecrets = new Set([
    'db-password',
    'db-admin-password',
    'api-key',
    'llm-api-key',
    'service-api-key',
    'audit-sse-key',
    'audit-signing-key',
  ]);
  stack.secrets = stack.secrets
    .filter((secret) => keepSecrets.has(secret.name))
    .map((secret) => ({
      ...secret,
      consumers: secret.consumers.filter((c) => c.container === 'api'),
    }));
  stack.iam.applications = stack.iam.applications.filter(
    (app) => app.name === 'evalap-service',
  );
  if (stack.containers) {
    stack.containers.items = stack.containers.items.filter(
      (item) => item.name === 'api',
    );
  }
  stack.buckets = stack.buckets.filter((b) => b.name === 'evalap-audit');

  return stack;
}
