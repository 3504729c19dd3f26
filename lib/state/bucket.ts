import {
  CreateBucketCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StateStorageError } from './errors.ts';
import { httpStatusOf } from './store.ts';

/**
 * Makes sure the state bucket exists and is versioned (the history of
 * every state, and the environment lock, rely on versioning). Reads only
 * when it already is; creates the bucket or enables versioning otherwise.
 *
 * @throws StateStorageError when the bucket cannot be read or created.
 */
export async function ensureStateBucket(
  s3: S3Client,
  bucket: string,
): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (httpStatusOf(error) !== 404) {
      throw new StateStorageError('read', bucket, '', { cause: error });
    }
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }

  try {
    const versioning = await s3.send(
      new GetBucketVersioningCommand({ Bucket: bucket }),
    );
    if (versioning.Status === 'Enabled') {
      return;
    }
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
  } catch (error) {
    throw new StateStorageError('write', bucket, '', { cause: error });
  }
}
