import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Environment } from '../stack/index.ts';
import { getObjectText, StateStorageError } from '../state/index.ts';
import { ROTATION_STEPS } from './steps.ts';

/** How a secret is rotated; decided from the stack, see `strategyOf`. */
export const ROTATION_STRATEGIES = [
  'alternating-users',
  'single-user',
  'iam-api-key',
  'generated',
] as const;

/** A rotation strategy; see {@link ROTATION_STRATEGIES}. */
export type RotationStrategy = (typeof ROTATION_STRATEGIES)[number];

/**
 * The rotation record of one secret, kept at
 * `<environment>/rotations/<secret>.json` in the state bucket while a
 * rotation is in progress (deleted when it finishes or is abandoned).
 * It is written before the first change (with the rotation id the new
 * version's description carries, so a crash between "version created"
 * and "record written" is found again) and after every step. It holds
 * ids, revisions and times only: never a value.
 */
export const RotationRecordSchema = z.strictObject({
  rotationId: z.uuid(),
  /** Base name of the secret. */
  secret: z.string().min(1),
  secretId: z.string().min(1),
  strategy: z.enum(ROTATION_STRATEGIES),
  /** The next step to run. */
  step: z.enum(ROTATION_STEPS),
  status: z.enum(['in-progress', 'stuck']),
  /** Revision of the value in use when the rotation started. */
  previousRevision: z.int().min(1),
  /** Revision of the new value, once created: the rotation's key. */
  pendingRevision: z.int().min(1).optional(),
  startedAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  /** When `finish` may retire the previous value. */
  finishAfter: z.iso.datetime({ offset: true }).optional(),
  /** Failed runs since the rotation started or was last resumed. */
  attempts: z.int().min(0),
  stuck: z
    .strictObject({
      step: z.enum(ROTATION_STEPS),
      reason: z.string(),
      fault: z.enum(['caller', 'ours', 'outside']),
      at: z.iso.datetime({ offset: true }),
    })
    .optional(),
  /** IAM strategy: the new and the previous key's access key ids. */
  pendingAccessKey: z.string().optional(),
  previousAccessKey: z.string().optional(),
});

/** One secret's rotation in progress; see {@link RotationRecordSchema}. */
export type RotationRecord = z.infer<typeof RotationRecordSchema>;

/** Where rotation records live in the state bucket. */
export const rotationKeys = {
  prefix: (environment: Environment) => `${environment}/rotations/`,
  record: (environment: Environment, secret: string) =>
    `${environment}/rotations/${secret}.json`,
} as const;

/**
 * Reads every rotation record of an environment, by secret base name.
 * A record that does not validate is reported under `unreadable` (by
 * secret base name) instead of being dropped: its secret must not start
 * a new rotation.
 *
 * @throws StateStorageError when the bucket cannot be read.
 */
export async function readRotationRecords(
  s3: S3Client,
  bucket: string,
  environment: Environment,
): Promise<{ records: Map<string, RotationRecord>; unreadable: string[] }> {
  const records = new Map<string, RotationRecord>();
  const unreadable: string[] = [];
  const prefix = rotationKeys.prefix(environment);

  let token: string | undefined;
  do {
    const page = await listPage(s3, bucket, prefix, token);
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      const read = await getObjectText(s3, bucket, object.Key);
      if (read === undefined) continue;
      const record = parseRecord(read.text);
      if (record === undefined) {
        unreadable.push(object.Key.slice(prefix.length, -'.json'.length));
        continue;
      }
      records.set(record.secret, record);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);

  return { records, unreadable };
}

/**
 * Writes a record in one PutObject (atomic for readers).
 *
 * @throws StateStorageError when the bucket cannot be written.
 */
export async function writeRotationRecord(
  s3: S3Client,
  bucket: string,
  environment: Environment,
  record: RotationRecord,
): Promise<void> {
  const valid = RotationRecordSchema.parse(record);
  const key = rotationKeys.record(environment, valid.secret);

  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: `${JSON.stringify(valid, null, 2)}\n`,
        ContentType: 'application/json',
      }),
    );
  } catch (error) {
    throw new StateStorageError('write', bucket, key, { cause: error });
  }
}

/** Deletes a secret's record (the rotation finished or was abandoned). */
export async function deleteRotationRecord(
  s3: S3Client,
  bucket: string,
  environment: Environment,
  secret: string,
): Promise<void> {
  const key = rotationKeys.record(environment, secret);

  try {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    throw new StateStorageError('write', bucket, key, { cause: error });
  }
}

async function listPage(
  s3: S3Client,
  bucket: string,
  prefix: string,
  token: string | undefined,
) {
  try {
    return await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
  } catch (error) {
    throw new StateStorageError('read', bucket, prefix, { cause: error });
  }
}

function parseRecord(text: string): RotationRecord | undefined {
  try {
    const parsed = RotationRecordSchema.safeParse(JSON.parse(text));

    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
