import { z } from 'zod';
import { knownEnum } from '../container/container-model.ts';
import {
  EnvironmentVariables,
  SecretEnvironmentVariables,
  Tags,
} from '../container/environment.ts';
import type { ServerlessStatus } from '../container/namespace.ts';
import type { HashedSecret } from '../container/secret-environment.ts';

/** The code archive uploaded for a function (local only). */
export interface FunctionArchive {
  /** Absolute path of the stored zip. */
  path: string;
  size: number;
  sha256: string;
  uploaded_at: string;
}

/** A Serverless Function as stored: the wire fields plus local state. */
export interface FunctionRecord {
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
  runtime: string;
  handler: string;
  privacy: 'public' | 'private';
  description: string;
  domain_name: string;
  http_option: 'enabled' | 'redirected';
  sandbox: 'v1' | 'v2';
  private_network_id: string | null;
  tags: string[];
  error_message: string | null;
  build_message: string;
  runtime_message: string;
  region: string;
  created_at: string;
  updated_at: string;
  ready_at: string | null;
  /** Local only: the last uploaded archive, or null. */
  archive: FunctionArchive | null;
  /** Local only: the token the current upload URL carries. */
  upload_token: string | null;
  /** Local only: how many times the function was deployed. */
  deployments: number;
}

/** The wire form of a function, with `status` overriding the stored one. */
export function functionToWire(
  record: FunctionRecord,
  status: ServerlessStatus = record.status,
): Record<string, unknown> {
  const {
    archive: _archive,
    upload_token: _token,
    deployments: _deployments,
    ...wire
  } = record;

  return { ...wire, status };
}

/** mvCPU per memory tier (MB), as Scaleway pairs them. */
const CPU_BY_MEMORY: Readonly<Record<number, number>> = {
  128: 70,
  256: 140,
  512: 280,
  1024: 560,
  2048: 1120,
  3072: 1680,
  4096: 2240,
};

/** The CPU limit that goes with a memory limit. */
export function cpuForMemory(memoryLimit: number): number {
  return CPU_BY_MEMORY[memoryLimit] ?? Math.round((memoryLimit * 70) / 128);
}

const Duration = z.string().regex(/^\d+(\.\d+)?s$/, 'must be like "300s"');

const FunctionSettings = {
  environment_variables: EnvironmentVariables.nullish(),
  secret_environment_variables: SecretEnvironmentVariables.nullish(),
  min_scale: z.number().int().min(0).nullish(),
  max_scale: z.number().int().min(1).max(50).nullish(),
  memory_limit: z
    .number()
    .int()
    .refine((value) => value in CPU_BY_MEMORY, {
      message: 'must be one of 128, 256, 512, 1024, 2048, 3072, 4096',
    })
    .nullish(),
  timeout: Duration.nullish(),
  runtime: z.string().nullish(),
  handler: z.string().min(1).nullish(),
  privacy: knownEnum(['public', 'private'] as const),
  description: z.string().nullish(),
  http_option: knownEnum(['enabled', 'redirected'] as const),
  sandbox: knownEnum(['v1', 'v2'] as const),
  private_network_id: z.uuid().or(z.literal('')).nullish(),
  tags: Tags.nullish(),
};

// Differs from Scaleway (docs/local-platform.md): function names are
// checked loosely (serverless.yml keys such as `rotateSecrets` pass);
// Scaleway's exact rule is not documented.
const FunctionName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/,
    'must be 1 to 63 letters, digits, dashes or underscores',
  );

/** Body of `POST /functions`. */
export const CreateFunctionBody = z.object({
  namespace_id: z.uuid(),
  name: FunctionName,
  ...FunctionSettings,
});

/** Body of `PATCH /functions/{id}`. */
export const UpdateFunctionBody = z.object({
  ...FunctionSettings,
  redeploy: z.boolean().nullish(),
});

export type UpdateFunctionInput = z.infer<typeof UpdateFunctionBody>;
