import {
  type AuditClock,
  HOUR_MS,
  startOfHour,
  systemClock,
} from '../clock.ts';
import type { AuditSigningKeys } from '../keys.ts';
import {
  digestKey,
  digestPrefix,
  logPrefix,
  parseDigestKey,
  parseLogObjectKey,
} from '../layout.ts';
import type { AuditBucket } from '../storage.ts';
import {
  type AuditDigest,
  SIGNATURE_METADATA,
  sha256Hex,
  signDigest,
  signingText,
} from './digest.ts';

/** Options of sealAuditHours. */
export interface SealOptions {
  bucket: AuditBucket;
  environment: string;
  signingKeys: AuditSigningKeys;
  /** Default: the wall clock. */
  clock?: AuditClock;
  /**
   * Time after the end of an hour before it is sealed, so that shipping
   * in flight can finish. Default: 10 minutes.
   */
  graceMs?: number;
  /** Hours sealed per run at most (the rest on the next run). Default: 48. */
  maxHours?: number;
}

/** What a sealing run wrote. */
export interface SealReport {
  /** Keys of the digests written, oldest first. */
  digests: string[];
}

interface ChainLink {
  key: string;
  sha256: string;
  signature: string;
}

async function latestLink(
  bucket: AuditBucket,
  environment: string,
): Promise<{ link: ChainLink; hour: Date } | null> {
  const keys = await bucket.list(digestPrefix(environment));
  const key = keys.filter((k) => parseDigestKey(k) !== null).at(-1);
  if (key === undefined) {
    return null;
  }

  const digest = await bucket.get(key);
  const hour = parseDigestKey(key);
  if (digest === null || hour === null) {
    return null;
  }

  return {
    hour,
    link: {
      key,
      sha256: sha256Hex(digest.body),
      signature: digest.metadata[SIGNATURE_METADATA] ?? '',
    },
  };
}

async function firstLogHour(
  bucket: AuditBucket,
  environment: string,
): Promise<Date | null> {
  const keys = await bucket.list(`${environment}/`);
  for (const key of keys) {
    const parts = parseLogObjectKey(key);
    if (parts !== null) {
      return parts.hour;
    }
  }

  return null;
}

/**
 * Writes the digest of every closed hour not sealed yet (CRON). A digest
 * lists the hour's log objects with their SHA-256, chains to the previous
 * digest (hash and signature) and is signed with the Ed25519 key from
 * Secret Manager; the signature is in the object's metadata. An hour
 * without events still gets a digest, which proves the absence.
 */
export async function sealAuditHours(
  options: SealOptions,
): Promise<SealReport> {
  const clock = options.clock ?? systemClock;
  const { bucket, environment } = options;
  const lastClosed = new Date(
    startOfHour(
      new Date(clock.now().getTime() - (options.graceMs ?? 600_000)),
    ).getTime() - HOUR_MS,
  );

  const latest = await latestLink(bucket, environment);
  const first =
    latest === null
      ? ((await firstLogHour(bucket, environment)) ?? lastClosed)
      : new Date(latest.hour.getTime() + HOUR_MS);

  const report: SealReport = { digests: [] };
  const maxHours = options.maxHours ?? 48;
  let previous = latest?.link ?? null;
  for (
    let hour = first;
    hour <= lastClosed && report.digests.length < maxHours;
    hour = new Date(hour.getTime() + HOUR_MS)
  ) {
    previous = await sealHour(options, hour, previous, clock);
    report.digests.push(previous.key);
  }

  return report;
}

async function sealHour(
  options: SealOptions,
  hour: Date,
  previous: ChainLink | null,
  clock: AuditClock,
): Promise<ChainLink> {
  const { bucket, environment } = options;
  const signingKey = await options.signingKeys.current();

  const logObjects: AuditDigest['logObjects'] = [];
  for (const key of await bucket.list(logPrefix(environment, hour))) {
    const parts = parseLogObjectKey(key);
    const object = parts && (await bucket.get(key, parts.keyVersion));
    if (parts === null || object === null) {
      continue;
    }

    logObjects.push({
      key,
      sha256: sha256Hex(object.body),
      sseKeyVersion: parts.keyVersion,
    });
  }

  const key = digestKey(environment, hour);
  const digest: AuditDigest = {
    version: 1,
    environment,
    bucket: bucket.name,
    hour: hour.toISOString(),
    sealedAt: clock.now().toISOString(),
    logObjects,
    previousDigest: previous,
    signatureAlgorithm: 'Ed25519',
    signingKeyVersion: signingKey.version,
    publicKeyFingerprint: signingKey.fingerprint,
  };
  const body = Buffer.from(`${JSON.stringify(digest, null, 2)}\n`);
  const bodySha256 = sha256Hex(body);
  const signature = signDigest(
    signingText(digest.hour, key, bodySha256, previous?.signature ?? null),
    signingKey.privateKey,
  );

  await bucket.put(key, body, {
    contentType: 'application/json',
    metadata: { [SIGNATURE_METADATA]: signature },
  });

  return { key, sha256: bodySha256, signature };
}
