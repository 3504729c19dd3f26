import { z } from 'zod';

/** IAM names: 1 to 64 characters. */
export const IAM_NAME = z.string().min(1).max(64);

/** IAM descriptions: at most 200 characters. */
export const IAM_DESCRIPTION = z.string().max(200).nullish();

/** IAM tags: the characters the real API accepts. */
export const IAM_TAGS = z
  .array(
    z
      .string()
      .min(1)
      .max(128)
      .regex(/^[a-zA-Z0-9._\-/=+@ ]+$/, 'tag has a forbidden character'),
  )
  .nullish();
