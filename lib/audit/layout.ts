/**
 * The audit bucket's layout, one prefix per environment:
 *
 *   <env>/YYYY/MM/DD/HH/<first-event>_<ids-hash>[.k<ver>].jsonl.gz  logs
 *   <env>/index/YYYY/MM/DD/HH/<event-id>.json    shipped-event markers
 *   <env>/digests/YYYY/MM/DD/HH.json             signed hourly digests
 *   <env>/closing/YYYY/MM/DD/HH.json             "sealing has begun"
 *   <env>/late/YYYY/MM/DD/HH/<key-hash>.json     objects to adopt
 *
 * `.k<ver>` names the SSE-C key version that encrypts the object. A late
 * note under hour HH asks the digest of HH to adopt an object that may
 * have landed in an earlier hour after that hour's digest listed it.
 */

const ENVIRONMENT = /^[a-z][a-z0-9-]{0,62}$/;
// Key patterns: group 1 the environment, groups 2 to 5 the hour.
const ENV = String.raw`^([a-z][a-z0-9-]*)\/`;
const HOUR = String.raw`(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})`;
const LOG_KEY = new RegExp(
  String.raw`${ENV}${HOUR}\/(\d{8}T\d{6}Z)_([0-9a-f]{32})` +
    String.raw`(?:\.k(\d+))?\.jsonl\.gz$`,
);
const LATE_NOTE_KEY = new RegExp(
  String.raw`${ENV}late\/${HOUR}\/[0-9a-f]{32}\.json$`,
);
const DIGEST_KEY = new RegExp(String.raw`${ENV}digests\/${HOUR}\.json$`);

/** True for a name usable as an environment prefix (dev, staging...). */
export function isEnvironmentName(name: string): boolean {
  return ENVIRONMENT.test(name);
}

/** The hour of a key pattern's match (groups 2 to 5). */
function hourOfMatch(match: RegExpExecArray): Date {
  const [, , y, m, d, h] = match;

  return new Date(`${y}-${m}-${d}T${h}:00:00Z`);
}

/** `YYYY/MM/DD/HH` of an hour, in UTC. */
function hourPath(hour: Date): string {
  const iso = hour.toISOString();

  return [
    iso.slice(0, 4),
    iso.slice(5, 7),
    iso.slice(8, 10),
    iso.slice(11, 13),
  ].join('/');
}

function compactTime(timestamp: string): string {
  const iso = new Date(Date.parse(timestamp)).toISOString();

  return `${iso.slice(0, 19).replaceAll('-', '').replaceAll(':', '')}Z`;
}

/** The prefix of an hour's log objects: `<env>/YYYY/MM/DD/HH/`. */
export function logPrefix(environment: string, hour: Date): string {
  return `${environment}/${hourPath(hour)}/`;
}

/** The key of a log object (see the layout above). */
export function logObjectKey(
  environment: string,
  hour: Date,
  firstTimestamp: string,
  idsHash: string,
  keyVersion: string | null,
): string {
  const version = keyVersion === null ? '' : `.k${keyVersion}`;
  const name = `${compactTime(firstTimestamp)}_${idsHash.slice(0, 32)}`;

  return `${logPrefix(environment, hour)}${name}${version}.jsonl.gz`;
}

/** What a log object's key says: its hour and SSE-C key version. */
export interface LogObjectKeyParts {
  environment: string;
  hour: Date;
  keyVersion: string | null;
}

/** Reads a log object key, or null if the key is not one. */
export function parseLogObjectKey(key: string): LogObjectKeyParts | null {
  const match = LOG_KEY.exec(key);
  if (match === null) {
    return null;
  }

  const [, environment, y, m, d, h, , , version] = match;

  return {
    environment: environment as string,
    hour: new Date(`${y}-${m}-${d}T${h}:00:00Z`),
    keyVersion: version ?? null,
  };
}

/** The marker that records that an event was shipped, and where. */
export function markerKey(
  environment: string,
  hour: Date,
  eventId: string,
): string {
  return `${environment}/index/${hourPath(hour)}/${eventId}.json`;
}

/** The digest of an hour: `<env>/digests/YYYY/MM/DD/HH.json`. */
export function digestKey(environment: string, hour: Date): string {
  return `${environment}/digests/${hourPath(hour)}.json`;
}

/** The prefix of every digest of an environment. */
export function digestPrefix(environment: string): string {
  return `${environment}/digests/`;
}

/** The hour a digest key stands for, or null if the key is not one. */
export function parseDigestKey(key: string): Date | null {
  const match = DIGEST_KEY.exec(key);
  if (match === null) {
    return null;
  }

  return hourOfMatch(match);
}

/**
 * The marker a sealer writes before it lists an hour's objects:
 * `<env>/closing/YYYY/MM/DD/HH.json`. A shipper that finds it after its
 * put knows its object may be missing from the digest.
 */
export function closingKey(environment: string, hour: Date): string {
  return `${environment}/closing/${hourPath(hour)}.json`;
}

/** The prefix of the late notes the digest of `hour` adopts. */
export function latePrefix(environment: string, hour: Date): string {
  return `${environment}/late/${hourPath(hour)}/`;
}

/** The late note of one object, under the hour that adopts it. */
export function lateNoteKey(
  environment: string,
  hour: Date,
  objectKeyHash: string,
): string {
  return `${latePrefix(environment, hour)}${objectKeyHash.slice(0, 32)}.json`;
}

/** The hour a late note key is under, or null if the key is not one. */
export function parseLateNoteKey(key: string): Date | null {
  const match = LATE_NOTE_KEY.exec(key);
  if (match === null) {
    return null;
  }

  return hourOfMatch(match);
}

/** The body of a late note: `{"object":"<log object key>"}`. */
export function lateNoteBody(object: string): Buffer {
  return Buffer.from(JSON.stringify({ object }));
}

/** The log object a late note names, or undefined if unreadable. */
export function lateNoteObject(body: Buffer): string | undefined {
  try {
    const { object } = JSON.parse(body.toString('utf8')) as {
      object?: unknown;
    };
    return typeof object === 'string' ? object : undefined;
  } catch {
    return undefined;
  }
}
