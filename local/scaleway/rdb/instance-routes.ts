import { z } from 'zod';
import {
  DatabaseExistsError,
  RoleNotFoundError,
} from '../../postgres/errors.ts';
import {
  byFields,
  InvalidArgumentsError,
  newId,
  ok,
  paginate,
  parseBody,
  parseQuery,
  queryArray,
  queryString,
  type Router,
  regionParam,
  timestamp,
} from '../core/index.ts';
import {
  engineAddress,
  RDB_BASE,
  type RdbContext,
  requireInstance,
} from './context.ts';
import { dropUnsharedDatabase } from './database-routes.ts';
import { callEngine } from './engine-errors.ts';
import {
  type AclRule,
  databasesOf,
  type EndpointRecord,
  type InstanceRecord,
  instanceToWire,
  volumeClass,
} from './model.ts';
import {
  CreateInstanceBody,
  type EndpointSpecInput,
  UpdateInstanceBody,
  UpgradeInstanceBody,
} from './schemas.ts';

const DEFAULT_VOLUME_SIZE = 5_000_000_000;

const ListInstancesQuery = z.object({
  project_id: queryString(),
  organization_id: queryString(),
  name: queryString(),
  tags: queryArray(z.string()),
});

const INSTANCE_ORDERINGS = byFields<InstanceRecord>({
  created_at: (instance) => instance.created_at,
  name: (instance) => instance.name,
  region: (instance) => instance.region,
  status: (instance) => instance.status,
});

/** Registers the Database Instance routes (CRUD and upgrade). */
export function registerInstanceRoutes(
  router: Router,
  context: RdbContext,
): void {
  const { instances, clock, account } = context;

  router.post(`${RDB_BASE}/instances`, async (request) => {
    const region = regionParam(request.params);
    const body = parseBody(CreateInstanceBody, request.body);
    const endpoints = buildEndpoints(
      context,
      region,
      body.init_endpoints ?? [{ load_balancer: {} }],
      [],
    );

    await createAdminUser(context, body.user_name, body.password);

    const volumeType = body.volume_type ?? 'lssd';
    const instance = instances.insert({
      id: newId(),
      name: body.name,
      organization_id: account.organizationId,
      project_id: body.project_id ?? account.projectId,
      region,
      engine: body.engine,
      node_type: body.node_type,
      is_ha_cluster: body.is_ha_cluster ?? false,
      status: 'ready',
      volume: {
        type: volumeType,
        size: body.volume_size || DEFAULT_VOLUME_SIZE,
        class: volumeClass(volumeType),
      },
      encryption: { enabled: body.encryption?.enabled ?? false },
      backup_schedule: {
        disabled: body.disable_backup ?? false,
        frequency: 24,
        retention: 7,
        next_run_at: null,
      },
      backup_same_region: body.backup_same_region ?? false,
      logs_policy: { max_age_retention: 30, total_disk_retention: null },
      tags: body.tags ?? [],
      settings: [],
      init_settings: body.init_settings ?? [],
      endpoints,
      created_at: timestamp(clock),
      users: [{ name: body.user_name, is_admin: true }],
      databases: [],
      privileges: [],
      acl_rules: [openAclRule(context)],
    });

    return ok(instanceToWire(instance, 'provisioning'));
  });

  router.get(`${RDB_BASE}/instances`, (request) => {
    const region = regionParam(request.params);
    const query = parseQuery(ListInstancesQuery, request.query);
    const matching = instances.filter(
      (instance) =>
        instance.region === region &&
        (query.project_id === undefined ||
          instance.project_id === query.project_id) &&
        (query.organization_id === undefined ||
          instance.organization_id === query.organization_id) &&
        (query.name === undefined || instance.name.includes(query.name)) &&
        (query.tags ?? []).every((tag) => instance.tags.includes(tag)),
    );
    const page = paginate(
      matching,
      request.query,
      INSTANCE_ORDERINGS,
      'created_at_asc',
    );

    return ok({
      instances: page.items.map((instance) => instanceToWire(instance)),
      total_count: page.totalCount,
    });
  });

  router.get(`${RDB_BASE}/instances/{instance_id}`, (request) =>
    ok(instanceToWire(requireInstance(context, request.params))),
  );

  router.patch(`${RDB_BASE}/instances/{instance_id}`, (request) => {
    const current = requireInstance(context, request.params);
    const body = parseBody(UpdateInstanceBody, request.body);
    const schedule = current.backup_schedule;
    const updated = instances.update(current.id, (instance) => ({
      ...instance,
      name: body.name ?? instance.name,
      tags: body.tags ?? instance.tags,
      backup_same_region:
        body.backup_same_region ?? instance.backup_same_region,
      backup_schedule: {
        ...schedule,
        disabled: body.is_backup_schedule_disabled ?? schedule.disabled,
        frequency: body.backup_schedule_frequency ?? schedule.frequency,
        retention: body.backup_schedule_retention ?? schedule.retention,
      },
      logs_policy: {
        max_age_retention:
          body.logs_policy?.max_age_retention ??
          instance.logs_policy.max_age_retention,
        total_disk_retention:
          body.logs_policy?.total_disk_retention ??
          instance.logs_policy.total_disk_retention,
      },
    }));

    return ok(instanceToWire(updated));
  });

  router.post(`${RDB_BASE}/instances/{instance_id}/upgrade`, (request) => {
    const current = requireInstance(context, request.params);
    const body = parseBody(UpgradeInstanceBody, request.body);
    if (body.enable_encryption === false) {
      throw InvalidArgumentsError.of(
        'enable_encryption',
        'constraint',
        'encryption at rest cannot be disabled',
      );
    }

    const updated = instances.update(current.id, (instance) => {
      const volumeType = body.volume_type ?? instance.volume.type;
      return {
        ...instance,
        node_type: body.node_type?.toLowerCase() ?? instance.node_type,
        is_ha_cluster: body.enable_ha ?? instance.is_ha_cluster,
        encryption: {
          enabled: body.enable_encryption ?? instance.encryption.enabled,
        },
        volume: {
          type: volumeType,
          size: body.volume_size ?? instance.volume.size,
          class: volumeClass(volumeType),
        },
      };
    });

    return ok(instanceToWire(updated, 'configuring'));
  });

  router.post(`${RDB_BASE}/instances/{instance_id}/restart`, (request) =>
    ok(instanceToWire(requireInstance(context, request.params), 'restarting')),
  );

  router.delete(`${RDB_BASE}/instances/{instance_id}`, async (request) => {
    const instance = requireInstance(context, request.params);

    for (const database of databasesOf(instance)) {
      await dropUnsharedDatabase(context, instance, database.name);
    }
    await dropUnsharedUsers(context, instance);
    instances.delete(instance.id);

    return ok(instanceToWire(instance, 'deleting'));
  });
}

/**
 * Builds endpoints from specs: at most one public (load balancer) and one
 * private network endpoint per instance, counting `existing` ones.
 */
export function buildEndpoints(
  context: RdbContext,
  region: string,
  specs: readonly EndpointSpecInput[],
  existing: readonly EndpointRecord[],
): EndpointRecord[] {
  const all = [...existing];
  for (const spec of specs) {
    const kind = spec.load_balancer === undefined ? 'private' : 'public';
    const taken = all.some(
      (endpoint) =>
        (endpoint.load_balancer === undefined) === (kind === 'private'),
    );
    if (taken) {
      throw InvalidArgumentsError.of(
        'endpoint_spec',
        'constraint',
        `the instance already has a ${kind} endpoint`,
      );
    }
    all.push(buildEndpoint(context, region, spec));
  }

  return all.slice(existing.length);
}

function buildEndpoint(
  context: RdbContext,
  region: string,
  spec: EndpointSpecInput,
): EndpointRecord {
  const network = spec.private_network;
  if (network === undefined) {
    const address = engineAddress(context);
    return {
      id: newId(),
      ip: address.ip,
      port: address.port,
      name: null,
      hostname: address.hostname,
      load_balancer: {},
    };
  }

  // Differs from Scaleway (docs/local-platform.md): IPAM addresses are
  // derived from the network id, not taken from its subnet. This machine
  // is the only host of every local private network: the endpoint names
  // the local server (hostname and port), so a client here reaches it.
  const serviceIp =
    network.service_ip ?? ipamAddress(network.private_network_id);
  const address = engineAddress(context);

  return {
    id: newId(),
    ip: serviceIp.split('/')[0] ?? serviceIp,
    port: address.port,
    name: null,
    hostname: address.hostname,
    private_network: {
      private_network_id: network.private_network_id,
      provisioning_mode: network.service_ip === undefined ? 'ipam' : 'static',
      service_ip: serviceIp,
      zone: `${region}-1`,
    },
  };
}

function ipamAddress(privateNetworkId: string): string {
  const octet = Number.parseInt(privateNetworkId.slice(0, 2), 16) % 256;

  return `172.16.${octet}.2/22`;
}

function openAclRule(context: RdbContext): AclRule {
  return {
    ip: '0.0.0.0/0',
    port: engineAddress(context).port,
    protocol: 'tcp',
    direction: 'inbound',
    action: 'allow',
    description: 'Allow all',
  };
}

/**
 * Creates the instance's admin role. All local instances share one
 * PostgreSQL server, so a role another instance created is taken over.
 */
async function createAdminUser(
  context: RdbContext,
  name: string,
  password: string,
): Promise<void> {
  const engine = context.engine;
  if (engine === undefined) {
    return;
  }

  // Differs from Scaleway (docs/local-platform.md): instances share one
  // server; an existing role with the admin's name is reused and gets the
  // new password.
  const known = (await engine.listUsers()).some((user) => user.name === name);
  await callEngine('user_name', async () => {
    if (known) {
      await engine.setPassword(name, password);
      await engine.setAdmin(name, true);
    } else {
      await engine.createUser(name, password, { admin: true });
    }
  });

  try {
    await engine.createDatabase('rdb', name);
  } catch (error) {
    if (!(error instanceof DatabaseExistsError)) {
      throw error;
    }
  }
}

async function dropUnsharedUsers(
  context: RdbContext,
  deleted: InstanceRecord,
): Promise<void> {
  const engine = context.engine;
  if (engine === undefined) {
    return;
  }

  const others = context.instances.filter((i) => i.id !== deleted.id);
  for (const user of deleted.users) {
    const shared = others.some((i) =>
      i.users.some((u) => u.name === user.name),
    );
    if (!shared) {
      await engine.deleteUser(user.name).catch((error: unknown) => {
        if (!(error instanceof RoleNotFoundError)) {
          throw error;
        }
      });
    }
  }
}
