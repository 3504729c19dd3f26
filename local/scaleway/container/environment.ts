import { z } from 'zod';

/**
 * Environment variable schemas shared by the Serverless Containers and
 * Functions APIs, with the platform's documented limits (section 3.5 of
 * reference/scaleway-serverless.md). Messages name the key, never a value.
 */

const MAX_VARIABLES = 100;
const MAX_VALUE_CHARS = 1000;
const MAX_SECRET_BYTES = 65_536;

const VariableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'invalid variable name')
  .refine((key) => !key.startsWith('SCW_'), 'SCW_* names are reserved');

/** Plain environment variables: a map, replaced as a whole on update. */
export const EnvironmentVariables = z
  .record(VariableName, z.string().max(MAX_VALUE_CHARS))
  .refine((map) => Object.keys(map).length <= MAX_VARIABLES, {
    message: `at most ${MAX_VARIABLES} variables`,
  });

/**
 * Secret environment variables as sent: `{key, value}`; a missing or
 * `null` value deletes the key on update.
 */
export const SecretEnvironmentVariables = z
  .array(
    z.object({
      key: VariableName,
      value: z
        .string()
        .refine((value) => Buffer.byteLength(value) <= MAX_SECRET_BYTES, {
          message: `at most ${MAX_SECRET_BYTES} bytes`,
        })
        .nullish(),
    }),
  )
  .max(MAX_VARIABLES);

/** Tags: a list of strings; `null` (Go SDK) means none. */
export const Tags = z.array(z.string());
