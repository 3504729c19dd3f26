import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ServerlessConfigError } from './errors.ts';

const envMap = z.record(z.string(), z.string());

const scheduleEvent = z.strictObject({
  schedule: z.strictObject({
    rate: z.string().min(1),
    input: z.record(z.string(), z.unknown()).optional(),
  }),
});

const sqsEvent = z.strictObject({
  sqs: z.strictObject({
    name: z.string().regex(/^[a-zA-Z0-9-]{2,100}$/),
    queue: z.string().regex(/^[a-zA-Z0-9-_.]{2,80}$/),
    projectId: z.string().optional(),
    region: z.string().optional(),
  }),
});

const functionSchema = z.looseObject({
  handler: z
    .string()
    .regex(/^[^.]+\.[A-Za-z_$][\w$]*$/, 'must be path/to/file.export'),
  env: envMap.optional(),
  secret: envMap.optional(),
  privacy: z.enum(['public', 'private']).default('public'),
  events: z.array(z.union([scheduleEvent, sqsEvent])).default([]),
});

/**
 * The part of serverless.yml the runner reads. Keys the Serverless
 * Framework or the Scaleway plugin use and the runner ignores (package,
 * plugins, memoryLimit…) are allowed through.
 */
export const serverlessConfigSchema = z.looseObject({
  service: z.string().min(1),
  provider: z.looseObject({
    name: z.literal('scaleway'),
    runtime: z.string().optional(),
    env: envMap.optional(),
    secret: envMap.optional(),
  }),
  functions: z.record(z.string(), functionSchema),
});

/** A validated serverless.yml. */
export type ServerlessConfig = z.infer<typeof serverlessConfigSchema>;

/** One function as declared in serverless.yml. */
export type FunctionDeclaration = ServerlessConfig['functions'][string];

/** Reads and validates serverless.yml, reporting every problem at once. */
export async function loadServerlessConfig(
  file: string,
): Promise<ServerlessConfig> {
  let raw: unknown;
  try {
    raw = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ServerlessConfigError(
      file,
      [{ path: '(file)', message: 'cannot be read as YAML' }],
      { cause: error },
    );
  }

  const parsed = serverlessConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      path: issue.path.join('.') || '(root)',
      message: issue.message,
    }));
    throw new ServerlessConfigError(file, problems);
  }

  return parsed.data;
}

/**
 * Resolves `${env:NAME}` references the way the Serverless Framework
 * does; an unset variable resolves to undefined (the key is then left
 * out). Other variable sources (`${self:…}`, `${ssm:…}`) are not read.
 */
export function resolveEnvValue(
  value: string,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const whole = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
  if (whole) {
    return env[whole[1] ?? ''];
  }

  return value.replaceAll(
    /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g,
    (_match, name: string) => env[name] ?? '',
  );
}
