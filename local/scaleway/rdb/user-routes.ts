import { z } from 'zod';
import {
  AlreadyExistsError,
  byFields,
  noContent,
  ok,
  paginate,
  parseBody,
  parseQuery,
  pathParam,
  queryString,
  type Router,
} from '../core/index.ts';
import {
  RDB_BASE,
  type RdbContext,
  requireInstance,
  requireUser,
} from './context.ts';
import { callEngine } from './engine-errors.ts';
import { privilegesOf, type UserRecord } from './model.ts';
import { CreateUserBody, UpdateUserBody } from './schemas.ts';

const USERS = `${RDB_BASE}/instances/{instance_id}/users`;

const ListUsersQuery = z.object({ name: queryString() });

const USER_ORDERINGS = byFields<UserRecord>({
  name: (user) => user.name,
  is_admin: (user) => (user.is_admin ? 1 : 0),
});

/**
 * Registers the database user routes. Each change goes to the PostgreSQL
 * engine first, so the role (and its password) is real; the API keeps
 * only `{name, is_admin}`. Deleting a user drops its privileges too.
 */
export function registerUserRoutes(router: Router, context: RdbContext): void {
  const { instances } = context;

  router.get(USERS, (request) => {
    const instance = requireInstance(context, request.params);
    const query = parseQuery(ListUsersQuery, request.query);
    const matching = instance.users.filter(
      (user) => query.name === undefined || user.name.includes(query.name),
    );
    const page = paginate(matching, request.query, USER_ORDERINGS);

    return ok({ users: page.items, total_count: page.totalCount });
  });

  router.post(USERS, async (request) => {
    const instance = requireInstance(context, request.params);
    const body = parseBody(CreateUserBody, request.body);
    if (instance.users.some((user) => user.name === body.name)) {
      throw new AlreadyExistsError(
        'user',
        body.name,
        'a user with this name already exists',
      );
    }

    const admin = body.is_admin ?? false;
    const engine = context.engine;
    if (engine !== undefined) {
      await callEngine('name', () =>
        engine.createUser(body.name, body.password, { admin }),
      );
    }

    const user: UserRecord = { name: body.name, is_admin: admin };
    instances.update(instance.id, (current) => ({
      ...current,
      users: [...current.users, user],
    }));

    return ok(user);
  });

  router.patch(`${USERS}/{name}`, async (request) => {
    const instance = requireInstance(context, request.params);
    const user = requireUser(instance, pathParam(request.params, 'name'));
    const body = parseBody(UpdateUserBody, request.body);

    const engine = context.engine;
    if (engine !== undefined && body.password !== undefined) {
      const password = body.password;
      await callEngine('name', () => engine.setPassword(user.name, password));
    }
    if (engine !== undefined && body.is_admin !== undefined) {
      const admin = body.is_admin;
      await callEngine('name', () => engine.setAdmin(user.name, admin));
    }

    const updated: UserRecord = {
      name: user.name,
      is_admin: body.is_admin ?? user.is_admin,
    };
    instances.update(instance.id, (current) => ({
      ...current,
      users: current.users.map((u) => (u.name === user.name ? updated : u)),
    }));

    return ok(updated);
  });

  router.delete(`${USERS}/{name}`, async (request) => {
    const instance = requireInstance(context, request.params);
    const user = requireUser(instance, pathParam(request.params, 'name'));

    const engine = context.engine;
    if (engine !== undefined) {
      await callEngine('name', () => engine.deleteUser(user.name));
    }

    instances.update(instance.id, (current) => ({
      ...current,
      users: current.users.filter((u) => u.name !== user.name),
      privileges: privilegesOf(current).filter(
        (p) => p.user_name !== user.name,
      ),
    }));

    return noContent();
  });
}
