import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
} from 'node:crypto';

import type { Secretv1beta1 } from '@scaleway/sdk-secret';

import { AuditKeyError } from './errors.ts';

/** One version of a secret: its revision and raw payload. */
export interface SecretPayload {
  revision: string;
  data: Buffer;
}

/**
 * Reads secrets by full name (`/path/name`, e.g.
 * `/evalap/audit/audit-signing-key-production`). The audit code needs
 * nothing more from Secret Manager, so tests can supply any implementation.
 */
export interface SecretReader {
  /** `revision` is a number or 'latest_enabled' (the default). */
  read(name: string, revision?: string): Promise<SecretPayload>;
}

/** Splits `/path/name` into Secret Manager's path and name. */
export function splitSecretName(full: string): { path: string; name: string } {
  const slash = full.lastIndexOf('/');
  if (slash <= 0) {
    return { path: '/', name: full.slice(slash + 1) };
  }

  return { path: full.slice(0, slash), name: full.slice(slash + 1) };
}

/**
 * Reads secrets from Scaleway Secret Manager by path and name
 * (accessSecretVersionByPath). Failures are wrapped in AuditKeyError, which
 * names the secret and never carries its value.
 */
export function scalewaySecretReader(
  api: Secretv1beta1.API,
  options: { projectId?: string } = {},
): SecretReader {
  return {
    async read(name, revision = 'latest_enabled') {
      const { path, name: secretName } = splitSecretName(name);
      try {
        const response = await api.accessSecretVersionByPath({
          secretPath: path,
          secretName,
          revision,
          ...(options.projectId ? { projectId: options.projectId } : {}),
        });

        return {
          revision: String(response.revision),
          data: Buffer.from(response.data, 'base64'),
        };
      } catch (error) {
        throw new AuditKeyError(name, 'cannot be read', error);
      }
    },
  };
}

/**
 * Secrets held in memory, each name with its versions in order (revision
 * 1 first). For tests and local development only.
 */
export function memorySecretReader(
  secrets: Map<string, Buffer[]>,
): SecretReader {
  return {
    async read(name, revision = 'latest_enabled') {
      const versions = secrets.get(name) ?? [];
      const index =
        revision === 'latest_enabled' || revision === 'latest'
          ? versions.length - 1
          : Number(revision) - 1;
      const data = versions[index];
      if (data === undefined) {
        throw new AuditKeyError(name, `has no revision ${revision}`);
      }

      return { revision: String(index + 1), data };
    },
  };
}

/** An Ed25519 key pair that signs digests, with its version. */
export interface AuditSigningKey {
  version: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Hex SHA-256 of the public key (SPKI DER). */
  fingerprint: string;
}

/** Hex SHA-256 of a public key's SPKI DER encoding. */
export function publicKeyFingerprint(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });

  return createHash('sha256').update(der).digest('hex');
}

/** DER prefix of a PKCS#8 Ed25519 private key before its 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from(
  '302e020100300506032b657004220420',
  'hex',
);

/**
 * Reads an Ed25519 private key from a secret payload: PEM (PKCS#8), or a
 * 32-byte seed, raw or base64 (what the stack's random generator makes).
 */
export function ed25519PrivateKey(payload: Buffer): KeyObject {
  const text = payload.toString('utf8').trim();
  if (text.startsWith('-----BEGIN')) {
    return createPrivateKey(text);
  }

  const seed = payload.length === 32 ? payload : Buffer.from(text, 'base64');
  if (seed.length !== 32) {
    throw new RangeError('expected a PEM key or a 32-byte seed');
  }

  return createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

/**
 * The digest signing key, an Ed25519 private key (PEM, or a 32-byte seed
 * as the stack generates it) stored in Secret Manager under `name`. `current` signs; `byVersion` gives the key
 * of an older digest so verification survives rotation.
 */
export class AuditSigningKeys {
  readonly #reader: SecretReader;
  readonly #name: string;

  constructor(reader: SecretReader, name: string) {
    this.#reader = reader;
    this.#name = name;
  }

  /** The newest enabled version. */
  current(): Promise<AuditSigningKey> {
    return this.#load('latest_enabled');
  }

  /** A given version, e.g. the one recorded in a digest. */
  byVersion(version: string): Promise<AuditSigningKey> {
    return this.#load(version);
  }

  /**
   * The trusted public key of a digest's signing key version, or null when
   * the version is unknown or its fingerprint differs.
   */
  async publicKey(
    version: string,
    fingerprint: string,
  ): Promise<KeyObject | null> {
    try {
      const key = await this.#load(version);

      return key.fingerprint === fingerprint ? key.publicKey : null;
    } catch (error) {
      if (error instanceof AuditKeyError && !error.retryable) {
        return null;
      }

      throw error;
    }
  }

  async #load(revision: string): Promise<AuditSigningKey> {
    const payload = await this.#reader.read(this.#name, revision);

    let privateKey: KeyObject;
    try {
      privateKey = ed25519PrivateKey(payload.data);
    } catch (error) {
      throw new AuditKeyError(this.#name, 'is not an Ed25519 key', error);
    }

    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw new AuditKeyError(this.#name, 'is not an Ed25519 key');
    }

    const publicKey = createPublicKey(privateKey);

    return {
      version: payload.revision,
      privateKey,
      publicKey,
      fingerprint: publicKeyFingerprint(publicKey),
    };
  }
}

/** An SSE-C customer key (AES-256) and its Secret Manager version. */
export interface AuditEncryptionKey {
  version: string;
  key: Buffer;
}

/**
 * The SSE-C customer key, 32 bytes (raw or base64 text) stored in Secret
 * Manager under `name`. Objects record the version that encrypted them, and
 * every version stays readable through `byVersion`.
 */
export class AuditEncryptionKeys {
  readonly #reader: SecretReader;
  readonly #name: string;
  readonly #cache = new Map<string, AuditEncryptionKey>();

  constructor(reader: SecretReader, name: string) {
    this.#reader = reader;
    this.#name = name;
  }

  /** The newest enabled version: new objects are written with it. */
  current(): Promise<AuditEncryptionKey> {
    return this.#load('latest_enabled');
  }

  /** The version that protects an existing object. */
  async byVersion(version: string): Promise<AuditEncryptionKey> {
    const cached = this.#cache.get(version);
    if (cached !== undefined) {
      return cached;
    }

    return this.#load(version);
  }

  async #load(revision: string): Promise<AuditEncryptionKey> {
    const payload = await this.#reader.read(this.#name, revision);
    const text = payload.data.toString('utf8').trim();
    const key =
      payload.data.length === 32 ? payload.data : Buffer.from(text, 'base64');
    if (key.length !== 32) {
      throw new AuditKeyError(this.#name, 'is not a 256-bit key');
    }

    const loaded = { version: payload.revision, key };
    this.#cache.set(payload.revision, loaded);

    return loaded;
  }
}
