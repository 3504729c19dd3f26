import { randomUUID } from 'node:crypto';
import type { PlatformClock } from '../../controls/clock.ts';
import { InvalidArgumentsError } from './errors.ts';

/** Regions the local API serves (the SDKs' `LOCALITY` lists). */
export const REGIONS = ['fr-par', 'nl-ams', 'pl-waw'] as const;

/** Zones the local API serves. */
export const ZONES = [
  'fr-par-1',
  'fr-par-2',
  'fr-par-3',
  'nl-ams-1',
  'nl-ams-2',
  'nl-ams-3',
  'pl-waw-1',
  'pl-waw-2',
  'pl-waw-3',
] as const;

export type Region = (typeof REGIONS)[number];
export type Zone = (typeof ZONES)[number];

/** A new resource id (UUID v4, as the real API uses). */
export function newId(): string {
  return randomUUID();
}

/** The clock's time as RFC 3339 UTC with `Z` (what every `*_at` holds). */
export function timestamp(clock: PlatformClock): string {
  return clock.now().toISOString();
}

/**
 * The `{region}` path parameter, checked; a region the API does not serve
 * is a 400 `invalid_arguments` on `region`.
 */
export function regionParam(params: Readonly<Record<string, string>>): Region {
  const region = params.region ?? '';
  if (!(REGIONS as readonly string[]).includes(region)) {
    throw InvalidArgumentsError.of(
      'region',
      'constraint',
      `region must be one of ${REGIONS.join(', ')}`,
    );
  }

  return region as Region;
}

/** The `{zone}` path parameter, checked like `regionParam`. */
export function zoneParam(params: Readonly<Record<string, string>>): Zone {
  const zone = params.zone ?? '';
  if (!(ZONES as readonly string[]).includes(zone)) {
    throw InvalidArgumentsError.of(
      'zone',
      'constraint',
      `zone must be one of ${ZONES.join(', ')}`,
    );
  }

  return zone as Zone;
}

/** A path parameter that must be present (ids); 404-safe string. */
export function pathParam(
  params: Readonly<Record<string, string>>,
  name: string,
): string {
  const value = params[name];
  if (value === undefined) {
    throw new TypeError(`route has no {${name}} parameter`);
  }

  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID (ids, project and organization ids). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
