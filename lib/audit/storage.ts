import { createHash } from 'node:crypto';

import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';

import { AuditBucketNotFoundError, AuditStorageError } from './errors.ts';
import type { AuditEncryptionKey, AuditEncryptionKeys } from './keys.ts';

/** An object read back from the audit bucket. */
export interface AuditObject {
  key: string;
  body: Buffer;
  metadata: Record<string, string>;
}

/** One entry of ListObjectVersions: a version or a delete marker. */
export interface AuditObjectVersion {
  key: string;
  versionId: string;
  /** True for a delete marker. */
  deleteMarker: boolean;
  /** The ETag of a version; empty for a delete marker. */
  etag: string;
}

/** How to reach the audit bucket. */
export interface AuditBucketOptions {
  s3: S3Client;
  bucket: string;
  /** Set when the stack enables SSE-C: objects are written encrypted. */
  encryption?: AuditEncryptionKeys;
}

/** Options of auditS3Client (Scaleway Object Storage or a local one). */
export interface AuditS3ClientOptions {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** SDK attempts per call, with exponential backoff. Default: 5. */
  maxAttempts?: number;
}

/**
 * An S3 client for Scaleway Object Storage: path-style URLs, checksums only
 * where required (Scaleway and emulators reject some flexible checksums)
 * and the SDK's standard retry with backoff.
 */
export function auditS3Client(options: AuditS3ClientOptions): S3Client {
  const config: S3ClientConfig = {
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: options.maxAttempts ?? 5,
    retryMode: 'standard',
    credentials: {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
    },
  };

  return new S3Client(config);
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  const status = (error as { $metadata?: { httpStatusCode?: number } })
    ?.$metadata?.httpStatusCode;

  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}

/**
 * 412: the key has an object; 409: another conditional write of the key
 * was in flight (S3's ConditionalRequestConflict), which one of the two
 * wins. Either way this write did not land.
 */
function isConditionRefused(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } })
    ?.$metadata?.httpStatusCode;

  return status === 412 || status === 409;
}

/** The failure of a call on the bucket, as an audit error. */
function storageError(
  operation: string,
  bucket: string,
  key: string,
  error: unknown,
): AuditStorageError {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'NoSuchBucket') {
    return new AuditBucketNotFoundError(operation, bucket, key, error);
  }

  return new AuditStorageError(operation, bucket, key, error);
}

function customerKeyParams(key: AuditEncryptionKey | undefined) {
  if (key === undefined) {
    return {};
  }

  return {
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: key.key.toString('base64'),
    SSECustomerKeyMD5: createHash('md5').update(key.key).digest('base64'),
  };
}

/**
 * The audit bucket: puts, reads and lists objects, adding the SSE-C
 * customer key of the right version when encryption is on. Every failure
 * other than "not found" becomes an AuditStorageError (retryable); a
 * missing bucket on a put or a list, an AuditBucketNotFoundError.
 */
export class AuditBucket {
  readonly name: string;
  readonly #s3: S3Client;
  readonly #encryption: AuditEncryptionKeys | undefined;

  constructor(options: AuditBucketOptions) {
    this.name = options.bucket;
    this.#s3 = options.s3;
    this.#encryption = options.encryption;
  }

  /** True when new objects are encrypted with a customer key. */
  get encrypted(): boolean {
    return this.#encryption !== undefined;
  }

  /** The SSE-C key version new objects use, or null without SSE-C. */
  async currentKeyVersion(): Promise<string | null> {
    if (this.#encryption === undefined) {
      return null;
    }

    return (await this.#encryption.current()).version;
  }

  /**
   * Writes an object. With SSE-C, `keyVersion` names the customer key
   * version to use (it must be the one recorded in the object's name).
   * With `ifAbsent`, the write is conditional (`If-None-Match: *`).
   *
   * @returns false when `ifAbsent` and the key already had an object,
   *   or another conditional write of it was in flight: nothing was
   *   written (a retry of a put whose answer was lost gets false too).
   *   True otherwise.
   */
  async put(
    key: string,
    body: Buffer,
    options: {
      contentType: string;
      contentEncoding?: string;
      metadata?: Record<string, string>;
      keyVersion?: string | null;
      ifAbsent?: boolean;
    },
  ): Promise<boolean> {
    const customerKey = await this.#customerKey(options.keyVersion);

    try {
      await this.#s3.send(
        new PutObjectCommand({
          Bucket: this.name,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          ...(options.contentEncoding
            ? { ContentEncoding: options.contentEncoding }
            : {}),
          Metadata: options.metadata ?? {},
          ...(options.ifAbsent ? { IfNoneMatch: '*' } : {}),
          ...customerKeyParams(customerKey),
        }),
      );

      return true;
    } catch (error) {
      if (options.ifAbsent && isConditionRefused(error)) {
        return false;
      }
      throw storageError('put', this.name, key, error);
    }
  }

  /** Reads an object, or null when it does not exist. */
  async get(
    key: string,
    keyVersion?: string | null,
  ): Promise<AuditObject | null> {
    const customerKey = await this.#customerKey(keyVersion);

    try {
      const response = await this.#s3.send(
        new GetObjectCommand({
          Bucket: this.name,
          Key: key,
          ...customerKeyParams(customerKey),
        }),
      );
      const bytes = await response.Body?.transformToByteArray();

      return {
        key,
        body: Buffer.from(bytes ?? []),
        metadata: response.Metadata ?? {},
      };
    } catch (error) {
      if (isNotFound(error)) {
        return null;
      }

      throw new AuditStorageError('get', this.name, key, error);
    }
  }

  /** True when the object exists. */
  async exists(key: string, keyVersion?: string | null): Promise<boolean> {
    const customerKey = await this.#customerKey(keyVersion);

    try {
      await this.#s3.send(
        new HeadObjectCommand({
          Bucket: this.name,
          Key: key,
          ...customerKeyParams(customerKey),
        }),
      );

      return true;
    } catch (error) {
      if (isNotFound(error)) {
        return false;
      }

      throw new AuditStorageError('head', this.name, key, error);
    }
  }

  /** Every key under a prefix, in lexicographic order. */
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;

    do {
      try {
        const page = await this.#s3.send(
          new ListObjectsV2Command({
            Bucket: this.name,
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const item of page.Contents ?? []) {
          if (item.Key !== undefined) {
            keys.push(item.Key);
          }
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } catch (error) {
        throw storageError('list', this.name, prefix, error);
      }
    } while (token !== undefined);

    return keys.sort();
  }

  /**
   * Every version and delete marker under a prefix (ListObjectVersions,
   * all pages), in key order. An unversioned bucket gives one `null`
   * version per key.
   */
  async listVersions(prefix: string): Promise<AuditObjectVersion[]> {
    const versions: AuditObjectVersion[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;

    do {
      try {
        const page = await this.#s3.send(
          new ListObjectVersionsCommand({
            Bucket: this.name,
            Prefix: prefix,
            ...(keyMarker ? { KeyMarker: keyMarker } : {}),
            ...(versionMarker ? { VersionIdMarker: versionMarker } : {}),
          }),
        );
        for (const item of page.Versions ?? []) {
          versions.push({
            key: item.Key ?? '',
            versionId: item.VersionId ?? 'null',
            deleteMarker: false,
            etag: item.ETag ?? '',
          });
        }
        for (const item of page.DeleteMarkers ?? []) {
          versions.push({
            key: item.Key ?? '',
            versionId: item.VersionId ?? 'null',
            deleteMarker: true,
            etag: '',
          });
        }
        const more = page.IsTruncated === true;
        keyMarker = more ? page.NextKeyMarker : undefined;
        versionMarker = more ? page.NextVersionIdMarker : undefined;
      } catch (error) {
        throw storageError('list-versions', this.name, prefix, error);
      }
    } while (keyMarker !== undefined);

    return versions.sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
  }

  async #customerKey(
    version: string | null | undefined,
  ): Promise<AuditEncryptionKey | undefined> {
    if (this.#encryption === undefined || version == null) {
      return undefined;
    }

    return this.#encryption.byVersion(version);
  }
}
