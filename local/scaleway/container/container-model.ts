import { z } from 'zod';
import {
  EnvironmentVariables,
  SecretEnvironmentVariables,
  Tags,
} from './environment.ts';
import type { ServerlessStatus } from './namespace.ts';
import type { HashedSecret } from './secret-environment.ts';

/** A Serverless Container as stored: the wire fields plus deployments. */
export interface ContainerRecord {
  id: string;
  name: string;
  namespace_id: string;
  status: ServerlessStatus;
  environment_variables: Record<string, string>;
  secret_environment_variables: HashedSecret[];
  min_scale: number;
  max_scale: number;
  memory_limit: number;
  cpu_limit: number;
  timeout: string;
  error_message: string | null;
  privacy: 'public' | 'private';
  description: string;
  registry_image: string;
  max_concurrency: number;
  domain_name: string;
  protocol: 'http1' | 'h2c';
  port: number;
  http_option: 'enabled' | 'redirected';
  sandbox: 'v1' | 'v2';
  local_storage_limit: number;
  scaling_option: Record<string, number>;
  health_check: Record<string, unknown>;
  tags: string[];
  private_network_id: string | null;
  command: string[];
  args: string[];
  region: string;
  created_at: string;
  updated_at: string;
  ready_at: string | null;
  /** Local only (never on the wire): how many times it was deployed. */
  deployments: number;
}

/** The wire form of a container, with `status` overriding the stored one. */
export function containerToWire(
  container: ContainerRecord,
  status: ServerlessStatus = container.status,
): Omit<ContainerRecord, 'deployments'> {
  const { deployments: _deployments, ...wire } = container;

  return { ...wire, status };
}

/**
 * An enum field; `unknown_*` values (Go SDK zero values) mean "no change"
 * and parse as `undefined`.
 */
export function knownEnum<T extends string>(values: readonly T[]) {
  const known = (value: string): value is T =>
    (values as readonly string[]).includes(value);

  return z
    .string()
    .refine((value) => known(value) || value.startsWith('unknown_'), {
      message: `must be one of ${values.join(', ')}`,
    })
    .transform((value) => (known(value) ? value : undefined))
    .nullish();
}

const Duration = z.string().regex(/^\d+(\.\d+)?s$/, 'must be like "300s"');

/**
 * CPU (mvCPU) and memory (MB) bounds of a container: Scaleway's
 * "Containers limitations" page (docs-content, pages/serverless-containers/
 * reference-content/containers-limitations.mdx, validated 2025-09-17)
 * gives 70 to 6000 mvCPU and 128 to 12228 MB (sic). The 70-2240 / 4096
 * tiers are those of Serverless Functions, which Scaleway says do not
 * apply to containers.
 * Differs from Scaleway (docs/local-platform.md): Scaleway also bounds
 * memory by CPU (changelog 2024-09-19, no table published; one observed
 * error reads "2000 mvCPU require a minimum of 2000 MB and a maximum of
 * 8000 MB"); this emulator checks the bounds only. The policy's cpu and
 * memory table (lib/policy/rules/containers.ts) keeps within that ratio.
 */
export const CONTAINER_LIMITS = {
  cpu: { min: 70, max: 6000 },
  memory: { min: 128, max: 12_228 },
} as const;

/** Fields a create and an update share. */
const ContainerSettings = {
  environment_variables: EnvironmentVariables.nullish(),
  secret_environment_variables: SecretEnvironmentVariables.nullish(),
  min_scale: z.number().int().min(0).nullish(),
  max_scale: z.number().int().min(1).max(50).nullish(),
  memory_limit: z
    .number()
    .int()
    .min(CONTAINER_LIMITS.memory.min)
    .max(CONTAINER_LIMITS.memory.max)
    .nullish(),
  cpu_limit: z
    .number()
    .int()
    .min(CONTAINER_LIMITS.cpu.min)
    .max(CONTAINER_LIMITS.cpu.max)
    .nullish(),
  timeout: Duration.nullish(),
  privacy: knownEnum(['public', 'private'] as const),
  description: z.string().nullish(),
  registry_image: z.string().min(1).nullish(),
  max_concurrency: z.number().int().min(1).max(80).nullish(),
  protocol: knownEnum(['http1', 'h2c'] as const),
  port: z.number().int().min(1).max(65_535).nullish(),
  http_option: knownEnum(['enabled', 'redirected'] as const),
  sandbox: knownEnum(['v1', 'v2'] as const),
  local_storage_limit: z.number().int().min(0).nullish(),
  scaling_option: z.record(z.string(), z.number()).nullish(),
  health_check: z.record(z.string(), z.unknown()).nullish(),
  tags: Tags.nullish(),
  private_network_id: z.uuid().or(z.literal('')).nullish(),
  command: z.array(z.string()).nullish(),
  args: z.array(z.string()).nullish(),
};

/** Body of `POST /containers`. */
export const CreateContainerBody = z.object({
  namespace_id: z.uuid(),
  name: z
    .string()
    .regex(
      /^[a-z0-9]([a-z0-9-]{0,32}[a-z0-9])?$/,
      'must be 1 to 34 lowercase letters, digits or dashes',
    ),
  ...ContainerSettings,
});

/** Body of `PATCH /containers/{id}`. */
export const UpdateContainerBody = z.object({
  ...ContainerSettings,
  redeploy: z.boolean().nullish(),
});

export type UpdateContainerInput = z.infer<typeof UpdateContainerBody>;
