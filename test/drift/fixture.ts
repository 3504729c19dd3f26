import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { Containerv1beta1 } from '@scaleway/sdk-container';
import type { Iamv1alpha1 } from '@scaleway/sdk-iam';
import {
  DriftReportStore,
  type SecretEnvRecord,
} from '../../lib/drift/index.ts';
import { environmentTag, MANAGED_BY_TAG } from '../../lib/inventory/index.ts';
import { resolvePolicyRules } from '../../lib/policy/presets.ts';
import { deployedName, parseStack, type Stack } from '../../lib/stack/index.ts';
import { secretHashDigest } from '../../lib/state/secret-hashes.ts';
import { PlatformControls } from '../../local/controls/controls.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import { containerProduct } from '../../local/scaleway/container/product.ts';
import { rdbProduct } from '../../local/scaleway/rdb/product.ts';
import { defaultScalewayProducts } from '../../local/scaleway/server.ts';
import {
  startTestScalewayApi,
  type TestScalewayApi,
} from '../support/scaleway.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';

/** The stack the drift tests apply and check. */
export const DRIFT_STACK_YAML = `
project: { id: ${LOCAL_DEFAULTS.projectId}, name: evalap }
region: fr-par
environment: staging
network:
  vpc: { name: evalap-vpc }
  privateNetwork: { name: evalap-pn, cidr: 10.1.0.0/24 }
secrets:
  - name: api-key
    type: opaque
    path: /evalap/api
    generator: { kind: random }
    consumers: [{ container: api, env: API_KEY }]
  - name: db-password
    type: database_credentials
    path: /evalap/database
    protected: true
    generator: { kind: database-user, database: evalap-db, user: evalap }
    consumers: [{ container: api, env: DATABASE_PASSWORD }]
iam:
  applications:
    - name: evalap-service
      description: The EvalAP API
      policies: [{ name: evalap-service, preset: evalap-service }]
database:
  name: evalap-db
  databaseName: evalap
  engine: PostgreSQL-15
  nodeType: DB-DEV-S
  volume: { type: sbs_5k, sizeGb: 10 }
  encryptionAtRest: true
  backups: { enabled: true, retentionDays: 14 }
  endpoint: private-network
  sslMode: require
  users: [{ name: evalap, passwordSecret: db-password }]
containers:
  namespace: { name: evalap, vpcIntegration: true }
  items:
    - name: api
      image: rg.fr-par.scw.cloud/evalap/api:1.0.0
      cpu: 1000
      memory: 2048
      env: { LOG_LEVEL: info, FEATURES: a }
      privateNetwork: true
audit: { sink: stdout, retentionDays: 30 }
`;

/** The parsed drift test stack. */
export function driftStack(): Stack {
  return parseStack(DRIFT_STACK_YAML, 'drift-test.yaml');
}

/** The local platform of one drift test file. */
export interface DriftPlatform {
  local: TestScalewayApi;
  storage: StorageFixture;
  reports: DriftReportStore;
  controls: PlatformControls;
  close(): Promise<void>;
}

/** Scaleway API (IAM, secrets, VPC, RDB, containers) and Object Storage. */
export async function startDriftPlatform(): Promise<DriftPlatform> {
  const controls = new PlatformControls();
  const local = await startTestScalewayApi({
    controls,
    products: [...defaultScalewayProducts(), rdbProduct(), containerProduct()],
    logger: { error: () => {} },
  });
  const storage = await startStorageFixture();
  await storage.s3.send(new CreateBucketCommand({ Bucket: 'drift-state' }));

  return {
    local,
    storage,
    controls,
    reports: new DriftReportStore(storage.s3, 'drift-state'),
    close: async () => {
      await local.close();
      await storage.close();
    },
  };
}

/** Ids of what {@link applyForTest} created. */
export interface AppliedIds {
  vpc: string;
  privateNetwork: string;
  secrets: Record<string, string>;
  application: string;
  policy: string;
  database: string;
  namespace: string;
  container: string;
  /** The hashes set here, as provisioning records them. */
  secretEnv: SecretEnvRecord;
}

/** Clear values of the test secrets (tests only). */
export const SECRET_VALUES = {
  'api-key': 'test-api-key-value-0123456789abcdef',
  'db-password': 'Test-Passw0rd!-0123456789',
};

// The drift tests create their resources through the SDK, so that each
// test controls the exact ids and secret values it changes afterwards;
// after-apply.test.ts checks drift against the real applyStack.
/** Creates every resource of the drift test stack, tagged as managed. */
export async function applyForTest(
  local: TestScalewayApi,
  stack: Stack,
): Promise<AppliedIds> {
  const env = stack.environment;
  const named = (name: string) => deployedName(name, env);
  const tags = [MANAGED_BY_TAG, environmentTag(env)];
  const network = required(stack.network);
  const database = required(stack.database);
  const containers = required(stack.containers);
  const container = required(containers.items[0]);

  const vpc = await local.vpc.createVPC({
    name: named(network.vpc.name),
    tags,
    enableRouting: true,
  });
  const pn = await local.vpc.createPrivateNetwork({
    name: named(network.privateNetwork.name),
    vpcId: vpc.id,
    subnets: [network.privateNetwork.cidr],
    tags,
    defaultRoutePropagationEnabled: false,
  });

  const secrets: Record<string, string> = {};
  for (const declared of stack.secrets) {
    const secret = await local.secret.createSecret({
      name: named(declared.name),
      path: declared.path,
      type: declared.type,
      protected: declared.protected,
      tags,
    });
    const value =
      declared.type === 'database_credentials'
        ? JSON.stringify({
            engine: 'postgres',
            username: 'evalap',
            password: SECRET_VALUES['db-password'],
            host: '10.1.0.10',
            dbname: 'evalap',
            port: '5432',
          })
        : SECRET_VALUES['api-key'];
    await local.secret.createSecretVersion({
      secretId: secret.id,
      data: Buffer.from(value).toString('base64'),
    });
    secrets[declared.name] = secret.id;
  }

  const applicationDecl = required(stack.iam.applications[0]);
  const application = await local.iam.createApplication({
    name: named(applicationDecl.name),
    description: applicationDecl.description ?? '',
    tags,
  });
  const policyDecl = required(applicationDecl.policies[0]);
  const policy = await local.iam.createPolicy({
    name: named(policyDecl.name),
    description: '',
    applicationId: application.id,
    tags,
    rules: resolvePolicyRules(policyDecl).map(
      (rule): Iamv1alpha1.RuleSpecs => ({
        permissionSetNames: [...rule.permissionSetNames],
        condition: '',
        ...(rule.scope === 'organization'
          ? { organizationId: LOCAL_DEFAULTS.organizationId }
          : { projectIds: [stack.project.id] }),
      }),
    ),
  });

  const instance = await local.rdb.createInstance({
    name: named(database.name),
    engine: database.engine,
    nodeType: database.nodeType,
    userName: 'evalap_admin',
    password: 'Admin-Passw0rd!-xyz',
    isHaCluster: database.highAvailability,
    disableBackup: !database.backups.enabled,
    volumeType: database.volume.type,
    volumeSize: database.volume.sizeGb * 1e9,
    encryption: { enabled: database.encryptionAtRest },
    initEndpoints: [
      { privateNetwork: { privateNetworkId: pn.id, ipamConfig: {} } },
    ],
    backupSameRegion: false,
    tags,
  });
  await local.rdb.updateInstance({
    instanceId: instance.id,
    backupScheduleRetention: database.backups.retentionDays,
    backupScheduleFrequency: database.backups.frequencyHours,
  });

  const namespace = await local.container.createNamespace({
    name: named(containers.namespace.name),
    tags,
  });
  const created = await local.container.createContainer({
    namespaceId: namespace.id,
    name: named(container.name),
    registryImage: container.image,
    cpuLimit: container.cpu,
    memoryLimit: container.memory,
    minScale: container.minScale,
    maxScale: container.maxScale,
    port: container.port,
    timeout: `${container.timeoutSeconds}s`,
    privacy: container.privacy,
    environmentVariables: container.env,
    secretEnvironmentVariables: [
      { key: 'API_KEY', value: SECRET_VALUES['api-key'] },
      { key: 'DATABASE_PASSWORD', value: SECRET_VALUES['db-password'] },
      // the role companion, as provisioning sets it (lib/secrets)
      { key: 'DATABASE_USER', value: 'evalap' },
    ],
    privateNetworkId: pn.id,
    tags,
  });

  return {
    vpc: vpc.id,
    privateNetwork: pn.id,
    secrets,
    application: application.id,
    policy: policy.id,
    database: instance.id,
    namespace: namespace.id,
    container: created.id,
    secretEnv: { hashes: recordedHashes(created), rotating: new Set() },
  };
}

/** What provisioning records of a container it has just set. */
function recordedHashes(
  container: Containerv1beta1.Container,
): SecretEnvRecord['hashes'] {
  const digests = container.secretEnvironmentVariables.map(
    ({ key, hashedValue }) => [key, secretHashDigest(hashedValue)] as const,
  );

  return new Map([[container.name, new Map(digests)]]);
}

/** The value, or a failed test setup when the stack lacks it. */
export function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('drift test stack is incomplete');

  return value;
}
