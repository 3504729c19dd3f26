/**
 * Benchmark: provisioning the production stack scaled to 500 secrets and
 * 50 containers (issue #9, item 3), on the local platform (with its
 * PostgreSQL) with 20 ms added to every API call: a first apply, then a
 * second apply of the same stack (target: zero writes, reads bounded by
 * the list pages).
 *
 * Run: `npx tsx bench/provisioning.ts` (add `--quick`, or set
 * `BENCH_SCALE=quick`, for 50 secrets and 10 containers).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { AuditLogger } from '../lib/audit/index.ts';
import { loadConfig } from '../lib/config/index.ts';
import { checkStack, hasErrors } from '../lib/policy/index.ts';
import {
  type ApplyResult,
  applyStack,
  type ProvisionContext,
} from '../lib/provision/index.ts';
import {
  createScalewayClients,
  type ScalewayClients,
} from '../lib/scaleway/clients.ts';
import {
  loadStack,
  type Stack,
  type StackContainer,
  type StackSecret,
} from '../lib/stack/index.ts';
import { ensureStateBucket } from '../lib/state/index.ts';
import type { CounterSnapshot } from '../local/controls/counters.ts';
import { type LocalPlatform, startLocalPlatform } from '../local/platform.ts';
import {
  addClientLatency,
  isQuickScale,
  machineLine,
} from './support/harness.ts';

/** Added to every Scaleway API and S3 call, as issue #9 asks. */
export const API_LATENCY_MS = 20;

/** The default `page_size` of Scaleway lists (the SDK client sets none). */
export const LIST_PAGE_SIZE = 20;

/** The largest `page_size` Scaleway lists accept. */
export const MAX_LIST_PAGE_SIZE = 100;

/** Size of the scaled stack. */
export interface ProvisioningScale {
  secrets: number;
  containers: number;
}

/** The scale issue #9 documents, and the quick one. */
export const PROVISIONING_SCALES = {
  full: { secrets: 500, containers: 50 },
  quick: { secrets: 50, containers: 10 },
} as const satisfies Record<string, ProvisioningScale>;

/** One measured apply. */
export interface ApplyFigures {
  label: string;
  wallMs: number;
  /** Resources created, updated, replaced or deleted. */
  changed: number;
  api: CounterSnapshot;
  /** Calls to the state bucket (Object Storage). */
  stateBucket: { read: number; write: number };
  auditEvents: number;
}

/** Items each list returned after the first apply. */
export interface ListedItems {
  route: string;
  /** Items per list call made by one walk (one entry per call). */
  items: number[];
}

/** Everything one run measured. */
export interface ProvisioningResult {
  scale: ProvisioningScale;
  resources: number;
  first: ApplyFigures;
  second: ApplyFigures;
  lists: ListedItems[];
}

const STATE_BUCKET = 'evalap-infra-state';
const SCALED_SECRET_PATH = '/evalap/services';
const SCALED_IMAGE = 'rg.fr-par.scw.cloud/evalap/service:1.0.0';

function pad(index: number, width: number): string {
  return String(index).padStart(width, '0');
}

function scaledContainer(index: number): StackContainer {
  return {
    name: `service-${pad(index, 2)}`,
    image: SCALED_IMAGE,
    cpu: 250,
    memory: 512,
    minScale: 0,
    maxScale: 2,
    port: 8080,
    timeoutSeconds: 300,
    privacy: 'private',
    env: { ENVIRONMENT: 'production', LOG_LEVEL: 'info' },
    secretEnv: {},
    privateNetwork: true,
  };
}

function scaledSecret(index: number, consumer: string): StackSecret {
  return {
    name: `service-key-${pad(index, 3)}`,
    description: 'API key of an internal service',
    type: 'opaque',
    path: SCALED_SECRET_PATH,
    protected: true,
    generator: { kind: 'random', bytes: 32, encoding: 'base64' },
    consumers: [{ container: consumer, env: `SERVICE_KEY_${pad(index, 3)}` }],
  };
}

/**
 * The production stack with generated containers and secrets added up to
 * `scale`; each added secret is read by one container, round robin over
 * every container. Throws if the policy checks find an error.
 */
export function scaledProductionStack(
  production: Stack,
  scale: ProvisioningScale,
): Stack {
  const stack = structuredClone(production);
  const containers = stack.containers;
  if (containers === undefined) {
    throw new Error('the production stack declares no containers');
  }

  for (let i = containers.items.length; i < scale.containers; i += 1) {
    containers.items.push(scaledContainer(i));
  }
  const names = containers.items.map((container) => container.name);
  for (let i = stack.secrets.length; i < scale.secrets; i += 1) {
    const consumer = names[i % names.length] as string;
    stack.secrets.push(scaledSecret(i, consumer));
  }

  const findings = checkStack(stack);
  if (hasErrors(findings)) {
    const rules = findings.map((finding) => finding.ruleId).join(', ');
    throw new Error(`the scaled stack fails the policy: ${rules}`);
  }

  return stack;
}

const READ_COMMANDS = /^(Get|Head|List)/;

/**
 * Adds the benchmark latency to each state-bucket call and counts reads
 * and writes (Object Storage has no latency control of its own).
 */
function instrumentStateBucket(s3: S3Client) {
  const counts = { read: 0, write: 0 };
  addClientLatency(s3, API_LATENCY_MS, {
    onRequest: (command) => {
      counts[READ_COMMANDS.test(command) ? 'read' : 'write'] += 1;
    },
  });

  return counts;
}

interface Harness {
  platform: LocalPlatform;
  clients: ScalewayClients;
  context: ProvisionContext;
  stateCalls: { read: number; write: number };
  auditEvents: { count: number };
  close(): Promise<void>;
}

async function startHarness(): Promise<Harness> {
  const platform = await startLocalPlatform({
    ports: { scalewayApi: 0, storage: 0, postgres: 0, functions: 0 },
    serverlessConfig: false,
  });
  const config = loadConfig({
    ...platform.environment,
    EVALAP_STATE_BUCKET: STATE_BUCKET,
    EVALAP_LOG_LEVEL: 'silent',
  });
  const clients = createScalewayClients(config);
  await ensureStateBucket(clients.s3, STATE_BUCKET);
  const stateCalls = instrumentStateBucket(clients.s3);
  const auditEvents = { count: 0 };
  const audit = new AuditLogger({
    environment: 'production',
    project: 'evalap',
    actor: 'bench',
    sinks: [
      {
        name: 'count',
        write: async () => {
          auditEvents.count += 1;
        },
      },
    ],
  });

  return {
    platform,
    clients,
    stateCalls,
    auditEvents,
    context: {
      clients,
      stateBucket: STATE_BUCKET,
      audit,
      organizationId: config.scaleway.organizationId as string,
    },
    close: async () => {
      clients.s3.destroy();
      clients.sqs.destroy();
      await platform.close();
    },
  };
}

function resetCounts(harness: Harness): void {
  harness.platform.controls.counters.reset();
  harness.stateCalls.read = 0;
  harness.stateCalls.write = 0;
  harness.auditEvents.count = 0;
}

async function measuredApply(
  harness: Harness,
  stack: Stack,
  label: string,
): Promise<{ figures: ApplyFigures; result: ApplyResult }> {
  resetCounts(harness);
  const started = performance.now();
  const result = await applyStack(harness.context, stack);
  const wallMs = performance.now() - started;

  return {
    result,
    figures: {
      label,
      wallMs,
      changed: result.changed,
      api: harness.platform.controls.counters.snapshot(),
      stateBucket: { ...harness.stateCalls },
      auditEvents: harness.auditEvents.count,
    },
  };
}

/**
 * How many items each list of one walk returns, read with the largest page
 * size outside the measured applies: the input of the minimum number of
 * list pages.
 */
async function listedItems(
  clients: ScalewayClients,
  projectId: string,
): Promise<ListedItems[]> {
  const region = 'fr-par';
  const all = { region, projectId, pageSize: MAX_LIST_PAGE_SIZE };
  const secrets = await clients.secret
    .listSecrets({ ...all, scheduledForDeletion: false })
    .all();
  const namespaces = await clients.container.listNamespaces(all).all();
  const containers = await Promise.all(
    namespaces.map((namespace) =>
      clients.container
        .listContainers({
          region,
          namespaceId: namespace.id,
          pageSize: MAX_LIST_PAGE_SIZE,
        })
        .all(),
    ),
  );
  const iamPage = { pageSize: MAX_LIST_PAGE_SIZE };
  const applications = await clients.iam.listApplications(iamPage).all();
  const policies = await clients.iam.listPolicies(iamPage).all();
  const rules = await Promise.all(
    policies.map((policy) =>
      clients.iam.listRules({ ...iamPage, policyId: policy.id }).all(),
    ),
  );
  const apiKeys = await Promise.all(
    applications.map((application) =>
      clients.iam
        .listAPIKeys({
          ...iamPage,
          bearerId: application.id,
          bearerType: 'application',
        })
        .all(),
    ),
  );
  const vpcs = await clients.vpc.listVPCs(all).all();
  const networks = await clients.vpc.listPrivateNetworks(all).all();
  const instances = await clients.rdb.listInstances(all).all();
  const users = await Promise.all(
    instances.map((instance) =>
      clients.rdb
        .listUsers({
          region,
          instanceId: instance.id,
          pageSize: MAX_LIST_PAGE_SIZE,
        })
        .all(),
    ),
  );

  return [
    { route: 'secrets', items: [secrets.length] },
    { route: 'container namespaces', items: [namespaces.length] },
    { route: 'containers', items: containers.map((c) => c.length) },
    { route: 'IAM applications', items: [applications.length] },
    { route: 'IAM policies', items: [policies.length] },
    { route: 'IAM rules (per policy)', items: rules.map((r) => r.length) },
    {
      route: 'IAM API keys (per application with a key)',
      items: apiKeys.filter((k) => k.length > 0).map((k) => k.length),
    },
    { route: 'VPCs', items: [vpcs.length] },
    { route: 'private networks', items: [networks.length] },
    { route: 'database instances', items: [instances.length] },
    { route: 'database users', items: users.map((u) => u.length) },
  ];
}

/** Pages needed to list every item once at a page size. */
export function minimumListPages(
  lists: readonly ListedItems[],
  pageSize: number,
): number {
  return lists
    .flatMap((list) => list.items)
    .reduce((sum, items) => sum + Math.max(1, Math.ceil(items / pageSize)), 0);
}

/** Applies the scaled stack twice on a fresh local platform. */
export async function runProvisioningBench(
  scale: ProvisioningScale,
): Promise<ProvisioningResult> {
  const production = await loadStack('stacks/production.yaml');
  const stack = scaledProductionStack(production, scale);
  const harness = await startHarness();
  try {
    harness.platform.controls.latency.set({ ms: API_LATENCY_MS });

    const first = await measuredApply(harness, stack, 'First apply');
    const second = await measuredApply(harness, stack, 'Second apply');

    harness.platform.controls.latency.clear();
    const lists = await listedItems(harness.clients, production.project.id);

    return {
      scale,
      resources: first.result.state.resources.length,
      first: first.figures,
      second: second.figures,
      lists,
    };
  } finally {
    await harness.close();
  }
}

const integer = new Intl.NumberFormat('en-US');

function applyRow(figures: ApplyFigures): string {
  const cells = [
    figures.label,
    `${(figures.wallMs / 1000).toFixed(2)} s`,
    integer.format(figures.changed),
    integer.format(figures.api.total),
    integer.format(figures.api.read),
    integer.format(figures.api.write),
    `${figures.stateBucket.read} / ${figures.stateBucket.write}`,
    integer.format(figures.auditEvents),
  ];

  return `| ${cells.join(' | ')} |`;
}

/** Last path segments of single-resource reads that are not `{id}`. */
const SINGLE_READ_ACTIONS = new Set(['access']);

function isListRoute(route: string): boolean {
  const last = route.split('/').at(-1) ?? '';

  return !last.startsWith('{') && !SINGLE_READ_ACTIONS.has(last);
}

/** Reads of an apply: list pages, and reads of single resources. */
export function readsByKind(api: CounterSnapshot): {
  listPages: number;
  singleReads: number;
  topSingleReads: [string, number][];
} {
  let listPages = 0;
  const single: [string, number][] = [];
  for (const [route, count] of Object.entries(api.routes)) {
    if (!route.startsWith('GET ') && !route.startsWith('HEAD ')) continue;
    if (isListRoute(route)) listPages += count;
    else single.push([route, count]);
  }
  single.sort((a, b) => b[1] - a[1]);

  return {
    listPages,
    singleReads: single.reduce((sum, [, count]) => sum + count, 0),
    topSingleReads: single,
  };
}

/** The markdown section of docs/performance.md for a run. */
export function provisioningMarkdown(result: ProvisioningResult): string {
  const quick = result.scale.secrets !== PROVISIONING_SCALES.full.secrets;
  const flag = quick ? ' --quick' : '';
  const second = readsByKind(result.second.api);
  const pages = minimumListPages(result.lists, LIST_PAGE_SIZE);
  const maxPages = minimumListPages(result.lists, MAX_LIST_PAGE_SIZE);
  const listed = result.lists
    .map((list) => `${list.route} ${list.items.join('+')}`)
    .join(', ');
  const singles = second.topSingleReads
    .map(([route, count]) => `\`${route}\` ${integer.format(count)}`)
    .join(', ');

  return [
    '## Provisioning',
    '',
    `Reproduce: \`npm run bench -- --only provisioning${flag}\`` +
      ` (or \`npx tsx bench/provisioning.ts${flag}\`).`,
    '',
    `Machine: ${machineLine()}.`,
    '',
    `Latency: ${API_LATENCY_MS} ms added to every Scaleway API call ` +
      '(`controls.latency`) and every state-bucket call (in the S3 client).',
    '',
    `Stack: \`stacks/production.yaml\` scaled to ${result.scale.secrets} ` +
      `secrets and ${result.scale.containers} containers (each added ` +
      'secret read by one container, round robin), ' +
      `${integer.format(result.resources)} resources in the applied state; ` +
      'local platform with its PostgreSQL.',
    '',
    '| Apply | Wall time | Changed | API calls | API reads | API writes |' +
      ' State bucket reads / writes | Audit events |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    applyRow(result.first),
    applyRow(result.second),
    '',
    `Second apply: ${integer.format(result.second.api.write)} writes; ` +
      `${integer.format(second.listPages)} list pages and ` +
      `${integer.format(second.singleReads)} single-resource reads. ` +
      `Listing everything once takes at least ${pages} pages at the ` +
      `default page size of ${LIST_PAGE_SIZE} (${maxPages} at ` +
      `${MAX_LIST_PAGE_SIZE}). An apply whose plan changes nothing ` +
      'walks the project once; secret values are not read when the ' +
      "containers' hashes match the fingerprints of the last apply.",
    '',
    `Items listed: ${listed}.`,
    '',
    `Single-resource reads of the second apply: ${singles || 'none'}.`,
    '',
  ].join('\n');
}

/** The scale asked for by `--quick` or `BENCH_SCALE=quick`. */
export function scaleFromArgs(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): ProvisioningScale {
  return isQuickScale(argv, env)
    ? PROVISIONING_SCALES.quick
    : PROVISIONING_SCALES.full;
}

async function main(): Promise<void> {
  const result = await runProvisioningBench(scaleFromArgs());
  process.stdout.write(provisioningMarkdown(result));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
