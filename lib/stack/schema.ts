import { z } from 'zod';
import {
  AUDIT_SINKS,
  CONTAINER_PRIVACY,
  DATABASE_ENDPOINTS,
  DATABASE_ENGINES,
  DATABASE_PRIVILEGES,
  ENVIRONMENTS,
  OBJECT_LOCK_MODES,
  POLICY_PRESETS,
  REGIONS,
  RULE_SCOPES,
  SECRET_TYPES,
  SERVICE_USES,
  SSL_MODES,
  VOLUME_TYPES,
} from './vocabulary.ts';

/*
 * The shape of a stack file. The schema checks shape and types only, and
 * rejects unknown keys everywhere so a typo fails loudly. Everything that
 * depends on the environment or on other parts of the stack (naming,
 * least privilege, encryption, references) is a policy check in
 * lib/policy, so it can be reported as a finding with a rule id.
 */

/** A base resource name: lower-case letters, digits and hyphens. */
const baseName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$/,
    'use lower-case letters, digits and hyphens, starting with a letter',
  );

/** An environment variable name, as containers accept it. */
const envVarName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'use letters, digits and underscores, not starting with a digit',
  );

/** The Scaleway project the stack is deployed into. */
export const ProjectSchema = z
  .strictObject({
    id: z
      .uuid()
      .describe('Scaleway project id (UUID) every resource is created in.'),
    name: baseName.describe(
      'Short project name, e.g. `evalap`; the root of the secret path tree.',
    ),
  })
  .describe('The Scaleway project the stack is deployed into.');

/** VPC and private network of the stack. */
export const NetworkSchema = z
  .strictObject({
    vpc: z
      .strictObject({
        name: baseName.describe('Base name; deployed as `{name}-{env}`.'),
      })
      .describe('The VPC holding the private network (routing enabled).'),
    privateNetwork: z
      .strictObject({
        name: baseName.describe('Base name; deployed as `{name}-{env}`.'),
        cidr: z
          .string()
          .describe(
            'IPv4 block, RFC 1918 only, e.g. `10.2.0.0/16`; immutable.',
          ),
      })
      .describe('The private network containers and databases share.'),
  })
  .describe('Network isolation: one VPC and one private network.');

/** How a secret's value is produced, at creation and at rotation. */
export const SecretGeneratorSchema = z
  .discriminatedUnion('kind', [
    z
      .strictObject({
        kind: z.literal('password'),
        length: z
          .int()
          .min(16)
          .max(128)
          .default(32)
          .describe('Characters in the password (16-128, default 32).'),
      })
      .describe('A random password that every DSN form accepts.'),
    z
      .strictObject({
        kind: z.literal('random'),
        bytes: z
          .int()
          .min(16)
          .max(64)
          .default(32)
          .describe('Random bytes before encoding (16-64, default 32).'),
        encoding: z
          .enum(['base64', 'hex'])
          .default('base64')
          .describe('How the bytes are encoded (default base64).'),
      })
      .describe('Random bytes, e.g. a token or an SSE-C key.'),
    z
      .strictObject({
        kind: z.literal('key_value'),
        keys: z
          .array(z.string().min(1))
          .min(1)
          .describe('Keys of the JSON object; each gets a random value.'),
        length: z
          .int()
          .min(16)
          .max(128)
          .default(32)
          .describe('Characters per value (16-128, default 32).'),
      })
      .describe('A JSON object of random values.'),
    z
      .strictObject({
        kind: z.literal('database-user'),
        database: baseName.describe('Base name of the declared database.'),
        user: z.string().min(1).describe('The database user it belongs to.'),
      })
      .describe('The password of a database user, set through the API.'),
    z
      .strictObject({
        kind: z.literal('iam-api-key'),
        application: baseName.describe('Base name of the IAM application.'),
      })
      .describe('An IAM API key of an application (service account key).'),
    z
      .strictObject({ kind: z.literal('manual') })
      .describe('Supplied by a person; rotation reports it due.'),
  ])
  .describe('How the value is generated at creation and at rotation.');

/** A container that reads a secret through an environment variable. */
export const SecretConsumerSchema = z
  .strictObject({
    container: baseName.describe('Base name of the consuming container.'),
    env: envVarName.describe('Secret environment variable it is read as.'),
  })
  .describe('A container that reads the secret, and under which variable.');

/** A Secret Manager secret. */
export const SecretSchema = z
  .strictObject({
    name: baseName.describe(
      'Base name, e.g. `db-password`; deployed as `{name}-{environment}`.',
    ),
    description: z.string().max(200).optional().describe('Free text.'),
    type: z.enum(SECRET_TYPES).describe('Secret Manager secret type.'),
    path: z
      .string()
      .describe('Folder in the path tree, e.g. `/evalap/database`.'),
    protected: z
      .boolean()
      .default(false)
      .describe('Refuse deletion; required in production for credentials.'),
    rotationDays: z
      .int()
      .min(1)
      .max(3650)
      .optional()
      .describe('Rotation period override; default depends on the type.'),
    generator: SecretGeneratorSchema,
    consumers: z
      .array(SecretConsumerSchema)
      .default([])
      .describe('Containers that read this secret.'),
  })
  .describe('A secret in Scaleway Secret Manager.');

/** One rule of an IAM policy. */
export const IamRuleSchema = z
  .strictObject({
    service: z
      .string()
      .optional()
      .describe(
        'serverless_containers, database, object_storage, secret_manager, ' +
          'container_registry, cockpit, vpc or iam.',
      ),
    access: z
      .string()
      .optional()
      .describe('Access level of the service, e.g. full_access, read_only.'),
    permissionSets: z
      .array(z.string())
      .optional()
      .describe('Raw Scaleway permission set names, instead of service.'),
    scope: z
      .enum(RULE_SCOPES)
      .default('project')
      .describe('`project` (the stack project) or `organization`.'),
  })
  .describe('Grants a service access level (or permission sets) on a scope.');

/** An IAM policy attached to an application. */
export const IamPolicySchema = z
  .strictObject({
    name: baseName.describe('Base name; deployed as `{name}-{env}`.'),
    description: z.string().max(200).optional().describe('Free text.'),
    preset: z
      .enum(POLICY_PRESETS)
      .optional()
      .describe('A predefined rule set; excludes `rules`.'),
    rules: z
      .array(IamRuleSchema)
      .optional()
      .describe('Custom rules; excludes `preset`.'),
    needs: z
      .record(z.string(), z.enum(SERVICE_USES))
      .optional()
      .describe(
        'What the principal does with each service (service: use); ' +
          'required with `rules`, taken from the preset otherwise.',
      ),
  })
  .describe('A policy: a preset or custom rules, and the declared needs.');

/** An IAM application (a service account) and its policies. */
export const IamApplicationSchema = z
  .strictObject({
    name: baseName.describe('Base name; deployed as `{name}-{env}`.'),
    description: z.string().max(200).optional().describe('Free text.'),
    policies: z.array(IamPolicySchema).min(1),
  })
  .describe('An IAM application with its policies.');

/** IAM principals of the stack. */
export const IamSchema = z
  .strictObject({
    applications: z.array(IamApplicationSchema).default([]),
  })
  .describe('IAM applications and policies.');

/** A user of the managed database. */
export const DatabaseUserSchema = z
  .strictObject({
    name: z.string().min(1).max(63).describe('PostgreSQL role name.'),
    admin: z.boolean().default(false).describe('Instance admin user.'),
    passwordSecret: baseName.describe(
      'Base name of the secret holding the password.',
    ),
    privilege: z
      .enum(DATABASE_PRIVILEGES)
      .default('all')
      .describe(
        'Privilege on the logical database (`databaseName`): `readonly`, ' +
          '`readwrite` (also insert, update, delete) or `all` (also ' +
          'create tables). Default `all`, because an application user ' +
          'usually runs its own schema migrations; declare `readwrite` or ' +
          '`readonly` for a user that does not.',
      ),
  })
  .describe('A database user whose password lives in a secret.');

/** A Managed PostgreSQL instance. */
export const DatabaseSchema = z
  .strictObject({
    name: baseName.describe('Instance base name; deployed `{name}-{env}`.'),
    databaseName: z
      .string()
      .describe('Logical database created in the instance, e.g. `evalap`.'),
    engine: z.enum(DATABASE_ENGINES).describe('PostgreSQL major version.'),
    nodeType: z
      .string()
      .regex(/^DB-[A-Z0-9-]+$/, 'use a node type such as DB-DEV-S')
      .describe('Node type, e.g. DB-DEV-S, DB-PRO2-XXS.'),
    volume: z
      .strictObject({
        type: z.enum(VOLUME_TYPES).default('sbs_5k'),
        sizeGb: z.int().min(5).max(500).describe('Volume size, 5-500 GB.'),
      })
      .describe('Block volume of the instance.'),
    highAvailability: z.boolean().default(false),
    encryptionAtRest: z
      .boolean()
      .describe('AES-256 at rest; set at creation, required in production.'),
    backups: z
      .strictObject({
        enabled: z.boolean(),
        retentionDays: z.int().min(1).max(365).default(7),
        frequencyHours: z.int().min(1).max(24).default(24),
      })
      .describe('Automatic backups.'),
    endpoint: z
      .enum(DATABASE_ENDPOINTS)
      .describe('`private-network` only, or also a `public` endpoint.'),
    acl: z
      .array(
        z.strictObject({
          ip: z
            .string()
            .describe('IPv4 address or block, e.g. `203.0.113.0/24`.'),
          description: z.string().max(200).optional(),
        }),
      )
      .optional()
      .describe(
        'Addresses allowed on the public endpoint (all others refused). ' +
          'Default: left as Scaleway sets it, open to every address.',
      ),
    sslMode: z.enum(SSL_MODES).describe('SSL mode clients must use.'),
    users: z.array(DatabaseUserSchema).min(1),
  })
  .describe('A Managed PostgreSQL instance.');

/** A serverless container. */
export const ContainerSchema = z
  .strictObject({
    name: baseName.describe('Base name; deployed as `{name}-{env}`.'),
    image: z.string().min(1).describe('Registry image, with tag or digest.'),
    cpu: z.int().describe('CPU limit in mvCPU (100, 250 ... 4000).'),
    memory: z.int().describe('Memory limit in MB; must fit the CPU.'),
    minScale: z.int().min(0).max(50).default(0),
    maxScale: z.int().min(1).max(50).default(5),
    port: z.int().min(1).max(65535).default(8080),
    timeoutSeconds: z.int().min(10).max(900).default(300),
    privacy: z
      .enum(CONTAINER_PRIVACY)
      .default('private')
      .describe('`private` (default) requires a token to call it.'),
    env: z
      .record(envVarName, z.string())
      .default({})
      .describe('Plain environment variables; never put a secret here.'),
    secretEnv: z
      .record(envVarName, baseName)
      .default({})
      .describe('Secret environment variables: VARIABLE: secret base name.'),
    privateNetwork: z
      .boolean()
      .default(false)
      .describe('Attach to the stack private network.'),
  })
  .describe('A serverless container.');

/** The container namespace and its containers. */
export const ContainersSchema = z
  .strictObject({
    namespace: z
      .strictObject({
        name: baseName.describe('Base name; deployed as `{name}-{env}`.'),
        vpcIntegration: z
          .boolean()
          .default(false)
          .describe('Needed to attach containers to the private network.'),
      })
      .describe('The container namespace.'),
    items: z.array(ContainerSchema).default([]),
  })
  .describe('Serverless containers.');

/** An Object Storage bucket. */
export const BucketSchema = z
  .strictObject({
    name: baseName.describe('Base name; deployed as `{name}-{env}`.'),
    versioning: z.boolean().default(true),
    lifecycle: z
      .strictObject({
        expirationDays: z.int().min(1).describe('Objects expire after this.'),
      })
      .optional()
      .describe('Lifecycle rule expiring every object.'),
    objectLock: z
      .strictObject({
        mode: z.enum(OBJECT_LOCK_MODES),
        days: z.int().min(1).describe('Default retention of new objects.'),
      })
      .optional()
      .describe('Object lock (needs versioning).'),
    sseC: z
      .strictObject({
        keySecret: baseName.describe('Secret holding the 32-byte key.'),
      })
      .optional()
      .describe('Server-side encryption with a customer key.'),
  })
  .describe('An Object Storage bucket.');

/** Where audit events go and how long they are kept. */
export const AuditSchema = z
  .strictObject({
    sink: z.enum(AUDIT_SINKS).describe('stdout, a local file, or a bucket.'),
    bucket: baseName
      .optional()
      .describe('Base name of the declared audit bucket (object-storage).'),
    filePath: z
      .string()
      .optional()
      .describe('Local JSON-lines file (file sink).'),
    queue: baseName
      .optional()
      .describe('Base name of the queue events are shipped through.'),
    retentionDays: z
      .int()
      .min(1)
      .describe('Days kept; at least 7 / 30 / 90 by environment.'),
  })
  .describe('Audit logging.');

/** A declared stack: everything one environment of EvalAP consists of. */
export const StackSchema = z
  .strictObject({
    project: ProjectSchema,
    region: z.enum(REGIONS).describe('Scaleway region.'),
    environment: z.enum(ENVIRONMENTS).describe('Deployment environment.'),
    network: NetworkSchema.optional(),
    secrets: z.array(SecretSchema).default([]),
    iam: IamSchema.default({ applications: [] }),
    database: DatabaseSchema.optional(),
    containers: ContainersSchema.optional(),
    buckets: z.array(BucketSchema).default([]),
    audit: AuditSchema,
  })
  .describe('An evalap-infra stack: one environment of one project.');

/** A validated stack, with defaults applied. */
export type Stack = z.infer<typeof StackSchema>;
/** A stack as written in a file, before defaults. */
export type StackInput = z.input<typeof StackSchema>;
export type StackProject = Stack['project'];
export type StackNetwork = z.infer<typeof NetworkSchema>;
export type StackSecret = z.infer<typeof SecretSchema>;
export type SecretGenerator = z.infer<typeof SecretGeneratorSchema>;
export type SecretConsumer = z.infer<typeof SecretConsumerSchema>;
export type StackIam = z.infer<typeof IamSchema>;
export type IamApplication = z.infer<typeof IamApplicationSchema>;
export type IamPolicy = z.infer<typeof IamPolicySchema>;
export type IamRule = z.infer<typeof IamRuleSchema>;
export type StackDatabase = z.infer<typeof DatabaseSchema>;
export type DatabaseUser = z.infer<typeof DatabaseUserSchema>;
export type StackContainers = z.infer<typeof ContainersSchema>;
export type StackContainer = z.infer<typeof ContainerSchema>;
export type StackBucket = z.infer<typeof BucketSchema>;
export type StackAudit = z.infer<typeof AuditSchema>;
