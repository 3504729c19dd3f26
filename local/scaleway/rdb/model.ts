/**
 * Managed Databases (RDB v1) records as the local API stores them. Wire
 * fields are snake_case, exactly as the real API sends them; `users`,
 * `databases`, `privileges` and `acl_rules` are kept on the instance
 * record and served by their own routes.
 */

/** Statuses the local API reports (a subset of Scaleway's). */
export type InstanceStatus =
  | 'provisioning'
  | 'ready'
  | 'configuring'
  | 'initializing'
  | 'restarting'
  | 'deleting';

/** A private network endpoint's details. */
export interface PrivateNetworkDetails {
  private_network_id: string;
  provisioning_mode: 'static' | 'ipam';
  service_ip: string;
  zone: string;
}

/** An endpoint: a public load balancer or a private network address. */
export interface EndpointRecord {
  id: string;
  ip: string;
  port: number;
  name: null;
  hostname?: string;
  load_balancer?: Record<string, never>;
  private_network?: PrivateNetworkDetails;
}

/** A database user; the password lives only in PostgreSQL. */
export interface UserRecord {
  name: string;
  is_admin: boolean;
}

/** A logical database created through the API. */
export interface DatabaseRecord {
  name: string;
}

/** What the API can set a user's privilege on a database to. */
export type PermissionValue = 'readonly' | 'readwrite' | 'all' | 'none';

/** A privilege set through the API (a missing pair means `none`). */
export interface PrivilegeRecord {
  database_name: string;
  user_name: string;
  permission: PermissionValue;
}

/** An ACL rule of the public endpoint. */
export interface AclRule {
  ip: string;
  port: number;
  protocol: 'tcp';
  direction: 'inbound';
  action: 'allow';
  description: string;
}

/** A Database Instance as stored (status is the settled one). */
export interface InstanceRecord {
  id: string;
  name: string;
  organization_id: string;
  project_id: string;
  region: string;
  engine: string;
  node_type: string;
  is_ha_cluster: boolean;
  status: InstanceStatus;
  volume: { type: string; size: number; class: string };
  encryption: { enabled: boolean };
  backup_schedule: {
    disabled: boolean;
    frequency: number;
    retention: number;
    next_run_at: string | null;
  };
  backup_same_region: boolean;
  logs_policy: {
    max_age_retention: number;
    total_disk_retention: number | null;
  };
  tags: string[];
  settings: { name: string; value: string }[];
  init_settings: { name: string; value: string }[];
  endpoints: EndpointRecord[];
  created_at: string;
  users: UserRecord[];
  /** Absent in records saved before the databases routes existed. */
  databases?: DatabaseRecord[];
  /** Absent in records saved before the privileges routes existed. */
  privileges?: PrivilegeRecord[];
  acl_rules: AclRule[];
}

/** The logical databases of an instance, in creation order. */
export function databasesOf(instance: InstanceRecord): DatabaseRecord[] {
  return instance.databases ?? [];
}

/** The privileges set on an instance, in the order they were set. */
export function privilegesOf(instance: InstanceRecord): PrivilegeRecord[] {
  return instance.privileges ?? [];
}

/**
 * The wire form of an instance. `status` overrides the stored status:
 * a mutation replies with the transient status (`provisioning`,
 * `deleting`, ...) while the stored one is already settled, so the first
 * GET (and `waitForInstance`) sees `ready`.
 */
export function instanceToWire(
  instance: InstanceRecord,
  status: InstanceStatus = instance.status,
): Record<string, unknown> {
  const publicEndpoint =
    instance.endpoints.find((e) => e.load_balancer !== undefined) ?? null;

  return {
    backup_same_region: instance.backup_same_region,
    backup_schedule: instance.backup_schedule,
    created_at: instance.created_at,
    encryption: instance.encryption,
    endpoint: publicEndpoint,
    endpoints: instance.endpoints,
    engine: instance.engine,
    id: instance.id,
    init_settings: instance.init_settings,
    is_ha_cluster: instance.is_ha_cluster,
    logs_policy: instance.logs_policy,
    maintenances: [],
    name: instance.name,
    node_type: instance.node_type,
    organization_id: instance.organization_id,
    project_id: instance.project_id,
    read_replicas: [],
    region: instance.region,
    settings: instance.settings,
    status,
    tags: instance.tags,
    upgradable_version: [],
    volume: instance.volume,
  };
}

/** The storage class of a volume type (`sbs_5k` → `sbs`). */
export function volumeClass(type: string): string {
  return type.startsWith('sbs') ? 'sbs' : type;
}
