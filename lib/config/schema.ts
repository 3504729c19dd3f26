import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const uuid = z.string().regex(UUID, { error: 'must be a UUID' });

const httpUrl = z
  .string()
  .refine(isHttpUrl, { error: 'must be an http(s) URL' })
  .transform((url) => url.replace(/\/+$/, ''));

const region = z
  .string()
  .regex(/^[a-z]{2}-[a-z]{3}$/, { error: 'must be a region like fr-par' });

/** First ports the local platform accepts (it uses up to first + 10 + n). */
export const LOCAL_PORT_RANGE = { min: 1024, max: 65_000 } as const;

/** The local platform's first port (`EVALAP_LOCAL_PORT`, `--port`). */
export const localPortSchema = z
  .string()
  .regex(/^[0-9]{1,5}$/, { error: 'must be a port number' })
  .transform(Number)
  .refine(
    (port) => port >= LOCAL_PORT_RANGE.min && port <= LOCAL_PORT_RANGE.max,
    {
      error:
        `must be between ${LOCAL_PORT_RANGE.min} and ` +
        `${LOCAL_PORT_RANGE.max}`,
    },
  );

/** The deployment stages of the control plane. */
export const ENVIRONMENTS = ['dev', 'staging', 'production'] as const;

/** pino levels accepted by `EVALAP_LOG_LEVEL`. */
export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const;

/**
 * Raw settings, keyed by their environment variable, after the profile,
 * aliases and defaults are merged. Issue paths are therefore key names.
 */
export const rawSettingsSchema = z.object({
  SCW_ACCESS_KEY: z.string().regex(/^SCW[A-Z0-9]{17}$/i, {
    error: 'must be a Scaleway access key (SCW followed by 17 characters)',
  }),
  SCW_SECRET_KEY: uuid,
  SCW_DEFAULT_ORGANIZATION_ID: uuid.optional(),
  SCW_DEFAULT_PROJECT_ID: uuid,
  SCW_DEFAULT_REGION: region,
  SCW_DEFAULT_ZONE: z.string().regex(/^[a-z]{2}-[a-z]{3}-[1-9]$/, {
    error: 'must be a zone like fr-par-1',
  }),
  SCW_API_URL: httpUrl,
  EVALAP_ENVIRONMENT: z
    .enum(ENVIRONMENTS, { error: 'must be one of dev, staging, production' })
    .optional(),
  EVALAP_LOG_LEVEL: z.enum(LOG_LEVELS, {
    error: `must be one of ${LOG_LEVELS.join(', ')}`,
  }),
  EVALAP_FUNCTION_TOKEN: z
    .string()
    .min(16, { error: 'must be at least 16 characters long' })
    .optional(),
  EVALAP_STATE_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, {
      error: 'must be a bucket name: 3-63 lowercase letters, digits, hyphens',
    })
    .optional(),
  EVALAP_AUDIT_QUEUE_URL: httpUrl.optional(),
  EVALAP_S3_ENDPOINT: httpUrl,
  EVALAP_S3_REGION: z.string().min(1, { error: 'must not be empty' }),
  EVALAP_SQS_ENDPOINT: httpUrl,
  EVALAP_SQS_REGION: z.string().min(1, { error: 'must not be empty' }),
  EVALAP_SQS_ACCESS_KEY: z.string().optional(),
  EVALAP_SQS_SECRET_KEY: z.string().optional(),
  EVALAP_LOCAL_PORT: localPortSchema.optional(),
});

/** Both halves of the Queues key pair, or neither. */
export const settingsSchema = rawSettingsSchema.superRefine((raw, ctx) => {
  const access = raw.EVALAP_SQS_ACCESS_KEY !== undefined;
  const secret = raw.EVALAP_SQS_SECRET_KEY !== undefined;
  if (access === secret) return;

  ctx.addIssue({
    code: 'custom',
    path: [access ? 'EVALAP_SQS_SECRET_KEY' : 'EVALAP_SQS_ACCESS_KEY'],
    message: 'must be set together with its pair',
  });
});

export type RawSettings = z.output<typeof rawSettingsSchema>;

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;

  const { protocol } = new URL(value);

  return protocol === 'http:' || protocol === 'https:';
}
