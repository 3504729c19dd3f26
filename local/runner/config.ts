import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ServerlessConfigError } from './errors.ts';

// a value whose variable is unset resolves to undefined: the key is skipped
const envMap = z.record(z.string(), z.string().optional());

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
  custom: z
    .looseObject({
      evalap: z
        .looseObject({
          /** Message retention the stage's queues are meant to have. */
          queueRetentionSeconds: z.coerce
            .number()
            .int()
            .min(60)
            .max(1_209_600)
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

/** A validated serverless.yml. */
export type ServerlessConfig = z.infer<typeof serverlessConfigSchema>;

/** One function as declared in serverless.yml. */
export type FunctionDeclaration = ServerlessConfig['functions'][string];

/** How variables in serverless.yml resolve. */
export interface VariableSources {
  /** `${sls:stage}` and the `params` block used. Default: `dev`. */
  stage: string;
  /** `${env:NAME}`. */
  env: NodeJS.ProcessEnv;
}

/**
 * Reads serverless.yml, resolves its variables and validates it,
 * reporting every problem at once.
 */
export async function loadServerlessConfig(
  file: string,
  sources: VariableSources = { stage: 'dev', env: process.env },
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

  const parsed = serverlessConfigSchema.safeParse(
    resolveVariables(raw, variableResolver(raw, sources)),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      path: issue.path.join('.') || '(root)',
      message: issue.message,
    }));
    throw new ServerlessConfigError(file, problems);
  }

  return parsed.data;
}

type Resolve = (source: string, name: string) => string | undefined;

const INNERMOST =
  /\$\{([a-z]+):([^${},]+?)(?:,\s*(?:'([^']*)'|"([^"]*)"|([^${}]*?)))?\s*\}/;

/**
 * Resolves the variables the Serverless Framework would, innermost first:
 * `${sls:stage}`, `${param:name}` (the stage's `params`, then
 * `params.default`), `${env:NAME}` and `${…, 'fallback'}`. A string that
 * is one unresolvable variable becomes undefined; other sources
 * (`${self:…}`, `${ssm:…}`) are not read.
 */
export function resolveVariables(value: unknown, resolve: Resolve): unknown {
  if (typeof value === 'string') {
    return resolveString(value, resolve);
  }
  if (Array.isArray(value)) {
    return value.map((item) => resolveVariables(item, resolve));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        resolveVariables(item, resolve),
      ]),
    );
  }

  return value;
}

function resolveString(text: string, resolve: Resolve): string | undefined {
  let current = text;

  for (let depth = 0; depth < 20; depth += 1) {
    const match = INNERMOST.exec(current);
    if (!match) {
      return current;
    }
    const [whole, source = '', name = '', single, double, bare] = match;
    const fallback = single ?? double ?? bare?.trim();
    const resolved = resolve(source, name.trim()) ?? fallback;
    if (resolved === undefined) {
      if (whole === current) {
        return undefined;
      }
    }
    current = current.replace(whole, resolved ?? '');
  }

  return current;
}

function variableResolver(raw: unknown, sources: VariableSources): Resolve {
  const params = (raw as { params?: Record<string, unknown> } | null)?.params;
  const stageParams = (params?.[sources.stage] ?? {}) as Record<
    string,
    unknown
  >;
  const defaultParams = (params?.default ?? {}) as Record<string, unknown>;

  return (source, name) => {
    if (source === 'sls' && name === 'stage') {
      return sources.stage;
    }
    if (source === 'env') {
      return sources.env[name];
    }
    if (source === 'param') {
      const value = stageParams[name] ?? defaultParams[name];
      return value === undefined ? undefined : String(value);
    }

    return undefined;
  };
}
