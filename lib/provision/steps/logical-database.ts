import type { Rdbv1 } from '@scaleway/sdk-rdb';
import type { DatabaseUser, StackDatabase } from '../../stack/index.ts';
import type { ProvisionWalk } from '../walk.ts';

/** Each user's permission on the logical database, by role name. */
export type LivePermissions = ReadonlyMap<string, Rdbv1.Permission>;

/**
 * The logical database (`databaseName`) of the instance: created when
 * missing, left as it is when present (it holds the data: it is never
 * altered or dropped here). Returns the users' permissions on it, empty
 * when it does not exist yet (every user then has `none`).
 */
export async function convergeLogicalDatabase(
  walk: ProvisionWalk,
  api: Rdbv1.API,
  declared: StackDatabase,
  instance: Rdbv1.Instance,
): Promise<LivePermissions> {
  const name = declared.databaseName;
  const request = { region: walk.region, instanceId: instance.id };
  const live = await walk.call(`list databases of ${instance.name}`, () =>
    api.listDatabases({ ...request, name, skipSizeRetrieval: true }).all(),
  );
  const exists = live.some((database) => database.name === name);

  if (exists) {
    walk.unchanged('database', name, databaseId(instance, name));
  } else {
    await walk.change(
      {
        kind: 'database',
        name,
        action: 'create',
        details: { instance: instance.name },
      },
      () =>
        walk.call(`create database ${name} in ${instance.name}`, () =>
          api.createDatabase({ ...request, name }),
        ),
    );
  }
  walk.applied({
    kind: 'database',
    name,
    id: databaseId(instance, name),
    region: walk.region,
    attributes: { instanceId: instance.id },
  });
  if (!exists) {
    return new Map();
  }

  const privileges = await walk.call(`list privileges on ${name}`, () =>
    api.listPrivileges({ ...request, databaseName: name }).all(),
  );

  return new Map(privileges.map((p) => [p.userName, p.permission]));
}

/** The plan item of a logical database whose instance does not exist. */
export async function planLogicalDatabase(
  walk: ProvisionWalk,
  declared: StackDatabase,
): Promise<void> {
  await walk.change(
    { kind: 'database', name: declared.databaseName, action: 'create' },
    async () => undefined,
  );
}

/** Sets a user's declared privilege on the logical database. */
export async function grantPrivilege(
  walk: ProvisionWalk,
  api: Rdbv1.API,
  declared: StackDatabase,
  instance: Rdbv1.Instance,
  user: DatabaseUser,
): Promise<void> {
  await walk.call(
    `grant ${user.privilege} on ${declared.databaseName} to ${user.name}`,
    () =>
      api.setPrivilege({
        region: walk.region,
        instanceId: instance.id,
        databaseName: declared.databaseName,
        userName: user.name,
        permission: user.privilege,
      }),
  );
}

function databaseId(instance: Rdbv1.Instance, name: string): string {
  return `${instance.id}/${name}`;
}
