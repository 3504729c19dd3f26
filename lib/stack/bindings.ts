import type { StackPath } from './path.ts';
import type { Stack } from './schema.ts';

/** A secret read by a container under a secret environment variable. */
export interface SecretBinding {
  /** Base name of the secret. */
  secret: string;
  /** Base name of the container. */
  container: string;
  /** The secret environment variable. */
  env: string;
  /** Where the binding is declared in the stack. */
  path: StackPath;
}

/**
 * Every secret-to-container binding of a stack, from both places a stack
 * may declare one: `secrets[].consumers` and `containers.items[].secretEnv`.
 * A binding declared in both places is listed once. References are not
 * checked here (the policy checks report unknown names).
 */
export function secretBindings(stack: Stack): SecretBinding[] {
  const bindings: SecretBinding[] = [];
  const seen = new Set<string>();
  const add = (binding: SecretBinding) => {
    const key = `${binding.secret}\u0000${binding.container}\u0000${binding.env}`;
    if (seen.has(key)) {
      return;
    }
    seen.add(key);
    bindings.push(binding);
  };

  stack.secrets.forEach((secret, s) => {
    secret.consumers.forEach((consumer, c) => {
      add({
        secret: secret.name,
        container: consumer.container,
        env: consumer.env,
        path: ['secrets', s, 'consumers', c],
      });
    });
  });

  stack.containers?.items.forEach((container, c) => {
    for (const [env, secret] of Object.entries(container.secretEnv)) {
      add({
        secret,
        container: container.name,
        env,
        path: ['containers', 'items', c, 'secretEnv', env],
      });
    }
  });

  return bindings;
}

/** The bindings of one container: what its secret env vars hold. */
export function bindingsOfContainer(
  stack: Stack,
  container: string,
): SecretBinding[] {
  return secretBindings(stack).filter((b) => b.container === container);
}

/** The bindings of one secret: which containers consume it, and how. */
export function consumersOfSecret(
  stack: Stack,
  secret: string,
): SecretBinding[] {
  return secretBindings(stack).filter((b) => b.secret === secret);
}
