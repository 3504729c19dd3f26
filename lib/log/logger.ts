import pino, { type DestinationStream, type Logger } from 'pino';
import { scrubSecrets } from './scrub.ts';

/** Field names whose value is never written, at any of the first depths. */
export const SECRET_FIELDS = [
  'password',
  'secret',
  'secretKey',
  'secret_key',
  'token',
  'functionToken',
  'accessKey',
  'access_key',
  'apiKey',
  'api_key',
  'key',
  'authorization',
  'Authorization',
  'dsn',
  'connectionString',
  'value',
  'data',
] as const;

const SECRET_HEADERS = ['x-auth-token', 'X-Auth-Token', 'authorization'];

/** pino redaction paths derived from {@link SECRET_FIELDS}. */
export const REDACT_PATHS: readonly string[] = buildRedactPaths();

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level. Default `info`. */
  readonly level?: string;
  /** Logger name, e.g. the function name. Default none. */
  readonly name?: string;
  /** Where lines go. Default stdout. */
  readonly destination?: DestinationStream;
  /** Fields on every line. Default none (no pid/hostname). */
  readonly base?: Record<string, unknown>;
  /** Whether `err` keeps its stack trace. Default true. */
  readonly errorStacks?: boolean;
}

/**
 * Creates the structured logger every function and the CLI use: JSON
 * lines, level as a label, secrets redacted by field name, errors under
 * `err` with passwords scrubbed from their message and stack.
 *
 * Call shape: `logger.info({ stack, resource }, 'resource created')`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const withStack = options.errorStacks ?? true;
  const serializer = (error: unknown) => serializeError(error, withStack);
  const settings: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: baseFields(options),
    redact: { paths: [...REDACT_PATHS], censor: '[Redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: serializer, error: serializer },
    timestamp: pino.stdTimeFunctions.isoTime,
  };

  return options.destination === undefined
    ? pino(settings)
    : pino(settings, options.destination);
}

function baseFields(options: LoggerOptions): Record<string, unknown> | null {
  if (options.name === undefined) return options.base ?? null;

  return { name: options.name, ...options.base };
}

function serializeError(error: unknown, withStack: boolean): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  if (typeof serialized !== 'object' || serialized === null) return serialized;
  if (!withStack) delete (serialized as { stack?: unknown }).stack;

  return scrubDeep(serialized, 0);
}

function scrubDeep(input: unknown, depth: number): unknown {
  if (typeof input === 'string') return scrubSecrets(input);
  if (depth > 4 || typeof input !== 'object' || input === null) return input;
  if (Array.isArray(input)) return input.map((x) => scrubDeep(x, depth + 1));

  const output: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    output[name] = isSecretField(name)
      ? '[Redacted]'
      : scrubDeep(value, depth + 1);
  }

  return output;
}

function isSecretField(name: string): boolean {
  return (SECRET_FIELDS as readonly string[]).includes(name);
}

function buildRedactPaths(): string[] {
  const paths: string[] = [];
  for (const field of SECRET_FIELDS) {
    paths.push(field, `*.${field}`, `*.*.${field}`);
  }
  for (const header of SECRET_HEADERS) {
    paths.push(`headers["${header}"]`, `*.headers["${header}"]`);
  }

  return paths;
}
