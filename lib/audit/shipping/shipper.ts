import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

import pLimit from 'p-limit';

import {
  type AuditClock,
  HOUR_MS,
  startOfHour,
  systemClock,
} from '../clock.ts';
import { AuditEventInvalidError } from '../errors.ts';
import { type AuditEvent, encodeAuditEvent, eventHour } from '../event.ts';
import {
  closingKey,
  digestKey,
  lateNoteBody,
  lateNoteKey,
  logObjectKey,
  markerKey,
  parseLogObjectKey,
} from '../layout.ts';
import { scrubRecord, scrubText } from '../scrub.ts';
import type { AuditBucket } from '../storage.ts';
import type { EventShipper } from './log-shipper.ts';

/** What one call to AuditShipper.ship did. */
export interface ShipResult {
  /** Keys of the log objects written by this call. */
  objects: string[];
  /** Events stored by this call. */
  stored: number;
  /** Events already stored before (redelivered), dropped. */
  duplicates: number;
}

/** Options of an AuditShipper. */
export interface AuditShipperOptions {
  bucket: AuditBucket;
  /** Only events of this environment are accepted; it is the prefix. */
  environment: string;
  /** Parallel marker reads and writes. Default: 8. */
  concurrency?: number;
  /** Gives the delivery hour of late events. Default: the wall clock. */
  clock?: AuditClock;
}

interface Marker {
  object: string;
}

function idsHash(events: readonly AuditEvent[]): string {
  const ids = events.map((event) => event.event_id).sort();

  return createHash('sha256').update(ids.join('\n')).digest('hex');
}

function byTime(a: AuditEvent, b: AuditEvent): number {
  if (a.timestamp !== b.timestamp) {
    return Date.parse(a.timestamp) - Date.parse(b.timestamp);
  }

  return a.event_id < b.event_id ? -1 : 1;
}

/**
 * Removes secrets that another system may have put in an event, so that
 * the bucket holds none whatever the sender did.
 */
export function scrubEvent(event: AuditEvent): AuditEvent {
  return {
    ...event,
    details: scrubRecord(event.details) as AuditEvent['details'],
    error_message:
      event.error_message === null ? null : scrubText(event.error_message),
  };
}

/**
 * Stores audit events in the environment's bucket: one gzip JSON-lines
 * object per hour and batch, each event exactly once. Events go under the
 * hour of their timestamp; late events whose hour is already being
 * sealed go under the hour they are delivered in. An object that lands in
 * an hour whose sealing began meanwhile gets a late note, so that a later
 * digest adopts it.
 *
 * Exactly once, even when the queue delivers twice or the shipper dies
 * between the put and the acknowledgement: before an object is written, a
 * marker per event (`<env>/index/.../<event-id>.json`) records the key of
 * the object that will hold it. An event whose marker points to an object
 * that exists is a duplicate and is dropped. A marker that points to an
 * object never written (a crash between the two puts) is overwritten by
 * the next attempt.
 */
export class AuditShipper implements EventShipper {
  readonly environment: string;
  readonly #bucket: AuditBucket;
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #clock: AuditClock;
  /** Hours whose sealing has begun (closing marker or digest seen). */
  readonly #closing = new Set<number>();

  constructor(options: AuditShipperOptions) {
    this.environment = options.environment;
    this.#bucket = options.bucket;
    this.#limit = pLimit(options.concurrency ?? 8);
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Throws AuditEventInvalidError when an event belongs to another
   * environment (its prefix would be wrong).
   */
  assertEnvironment(event: AuditEvent): void {
    if (event.environment === this.environment) {
      return;
    }

    throw new AuditEventInvalidError([
      {
        path: 'environment',
        message: `this queue ships ${this.environment} events only`,
      },
    ]);
  }

  /**
   * Stores the events and resolves once every new event is durably in an
   * object. Throws AuditStorageError (retryable) when storage fails; the
   * caller then keeps the messages for a later attempt.
   */
  async ship(events: readonly AuditEvent[]): Promise<ShipResult> {
    for (const event of events) {
      this.assertEnvironment(event);
    }

    const unique = new Map(events.map((e) => [e.event_id, scrubEvent(e)]));
    const byHour = new Map<number, AuditEvent[]>();
    for (const event of unique.values()) {
      const hour = eventHour(event).getTime();
      byHour.set(hour, [...(byHour.get(hour) ?? []), event]);
    }

    const result: ShipResult = {
      objects: [],
      stored: 0,
      duplicates: events.length - unique.size,
    };
    for (const [hour, hourEvents] of [...byHour].sort((a, b) => a[0] - b[0])) {
      await this.#shipHour(new Date(hour), hourEvents, result);
    }

    return result;
  }

  async #shipHour(
    hour: Date,
    events: AuditEvent[],
    result: ShipResult,
  ): Promise<void> {
    const shipped = await Promise.all(
      events.map((event) => this.#limit(() => this.#shippedIn(hour, event))),
    );
    const fresh = events
      .filter((_, index) => shipped[index] === undefined)
      .sort(byTime);
    result.duplicates += events.length - fresh.length;
    // A run may have died between its put and its late note.
    for (const object of new Set(shipped)) {
      const parts = object === undefined ? null : parseLogObjectKey(object);
      if (object !== undefined && parts !== null) {
        await this.#noteIfLate(parts.hour, object);
      }
    }

    const first = fresh[0];
    if (first === undefined) {
      return;
    }

    const keyVersion = await this.#bucket.currentKeyVersion();
    const objectHour = await this.#objectHour(hour);
    const key = logObjectKey(
      this.environment,
      objectHour,
      first.timestamp,
      idsHash(fresh),
      keyVersion,
    );

    await this.#writeMarkers(hour, fresh, key);
    await this.#writeObject(key, fresh, keyVersion);
    await this.#noteIfLate(objectHour, key);
    result.objects.push(key);
    result.stored += fresh.length;
  }

  /**
   * The hour whose prefix receives the object: the events' hour, or the
   * delivery hour when sealing of the events' hour has begun (late
   * events), so that a sealed hour gains no object.
   */
  async #objectHour(eventsHour: Date): Promise<Date> {
    const sealed =
      (await this.#isClosing(eventsHour)) ||
      // hours sealed before closing markers existed have a digest only
      (await this.#bucket.exists(digestKey(this.environment, eventsHour)));
    if (!sealed) {
      return eventsHour;
    }
    this.#closing.add(eventsHour.getTime());

    return startOfHour(this.#clock.now());
  }

  /**
   * Sealing of the object's hour may have begun between the check of
   * #objectHour and the put (a slow or frozen run): the digest may then
   * miss the object. A late note, under an hour whose sealing has not
   * begun once the note is written, asks that hour's digest to adopt it.
   */
  async #noteIfLate(objectHour: Date, object: string): Promise<void> {
    if (!(await this.#isClosing(objectHour))) {
      return;
    }

    const body = lateNoteBody(object);
    const objectHash = createHash('sha256').update(object).digest('hex');
    let hour = startOfHour(this.#clock.now());
    for (;;) {
      if (!(await this.#isClosing(hour))) {
        const note = lateNoteKey(this.environment, hour, objectHash);
        await this.#bucket.put(note, body, {
          contentType: 'application/json',
        });
        if (!(await this.#isClosing(hour))) return;
      }
      hour = new Date(hour.getTime() + HOUR_MS);
    }
  }

  /** Whether a sealer has begun the hour. Only a yes is remembered. */
  async #isClosing(hour: Date): Promise<boolean> {
    const time = hour.getTime();
    if (this.#closing.has(time)) {
      return true;
    }

    const closing = await this.#bucket.exists(
      closingKey(this.environment, hour),
    );
    if (closing) this.#closing.add(time);

    return closing;
  }

  /** The object that already holds the event, if one does. */
  async #shippedIn(hour: Date, event: AuditEvent): Promise<string | undefined> {
    const found = await this.#bucket.get(
      markerKey(this.environment, hour, event.event_id),
    );
    if (found === null) {
      return undefined;
    }

    const marker = JSON.parse(found.body.toString('utf8')) as Marker;
    const parts = parseLogObjectKey(marker.object);
    if (parts === null) {
      return undefined;
    }
    const exists = await this.#bucket.exists(marker.object, parts.keyVersion);

    return exists ? marker.object : undefined;
  }

  async #writeMarkers(
    hour: Date,
    events: readonly AuditEvent[],
    object: string,
  ): Promise<void> {
    const body = Buffer.from(JSON.stringify({ object } satisfies Marker));

    await Promise.all(
      events.map((event) =>
        this.#limit(() =>
          this.#bucket.put(
            markerKey(this.environment, hour, event.event_id),
            body,
            {
              contentType: 'application/json',
            },
          ),
        ),
      ),
    );
  }

  async #writeObject(
    key: string,
    events: readonly AuditEvent[],
    keyVersion: string | null,
  ): Promise<void> {
    if (await this.#bucket.exists(key, keyVersion)) {
      return;
    }

    const lines = events.map((event) => `${encodeAuditEvent(event)}\n`);
    const last = events.at(-1);
    await this.#bucket.put(key, gzipSync(lines.join('')), {
      contentType: 'application/gzip',
      keyVersion,
      metadata: {
        'event-count': String(events.length),
        'first-event': events[0]?.timestamp ?? '',
        'last-event': last?.timestamp ?? '',
        ...(keyVersion === null ? {} : { 'sse-key-version': keyVersion }),
      },
    });
  }
}
