import { z } from 'zod';
import {
  byFields,
  InvalidArgumentsError,
  ok,
  paginate,
  parseBody,
  parseQuery,
  queryString,
  type Router,
} from '../core/index.ts';
import {
  RDB_BASE,
  type RdbContext,
  requireDatabase,
  requireInstance,
  requireUser,
} from './context.ts';
import { callEngine } from './engine-errors.ts';
import {
  databasesOf,
  type InstanceRecord,
  type PrivilegeRecord,
  privilegesOf,
} from './model.ts';
import { SetPrivilegeBody } from './schemas.ts';

const PRIVILEGES = `${RDB_BASE}/instances/{instance_id}/privileges`;

const ListPrivilegesQuery = z.object({
  database_name: queryString(),
  user_name: queryString(),
});

const PRIVILEGE_ORDERINGS = byFields<PrivilegeRecord>({
  user_name: (privilege) => privilege.user_name,
  database_name: (privilege) => privilege.database_name,
});

/**
 * Registers the privilege routes: list every (database, user) pair of an
 * instance with its permission (`none` when none was set, as Scaleway
 * lists them), and set one. Setting changes the real grants in the
 * engine first.
 */
export function registerPrivilegeRoutes(
  router: Router,
  context: RdbContext,
): void {
  const { instances } = context;

  router.get(PRIVILEGES, (request) => {
    const instance = requireInstance(context, request.params);
    const query = parseQuery(ListPrivilegesQuery, request.query);
    const matching = privilegeTable(instance).filter(
      (privilege) =>
        (query.database_name === undefined ||
          privilege.database_name === query.database_name) &&
        (query.user_name === undefined ||
          privilege.user_name === query.user_name),
    );
    const page = paginate(matching, request.query, PRIVILEGE_ORDERINGS);

    return ok({ privileges: page.items, total_count: page.totalCount });
  });

  router.put(PRIVILEGES, async (request) => {
    const instance = requireInstance(context, request.params);
    const body = parseBody(SetPrivilegeBody, request.body);
    const permission = body.permission;
    if (permission === 'custom') {
      throw InvalidArgumentsError.of(
        'permission',
        'constraint',
        'custom describes grants made outside the API and cannot be set',
      );
    }
    const database = requireDatabase(instance, body.database_name).name;
    const user = requireUser(instance, body.user_name).name;

    const engine = context.engine;
    if (engine !== undefined) {
      await callEngine('user_name', () =>
        engine.setPrivilege(database, user, permission),
      );
    }

    const privilege: PrivilegeRecord = {
      database_name: database,
      permission,
      user_name: user,
    };
    instances.update(instance.id, (current) => ({
      ...current,
      privileges: [
        ...privilegesOf(current).filter(
          (p) => p.database_name !== database || p.user_name !== user,
        ),
        ...(permission === 'none' ? [] : [privilege]),
      ],
    }));

    return ok(privilege);
  });
}

/** Every (database, user) pair, databases first, in creation order. */
function privilegeTable(instance: InstanceRecord): PrivilegeRecord[] {
  const set = privilegesOf(instance);

  return databasesOf(instance).flatMap((database) =>
    instance.users.map((user) => ({
      database_name: database.name,
      permission:
        set.find(
          (p) => p.database_name === database.name && p.user_name === user.name,
        )?.permission ?? 'none',
      user_name: user.name,
    })),
  );
}
