import type { PlatformClock } from '../../controls/clock.ts';
import type { DatabaseEngine } from '../../postgres/engine.ts';
import {
  type AccountDefaults,
  type Collection,
  pathParam,
  ResourceNotFoundError,
  regionParam,
} from '../core/index.ts';
import {
  type DatabaseRecord,
  databasesOf,
  type InstanceRecord,
  type UserRecord,
} from './model.ts';

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

/** A user of the instance; a 404 `not_found` `user` otherwise. */
export function requireUser(
  instance: InstanceRecord,
  name: string,
): UserRecord {
  const user = instance.users.find((candidate) => candidate.name === name);
  if (user === undefined) {
    throw new ResourceNotFoundError('user', name);
  }

  return user;
}

/** A database of the instance; a 404 `not_found` `database` otherwise. */
export function requireDatabase(
  instance: InstanceRecord,
  name: string,
): DatabaseRecord {
  const database = databasesOf(instance).find((d) => d.name === name);
  if (database === undefined) {
    throw new ResourceNotFoundError('database', name);
  }

  return database;
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
