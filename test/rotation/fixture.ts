import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { verify } from '@node-rs/argon2';
import { createClient } from '@scaleway/sdk-client';
import { Containerv1beta1 } from '@scaleway/sdk-container';
import { Iamv1alpha1 } from '@scaleway/sdk-iam';
import { Rdbv1 } from '@scaleway/sdk-rdb';
import { Secretv1beta1 } from '@scaleway/sdk-secret';
import { Vpcv2 } from '@scaleway/sdk-vpc';
import pino from 'pino';
import { type AuditEvent, AuditLogger } from '../../lib/audit/index.ts';
import {
  consumerValues,
  generatePassword,
  type RotationContext,
  strategyOf,
} from '../../lib/rotation/index.ts';
import {
  deployedName,
  loadStack,
  type Stack,
  StackSchema,
  secretBindings,
} from '../../lib/stack/index.ts';
import {
  type AppliedResource,
  ensureStateBucket,
  stackRevision,
  writeAppliedState,
} from '../../lib/state/index.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import {
  type LocalPlatform,
  startLocalPlatform,
} from '../../local/platform.ts';
import { localS3Client } from '../../local/storage/clients.ts';

export const DAY_MS = 86_400_000;

const PRODUCTION = fileURLToPath(
  new URL('../../stacks/production.yaml', import.meta.url),
);

/** SDK clients on the local platform. */
export function platformClients(platform: LocalPlatform) {
  const client = createClient({
    apiURL: platform.scalewayApiUrl,
    accessKey: LOCAL_DEFAULTS.accessKey,
    secretKey: LOCAL_DEFAULTS.secretKey,
    defaultOrganizationId: LOCAL_DEFAULTS.organizationId,
    defaultProjectId: LOCAL_DEFAULTS.projectId,
    defaultRegion: LOCAL_DEFAULTS.region,
    defaultZone: LOCAL_DEFAULTS.zone,
  });

  return {
    secret: new Secretv1beta1.API(client),
    iam: new Iamv1alpha1.API(client),
    rdb: new Rdbv1.API(client),
    container: new Containerv1beta1.API(client),
    vpc: new Vpcv2.API(client),
    s3: localS3Client(platform.storageEndpoint) as S3Client,
  };
}

/** What a test observes: audit events, log lines, every planted value. */
export interface Observed {
  events: AuditEvent[];
  lines: string[];
  onEvent: ((event: AuditEvent) => void) | undefined;
}

/** An applied production stack of its own (project, roles, bucket). */
export interface Scenario {
  platform: LocalPlatform;
  stack: Stack;
  clients: ReturnType<typeof platformClients>;
  stateBucket: string;
  observed: Observed;
  /** Resource ids by `kind:deployed name`. */
  ids: Map<string, string>;
  /** Every value this scenario planted (initial values). */
  planted: string[];
  context(overrides?: Partial<RotationContext>): RotationContext;
  /**
   * Deployments so far per container id: container updates (they
   * redeploy) and deploy calls, read from the API's request counters,
   * which cannot tell containers apart; see `readyAt` for that.
   */
  deployCalls(): number;
  /** When a container (base name) last became ready. */
  readyAt(container: string): Promise<string | undefined>;
}

/** Options of {@link provisionScenario}. */
export interface ScenarioOptions {
  /**
   * Secrets (stack file input) added to production's, e.g. a certificate
   * or a `key_value` secret. Default: none.
   */
  extraSecrets?: readonly Record<string, unknown>[];
}

/**
 * Provisions the production stack on the local platform with the SDK
 * (the way provisioning does: secrets with a first version, the IAM
 * application and its key, the database, its logical database and its
 * users with their privileges on it, the containers holding their
 * secrets), writes the applied state, and returns a rotation context
 * with in-memory audit and log capture. `tag` keeps roles, project and
 * bucket apart from other scenarios.
 */
export async function provisionScenario(
  platform: LocalPlatform,
  tag: string,
  options: ScenarioOptions = {},
): Promise<Scenario> {
  const stack = scenarioStack(
    await loadStack(PRODUCTION),
    tag,
    options.extraSecrets ?? [],
  );
  const clients = platformClients(platform);
  const engine = platform.postgres;
  if (!engine) throw new Error('the platform has no PostgreSQL');
  const ids = new Map<string, string>();
  const planted: string[] = [];
  const resources: AppliedResource[] = [];
  const region = stack.region;
  const projectId = stack.project.id;
  const add = (kind: AppliedResource['kind'], name: string, id: string) => {
    ids.set(`${kind}:${name}`, id);
    resources.push({ kind, name, id, region });
  };
  const env = stack.environment;
  const database = stack.database;
  if (!database) throw new Error('production declares a database');

  const application = await clients.iam.createApplication({
    name: deployedName('evalap-service', env),
    description: 'test',
  });
  add('iam-application', application.name, application.id);
  const key = await clients.iam.createAPIKey({
    applicationId: application.id,
    description: 'provisioned',
  });
  add('iam-api-key', application.name, key.accessKey);

  // the production database is reached on its private network only
  const network = stack.network;
  if (!network) throw new Error('production declares a network');
  const vpc = await clients.vpc.createVPC({
    region,
    projectId,
    name: deployedName(network.vpc.name, env),
    enableRouting: true,
  });
  const privateNetwork = await clients.vpc.createPrivateNetwork({
    region,
    projectId,
    vpcId: vpc.id,
    name: deployedName(network.privateNetwork.name, env),
    subnets: [network.privateNetwork.cidr],
    defaultRoutePropagationEnabled: false,
  });
  add('vpc', vpc.name, vpc.id);
  add('private-network', privateNetwork.name, privateNetwork.id);

  const adminUser = database.users.find((u) => u.admin);
  const adminPassword = generatePassword();
  const instance = await clients.rdb.createInstance({
    region,
    projectId,
    name: deployedName(database.name, env),
    engine: database.engine,
    nodeType: 'db-dev-s',
    userName: adminUser?.name ?? 'admin',
    password: adminPassword,
    isHaCluster: false,
    disableBackup: true,
    volumeType: 'lssd',
    volumeSize: 5_000_000_000,
    initEndpoints: [
      {
        privateNetwork: {
          privateNetworkId: privateNetwork.id,
          ipamConfig: {},
        },
      },
    ],
    backupSameRegion: false,
  });
  if (instance.endpoints.some((endpoint) => !endpoint.privateNetwork)) {
    throw new Error('the database has an endpoint off its private network');
  }
  add('database-instance', instance.name, instance.id);
  await clients.rdb.createDatabase({
    region,
    instanceId: instance.id,
    name: database.databaseName,
  });

  const payloads = new Map<string, string>();
  for (const secret of stack.secrets) {
    const created = await clients.secret.createSecret({
      region,
      projectId,
      name: deployedName(secret.name, env),
      path: secret.path,
      type: secret.type,
      protected: secret.protected,
    });
    add('secret', created.name, created.id);
    const payload = await firstPayload(secret.name);
    payloads.set(secret.name, payload);
    await clients.secret.createSecretVersion({
      region,
      secretId: created.id,
      data: Buffer.from(payload).toString('base64'),
      description: 'generated by evalap-infra',
    });

    async function firstPayload(name: string): Promise<string> {
      const generator = secret.generator;
      if (generator.kind === 'database-user') {
        const user = database?.users.find((u) => u.name === generator.user);
        const password = user?.admin ? adminPassword : generatePassword();
        if (!user?.admin) {
          await clients.rdb.createUser({
            region,
            instanceId: instance.id,
            name: generator.user,
            password,
            isAdmin: false,
          });
        }
        planted.push(password);
        return JSON.stringify({
          engine: 'postgres',
          username: generator.user,
          password,
          host: engine?.host,
          port: String(engine?.port),
          dbname: database?.databaseName,
        });
      }
      if (generator.kind === 'iam-api-key') {
        planted.push(key.secretKey ?? '');
        return key.secretKey ?? '';
      }
      const value = `${name}-${randomBytes(24).toString('base64')}`;
      planted.push(value);
      if (generator.kind === 'key_value') {
        return JSON.stringify(
          Object.fromEntries(generator.keys.map((k) => [k, `${k}-${value}`])),
        );
      }
      // Secret Manager wants an SSH key as JSON with its private key.
      return secret.type === 'ssh_key'
        ? JSON.stringify({ ssh_private_key: value })
        : value;
    }
  }

  for (const user of database.users) {
    await clients.rdb.setPrivilege({
      region,
      instanceId: instance.id,
      databaseName: database.databaseName,
      userName: user.name,
      permission: user.privilege,
    });
  }

  const namespace = await clients.container.createNamespace({
    region,
    projectId,
    name: deployedName(stack.containers?.namespace.name ?? 'evalap', env),
  });
  add('container-namespace', namespace.name, namespace.id);
  const bindings = secretBindings(stack);
  for (const container of stack.containers?.items ?? []) {
    const secretValues = bindings
      .filter((b) => b.container === container.name)
      .flatMap((b) => {
        const secret = stack.secrets.find((s) => s.name === b.secret);
        const strategy = secret && strategyOf(stack, secret);
        if (!secret || !strategy) return [];
        return consumerValues(
          strategy === 'alternating-users' ? 'generated' : strategy,
          secret.type,
          payloads.get(secret.name) ?? '',
          b.env,
          key.accessKey,
        );
      });
    const created = await clients.container.createContainer({
      region,
      namespaceId: namespace.id,
      name: deployedName(container.name, env),
      secretEnvironmentVariables: secretValues,
    });
    await clients.container.deployContainer({
      region,
      containerId: created.id,
    });
    add('container', created.name, created.id);
  }

  const stateBucket = `rotation-state-${tag}`;
  await ensureStateBucket(clients.s3, stateBucket);
  await writeAppliedState(clients.s3, stateBucket, {
    environment: env,
    stackRevision: stackRevision(stack),
    appliedAt: platform.clock.now().toISOString(),
    stack,
    resources,
  });

  const observed: Observed = { events: [], lines: [], onEvent: undefined };
  const audit = new AuditLogger({
    environment: env,
    stack: 'evalap',
    project: stack.project.name,
    actor: 'rotation-test',
    clock: { now: () => platform.clock.now() },
    sinks: [
      {
        name: 'memory',
        write: async (event) => {
          observed.events.push(event);
          observed.onEvent?.(event);
        },
      },
    ],
  });
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => observed.lines.push(line) },
  );

  return {
    platform,
    stack,
    clients,
    stateBucket,
    observed,
    ids,
    planted,
    context: (overrides = {}) => ({
      clients,
      stateBucket,
      audit,
      logger,
      now: () => platform.clock.now(),
      retries: 0,
      retryDelayMs: 0,
      loginAttempts: 1,
      pollIntervalMs: 1,
      sleep: async () => undefined,
      ...overrides,
    }),
    deployCalls: () => {
      const counters = platform.controls.counters;
      const one =
        '/containers/v1beta1/regions/{region}/containers/{container_id}';
      return (
        counters.count(`PATCH ${one}`) + counters.count(`POST ${one}/deploy`)
      );
    },
    readyAt: async (container) => {
      const id = ids.get(`container:${deployedName(container, env)}`) ?? '';
      const live = await clients.container.getContainer({
        region,
        containerId: id,
      });
      return live.readyAt?.toISOString();
    },
  };
}

/** Production, with its own project, roles and names for one scenario. */
function scenarioStack(
  production: Stack,
  tag: string,
  extraSecrets: readonly Record<string, unknown>[],
): Stack {
  const input = structuredClone(production);
  input.secrets.push(...(structuredClone(extraSecrets) as Stack['secrets']));
  const role = (name: string) => `${name}_${tag}`;
  input.project = { ...input.project, id: randomUUID() };
  for (const secret of input.secrets) {
    if (secret.generator.kind === 'database-user') {
      secret.generator = {
        ...secret.generator,
        user: role(secret.generator.user),
      };
    }
  }
  if (input.database) {
    input.database.users = input.database.users.map((u) => ({
      ...u,
      name: role(u.name),
    }));
  }

  return StackSchema.parse(input);
}

/** The values a container holds, among candidates (argon2id check). */
export async function heldValue(
  scenario: Scenario,
  container: string,
  env: string,
  candidates: readonly string[],
): Promise<string | undefined> {
  const id =
    scenario.ids.get(
      `container:${deployedName(container, scenario.stack.environment)}`,
    ) ?? '';
  const live = await scenario.clients.container.getContainer({
    region: scenario.stack.region,
    containerId: id,
  });
  const hash = live.secretEnvironmentVariables.find(
    (s) => s.key === env,
  )?.hashedValue;
  if (!hash) return undefined;
  for (const candidate of candidates) {
    if (await verify(hash, candidate)) return candidate;
  }

  return undefined;
}

/** Every version of a secret: revision, status and payload. */
export async function versionsOf(scenario: Scenario, secret: string) {
  const { clients, stack } = scenario;
  const secretId =
    scenario.ids.get(`secret:${deployedName(secret, stack.environment)}`) ?? '';
  const versions = await clients.secret
    .listSecretVersions({ region: stack.region, secretId })
    .all();
  const all = [];
  for (const version of versions) {
    const readable = version.status === 'enabled';
    const data = readable
      ? (
          await clients.secret.accessSecretVersion({
            region: stack.region,
            secretId,
            revision: String(version.revision),
          })
        ).data
      : undefined;
    all.push({
      revision: version.revision,
      status: version.status,
      payload:
        data === undefined
          ? undefined
          : Buffer.from(data, 'base64').toString('utf8'),
    });
  }

  return all.sort((a, b) => a.revision - b.revision);
}

/**
 * The local platform of a rotation test file: every part on a free port,
 * PostgreSQL included, no function runner.
 */
export function startRotationPlatform(): Promise<LocalPlatform> {
  return startLocalPlatform({
    ports: { scalewayApi: 0, storage: 0, postgres: 0, functions: 0 },
    serverlessConfig: false,
  });
}
