import { setTimeout as sleep } from 'node:timers/promises';
import type { Rdbv1 } from '@scaleway/sdk-rdb';
import { aclBlockText } from '../../policy/index.ts';
import type { DatabaseUser, StackDatabase } from '../../stack/index.ts';
import { MissingValueError, UnmanagedResourceError } from '../errors.ts';
import { isManaged, managedTags } from '../tags.ts';
import type { FieldChange } from '../types.ts';
import {
  databaseUserPayload,
  generatePassword,
  toSecretData,
} from '../values.ts';
import type { ProvisionWalk } from '../walk.ts';
import {
  convergeLogicalDatabase,
  grantPrivilege,
  type LivePermissions,
  planLogicalDatabase,
} from './logical-database.ts';

const TRANSIENT = new Set([
  'provisioning',
  'configuring',
  'deleting',
  'autohealing',
  'initializing',
  'backuping',
  'snapshotting',
  'restarting',
]);

/**
 * The Managed PostgreSQL instance, its logical database (`databaseName`)
 * and its users, each with its declared privilege on that database.
 * Engine, encryption at rest, a smaller volume and turning HA off are set
 * at creation: a change is a replacement (which destroys the data, hence
 * refused unless allowed). Passwords come from each user's secret; a user
 * whose secret has no value yet gets a generated one, written to the
 * secret first.
 */
export async function convergeDatabase(walk: ProvisionWalk): Promise<void> {
  const declared = walk.stack.database;
  if (declared === undefined) {
    return;
  }

  const { rdb: api } = walk.context.clients;
  const name = walk.deployed(declared.name);
  const instances = await walk.call('list database instances', () =>
    api
      .listInstances({ region: walk.region, projectId: walk.projectId, name })
      .all(),
  );
  const live = instances.find((instance) => instance.name === name);
  if (live !== undefined && !isManaged(live.tags, walk.environment)) {
    throw new UnmanagedResourceError(
      'database instance',
      name,
      walk.environment,
    );
  }

  const instance = await convergeInstance(walk, api, declared, name, live);
  if (instance === undefined) {
    await planNewAcl(walk, declared, name);
    await planLogicalDatabase(walk, declared);
    for (const user of declared.users) {
      await walk.change(
        { kind: 'database-user', name: user.name, action: 'create' },
        async () => undefined,
      );
    }
    return;
  }

  walk.applied({
    kind: 'database-instance',
    name,
    id: instance.id,
    region: walk.region,
    attributes: {
      engine: declared.engine,
      databaseName: declared.databaseName,
      encryptionAtRest: instance.encryption?.enabled ?? false,
    },
  });
  await convergeAcl(walk, api, declared, instance);
  const permissions = await convergeLogicalDatabase(
    walk,
    api,
    declared,
    instance,
  );
  // The admin user comes with a new instance: reported as created, as
  // the plan reports it.
  const createdNow = instance.id !== live?.id;
  await convergeUsers(walk, api, declared, instance, permissions, createdNow);
}

async function convergeInstance(
  walk: ProvisionWalk,
  api: Rdbv1.API,
  declared: StackDatabase,
  name: string,
  live: Rdbv1.Instance | undefined,
): Promise<Rdbv1.Instance | undefined> {
  const create = () => createInstance(walk, api, declared, name);

  if (live === undefined) {
    return walk.change(
      {
        kind: 'database-instance',
        name,
        action: 'create',
        details: {
          engine: declared.engine,
          node_type: declared.nodeType,
          volume_size_gb: declared.volume.sizeGb,
          encryption_at_rest: declared.encryptionAtRest,
        },
      },
      create,
    );
  }

  const reason = replaceReason(live, declared);
  if (reason !== undefined) {
    const created = await walk.change(
      {
        kind: 'database-instance',
        name,
        action: 'replace',
        reason,
        id: live.id,
      },
      async () => {
        await walk.call(`delete database instance ${name}`, () =>
          api.deleteInstance({ region: walk.region, instanceId: live.id }),
        );
        return create();
      },
    );

    return created ?? live;
  }

  const changes = instanceChanges(walk, live, declared);
  if (changes.length === 0) {
    walk.unchanged('database-instance', name, live.id);
    return live;
  }

  const updated = await walk.change(
    { kind: 'database-instance', name, action: 'update', id: live.id, changes },
    () => updateInstance(walk, api, live, declared, changes),
  );

  return updated ?? live;
}

async function createInstance(
  walk: ProvisionWalk,
  api: Rdbv1.API,
  declared: StackDatabase,
  name: string,
): Promise<Rdbv1.Instance> {
  const admin = adminUser(declared);
  const stored = await walk.consumerValue(admin.passwordSecret);
  const password = stored ?? generatePassword();
  const region = walk.region;

  const created = await walk.call(`create database instance ${name}`, () =>
    api.createInstance({
      region,
      projectId: walk.projectId,
      name,
      engine: declared.engine,
      nodeType: declared.nodeType,
      userName: admin.name,
      password,
      isHaCluster: declared.highAvailability,
      disableBackup: !declared.backups.enabled,
      tags: managedTags(walk.environment),
      volumeType: declared.volume.type,
      volumeSize: declared.volume.sizeGb * 1e9,
      initEndpoints: endpointSpecs(walk, declared),
      backupSameRegion: false,
      encryption: { enabled: declared.encryptionAtRest },
    }),
  );
  const ready = await settle(walk, api, created.id);

  if (stored === undefined) {
    await writeUserSecret(walk, declared, admin, ready, password);
  }
  if (backupChanges(ready, declared).length > 0) {
    return setBackups(walk, api, ready, declared);
  }

  return ready;
}

function replaceReason(
  live: Rdbv1.Instance,
  declared: StackDatabase,
): string | undefined {
  if (live.engine !== declared.engine) {
    return `engine ${live.engine} → ${declared.engine} (set at creation)`;
  }
  const encrypted = live.encryption?.enabled ?? false;
  if (encrypted !== declared.encryptionAtRest) {
    return (
      `encryption at rest ${encrypted} → ${declared.encryptionAtRest} ` +
      '(set at creation)'
    );
  }
  if (live.isHaCluster && !declared.highAvailability) {
    return 'high availability cannot be turned off in place';
  }
  const size = live.volume?.size ?? 0;
  if (declared.volume.sizeGb * 1e9 < size) {
    const wanted = declared.volume.sizeGb;
    return `volume ${size / 1e9} GB → ${wanted} GB (cannot shrink)`;
  }

  return undefined;
}

function instanceChanges(
  walk: ProvisionWalk,
  live: Rdbv1.Instance,
  declared: StackDatabase,
): FieldChange[] {
  const changes: FieldChange[] = [];
  if (live.nodeType.toLowerCase() !== declared.nodeType.toLowerCase()) {
    changes.push({
      field: 'nodeType',
      from: live.nodeType,
      to: declared.nodeType,
    });
  }
  if (!live.isHaCluster && declared.highAvailability) {
    changes.push({ field: 'highAvailability', from: false, to: true });
  }
  if (live.volume?.type !== declared.volume.type) {
    changes.push({
      field: 'volume.type',
      from: live.volume?.type,
      to: declared.volume.type,
    });
  }
  const size = declared.volume.sizeGb * 1e9;
  if (live.volume !== undefined && live.volume.size < size) {
    changes.push({
      field: 'volume.sizeGb',
      from: live.volume.size / 1e9,
      to: declared.volume.sizeGb,
    });
  }
  changes.push(...backupChanges(live, declared));
  changes.push(...endpointChanges(walk, live, declared));

  return changes;
}

function backupChanges(
  live: Rdbv1.Instance,
  declared: StackDatabase,
): FieldChange[] {
  const schedule = live.backupSchedule;
  const changes: FieldChange[] = [];
  const enabled = !(schedule?.disabled ?? true);
  if (enabled !== declared.backups.enabled) {
    changes.push({
      field: 'backups.enabled',
      from: enabled,
      to: declared.backups.enabled,
    });
  }
  if (!declared.backups.enabled) {
    return changes;
  }
  if (schedule?.retention !== declared.backups.retentionDays) {
    changes.push({
      field: 'backups.retentionDays',
      from: schedule?.retention,
      to: declared.backups.retentionDays,
    });
  }
  if (schedule?.frequency !== declared.backups.frequencyHours) {
    changes.push({
      field: 'backups.frequencyHours',
      from: schedule?.frequency,
      to: declared.backups.frequencyHours,
    });
  }

  return changes;
}

function endpointChanges(
  walk: ProvisionWalk,
  live: Rdbv1.Instance,
  declared: StackDatabase,
): FieldChange[] {
  const networkId = walk.ids.get('private-network');
  const onNetwork = live.endpoints.some(
    (e) => e.privateNetwork?.privateNetworkId === networkId,
  );
  const isPublic = live.endpoints.some((e) => e.loadBalancer !== undefined);
  const wantsPublic = declared.endpoint === 'public' || networkId === undefined;
  const changes: FieldChange[] = [];
  if (networkId !== undefined && !onNetwork) {
    changes.push({ field: 'endpoint.privateNetwork', from: false, to: true });
  }
  if (isPublic !== wantsPublic) {
    changes.push({ field: 'endpoint.public', from: isPublic, to: wantsPublic });
  }

  return changes;
}

async function updateInstance(
  walk: ProvisionWalk,
  api: Rdbv1.API,
  live: Rdbv1.Instance,
  declared: StackDatabase,
  changes: FieldChange[],
): Promise<Rdbv1.Instance> {
  const region = walk.region;
  const instanceId = live.id;
  const fields = new Set(changes.map((c) => c.field));
  const upgrade = async (request: Partial<Rdbv1.UpgradeInstanceRequest>) => {
    await walk.call(`upgrade database instance ${live.name}`, () =>
      api.upgradeInstance({ region, instanceId, ...request }),
    );
    await settle(walk, api, instanceId);
  };

  if (fields.has('nodeType')) await upgrade({ nodeType: declared.nodeType });
  if (fields.has('highAvailability')) await upgrade({ enableHa: true });
  if (fields.has('volume.type')) {
    await upgrade({ volumeType: declared.volume.type });
  }
  if (fields.has('volume.sizeGb')) {
    await upgrade({ volumeSize: declared.volume.sizeGb * 1e9 });
  }
  if (fields.has('endpoint.privateNetwork') || fields.has('endpoint.public')) {
    await reconcileEndpoints(walk, api, live, declared);
  }
  let current = await settle(walk, api, instanceId);
  if ([...fields].some((f) => f.startsWith('backups.'))) {
    current = await setBackups(walk, api, current, declared);
  }

  return current;
}

async function reconcileEndpoints(
  walk: ProvisionWalk,
  api: Rdbv1.API,
  live: Rdbv1.Instance,
  declared: StackDatabase,
): Promise<void> {
  const region = walk.region;
  const networkId = walk.ids.get('private-network');
  const wantsPublic = declared.endpoint === 'public' || networkId === undefined;
  const hasNetwork = live.endpoints.some(
    (e) => e.privateNetwork?.privateNetworkId === networkId,
  );
  if (networkId !== undefined && !hasNetwork) {
    await walk.call(`attach database ${live.name} to the private network`, () =>
      api.createEndpoint({
        region,
        instanceId: live.id,
        endpointSpec: {
          privateNetwork: { privateNetworkId: networkId, ipamConfig: {} },
        },
      }),
    );
  }
  for (const endpoint of live.endpoints) {
    if (endpoint.loadBalancer !== undefined && !wantsPublic) {
      await walk.call(`remove the public endpoint of ${live.name}`, () =>
        api.deleteEndpoint({ region, endpointId: endpoint.id }),
      );
    }
  }
  const isPublic = live.endpoints.some((e) => e.loadBalancer !== undefined);
  if (wantsPublic && !isPublic) {
    await walk.call(`add a public endpoint to ${live.name}`, () =>
      api.createEndpoint({
        region,
        instanceId: live.id,
        endpointSpec: { loadBalancer: {} },
      }),
    );
  }
}

async function setBackups(
  walk: ProvisionWalk,
  api: Rdbv1.API,
  live: Rdbv1.Instance,
  declared: StackDatabase,
): Promise<Rdbv1.Instance> {
  return walk.call(`set backups of database instance ${live.name}`, () =>
    api.updateInstance({
      region: walk.region,
      instanceId: live.id,
      isBackupScheduleDisabled: !declared.backups.enabled,
      ...(declared.backups.enabled
        ? {
            backupScheduleRetention: declared.backups.retentionDays,
            backupScheduleFrequency: declared.backups.frequencyHours,
          }
        : {}),
    }),
  );
}

function endpointSpecs(
  walk: ProvisionWalk,
  declared: StackDatabase,
): Rdbv1.EndpointSpec[] {
  const networkId = walk.ids.get('private-network');
  const specs: Rdbv1.EndpointSpec[] = [];
  if (networkId !== undefined) {
    specs.push({
      privateNetwork: { privateNetworkId: networkId, ipamConfig: {} },
    });
  }
  if (declared.endpoint === 'public' || networkId === undefined) {
    specs.push({ loadBalancer: {} });
  }

  return specs;
}

async function convergeUsers(
  walk: ProvisionWalk,
  api: Rdbv1.API,
  declared: StackDatabase,
  instance: Rdbv1.Instance,
  permissions: LivePermissions,
  createdNow: boolean,
): Promise<void> {
  const region = walk.region;
  const users = await walk.call(`list users of ${instance.name}`, () =>
    api.listUsers({ region, instanceId: instance.id }).all(),
  );

  for (const user of declared.users) {
    const live = users.find((u) => u.name === user.name);
    const stored = walk.hasValue(user.passwordSecret);
    const secret = walk.secret(user.passwordSecret);
    if (secret?.generator.kind === 'manual' && !stored) {
      throw new MissingValueError(
        `Database user ${user.name} takes its password from secret ` +
          `${walk.deployed(user.passwordSecret)}, which has no value yet: ` +
          'add a version to it, then apply again.',
      );
    }

    const changes: FieldChange[] = [];
    if (!stored) {
      changes.push({ field: 'password', from: '(none)', to: '(generated)' });
    }
    if (live !== undefined && live.isAdmin !== user.admin) {
      changes.push({ field: 'admin', from: live.isAdmin, to: user.admin });
    }
    const permission = permissions.get(user.name) ?? 'none';
    const privilege = {
      field: 'privilege',
      from: permission,
      to: user.privilege,
    };
    if (live !== undefined && permission !== user.privilege) {
      changes.push(privilege);
    }
    if (live !== undefined && changes.length === 0) {
      walk.unchanged('database-user', user.name, `${instance.id}/${user.name}`);
      recordUser(walk, instance, user);
      continue;
    }

    const isNew =
      live === undefined || (createdNow && user === adminUser(declared));
    await walk.change(
      {
        kind: 'database-user',
        name: user.name,
        action: isNew ? 'create' : 'update',
        changes: isNew ? [] : changes,
        details: {
          instance: instance.name,
          admin: user.admin,
          database: declared.databaseName,
          privilege: user.privilege,
        },
      },
      async () => {
        const onlyPrivilege = changes.every((c) => c === privilege);
        if (live === undefined || !onlyPrivilege) {
          await setUser(walk, api, declared, instance, user, {
            create: live === undefined,
            stored,
          });
        }
        if (permission !== user.privilege) {
          await grantPrivilege(walk, api, declared, instance, user);
        }
      },
    );
    recordUser(walk, instance, user);
  }
}

/** Creates or updates a user with its password (generated if none). */
async function setUser(
  walk: ProvisionWalk,
  api: Rdbv1.API,
  declared: StackDatabase,
  instance: Rdbv1.Instance,
  user: DatabaseUser,
  options: { create: boolean; stored: boolean },
): Promise<void> {
  let password = options.stored
    ? await walk.consumerValue(user.passwordSecret)
    : undefined;
  if (password === undefined) {
    password = generatePassword();
    await writeUserSecret(walk, declared, user, instance, password);
  }
  const request = {
    region: walk.region,
    instanceId: instance.id,
    name: user.name,
    password,
    isAdmin: user.admin,
  };
  await walk.call(`set database user ${user.name}`, () =>
    options.create ? api.createUser(request) : api.updateUser(request),
  );
}

function recordUser(
  walk: ProvisionWalk,
  instance: Rdbv1.Instance,
  user: DatabaseUser,
): void {
  walk.applied({
    kind: 'database-user',
    name: user.name,
    id: `${instance.id}/${user.name}`,
    region: walk.region,
    attributes: {
      instanceId: instance.id,
      admin: user.admin,
      privilege: user.privilege,
      secret: walk.deployed(user.passwordSecret),
    },
  });
}

async function writeUserSecret(
  walk: ProvisionWalk,
  declared: StackDatabase,
  user: DatabaseUser,
  instance: Rdbv1.Instance,
  password: string,
): Promise<void> {
  const secret = walk.secret(user.passwordSecret);
  const secretId = walk.ids.get(`secret:${user.passwordSecret}`);
  if (secret === undefined || secretId === undefined) {
    throw new MissingValueError(
      `Database user ${user.name} needs secret ` +
        `${walk.deployed(user.passwordSecret)}, which is not declared.`,
    );
  }

  const endpoint =
    instance.endpoints.find((e) => e.privateNetwork !== undefined) ??
    instance.endpoints[0];
  const payload = databaseUserPayload(secret.type, {
    username: user.name,
    password,
    host: endpoint?.ip ?? endpoint?.hostname ?? '',
    port: endpoint?.port ?? 5432,
    dbname: declared.databaseName,
  });
  await walk.call(`store the password of ${user.name}`, () =>
    walk.context.clients.secret.createSecretVersion({
      region: walk.region,
      secretId,
      data: toSecretData(payload),
      description: `password of database user ${user.name}`,
    }),
  );
  walk.rememberPayload(user.passwordSecret, payload);
}

function adminUser(declared: StackDatabase): DatabaseUser {
  const admin = declared.users.find((user) => user.admin) ?? declared.users[0];

  // The schema requires at least one user.
  return admin as DatabaseUser;
}

/** Waits until the instance leaves its transient states. */
async function settle(
  walk: ProvisionWalk,
  api: Rdbv1.API,
  instanceId: string,
): Promise<Rdbv1.Instance> {
  for (let attempt = 0; ; attempt += 1) {
    const instance = await walk.call('read database instance', () =>
      api.getInstance({ region: walk.region, instanceId }),
    );
    if (!TRANSIENT.has(instance.status) || attempt >= 120) {
      return instance;
    }
    await sleep(Math.min(1000 * 2 ** attempt, 10_000));
  }
}

/** The declared ACL as Scaleway lists it: a single address is a /32. */
function wantedAcl(declared: StackDatabase): Rdbv1.ACLRuleRequest[] {
  return (declared.acl ?? []).map((entry) => ({
    ip: aclBlockText(entry.ip),
    description: entry.description ?? 'evalap-infra',
  }));
}

/** The ACL step of an instance a plan would create. */
async function planNewAcl(
  walk: ProvisionWalk,
  declared: StackDatabase,
  name: string,
): Promise<void> {
  if (declared.acl === undefined || declared.endpoint !== 'public') return;

  const to = wantedAcl(declared).map((rule) => rule.ip);
  await walk.change(
    {
      kind: 'database-instance',
      name,
      action: 'update',
      changes: [{ field: 'acl', from: '(open)', to }],
    },
    async () => undefined,
  );
}

/**
 * Makes the public endpoint's ACL the declared one (set in one call, so
 * a re-run after a crash converges). Without `acl` the ACL is left as it
 * is; without a public endpoint there is nothing to guard.
 */
async function convergeAcl(
  walk: ProvisionWalk,
  api: Rdbv1.API,
  declared: StackDatabase,
  instance: Rdbv1.Instance,
): Promise<void> {
  const isPublic = instance.endpoints.some((e) => e.loadBalancer);
  if (declared.acl === undefined || !isPublic) return;

  const region = walk.region;
  const rules = wantedAcl(declared);
  const live = await walk.call('list database ACL rules', () =>
    api.listInstanceACLRules({ region, instanceId: instance.id }).all(),
  );
  const from = live.map((rule) => rule.ip).sort();
  const to = rules.map((rule) => rule.ip).sort();
  if (JSON.stringify(from) === JSON.stringify(to)) return;

  await walk.change(
    {
      kind: 'database-instance',
      name: instance.name,
      action: 'update',
      id: instance.id,
      changes: [{ field: 'acl', from, to }],
    },
    () =>
      walk.call('set database ACL rules', () =>
        api.setInstanceACLRules({ region, instanceId: instance.id, rules }),
      ),
  );
}
