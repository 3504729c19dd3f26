import { secretBindings } from '../../stack/bindings.ts';
import type { Stack, StackContainer } from '../../stack/schema.ts';
import { error, type Finding, warning } from '../finding.ts';

/**
 * CPU (mvCPU) → accepted memory range (MB, inclusive) of a serverless
 * container: the original implementation's table
 * (../shared/reference/evalap-original.md, section 1.13).
 *
 * Every row lies inside what Scaleway accepts: its "Containers
 * limitations" page (docs-content, validated 2025-09-17) bounds a
 * container to 70-6000 mvCPU and 128-12228 MB, and Scaleway bounds memory
 * by CPU too (changelog 2024-09-19) without publishing the relation; the
 * one observed error, "2000 mvCPU require a minimum of 2000 MB and a
 * maximum of 8000 MB" (scaleway/serverless-gateway#63), suggests 1 to 4
 * MB per mvCPU, which every row keeps.
 * Where the sources leave the API's combinations open, the policy keeps
 * the stricter set: these six CPU values only. The local Containers API
 * takes the documented bounds (local/scaleway/container/container-model.ts).
 */
export const CPU_MEMORY_TABLE: ReadonlyMap<
  number,
  { min: number; max: number }
> = new Map([
  [100, { min: 128, max: 256 }],
  [250, { min: 256, max: 512 }],
  [500, { min: 512, max: 1024 }],
  [1000, { min: 1024, max: 2048 }],
  [2000, { min: 2048, max: 4096 }],
  [4000, { min: 4096, max: 8192 }],
]);

const SECRET_LOOKING_ENV =
  /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY)/i;

/**
 * Container checks: CPU and memory form a combination Scaleway accepts,
 * scaling bounds are ordered, private network attachment is possible,
 * secret bindings reference declared secrets and containers without
 * clashing, and no plain env var looks like a hard-coded secret.
 */
export function checkContainers(stack: Stack): Finding[] {
  const items = stack.containers?.items ?? [];
  const findings = items.flatMap((container, c) =>
    checkContainer(stack, container, c),
  );

  return [...findings, ...checkVpcIntegration(stack), ...checkBindings(stack)];
}

function checkVpcIntegration(stack: Stack): Finding[] {
  const containers = stack.containers;
  const attached = containers?.items.some((c) => c.privateNetwork);
  if (!containers || !attached || containers.namespace.vpcIntegration) {
    return [];
  }

  return [
    error(
      'containers.vpc-integration',
      ['containers', 'namespace', 'vpcIntegration'],
      'containers attach to the private network only when the namespace ' +
        'has `vpcIntegration: true`',
    ),
  ];
}

function checkContainer(
  stack: Stack,
  container: StackContainer,
  c: number,
): Finding[] {
  const path = ['containers', 'items', c];
  const findings: Finding[] = [];

  const range = CPU_MEMORY_TABLE.get(container.cpu);
  if (range === undefined) {
    findings.push(
      error(
        'containers.cpu-memory',
        [...path, 'cpu'],
        `use a CPU of ${[...CPU_MEMORY_TABLE.keys()].join(', ')} mvCPU`,
      ),
    );
  } else if (container.memory < range.min || container.memory > range.max) {
    findings.push(
      error(
        'containers.cpu-memory',
        [...path, 'memory'],
        `with ${container.cpu} mvCPU, memory must be ${range.min}-` +
          `${range.max} MB`,
      ),
    );
  }

  if (container.minScale > container.maxScale) {
    findings.push(
      error(
        'containers.scale',
        [...path, 'minScale'],
        'minScale must not exceed maxScale',
      ),
    );
  }

  if (container.privateNetwork) {
    if (!stack.network) {
      findings.push(
        error(
          'containers.private-network',
          [...path, 'privateNetwork'],
          'declare `network` to attach containers to a private network',
        ),
      );
    }
  }

  for (const name of Object.keys(container.env)) {
    if (SECRET_LOOKING_ENV.test(name)) {
      findings.push(
        warning(
          'secrets.hardcoded',
          [...path, 'env', name],
          'this variable looks like a secret: store it in Secret Manager ' +
            'and bind it with `secretEnv` or a secret consumer',
        ),
      );
    }
  }

  return findings;
}

function checkBindings(stack: Stack): Finding[] {
  const findings: Finding[] = [];
  const containers = new Map(
    (stack.containers?.items ?? []).map((c) => [c.name, c]),
  );
  const secrets = new Set(stack.secrets.map((s) => s.name));
  const boundEnv = new Map<string, string>();

  for (const binding of secretBindings(stack)) {
    const container = containers.get(binding.container);
    if (container === undefined) {
      findings.push(
        error(
          'references.container',
          binding.path,
          'name a container declared in containers.items',
        ),
      );
      continue;
    }
    if (!secrets.has(binding.secret)) {
      findings.push(
        error(
          'references.secret',
          binding.path,
          'name a secret declared in secrets',
        ),
      );
      continue;
    }

    const key = `${binding.container}\u0000${binding.env}`;
    const previous = boundEnv.get(key);
    if (previous !== undefined && previous !== binding.secret) {
      findings.push(
        error(
          'containers.env-conflict',
          binding.path,
          `${binding.env} is bound to two secrets in this container; ` +
            'use a different variable name',
        ),
      );
    }
    boundEnv.set(key, binding.secret);

    if (Object.hasOwn(container.env, binding.env)) {
      findings.push(
        error(
          'containers.env-conflict',
          binding.path,
          `${binding.env} is also a plain env var of this container; ` +
            'remove it from `env`',
        ),
      );
    }
  }

  return findings;
}
