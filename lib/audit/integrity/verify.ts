import type { KeyObject } from 'node:crypto';

import {
  type AuditClock,
  DAY_MS,
  HOUR_MS,
  startOfHour,
  systemClock,
} from '../clock.ts';
import {
  digestKey,
  digestPrefix,
  parseDigestKey,
  parseLateNoteKey,
  parseLogObjectKey,
} from '../layout.ts';
import { AUDIT_RETENTION_DAYS } from '../retention.ts';
import type { AuditBucket } from '../storage.ts';
import {
  type AuditDigest,
  parseDigest,
  SIGNATURE_METADATA,
  sha256Hex,
  signingText,
  verifyDigestSignature,
} from './digest.ts';
import { checkVersionHistory, type HistoryScope } from './history.ts';
import { isAdoptable, readLateNote } from './seal.ts';

/** The kinds of problem `audit verify` reports. */
export type IntegrityProblemKind =
  | 'modified-object'
  | 'missing-object'
  | 'reordered-object'
  | 'unlisted-object'
  | 'modified-digest'
  | 'missing-digest'
  | 'reordered-digest'
  | 'overwritten-object'
  | 'deleted-object'
  | 'overwritten-digest'
  | 'deleted-digest';

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
  /** Log objects of hours not due for sealing yet. */
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

/**
 * How long after its end an hour must have its digest: the CRON's
 * 10-minute grace, its 15-minute drain schedule (staging; production
 * drains every 5) and its 5-minute timeout.
 */
export const SEAL_DEADLINE_MS = 30 * 60_000;

/** Options of verifyAuditTrail. */
export interface VerifyOptions {
  bucket: AuditBucket;
  environment: string;
  publicKey: PublicKeyResolver;
  /** Says which hours are due for sealing. Default: the wall clock. */
  clock?: AuditClock;
  /**
   * The stack's `audit.retentionDays`: digests and objects older than
   * this may have been expired by the lifecycle. Default: the minimum of
   * the environment (AUDIT_RETENTION_DAYS), else 7.
   */
  retentionDays?: number;
  /** Time after an hour's end by which it is sealed. Default: 30 min. */
  sealDeadlineMs?: number;
}

function retentionDaysOf(options: VerifyOptions): number {
  const minimum = (AUDIT_RETENTION_DAYS as Record<string, number>)[
    options.environment
  ];

  return options.retentionDays ?? minimum ?? 7;
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

  const digest = parseDigest(object.body);
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
 * each listed object's SHA-256, a digest for every hour due (ended more
 * than `sealDeadlineMs` ago) from the chain's start on, the oldest
 * digest's predecessor unless the lifecycle may have expired it, and the
 * version history of digests and log objects (see checkVersionHistory).
 * Untouched data gives `ok: true` and no problems.
 */
export async function verifyAuditTrail(
  options: VerifyOptions,
): Promise<IntegrityReport> {
  const { bucket, environment } = options;
  const now = (options.clock ?? systemClock).now();
  const retentionDays = retentionDaysOf(options);
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
    for (const entry of entriesOf(current)) {
      listed.add(entry.key);
    }
    objects += await checkObjects(bucket, current, problems);
  }

  checkChainStart(digests[0], { now, retentionDays }, problems);
  const lastDue = lastDueHour(now, options.sealDeadlineMs);
  checkDueHours(options, digests, logKeys, lastDue, problems);
  const awaiting = await awaitingAdoption(bucket, digests, allKeys, now);
  const pending = checkLogKeys(
    digests,
    logKeys,
    { listed, awaiting },
    lastDue,
    problems,
  );
  checkVersionHistory(
    await bucket.listVersions(`${environment}/`),
    { now, retentionDays },
    problems,
  );

  const unique = [
    ...new Map(problems.map((p) => [`${p.kind} ${p.key}`, p])).values(),
  ];

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

/** The start of the newest hour whose digest is due at `now`. */
function lastDueHour(now: Date, deadlineMs = SEAL_DEADLINE_MS): number {
  return startOfHour(new Date(now.getTime() - deadlineMs)).getTime() - HOUR_MS;
}

/**
 * The oldest remaining digest starts the chain (no predecessor) or chains
 * to a digest the lifecycle may have expired: one whose hour is more than
 * the retention ago. A younger predecessor was deleted (head truncation).
 */
function checkChainStart(
  oldest: ReadDigest | undefined,
  scope: HistoryScope,
  problems: IntegrityProblem[],
): void {
  const previous = oldest?.digest?.previousDigest ?? null;
  if (previous === null) {
    return;
  }

  const hour = parseDigestKey(previous.key)?.getTime() ?? 0;
  const expiresAfter = hour + scope.retentionDays * DAY_MS;
  if (expiresAfter <= scope.now.getTime()) {
    return;
  }

  problems.push({
    kind: 'missing-digest',
    key: previous.key,
    detail:
      `the oldest digest chains to it, and the ${scope.retentionDays}-day ` +
      'retention cannot have expired it',
  });
}

/**
 * Every hour due, from the chain's start (or the first log object when no
 * digest is left) on, has a digest: the CRON seals hours without events
 * too, so a missing one at the end of the chain is a deletion.
 */
function checkDueHours(
  options: VerifyOptions,
  digests: readonly ReadDigest[],
  logKeys: readonly string[],
  lastDue: number,
  problems: IntegrityProblem[],
): void {
  const firstLog = logKeys
    .map((key) => parseLogObjectKey(key)?.hour.getTime() ?? lastDue)
    .reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const start = digests[0]?.hour.getTime() ?? firstLog;
  const sealed = new Set(digests.map((d) => d.hour.getTime()));

  for (let hour = start; hour <= lastDue; hour += HOUR_MS) {
    if (sealed.has(hour)) {
      continue;
    }

    problems.push({
      kind: 'missing-digest',
      key: digestKey(options.environment, new Date(hour)),
      detail: 'the hour is over and due for sealing, but has no digest',
    });
  }
}

/**
 * Log objects of hours not due yet are pending; an object of a sealed hour
 * (or of an hour before the chain's start) that no digest lists is
 * unlisted. Objects of a due hour without digest are covered by that
 * hour's missing digest. Returns the pending count.
 */
function checkLogKeys(
  digests: readonly ReadDigest[],
  logKeys: readonly string[],
  covered: { listed: ReadonlySet<string>; awaiting: ReadonlySet<string> },
  lastDue: number,
  problems: IntegrityProblem[],
): number {
  const { listed, awaiting } = covered;
  const sealed = new Set(digests.map((d) => d.hour.getTime()));
  const start = digests[0]?.hour.getTime() ?? Number.NEGATIVE_INFINITY;
  let pending = 0;

  for (const key of logKeys) {
    const hour = parseLogObjectKey(key)?.hour.getTime() ?? 0;
    if (listed.has(key)) {
      continue;
    }
    if ((hour > lastDue && !sealed.has(hour)) || awaiting.has(key)) {
      pending += 1;
    } else if (sealed.has(hour) || hour < start) {
      problems.push({
        kind: 'unlisted-object',
        key,
        detail: sealed.has(hour)
          ? 'in a sealed hour but in no digest'
          : 'older than the oldest digest',
      });
    }
  }

  return pending;
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

/** The objects a digest vouches for: its hour's, then those it adopted. */
function entriesOf(current: ReadDigest): AuditDigest['logObjects'] {
  const digest = current.digest;

  return [...(digest?.logObjects ?? []), ...(digest?.adoptedObjects ?? [])];
}

/**
 * Objects named by late notes that the digest of the note's hour, not
 * written yet, will adopt (see sealAuditHours): until then they are
 * pending, not unlisted. A note counts only under an hour without a
 * digest, up to the next hour, and when the object's hour was sealed
 * within the adoption window before the note's: once the note's hour is
 * sealed, a note excuses nothing.
 */
async function awaitingAdoption(
  bucket: AuditBucket,
  digests: readonly ReadDigest[],
  allKeys: readonly string[],
  now: Date,
): Promise<Set<string>> {
  const byHour = new Map(digests.map((d) => [d.hour.getTime(), d]));
  const latest = startOfHour(now).getTime() + HOUR_MS;
  const awaiting = new Set<string>();
  for (const key of allKeys) {
    const hour = parseLateNoteKey(key);
    const time = hour?.getTime() ?? Number.POSITIVE_INFINITY;
    if (hour === null || byHour.has(time) || time > latest) continue;

    const note = await readLateNote(bucket, key);
    if (note === null) continue;
    const sealed = byHour.get(note.objectHour.getTime());
    if (isAdoptable(hour, sealed?.digest?.sealedAt)) awaiting.add(note.object);
  }

  return awaiting;
}

async function checkObjects(
  bucket: AuditBucket,
  current: ReadDigest,
  problems: IntegrityProblem[],
): Promise<number> {
  const entries = entriesOf(current);
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
