import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkStack, type Finding } from '../../lib/policy/index.ts';
import {
  formatStackPath,
  type IamPolicy,
  type Stack,
} from '../../lib/stack/index.ts';
import { changedStack, exampleStack } from './fixtures.ts';

type Environment = Stack['environment'];

interface FailingRow {
  $case: string;
  environment: Environment;
  change: (stack: Stack) => void;
  ruleId: string;
  severity: Finding['severity'];
  path: string;
  /** What the message must say, when the row checks it. */
  message?: RegExp;
}

interface PassingRow {
  $case: string;
  environment: Environment;
  change: (stack: Stack) => void;
  ruleId: string;
}

function item<T>(items: readonly T[], index: number): T {
  const found = items[index];
  if (found === undefined) {
    throw new Error(`no item ${index}`);
  }
  return found;
}

/** Replaces the first policy of the first application. */
function setPolicy(stack: Stack, policy: Omit<IamPolicy, 'name'>): void {
  const application = item(stack.iam.applications, 0);
  application.policies = [{ name: 'custom', ...policy }];
}

const secret = (stack: Stack, index: number) => item(stack.secrets, index);
const container = (stack: Stack, index: number) =>
  item(stack.containers?.items ?? [], index);
const bucket = (stack: Stack, index: number) => item(stack.buckets, index);
function database(stack: Stack) {
  if (!stack.database) throw new Error('no database');
  return stack.database;
}

const POLICY = 'iam.applications[0].policies[0]';

const failing: FailingRow[] = [
  {
    $case: 'policy with both a preset and rules',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        preset: 'read-only',
        rules: [{ service: 'vpc', access: 'read_only', scope: 'project' }],
      }),
    ruleId: 'permission-sets.rule-shape',
    severity: 'error',
    path: POLICY,
  },
  {
    $case: 'unknown service',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          { service: 'kubernetes', access: 'read_only', scope: 'project' },
        ],
        needs: { database: 'read' },
      }),
    ruleId: 'permission-sets.unknown-service',
    severity: 'error',
    path: `${POLICY}.rules[0].service`,
  },
  {
    $case: 'unknown access level',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ service: 'database', access: 'admin', scope: 'project' }],
        needs: { database: 'read' },
      }),
    ruleId: 'permission-sets.unknown-access-level',
    severity: 'error',
    path: `${POLICY}.rules[0].access`,
  },
  {
    $case: 'unknown permission set',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ permissionSets: ['DatabaseGod'], scope: 'project' }],
        needs: { database: 'read' },
      }),
    ruleId: 'permission-sets.unknown-permission-set',
    severity: 'error',
    path: `${POLICY}.rules[0].permissionSets[0]`,
  },
  {
    $case: 'organization and project permission sets in one rule',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          { permissionSets: ['IAMReadOnly', 'VPCReadOnly'], scope: 'project' },
        ],
        needs: { iam: 'read', vpc: 'read' },
      }),
    ruleId: 'permission-sets.mixed-scope-types',
    severity: 'error',
    path: `${POLICY}.rules[0]`,
  },
  {
    $case: 'organization-scoped permission set on a project scope',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ service: 'iam', access: 'read_only', scope: 'project' }],
        needs: { iam: 'read' },
      }),
    ruleId: 'permission-sets.scope-type',
    severity: 'error',
    path: `${POLICY}.rules[0].scope`,
  },
  {
    $case: 'custom rules without needs',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ service: 'database', access: 'read_only', scope: 'project' }],
      }),
    ruleId: 'least-privilege.needs-missing',
    severity: 'error',
    path: `${POLICY}.needs`,
  },
  {
    $case: 'organization-wide access to project resources',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          { service: 'database', access: 'read_only', scope: 'organization' },
        ],
        needs: { database: 'read' },
      }),
    ruleId: 'least-privilege.organization-wide',
    severity: 'error',
    path: `${POLICY}.rules[0].scope`,
  },
  {
    $case: 'AllProductsFullAccess',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          { permissionSets: ['AllProductsFullAccess'], scope: 'project' },
        ],
        needs: {},
      }),
    ruleId: 'least-privilege.all-products',
    severity: 'error',
    path: `${POLICY}.rules[0].permissionSets`,
  },
  {
    $case: 'a service the policy does not need',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          { service: 'database', access: 'read_only', scope: 'project' },
          { service: 'cockpit', access: 'read_only', scope: 'project' },
        ],
        needs: { database: 'read' },
      }),
    ruleId: 'least-privilege.unneeded-service',
    severity: 'error',
    path: `${POLICY}.rules[1]`,
  },
  {
    $case: 'full access where read-only serves the need',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          { service: 'database', access: 'full_access', scope: 'project' },
        ],
        needs: { database: 'read' },
      }),
    ruleId: 'least-privilege.full-access',
    severity: 'error',
    path: `${POLICY}.rules[0]`,
  },
  {
    $case: 'full access where secret access serves the need',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          {
            service: 'secret_manager',
            access: 'full_access',
            scope: 'project',
          },
        ],
        needs: { secret_manager: 'read-secrets' },
      }),
    ruleId: 'least-privilege.full-access',
    severity: 'error',
    path: `${POLICY}.rules[0]`,
  },
  {
    $case: 'a level that does not serve the need',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ service: 'database', access: 'read_only', scope: 'project' }],
        needs: { database: 'manage' },
      }),
    ruleId: 'least-privilege.insufficient-access',
    severity: 'warning',
    path: `${POLICY}.rules[0]`,
  },
  {
    $case: 'a need no rule grants',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ service: 'database', access: 'read_only', scope: 'project' }],
        needs: { database: 'read', vpc: 'read' },
      }),
    ruleId: 'least-privilege.need-not-granted',
    severity: 'warning',
    path: `${POLICY}.needs.vpc`,
  },
  {
    $case: 'organization-scoped IAM outside the control-plane preset',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ service: 'iam', access: 'read_only', scope: 'organization' }],
        needs: { iam: 'read' },
      }),
    ruleId: 'least-privilege.organization-scoped-iam',
    severity: 'warning',
    path: `${POLICY}.rules[0]`,
  },
  {
    $case: 'production database without encryption at rest',
    environment: 'production',
    change: (s) => {
      database(s).encryptionAtRest = false;
    },
    ruleId: 'encryption.database-at-rest',
    severity: 'error',
    path: 'database.encryptionAtRest',
  },
  {
    $case: 'staging database without encryption at rest',
    environment: 'staging',
    change: (s) => {
      database(s).encryptionAtRest = false;
    },
    ruleId: 'encryption.database-at-rest',
    severity: 'warning',
    path: 'database.encryptionAtRest',
  },
  {
    $case: 'production with sslMode require',
    environment: 'production',
    change: (s) => {
      database(s).sslMode = 'require';
    },
    ruleId: 'encryption.ssl-mode',
    severity: 'error',
    path: 'database.sslMode',
  },
  {
    $case: 'staging with sslMode prefer',
    environment: 'staging',
    change: (s) => {
      database(s).sslMode = 'prefer';
    },
    ruleId: 'encryption.ssl-mode',
    severity: 'warning',
    path: 'database.sslMode',
  },
  {
    $case: 'dev with sslMode disable',
    environment: 'dev',
    change: (s) => {
      database(s).sslMode = 'disable';
    },
    ruleId: 'encryption.ssl-mode',
    severity: 'warning',
    path: 'database.sslMode',
  },
  {
    $case: 'production without a private network',
    environment: 'production',
    change: (s) => {
      delete s.network;
    },
    ruleId: 'encryption.private-network',
    severity: 'error',
    path: 'network',
  },
  {
    $case: 'staging without a private network',
    environment: 'staging',
    change: (s) => {
      delete s.network;
    },
    ruleId: 'encryption.private-network',
    severity: 'warning',
    path: 'network',
  },
  {
    $case: 'production container with database credentials off-network',
    environment: 'production',
    change: (s) => {
      container(s, 0).privateNetwork = false;
    },
    ruleId: 'encryption.private-network',
    severity: 'error',
    path: 'containers.items[0].privateNetwork',
    message: /^container api holds database credentials \(db-password\)/,
  },
  {
    $case: 'production database with a public endpoint',
    environment: 'production',
    change: (s) => {
      database(s).endpoint = 'public';
    },
    ruleId: 'encryption.database-public-endpoint',
    severity: 'error',
    path: 'database.endpoint',
    message: /^database evalap-db would be reachable from the internet/,
  },
  {
    $case: 'staging database with a public endpoint',
    environment: 'staging',
    change: (s) => {
      database(s).endpoint = 'public';
    },
    ruleId: 'encryption.database-public-endpoint',
    severity: 'warning',
    path: 'database.endpoint',
  },
  {
    $case: 'production bucket without SSE-C',
    environment: 'production',
    change: (s) => {
      delete bucket(s, 0).sseC;
    },
    ruleId: 'encryption.sse-c',
    severity: 'warning',
    path: 'buckets[0].sseC',
  },
  {
    $case: 'private-network endpoint without a network',
    environment: 'staging',
    change: (s) => {
      delete s.network;
    },
    ruleId: 'database.private-network-missing',
    severity: 'error',
    path: 'database.endpoint',
  },
  {
    $case: 'production backups disabled',
    environment: 'production',
    change: (s) => {
      database(s).backups.enabled = false;
    },
    ruleId: 'database.backups',
    severity: 'error',
    path: 'database.backups.enabled',
  },
  {
    $case: 'staging backups disabled',
    environment: 'staging',
    change: (s) => {
      database(s).backups.enabled = false;
    },
    ruleId: 'database.backups',
    severity: 'warning',
    path: 'database.backups.enabled',
  },
  {
    $case: 'production database without HA',
    environment: 'production',
    change: (s) => {
      database(s).highAvailability = false;
    },
    ruleId: 'database.high-availability',
    severity: 'warning',
    path: 'database.highAvailability',
  },
  {
    $case: 'no admin user',
    environment: 'dev',
    change: (s) => {
      for (const user of database(s).users) user.admin = false;
    },
    ruleId: 'database.admin-user',
    severity: 'error',
    path: 'database.users',
  },
  {
    $case: 'a public endpoint without an ACL',
    environment: 'dev',
    change: (s) => {
      database(s).acl = undefined;
    },
    ruleId: 'database.public-acl',
    severity: 'warning',
    path: 'database.endpoint',
  },
  {
    $case: 'an ACL entry that is not an address',
    environment: 'dev',
    change: (s) => {
      database(s).acl = [{ ip: 'office' }];
    },
    ruleId: 'database.acl-ip',
    severity: 'error',
    path: 'database.acl[0].ip',
  },
  {
    $case: 'an ACL open to the whole internet',
    environment: 'dev',
    change: (s) => {
      database(s).acl = [{ ip: '10.1.2.3' }, { ip: '0.0.0.0/0' }];
    },
    ruleId: 'database.open-acl',
    severity: 'error',
    path: 'database.acl[1].ip',
  },
  {
    $case: 'a dev database whose SSL mode allows plaintext',
    environment: 'dev',
    change: (s) => {
      database(s).sslMode = 'prefer';
    },
    ruleId: 'database.ssl-mode-rotation',
    severity: 'warning',
    path: 'database.sslMode',
  },
  {
    $case: 'a container reading the admin password',
    environment: 'production',
    change: (s) => {
      secret(s, 1).consumers.push({ container: 'api', env: 'ADMIN_DB' });
    },
    ruleId: 'database.admin-password-consumed',
    severity: 'error',
    path: 'secrets[1].consumers[0]',
    message: /^container api reads db-admin-password, the password of admin/,
  },
  {
    $case: 'database password in an opaque secret',
    environment: 'dev',
    change: (s) => {
      item(database(s).users, 0).passwordSecret = 'api-key';
    },
    ruleId: 'database.password-secret-type',
    severity: 'error',
    path: 'database.users[0].passwordSecret',
  },
  {
    $case: 'database password in an undeclared secret',
    environment: 'dev',
    change: (s) => {
      item(database(s).users, 0).passwordSecret = 'ghost';
    },
    ruleId: 'references.secret',
    severity: 'error',
    path: 'database.users[0].passwordSecret',
  },
  {
    $case: 'environment suffix in a base name',
    environment: 'production',
    change: (s) => {
      secret(s, 7).name = 'audit-signing-key-production';
    },
    ruleId: 'naming.environment-suffix',
    severity: 'error',
    path: 'secrets[7].name',
  },
  {
    $case: 'deployed bucket name over 63 characters',
    environment: 'production',
    change: (s) => {
      bucket(s, 0).name = `a${'b'.repeat(52)}`;
    },
    ruleId: 'naming.length',
    severity: 'error',
    path: 'buckets[0].name',
  },
  {
    $case: 'two containers with one name',
    environment: 'dev',
    change: (s) => {
      container(s, 2).name = 'api';
    },
    ruleId: 'naming.duplicate',
    severity: 'error',
    path: 'containers.items[2].name',
  },
  {
    $case: 'secret path outside the project tree',
    environment: 'dev',
    change: (s) => {
      secret(s, 0).path = '/other/database';
    },
    ruleId: 'naming.secret-path',
    severity: 'error',
    path: 'secrets[0].path',
  },
  {
    $case: 'secret path with a trailing slash',
    environment: 'dev',
    change: (s) => {
      secret(s, 0).path = '/evalap/database/';
    },
    ruleId: 'naming.secret-path',
    severity: 'error',
    path: 'secrets[0].path',
  },
  {
    $case: 'database name with a hyphen',
    environment: 'dev',
    change: (s) => {
      database(s).databaseName = 'evalap-db';
    },
    ruleId: 'naming.database-name',
    severity: 'error',
    path: 'database.databaseName',
  },
  {
    $case: 'unprotected production credential',
    environment: 'production',
    change: (s) => {
      secret(s, 0).protected = false;
    },
    ruleId: 'secrets.protected',
    severity: 'error',
    path: 'secrets[0].protected',
  },
  {
    $case: 'unprotected production opaque secret',
    environment: 'production',
    change: (s) => {
      secret(s, 2).protected = false;
    },
    ruleId: 'secrets.protected',
    severity: 'warning',
    path: 'secrets[2].protected',
  },
  {
    $case: 'secret-looking plain env var',
    environment: 'dev',
    change: (s) => {
      container(s, 0).env.DB_PASSWORD = 'hunter2';
    },
    ruleId: 'secrets.hardcoded',
    severity: 'warning',
    path: 'containers.items[0].env.DB_PASSWORD',
  },
  {
    $case: 'database password rotated every 120 days',
    environment: 'dev',
    change: (s) => {
      secret(s, 0).rotationDays = 120;
    },
    ruleId: 'rotation.period',
    severity: 'warning',
    path: 'secrets[0].rotationDays',
  },
  {
    $case: 'database-user generator on an opaque secret',
    environment: 'dev',
    change: (s) => {
      secret(s, 2).generator = {
        kind: 'database-user',
        database: 'evalap-db',
        user: 'evalap',
      };
    },
    ruleId: 'rotation.generator-type',
    severity: 'error',
    path: 'secrets[2].generator.kind',
  },
  {
    $case: 'generated certificate',
    environment: 'dev',
    change: (s) => {
      secret(s, 2).type = 'certificate';
    },
    ruleId: 'rotation.generator-type',
    severity: 'error',
    path: 'secrets[2].generator.kind',
  },
  {
    $case: 'generator naming another database',
    environment: 'dev',
    change: (s) => {
      secret(s, 0).generator = {
        kind: 'database-user',
        database: 'other-db',
        user: 'evalap',
      };
    },
    ruleId: 'references.database',
    severity: 'error',
    path: 'secrets[0].generator.database',
  },
  {
    $case: 'generator naming an undeclared user',
    environment: 'dev',
    change: (s) => {
      secret(s, 0).generator = {
        kind: 'database-user',
        database: 'evalap-db',
        user: 'ghost',
      };
    },
    ruleId: 'references.database-user',
    severity: 'error',
    path: 'secrets[0].generator.user',
  },
  {
    $case: 'API key of an undeclared application',
    environment: 'dev',
    change: (s) => {
      secret(s, 4).generator = { kind: 'iam-api-key', application: 'ghost' };
    },
    ruleId: 'references.application',
    severity: 'error',
    path: 'secrets[4].generator.application',
  },
  {
    $case: 'consumer naming an undeclared container',
    environment: 'dev',
    change: (s) => {
      item(secret(s, 0).consumers, 0).container = 'ghost';
    },
    ruleId: 'references.container',
    severity: 'error',
    path: 'secrets[0].consumers[0]',
  },
  {
    $case: 'secretEnv naming an undeclared secret',
    environment: 'dev',
    change: (s) => {
      container(s, 2).secretEnv = { TOKEN: 'ghost' };
    },
    ruleId: 'references.secret',
    severity: 'error',
    path: 'containers.items[2].secretEnv.TOKEN',
  },
  {
    $case: 'cpu outside the table',
    environment: 'dev',
    change: (s) => {
      container(s, 0).cpu = 300;
    },
    ruleId: 'containers.cpu-memory',
    severity: 'error',
    path: 'containers.items[0].cpu',
  },
  {
    $case: 'memory outside the cpu row',
    environment: 'dev',
    change: (s) => {
      container(s, 0).cpu = 1000;
      container(s, 0).memory = 4096;
    },
    ruleId: 'containers.cpu-memory',
    severity: 'error',
    path: 'containers.items[0].memory',
  },
  {
    $case: 'minScale above maxScale',
    environment: 'dev',
    change: (s) => {
      container(s, 0).minScale = 3;
      container(s, 0).maxScale = 2;
    },
    ruleId: 'containers.scale',
    severity: 'error',
    path: 'containers.items[0].minScale',
  },
  {
    $case: 'container on a private network the stack lacks',
    environment: 'dev',
    change: (s) => {
      delete s.network;
      container(s, 0).privateNetwork = true;
    },
    ruleId: 'containers.private-network',
    severity: 'error',
    path: 'containers.items[0].privateNetwork',
  },
  {
    $case: 'private network without namespace VPC integration',
    environment: 'dev',
    change: (s) => {
      container(s, 0).privateNetwork = true;
    },
    ruleId: 'containers.vpc-integration',
    severity: 'error',
    path: 'containers.namespace.vpcIntegration',
  },
  {
    $case: 'one variable bound to two secrets',
    environment: 'dev',
    change: (s) => {
      container(s, 0).secretEnv = { API_KEY: 'llm-api-key' };
    },
    ruleId: 'containers.env-conflict',
    severity: 'error',
    path: 'containers.items[0].secretEnv.API_KEY',
  },
  {
    $case: 'secret variable also set as a plain variable',
    environment: 'dev',
    change: (s) => {
      container(s, 0).env.API_KEY = 'placeholder';
    },
    ruleId: 'containers.env-conflict',
    severity: 'error',
    path: 'secrets[2].consumers[0]',
  },
  {
    $case: 'object lock without versioning',
    environment: 'production',
    change: (s) => {
      bucket(s, 1).versioning = false;
    },
    ruleId: 'buckets.object-lock-versioning',
    severity: 'error',
    path: 'buckets[1].versioning',
  },
  {
    $case: 'SSE-C key of 16 bytes',
    environment: 'production',
    change: (s) => {
      secret(s, 5).generator = { kind: 'random', bytes: 16, encoding: 'hex' };
    },
    ruleId: 'buckets.sse-c-key',
    severity: 'error',
    path: 'buckets[0].sseC.keySecret',
  },
  {
    $case: 'SSE-C key in an undeclared secret',
    environment: 'production',
    change: (s) => {
      bucket(s, 0).sseC = { keySecret: 'ghost' };
    },
    ruleId: 'references.secret',
    severity: 'error',
    path: 'buckets[0].sseC.keySecret',
  },
  {
    $case: 'production audit kept 30 days',
    environment: 'production',
    change: (s) => {
      s.audit.retentionDays = 30;
    },
    ruleId: 'audit.retention',
    severity: 'error',
    path: 'audit.retentionDays',
  },
  {
    $case: 'dev audit kept 6 days',
    environment: 'dev',
    change: (s) => {
      s.audit.retentionDays = 6;
    },
    ruleId: 'audit.retention',
    severity: 'error',
    path: 'audit.retentionDays',
  },
  {
    $case: 'production audit to stdout',
    environment: 'production',
    change: (s) => {
      s.audit.sink = 'stdout';
    },
    ruleId: 'audit.sink',
    severity: 'error',
    path: 'audit.sink',
  },
  {
    $case: 'object-storage sink without a bucket',
    environment: 'production',
    change: (s) => {
      delete s.audit.bucket;
    },
    ruleId: 'audit.bucket',
    severity: 'error',
    path: 'audit.bucket',
  },
  {
    $case: 'audit bucket not declared',
    environment: 'production',
    change: (s) => {
      s.audit.bucket = 'ghost';
    },
    ruleId: 'references.bucket',
    severity: 'error',
    path: 'audit.bucket',
  },
  {
    $case: 'audit bucket expiring before the retention',
    environment: 'staging',
    change: (s) => {
      bucket(s, 1).lifecycle = { expirationDays: 7 };
    },
    ruleId: 'audit.bucket-lifecycle',
    severity: 'error',
    path: 'buckets[1].lifecycle',
  },
  {
    $case: 'production audit bucket in governance mode',
    environment: 'production',
    change: (s) => {
      bucket(s, 1).objectLock = { mode: 'GOVERNANCE', days: 90 };
    },
    ruleId: 'audit.object-lock',
    severity: 'error',
    path: 'buckets[1].objectLock',
  },
  {
    $case: 'production audit bucket locked 30 days',
    environment: 'production',
    change: (s) => {
      bucket(s, 1).objectLock = { mode: 'COMPLIANCE', days: 30 };
    },
    ruleId: 'audit.object-lock',
    severity: 'error',
    path: 'buckets[1].objectLock',
  },
];

const passing: PassingRow[] = [
  {
    $case: 'a rule with permissionSets alone',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          {
            permissionSets: ['RelationalDatabasesReadOnly'],
            scope: 'project',
          },
        ],
        needs: { database: 'read' },
      }),
    ruleId: 'permission-sets.rule-shape',
  },
  {
    $case: 'a service and a need spelled as in the table',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          {
            service: 'secret_manager',
            access: 'secret_access',
            scope: 'project',
          },
        ],
        needs: { secret_manager: 'read-secrets' },
      }),
    ruleId: 'permission-sets.unknown-service',
  },
  {
    $case: 'a level only one service has',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ service: 'cockpit', access: 'logs_only', scope: 'project' }],
        needs: { cockpit: 'logs' },
      }),
    ruleId: 'permission-sets.unknown-access-level',
  },
  {
    $case: 'raw secret-access permission set for reading secrets',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          { permissionSets: ['SecretManagerSecretAccess'], scope: 'project' },
        ],
        needs: { secret_manager: 'read-secrets' },
      }),
    ruleId: 'permission-sets.unknown-permission-set',
  },
  {
    $case: 'a catalogued set outside the service table',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ permissionSets: ['InstancesServerStart'], scope: 'project' }],
        needs: { database: 'read' },
      }),
    ruleId: 'permission-sets.unknown-permission-set',
  },
  {
    $case: 'two project-scoped permission sets in one rule',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          {
            permissionSets: ['VPCReadOnly', 'RelationalDatabasesReadOnly'],
            scope: 'project',
          },
        ],
        needs: { vpc: 'read', database: 'read' },
      }),
    ruleId: 'permission-sets.mixed-scope-types',
  },
  {
    $case: 'organization-scoped permission set on the organization',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ permissionSets: ['IAMReadOnly'], scope: 'organization' }],
        needs: { iam: 'read' },
      }),
    ruleId: 'permission-sets.scope-type',
  },
  {
    $case: 'a preset without needs (the preset declares them)',
    environment: 'production',
    change: (s) => setPolicy(s, { preset: 'read-only' }),
    ruleId: 'least-privilege.needs-missing',
  },
  {
    $case: 'organization scope for an organization-scoped service',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ service: 'iam', access: 'read_only', scope: 'organization' }],
        needs: { iam: 'read' },
      }),
    ruleId: 'least-privilege.organization-wide',
  },
  {
    $case: 'AllProductsReadOnly',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ permissionSets: ['AllProductsReadOnly'], scope: 'project' }],
        needs: {},
      }),
    ruleId: 'least-privilege.all-products',
  },
  {
    $case: 'every granted service declared in needs',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          { service: 'database', access: 'read_only', scope: 'project' },
          { service: 'cockpit', access: 'read_only', scope: 'project' },
        ],
        needs: { database: 'read', cockpit: 'read' },
      }),
    ruleId: 'least-privilege.unneeded-service',
  },
  {
    $case: 'a custom read-only rule matching its need',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ service: 'database', access: 'read_only', scope: 'project' }],
        needs: { database: 'read' },
      }),
    ruleId: 'least-privilege.full-access',
  },
  {
    $case: 'full access needed to manage',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          { service: 'database', access: 'full_access', scope: 'project' },
        ],
        needs: { database: 'manage' },
      }),
    ruleId: 'least-privilege.full-access',
  },
  {
    $case: 'a broader level that still serves the need',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [{ service: 'cockpit', access: 'read_only', scope: 'project' }],
        needs: { cockpit: 'logs' },
      }),
    ruleId: 'least-privilege.insufficient-access',
  },
  {
    $case: 'a need granted by a raw permission set',
    environment: 'production',
    change: (s) =>
      setPolicy(s, {
        rules: [
          { service: 'database', access: 'read_only', scope: 'project' },
          { permissionSets: ['VPCReadOnly'], scope: 'project' },
        ],
        needs: { database: 'read', vpc: 'read' },
      }),
    ruleId: 'least-privilege.need-not-granted',
  },
  {
    $case: 'the control-plane preset',
    environment: 'production',
    change: (s) => setPolicy(s, { preset: 'control-plane' }),
    ruleId: 'least-privilege.organization-scoped-iam',
  },
  {
    $case: 'dev database without encryption at rest',
    environment: 'dev',
    change: (s) => {
      database(s).encryptionAtRest = false;
    },
    ruleId: 'encryption.database-at-rest',
  },
  {
    $case: 'dev with sslMode prefer',
    environment: 'dev',
    change: (s) => {
      database(s).sslMode = 'prefer';
    },
    ruleId: 'encryption.ssl-mode',
  },
  {
    $case: 'production docs container off the private network',
    environment: 'production',
    change: (s) => {
      container(s, 2).privateNetwork = false;
    },
    ruleId: 'encryption.private-network',
  },
  {
    $case: 'dev database with a public endpoint',
    environment: 'dev',
    change: (s) => {
      database(s).endpoint = 'public';
    },
    ruleId: 'encryption.database-public-endpoint',
  },
  {
    $case: 'staging bucket without SSE-C',
    environment: 'staging',
    change: (s) => {
      delete bucket(s, 0).sseC;
    },
    ruleId: 'encryption.sse-c',
  },
  {
    $case: 'dev without a network, public endpoint',
    environment: 'dev',
    change: (s) => {
      delete s.network;
    },
    ruleId: 'database.private-network-missing',
  },
  {
    $case: 'dev backups disabled',
    environment: 'dev',
    change: (s) => {
      database(s).backups.enabled = false;
    },
    ruleId: 'database.backups',
  },
  {
    $case: 'staging database without HA',
    environment: 'staging',
    change: (s) => {
      database(s).highAvailability = false;
    },
    ruleId: 'database.high-availability',
  },
  {
    $case: 'the first user is the only admin',
    environment: 'dev',
    change: (s) => {
      item(database(s).users, 0).admin = true;
      item(database(s).users, 1).admin = false;
    },
    ruleId: 'database.admin-user',
  },
  {
    $case: 'a public endpoint with an ACL',
    environment: 'dev',
    change: (s) => {
      database(s).acl = [{ ip: '198.51.100.7' }];
    },
    ruleId: 'database.public-acl',
  },
  {
    $case: 'an ACL entry that is a single address',
    environment: 'dev',
    change: (s) => {
      database(s).acl = [{ ip: '198.51.100.7' }];
    },
    ruleId: 'database.acl-ip',
  },
  {
    $case: 'an ACL of one large block, not the whole internet',
    environment: 'dev',
    change: (s) => {
      database(s).acl = [{ ip: '10.0.0.0/8' }];
    },
    ruleId: 'database.open-acl',
  },
  {
    $case: 'a dev database on TLS without checking the server',
    environment: 'dev',
    change: (s) => {
      database(s).sslMode = 'require';
    },
    ruleId: 'database.ssl-mode-rotation',
  },
  {
    $case: "a second container reading the application user's password",
    environment: 'production',
    change: (s) => {
      secret(s, 0).consumers.push({ container: 'docs', env: 'DB_PASSWORD' });
    },
    ruleId: 'database.admin-password-consumed',
  },
  {
    $case: 'database password in a manual database_credentials secret',
    environment: 'dev',
    change: (s) => {
      secret(s, 1).generator = { kind: 'manual' };
    },
    ruleId: 'database.password-secret-type',
  },
  {
    $case: 'a database password that another user shares',
    environment: 'dev',
    change: (s) => {
      item(database(s).users, 0).passwordSecret = 'db-admin-password';
    },
    ruleId: 'references.secret',
  },
  {
    $case: 'a base name starting with an environment',
    environment: 'production',
    change: (s) => {
      secret(s, 7).name = 'production-notes';
    },
    ruleId: 'naming.environment-suffix',
  },
  {
    $case: 'a 40-character bucket name',
    environment: 'production',
    change: (s) => {
      bucket(s, 0).name = `a${'b'.repeat(39)}`;
    },
    ruleId: 'naming.length',
  },
  {
    $case: 'a secret and a container with one name',
    environment: 'production',
    change: (s) => {
      secret(s, 7).name = 'api';
    },
    ruleId: 'naming.duplicate',
  },
  {
    $case: 'a secret at the project root',
    environment: 'dev',
    change: (s) => {
      secret(s, 0).path = '/evalap';
    },
    ruleId: 'naming.secret-path',
  },
  {
    $case: 'a database name with an underscore',
    environment: 'dev',
    change: (s) => {
      database(s).databaseName = 'evalap_db';
    },
    ruleId: 'naming.database-name',
  },
  {
    $case: 'unprotected staging credential',
    environment: 'staging',
    change: (s) => {
      secret(s, 0).protected = false;
    },
    ruleId: 'secrets.protected',
  },
  {
    $case: 'plain LOG_LEVEL variable',
    environment: 'dev',
    change: (s) => {
      container(s, 0).env.LOG_LEVEL = 'debug';
    },
    ruleId: 'secrets.hardcoded',
  },
  {
    $case: 'database password rotated every 30 days',
    environment: 'dev',
    change: (s) => {
      secret(s, 0).rotationDays = 30;
    },
    ruleId: 'rotation.period',
  },
  {
    $case: 'manual certificate',
    environment: 'dev',
    change: (s) => {
      secret(s, 3).type = 'certificate';
    },
    ruleId: 'rotation.generator-type',
  },
  {
    $case: 'generators naming a renamed database',
    environment: 'dev',
    change: (s) => {
      database(s).name = 'analytics-db';
      for (const index of [0, 1]) {
        const generator = secret(s, index).generator;
        if (generator.kind === 'database-user') {
          generator.database = 'analytics-db';
        }
      }
    },
    ruleId: 'references.database',
  },
  {
    $case: 'generator naming a user added to the database',
    environment: 'dev',
    change: (s) => {
      database(s).users.push({
        name: 'reporting',
        admin: false,
        passwordSecret: 'reporting-password',
        privilege: 'readonly',
      });
      s.secrets.push({
        ...structuredClone(secret(s, 1)),
        name: 'reporting-password',
        generator: {
          kind: 'database-user',
          database: 'evalap-db',
          user: 'reporting',
        },
      });
    },
    ruleId: 'references.database-user',
  },
  {
    $case: 'API key of another declared application',
    environment: 'dev',
    change: (s) => {
      secret(s, 4).generator = {
        kind: 'iam-api-key',
        application: 'evalap-readonly',
      };
    },
    ruleId: 'references.application',
  },
  {
    $case: 'consumer naming another declared container',
    environment: 'dev',
    change: (s) => {
      item(secret(s, 2).consumers, 0).container = 'docs';
    },
    ruleId: 'references.container',
  },
  {
    $case: 'secretEnv naming a declared secret',
    environment: 'dev',
    change: (s) => {
      container(s, 2).secretEnv = { TOKEN: 'api-key' };
    },
    ruleId: 'references.secret',
  },
  {
    $case: 'cpu 100 with 256 MB',
    environment: 'dev',
    change: (s) => {
      container(s, 0).cpu = 100;
      container(s, 0).memory = 256;
    },
    ruleId: 'containers.cpu-memory',
  },
  {
    $case: 'minScale equal to maxScale',
    environment: 'dev',
    change: (s) => {
      container(s, 0).minScale = 2;
      container(s, 0).maxScale = 2;
    },
    ruleId: 'containers.scale',
  },
  {
    $case: 'no network and no container on one',
    environment: 'dev',
    change: (s) => {
      delete s.network;
      for (const c of s.containers?.items ?? []) c.privateNetwork = false;
    },
    ruleId: 'containers.private-network',
  },
  {
    $case: 'namespace without VPC integration, no container attached',
    environment: 'dev',
    change: (s) => {
      if (s.containers) s.containers.namespace.vpcIntegration = false;
      for (const c of s.containers?.items ?? []) c.privateNetwork = false;
    },
    ruleId: 'containers.vpc-integration',
  },
  {
    $case: 'the same binding in consumers and secretEnv',
    environment: 'dev',
    change: (s) => {
      container(s, 0).secretEnv = { API_KEY: 'api-key' };
    },
    ruleId: 'containers.env-conflict',
  },
  {
    $case: 'versioning off on a bucket without object lock',
    environment: 'production',
    change: (s) => {
      bucket(s, 0).versioning = false;
    },
    ruleId: 'buckets.object-lock-versioning',
  },
  {
    $case: 'SSE-C key of 32 bytes in hex',
    environment: 'production',
    change: (s) => {
      secret(s, 5).generator = { kind: 'random', bytes: 32, encoding: 'hex' };
    },
    ruleId: 'buckets.sse-c-key',
  },
  {
    $case: 'SSE-C key in another declared secret',
    environment: 'production',
    change: (s) => {
      bucket(s, 0).sseC = { keySecret: 'audit-sse-key' };
    },
    ruleId: 'references.secret',
  },
  {
    $case: 'dev audit kept 7 days to a file',
    environment: 'dev',
    change: () => {},
    ruleId: 'audit.retention',
  },
  {
    $case: 'dev audit to stdout',
    environment: 'dev',
    change: (s) => {
      s.audit.sink = 'stdout';
    },
    ruleId: 'audit.sink',
  },
  {
    $case: 'file sink without a bucket',
    environment: 'dev',
    change: (s) => {
      s.audit.sink = 'file';
      delete s.audit.bucket;
    },
    ruleId: 'audit.bucket',
  },
  {
    $case: 'audit bucket naming the other declared bucket',
    environment: 'production',
    change: (s) => {
      s.audit.bucket = 'evalap-artifacts';
    },
    ruleId: 'references.bucket',
  },
  {
    $case: 'audit bucket expiring on the last retention day',
    environment: 'staging',
    change: (s) => {
      s.audit.retentionDays = 45;
      bucket(s, 1).lifecycle = { expirationDays: 45 };
    },
    ruleId: 'audit.bucket-lifecycle',
  },
  {
    $case: 'staging audit bucket without object lock',
    environment: 'staging',
    change: () => {},
    ruleId: 'audit.object-lock',
  },
  {
    $case: 'production audit locked 120 days',
    environment: 'production',
    change: (s) => {
      bucket(s, 1).objectLock = { mode: 'COMPLIANCE', days: 120 };
    },
    ruleId: 'audit.object-lock',
  },
];

const cidrRows: { $case: string; cidr: string; ruleId: string }[] = [
  { $case: 'public range', cidr: '8.8.8.0/24', ruleId: 'network.cidr-private' },
  {
    $case: 'just above 172.16.0.0/12',
    cidr: '172.32.0.0/16',
    ruleId: 'network.cidr-private',
  },
  {
    $case: 'just below 172.16.0.0/12',
    cidr: '172.15.0.0/16',
    ruleId: 'network.cidr-private',
  },
  {
    $case: 'next to 192.168.0.0/16',
    cidr: '192.169.0.0/16',
    ruleId: 'network.cidr-private',
  },
  { $case: 'no prefix', cidr: '10.0.0.0', ruleId: 'network.cidr-format' },
  { $case: 'three octets', cidr: '10.0.0/16', ruleId: 'network.cidr-format' },
  { $case: 'not a CIDR', cidr: 'invalid', ruleId: 'network.cidr-format' },
  { $case: 'octet 256', cidr: '256.0.0.0/16', ruleId: 'network.cidr-octet' },
  { $case: 'leading zero', cidr: '10.01.0.0/16', ruleId: 'network.cidr-octet' },
  { $case: 'prefix 33', cidr: '10.0.0.0/33', ruleId: 'network.cidr-prefix' },
  {
    $case: 'a /8 block',
    cidr: '10.0.0.0/8',
    ruleId: 'network.cidr-prefix-size',
  },
  {
    $case: 'a /30 block',
    cidr: '10.0.0.0/30',
    ruleId: 'network.cidr-prefix-size',
  },
  {
    $case: 'host bits set',
    cidr: '10.2.0.1/16',
    ruleId: 'network.cidr-host-bits',
  },
];

/**
 * Blocks every network rule accepts, each labelled with the rule it comes
 * closest to breaking; the test asserts that no network rule reports them.
 */
const cidrPasses: { $case: string; cidr: string; ruleId: string }[] = [
  {
    $case: 'the longest text the pattern takes',
    cidr: '192.168.255.240/28',
    ruleId: 'network.cidr-format',
  },
  {
    $case: 'octets of 255 and 0',
    cidr: '10.255.255.0/24',
    ruleId: 'network.cidr-octet',
  },
  {
    $case: 'the longest accepted prefix, /28',
    cidr: '10.0.0.16/28',
    ruleId: 'network.cidr-prefix',
  },
  {
    $case: 'issue 2: 172.20.0.0/16',
    cidr: '172.20.0.0/16',
    ruleId: 'network.cidr-private',
  },
  {
    $case: 'first /16 of 172.16.0.0/12',
    cidr: '172.16.0.0/16',
    ruleId: 'network.cidr-private',
  },
  {
    $case: 'last /28 of 172.16.0.0/12',
    cidr: '172.31.255.240/28',
    ruleId: 'network.cidr-private',
  },
  {
    $case: 'inside 192.168.0.0/16',
    cidr: '192.168.1.0/24',
    ruleId: 'network.cidr-private',
  },
  {
    $case: 'issue 2: 10.0.0.0/16, the shortest prefix',
    cidr: '10.0.0.0/16',
    ruleId: 'network.cidr-prefix-size',
  },
  {
    $case: 'a /28, the longest prefix',
    cidr: '10.0.0.16/28',
    ruleId: 'network.cidr-prefix-size',
  },
  {
    $case: 'low octet set, aligned to its /28',
    cidr: '172.31.255.240/28',
    ruleId: 'network.cidr-host-bits',
  },
  {
    $case: 'dev example',
    cidr: '10.0.0.0/24',
    ruleId: 'network.cidr-host-bits',
  },
  {
    $case: 'staging example',
    cidr: '10.1.0.0/24',
    ruleId: 'network.cidr-host-bits',
  },
  {
    $case: 'production example',
    cidr: '10.2.0.0/16',
    ruleId: 'network.cidr-host-bits',
  },
];

function withCidr(cidr: string): Stack {
  return changedStack('production', (s) => {
    if (s.network) s.network.privateNetwork.cidr = cidr;
  });
}

/** Every rule id string literal under lib/policy/rules. */
function ruleIdsInSource(): string[] {
  const folder = fileURLToPath(
    new URL('../../lib/policy/rules/', import.meta.url),
  );
  const pattern =
    /'((?:permission-sets|least-privilege|network|encryption|database|naming|secrets|rotation|containers|buckets|audit|references)\.[a-z-]+)'/g;
  const ids = new Set<string>();
  for (const file of readdirSync(folder)) {
    const text = readFileSync(join(folder, file), 'utf8');
    for (const match of text.matchAll(pattern)) {
      if (match[1]) ids.add(match[1]);
    }
  }
  // The CIDR parser's problems become network.cidr-<problem>.
  for (const problem of ['format', 'octet', 'prefix']) {
    ids.add(`network.cidr-${problem}`);
  }

  return [...ids].sort();
}

describe('checkNetwork through checkStack', () => {
  it.each(cidrRows)('$$case ($cidr) → $ruleId', ({ cidr, ruleId }) => {
    const findings = checkStack(withCidr(cidr));

    expect(findings).toContainEqual(
      expect.objectContaining({
        ruleId,
        severity: 'error',
        path: ['network', 'privateNetwork', 'cidr'],
      }),
    );
  });

  it.each(cidrPasses)('accepts $$case ($cidr, no $ruleId)', ({ cidr }) => {
    const findings = checkStack(withCidr(cidr));

    expect(findings.filter((f) => f.ruleId.startsWith('network.'))).toEqual([]);
  });
});

describe('checkStack', () => {
  describe('reports a finding for each broken rule', () => {
    it.each(failing)('$$case → $ruleId', (row) => {
      const stack = changedStack(row.environment, row.change);

      const findings = checkStack(stack).map((f) => ({
        ...f,
        path: formatStackPath(f.path),
      }));

      expect(findings).toContainEqual(
        expect.objectContaining({
          ruleId: row.ruleId,
          severity: row.severity,
          path: row.path,
          ...(row.message === undefined
            ? {}
            : { message: expect.stringMatching(row.message) }),
        }),
      );
    });
  });

  describe('passes a stack that keeps the rule', () => {
    it.each(passing)('$$case (no $ruleId)', (row) => {
      const stack = changedStack(row.environment, row.change);

      const ruleIds = checkStack(stack).map((f) => f.ruleId);

      expect(ruleIds).not.toContain(row.ruleId);
    });
  });

  it.each(['dev', 'staging', 'production'] as const)(
    'passes every rule on the %s example stack',
    (environment) => {
      const findings = checkStack(exampleStack(environment));

      expect(findings).toEqual([]);
    },
  );

  it('has a failing row for every rule id in lib/policy/rules', () => {
    const ruleIds = ruleIdsInSource();
    const covered = [...failing, ...cidrRows].map((row) => row.ruleId);

    const missing = ruleIds.filter((id) => !covered.includes(id));

    expect(ruleIds.length).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('has a passing row for every rule id in lib/policy/rules', () => {
    const ruleIds = ruleIdsInSource();
    // Network rules pass through the dedicated cidrPasses table.
    const covered = [...passing, ...cidrPasses].map((row) => row.ruleId);

    const missing = ruleIds.filter((id) => !covered.includes(id));

    expect(ruleIds.length).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('gives every finding a message that says what to do', () => {
    const findings = failing.flatMap((row) =>
      checkStack(changedStack(row.environment, row.change)),
    );

    for (const finding of findings) {
      expect(finding.message.length).toBeGreaterThan(20);
    }
  });
});
