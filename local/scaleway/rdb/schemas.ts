import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Request bodies of the RDB v1 routes the local API serves, as the JS SDK
 * marshals them (snake_case). Unknown fields are ignored, as the real API
 * does; every problem is reported at once by `parseBody`.
 */

const PASSWORD_RULE =
  'must be 8 to 128 characters with a digit, an uppercase letter, ' +
  'a lowercase letter and a special character';

/** A database password, checked against Scaleway's documented rule. */
export const Password = z
  .string()
  .refine(
    (value) =>
      value.length >= 8 &&
      value.length <= 128 &&
      /\d/.test(value) &&
      /[A-Z]/.test(value) &&
      /[a-z]/.test(value) &&
      /[^A-Za-z0-9]/.test(value),
    { message: PASSWORD_RULE },
  );

/** A PostgreSQL role name (what the local engine accepts). */
export const UserName = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,62}$/,
    'must be 1 to 63 lowercase letters, digits or underscores, ' +
      'starting with a letter',
  );

const IpamConfig = z.object({}).loose();

const PrivateNetworkSpec = z
  .object({
    private_network_id: z.uuid(),
    service_ip: z.string().optional(),
    ipam_config: IpamConfig.optional(),
  })
  .refine((spec) => spec.service_ip === undefined || isCidr(spec.service_ip), {
    message: 'service_ip must be an IPv4 CIDR',
    path: ['service_ip'],
  });

/** One endpoint specification: a load balancer or a private network. */
export const EndpointSpec = z
  .object({
    load_balancer: z.object({}).loose().optional(),
    private_network: PrivateNetworkSpec.optional(),
  })
  .refine(
    (spec) =>
      (spec.load_balancer === undefined) !==
      (spec.private_network === undefined),
    { message: 'give exactly one of load_balancer or private_network' },
  );

export type EndpointSpecInput = z.infer<typeof EndpointSpec>;

const Setting = z.object({ name: z.string().min(1), value: z.string() });

/** Body of `POST /instances`. */
export const CreateInstanceBody = z.object({
  project_id: z.uuid().optional(),
  organization_id: z.uuid().optional(),
  name: z.string().min(1).max(255),
  engine: z
    .string()
    .regex(/^PostgreSQL-1[1-7]$/, 'must be PostgreSQL-11 to PostgreSQL-17'),
  user_name: UserName,
  password: Password,
  node_type: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.string().regex(/^db-[a-z0-9-]+$/, 'unknown node type')),
  is_ha_cluster: z.boolean().optional(),
  disable_backup: z.boolean().optional(),
  tags: z.array(z.string()).nullish(),
  init_settings: z.array(Setting).nullish(),
  volume_type: z.enum(['lssd', 'bssd', 'sbs_5k', 'sbs_15k']).optional(),
  volume_size: z.number().int().min(0).optional(),
  init_endpoints: z.array(EndpointSpec).nullish(),
  backup_same_region: z.boolean().optional(),
  encryption: z.object({ enabled: z.boolean().optional() }).nullish(),
});

/** Body of `PATCH /instances/{id}` (encryption is not updatable). */
export const UpdateInstanceBody = z.object({
  name: z.string().min(1).max(255).optional(),
  tags: z.array(z.string()).nullish(),
  backup_schedule_frequency: z.number().int().min(1).optional(),
  backup_schedule_retention: z.number().int().min(1).max(365).optional(),
  backup_schedule_start_hour: z.number().int().min(0).max(23).optional(),
  is_backup_schedule_disabled: z.boolean().optional(),
  backup_same_region: z.boolean().optional(),
  logs_policy: z
    .object({
      max_age_retention: z.number().int().min(1).optional(),
      total_disk_retention: z.number().int().min(0).nullish(),
    })
    .optional(),
});

/** Body of `POST /instances/{id}/upgrade`: exactly one change. */
export const UpgradeInstanceBody = z
  .object({
    node_type: z.string().optional(),
    enable_ha: z.boolean().optional(),
    volume_size: z.number().int().min(0).optional(),
    volume_type: z.enum(['lssd', 'bssd', 'sbs_5k', 'sbs_15k']).optional(),
    enable_encryption: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length === 1, {
    message:
      'give exactly one of node_type, enable_ha, volume_size, volume_type, ' +
      'enable_encryption',
  });

/** Body of `POST /instances/{id}/endpoints`. */
export const CreateEndpointBody = z.object({ endpoint_spec: EndpointSpec });

/** Body of `POST /instances/{id}/users`. */
export const CreateUserBody = z.object({
  name: UserName,
  password: Password,
  is_admin: z.boolean().optional(),
});

/** Body of `PATCH /instances/{id}/users/{name}`. */
export const UpdateUserBody = z.object({
  password: Password.optional(),
  is_admin: z.boolean().optional(),
});

const RESERVED_DATABASES = new Set([
  'postgres',
  'rdb',
  'template0',
  'template1',
]);

/**
 * A logical database name (what the local engine accepts). `postgres`,
 * the templates and `rdb` (each instance's default database, shared by
 * every local instance) are refused: the API must never drop them.
 */
export const DatabaseName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]{0,62}$/,
    'must be 1 to 63 letters, digits, underscores or hyphens, ' +
      'starting with a letter',
  )
  .refine((name) => !RESERVED_DATABASES.has(name), {
    message: 'is reserved',
  });

/** Body of `POST /instances/{id}/databases`. */
export const CreateDatabaseBody = z.object({ name: DatabaseName });

/** Body of `PUT /instances/{id}/privileges`. */
export const SetPrivilegeBody = z.object({
  database_name: z.string().min(1),
  user_name: z.string().min(1),
  permission: z.enum(['readonly', 'readwrite', 'all', 'custom', 'none']),
});

const AclRuleRequest = z.object({
  ip: z.string().refine(isCidr, 'must be an IPv4 address or CIDR'),
  description: z.string().optional(),
});

/** Body of `PUT` and `POST /instances/{id}/acls`. */
export const AclRulesBody = z.object({ rules: z.array(AclRuleRequest) });

/** Body of `DELETE /instances/{id}/acls`. */
export const DeleteAclRulesBody = z.object({
  acl_rule_ips: z.array(z.string()).min(1),
});

/** Whether `value` is an IPv4 address or IPv4 CIDR (`10.0.0.0/8`). */
export function isCidr(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  if (rest.length > 0 || isIP(address) !== 4) {
    return false;
  }
  if (prefix === undefined) {
    return true;
  }

  return /^\d{1,2}$/.test(prefix) && Number(prefix) <= 32;
}

/** `1.2.3.4` → `1.2.3.4/32`; a CIDR is kept as given. */
export function toCidr(value: string): string {
  return value.includes('/') ? value : `${value}/32`;
}
