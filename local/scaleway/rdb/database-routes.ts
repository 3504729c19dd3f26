import { z } from 'zod';
import { DatabaseNotFoundError } from '../../postgres/errors.ts';
import {
  AlreadyExistsError,
  byFields,
  noContent,
  ok,
  paginate,
  parseBody,
  parseQuery,
  pathParam,
  queryBoolean,
  queryString,
  type Router,
} from '../core/index.ts';
import {
  RDB_BASE,
  type RdbContext,
  requireDatabase,
  requireInstance,
} from './context.ts';
import { callEngine } from './engine-errors.ts';
import {
  type DatabaseRecord,
  databasesOf,
  type InstanceRecord,
  privilegesOf,
} from './model.ts';
import { CreateDatabaseBody } from './schemas.ts';

const DATABASES = `${RDB_BASE}/instances/{instance_id}/databases`;

/** The owner Scaleway lists for the databases its API creates. */
const SCALEWAY_OWNER = '_rdb_superadmin';

const ListDatabasesQuery = z.object({
  name: queryString(),
  managed: queryBoolean(),
  owner: queryString(),
  skip_size_retrieval: queryBoolean(),
});

/** A database on the wire, as `listDatabases` returns it. */
interface DatabaseWire {
  managed: boolean;
  name: string;
  owner: string;
  size: number;
}

const DATABASE_ORDERINGS = byFields<DatabaseWire>({
  name: (database) => database.name,
  size: (database) => database.size,
});

/**
 * Registers the logical database routes of an instance: list (with its
 * size on disk), create and delete (204). Each change is made in the
 * PostgreSQL engine first; a new database is reachable only by the users
 * given a privilege on it (see privilege-routes.ts).
 */
export function registerDatabaseRoutes(
  router: Router,
  context: RdbContext,
): void {
  const { instances } = context;

  router.get(DATABASES, async (request) => {
    const instance = requireInstance(context, request.params);
    const query = parseQuery(ListDatabasesQuery, request.query);
    const sizes = query.skip_size_retrieval
      ? new Map<string, number>()
      : await databaseSizes(context);
    const matching = databasesOf(instance)
      .map((database) => toWire(database, sizes))
      .filter(
        (database) =>
          (query.name === undefined || database.name.includes(query.name)) &&
          (query.managed === undefined || database.managed === query.managed) &&
          (query.owner === undefined || database.owner === query.owner),
      );
    const page = paginate(matching, request.query, DATABASE_ORDERINGS);

    return ok({ databases: page.items, total_count: page.totalCount });
  });

  router.post(DATABASES, async (request) => {
    const instance = requireInstance(context, request.params);
    const body = parseBody(CreateDatabaseBody, request.body);
    if (databasesOf(instance).some((d) => d.name === body.name)) {
      throw new AlreadyExistsError(
        'database',
        body.name,
        'a database with this name already exists',
      );
    }

    await createInEngine(context, body.name);
    instances.update(instance.id, (current) => ({
      ...current,
      databases: [...databasesOf(current), { name: body.name }],
    }));

    // as Scaleway replies: owner and size are known once it is listed
    return ok({ managed: true, name: body.name, owner: '', size: 0 });
  });

  router.delete(`${DATABASES}/{name}`, async (request) => {
    const instance = requireInstance(context, request.params);
    const database = requireDatabase(
      instance,
      pathParam(request.params, 'name'),
    );

    await dropUnsharedDatabase(context, instance, database.name);
    instances.update(instance.id, (current) => ({
      ...current,
      databases: databasesOf(current).filter((d) => d.name !== database.name),
      privileges: privilegesOf(current).filter(
        (p) => p.database_name !== database.name,
      ),
    }));

    return noContent();
  });
}

/**
 * Drops a database of `owner` from the engine unless another instance
 * also lists it (all local instances share one server). A database
 * already gone from the engine is not an error.
 */
export async function dropUnsharedDatabase(
  context: RdbContext,
  owner: InstanceRecord,
  name: string,
): Promise<void> {
  const engine = context.engine;
  if (engine === undefined) {
    return;
  }

  const shared = context.instances
    .filter((instance) => instance.id !== owner.id)
    .some((instance) => databasesOf(instance).some((d) => d.name === name));
  if (shared) {
    return;
  }

  const drop = () =>
    engine.deleteDatabase(name).catch((error: unknown) => {
      if (!(error instanceof DatabaseNotFoundError)) throw error;
    });

  await callEngine('name', drop, 'database name');
}

async function createInEngine(
  context: RdbContext,
  name: string,
): Promise<void> {
  const engine = context.engine;
  if (engine === undefined) {
    return;
  }

  // Differs from Scaleway (docs/local-platform.md): instances share one
  // server; a database of the same name that another instance created is
  // shared with it, not duplicated.
  await callEngine(
    'name',
    () => engine.createManagedDatabase(name),
    'database name',
  ).catch((error: unknown) => {
    if (!(error instanceof AlreadyExistsError)) throw error;
  });
}

async function databaseSizes(
  context: RdbContext,
): Promise<Map<string, number>> {
  const engine = context.engine;
  if (engine === undefined) {
    return new Map();
  }

  const databases = await engine.listDatabases();

  return new Map(databases.map((d) => [d.name, d.sizeBytes]));
}

function toWire(
  database: DatabaseRecord,
  sizes: ReadonlyMap<string, number>,
): DatabaseWire {
  return {
    managed: true,
    name: database.name,
    owner: SCALEWAY_OWNER,
    size: sizes.get(database.name) ?? 0,
  };
}
