import type { KeyObject } from 'node:crypto';

import { HOUR_MS } from '../clock.ts';
import { digestPrefix, parseDigestKey, parseLogObjectKey } from '../layout.ts';
import type { AuditBucket } from '../storage.ts';
import {
  type AuditDigest,
  auditDigestSchema,
  SIGNATURE_METADATA,
  sha256Hex,
  signingText,
  verifyDigestSignature,
} from './digest.ts';

/** The kinds of problem `audit verify` reports. */
export type IntegrityProblemKind =
  | 'modified-object'
  | 'missing-object'
  | 'reordered-object'
  | 'unlisted-object'
  | 'modified-digest'
  | 'missing-digest'
  | 'reordered-digest';

/** One integrity problem: what, where, and why (no event content). */
export interface IntegrityProblem {
  kind: IntegrityProblemKind;
  key: string;
  detail: string;
}

/** The result of verifying an environment's audit trail. */
export interface IntegrityReport {
  ok: boolean;
  environment: string;
  digests: number;
  objects: number;
  /** Log objects newer than the last digest, not sealed yet. */
  pending: number;
  /** The oldest digest checked (the chain's start after expiry). */
  chainStart: string | null;
  problems: IntegrityProblem[];
}

/** Gives the trusted public key of a signing key version. */
export type PublicKeyResolver = (
  version: string,
  fingerprint: string,
) => Promise<KeyObject | null>;

/** Options of verifyAuditTrail. */
export interface VerifyOptions {
  bucket: AuditBucket;
  environment: string;
  publicKey: PublicKeyResolver;
}

interface ReadDigest {
  key: string;
  hour: Date;
  sha256: string;
  signature: string;
  digest: AuditDigest | null;
}

async function readDigest(
  bucket: AuditBucket,
  key: string,
  hour: Date,
  problems: IntegrityProblem[],
): Promise<ReadDigest> {
  const object = await bucket.get(key);
  if (object === null) {
    problems.push({ kind: 'missing-digest', key, detail: 'vanished' });

    return { key, hour, sha256: '', signature: '', digest: null };
  }

  let digest: AuditDigest | null = null;
  try {
    const parsed = auditDigestSchema.safeParse(
      JSON.parse(object.body.toString('utf8')),
    );
    digest = parsed.success ? parsed.data : null;
  } catch {
    digest = null;
  }
  if (digest === null) {
    problems.push({
      kind: 'modified-digest',
      key,
      detail: 'not a valid digest document',
    });
  }

  return {
    key,
    hour,
    sha256: sha256Hex(object.body),
    signature: object.metadata[SIGNATURE_METADATA] ?? '',
    digest,
  };
}

/**
 * Verifies an environment's audit trail: each digest's signature and its
 * link to the previous digest (hash, signature, key, consecutive hours),
 * then each listed object's SHA-256. Reports changed, missing, moved
 * (reordered) and unlisted objects and changed, missing or reordered
 * digests. Untouched data gives `ok: true` and no problems.
 */
export async function verifyAuditTrail(
  options: VerifyOptions,
): Promise<IntegrityReport> {
  const { bucket, environment } = options;
  const problems: IntegrityProblem[] = [];

  const allKeys = await bucket.list(`${environment}/`);
  const digestKeys = allKeys
    .filter((key) => key.startsWith(digestPrefix(environment)))
    .filter((key) => parseDigestKey(key) !== null);
  const logKeys = allKeys.filter((key) => parseLogObjectKey(key) !== null);

  const digests: ReadDigest[] = [];
  for (const key of digestKeys) {
    const hour = parseDigestKey(key) as Date;
    digests.push(await readDigest(bucket, key, hour, problems));
  }

  const listed = new Set<string>();
  let objects = 0;
  for (const [index, current] of digests.entries()) {
    const before = index === 0 ? null : (digests[index - 1] ?? null);
    await checkDigest(options, current, before, problems);
    for (const entry of current.digest?.logObjects ?? []) {
      listed.add(entry.key);
    }
    objects += await checkObjects(bucket, current, problems);
  }

  const lastHour = digests.at(-1)?.hour.getTime() ?? Number.NEGATIVE_INFINITY;
  let pending = 0;
  for (const key of logKeys) {
    const hour = parseLogObjectKey(key)?.hour.getTime() ?? 0;
    if (hour > lastHour) {
      pending += 1;
    } else if (!listed.has(key)) {
      problems.push({
        kind: 'unlisted-object',
        key,
        detail: 'in a sealed hour but in no digest',
      });
    }
  }

  const unique = [
    ...new Map(problems.map((p) => [`${p.kind} ${p.key}`, p])).values(),
  ];

  // Limitation (#7): digests deleted at the end of the chain, with their
  // hours' objects, look like hours not sealed yet; an external anchor
  // (e.g. the latest digest hash kept elsewhere) would detect it.
  return {
    ok: unique.length === 0,
    environment,
    digests: digests.length,
    objects,
    pending,
    chainStart: digests[0]?.key ?? null,
    problems: unique,
  };
}

async function checkDigest(
  options: VerifyOptions,
  current: ReadDigest,
  before: ReadDigest | null,
  problems: IntegrityProblem[],
): Promise<void> {
  const { digest, key } = current;
  if (digest === null) {
    return;
  }

  if (
    digest.hour !== current.hour.toISOString() ||
    digest.environment !== options.environment
  ) {
    problems.push({
      kind: 'reordered-digest',
      key,
      detail: `its content is for ${digest.environment} ${digest.hour}`,
    });
  }

  const publicKey = await options.publicKey(
    digest.signingKeyVersion,
    digest.publicKeyFingerprint,
  );
  const text = signingText(
    digest.hour,
    key,
    current.sha256,
    digest.previousDigest?.signature ?? null,
  );
  if (
    publicKey === null ||
    !verifyDigestSignature(text, current.signature, publicKey)
  ) {
    problems.push({
      kind: 'modified-digest',
      key,
      detail: 'signature does not match (content, place or key)',
    });
  }

  checkLink(current, before, problems);
}

function checkLink(
  current: ReadDigest,
  before: ReadDigest | null,
  problems: IntegrityProblem[],
): void {
  const previous = current.digest?.previousDigest ?? null;
  if (before === null) {
    // The oldest remaining digest: its predecessor may have expired.
    return;
  }

  const expectedHour = before.hour.getTime() + HOUR_MS;
  if (current.hour.getTime() !== expectedHour) {
    const gap = new Date(expectedHour).toISOString();
    problems.push({
      kind: 'missing-digest',
      key: current.key,
      detail: `no digest from ${gap} up to this one`,
    });
  }

  if (previous === null) {
    problems.push({
      kind: 'reordered-digest',
      key: current.key,
      detail: `does not chain to ${before.key}`,
    });
    return;
  }

  if (previous.key !== before.key) {
    problems.push({
      kind: previous.key > before.key ? 'missing-digest' : 'reordered-digest',
      key: current.key,
      detail: `chains to ${previous.key}, not to ${before.key}`,
    });
    return;
  }

  if (
    before.digest !== null &&
    (previous.sha256 !== before.sha256 ||
      previous.signature !== before.signature)
  ) {
    problems.push({
      kind: 'modified-digest',
      key: before.key,
      detail: `differs from the hash recorded in ${current.key}`,
    });
  }
}

async function checkObjects(
  bucket: AuditBucket,
  current: ReadDigest,
  problems: IntegrityProblem[],
): Promise<number> {
  const entries = current.digest?.logObjects ?? [];
  const keyOfHash = new Map(entries.map((entry) => [entry.sha256, entry.key]));

  for (const entry of entries) {
    const object = await bucket.get(entry.key, entry.sseKeyVersion);
    if (object === null) {
      problems.push({
        kind: 'missing-object',
        key: entry.key,
        detail: `listed in ${current.key}`,
      });
      continue;
    }

    const actual = sha256Hex(object.body);
    if (actual === entry.sha256) {
      continue;
    }

    const original = keyOfHash.get(actual);
    problems.push(
      original === undefined
        ? {
            kind: 'modified-object',
            key: entry.key,
            detail: `SHA-256 differs from ${current.key}`,
          }
        : {
            kind: 'reordered-object',
            key: entry.key,
            detail: `holds the content of ${original}`,
          },
    );
  }

  return entries.length;
}
