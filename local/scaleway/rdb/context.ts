import type { PlatformClock } from '../../controls/clock.ts';
import type { DatabaseEngine } from '../../postgres/engine.ts';
import {
  type AccountDefaults,
  type Collection,
  pathParam,
  ResourceNotFoundError,
  regionParam,
} from '../core/index.ts';
import type { InstanceRecord } from './model.ts';

/** What every RDB route needs. */
export interface RdbContext {
  instances: Collection<InstanceRecord>;
  clock: PlatformClock;
  account: AccountDefaults;
  /** The PostgreSQL server behind every instance; absent in API-only use. */
  engine: DatabaseEngine | undefined;
}

/** Base path of every RDB v1 route. */
export const RDB_BASE = '/rdb/v1/regions/{region}';

/**
 * The instance named by the `{instance_id}` path parameter in the
 * `{region}` of the path; a 404 `not_found` `instance` otherwise.
 */
export function requireInstance(
  context: RdbContext,
  params: Readonly<Record<string, string>>,
): InstanceRecord {
  const region = regionParam(params);
  const id = pathParam(params, 'instance_id');
  const instance = context.instances.get(id);
  if (instance === undefined || instance.region !== region) {
    throw new ResourceNotFoundError('instance', id);
  }

  return instance;
}

/** Where clients reach the engine (the public endpoint's address). */
export function engineAddress(context: RdbContext): {
  ip: string;
  port: number;
  hostname: string;
} {
  return {
    ip: '127.0.0.1',
    port: context.engine?.port ?? 5432,
    hostname: context.engine?.host ?? 'localhost',
  };
}
