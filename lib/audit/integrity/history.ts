import { DAY_MS } from '../clock.ts';
import { parseDigestKey, parseLogObjectKey } from '../layout.ts';
import type { AuditObjectVersion } from '../storage.ts';
import type { IntegrityProblem } from './verify.ts';

/** What checkVersionHistory needs besides the versions. */
export interface HistoryScope {
  now: Date;
  /** Days the lifecycle keeps objects; older hours may have changed. */
  retentionDays: number;
}

function hourOf(key: string): { hour: Date; digest: boolean } | null {
  const digestHour = parseDigestKey(key);
  if (digestHour !== null) {
    return { hour: digestHour, digest: true };
  }

  const parts = parseLogObjectKey(key);

  return parts === null ? null : { hour: parts.hour, digest: false };
}

function groupByKey(
  versions: readonly AuditObjectVersion[],
): Map<string, AuditObjectVersion[]> {
  const byKey = new Map<string, AuditObjectVersion[]>();
  for (const version of versions) {
    byKey.set(version.key, [...(byKey.get(version.key) ?? []), version]);
  }

  return byKey;
}

/**
 * Checks the version history of digests and log objects: each is written
 * once, so within the retention a delete marker or a second version with
 * other bytes (another ETag) is tampering, e.g. an object changed and its
 * hours re-sealed, which the current versions alone no longer show. Keys
 * old enough for the lifecycle to have expired them are not checked, nor
 * are other keys (the shipper's markers are rewritten by design).
 */
export function checkVersionHistory(
  versions: readonly AuditObjectVersion[],
  scope: HistoryScope,
  problems: IntegrityProblem[],
): void {
  const horizon = scope.now.getTime() - scope.retentionDays * DAY_MS;

  for (const [key, history] of groupByKey(versions)) {
    const kind = hourOf(key);
    if (kind === null || kind.hour.getTime() <= horizon) {
      continue;
    }

    const markers = history.filter((v) => v.deleteMarker).length;
    const contents = new Set(
      history.filter((v) => !v.deleteMarker).map((v) => v.etag),
    );
    const what = kind.digest ? 'digest' : 'object';
    if (markers > 0) {
      problems.push({
        kind: kind.digest ? 'deleted-digest' : 'deleted-object',
        key,
        detail: `${markers} delete marker(s) in its history`,
      });
    }
    if (contents.size > 1) {
      problems.push({
        kind: kind.digest ? 'overwritten-digest' : 'overwritten-object',
        key,
        detail: `${contents.size} different versions of a ${what} written once`,
      });
    }
  }
}
