/**
 * Benchmark: audit shipping from the audit queue to Object Storage (issue
 * #9, item 5), on the local platform with 20 ms added to every API call.
 *
 * 1. CRON path: 10,000 events built by AuditLogger are put in the audit
 *    queue (ten per SendMessageBatch, to fill the backlog quickly), then
 *    ship-audit-logs is invoked with its CRON body until the queue is
 *    empty (5,000 messages per run at most), and once more an hour later
 *    to seal the hour.
 * 2. Queue-trigger path: 500 events sent by AuditLogger through its queue
 *    sink (the producer figure), then delivered one message per
 *    invocation, ten in flight, by the local runner's QueuePoller.
 *
 * Compression: the JSON-lines bytes of the stored events against the gzip
 * bytes of the log objects holding them.
 *
 * Run: `npx tsx bench/audit-shipping.ts` (add `--quick`, or set
 * `BENCH_SCALE=quick`, for a tenth of the events).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createClient } from '@scaleway/sdk-client';
import { Secretv1beta1 } from '@scaleway/sdk-secret';
import pLimit from 'p-limit';
import { HOUR_MS, startOfHour } from '../lib/audit/clock.ts';
import {
  AuditBucket,
  type AuditBucketSettings,
  AuditEncryptionKeys,
  type AuditEvent,
  AuditLogger,
  type AuditRuntime,
  AuditShipper,
  AuditSigningKeys,
  auditBucketSettings,
  encodeAuditEvent,
  queueSink,
  scalewaySecretReader,
} from '../lib/audit/index.ts';
import {
  CRON_JOB,
  shipAuditLogsHandler,
} from '../lib/audit/shipping/function.ts';
import type { FunctionHandler } from '../lib/http/types.ts';
import { createLogger } from '../lib/log/index.ts';
import { loadStack, type Stack } from '../lib/stack/index.ts';
import { PlatformClock } from '../local/controls/clock.ts';
import { LOCAL_DEFAULTS } from '../local/defaults.ts';
import { QueuePoller } from '../local/runner/queue.ts';
import {
  type ScalewayApi,
  startScalewayApi,
} from '../local/scaleway/server.ts';
import { localS3Client, localSqsClient } from '../local/storage/clients.ts';
import {
  type ObjectStorage,
  startObjectStorage,
} from '../local/storage/server.ts';
import {
  addClientLatency,
  isQuickScale,
  machineLine,
} from './support/harness.ts';

/** Added to every Scaleway API, S3 and SQS call, as issue #9 asks. */
export const API_LATENCY_MS = 20;

/** Event counts of one run. */
export interface AuditShippingScale {
  /** Events drained by the CRON path. Full: 10,000. */
  cronEvents: number;
  /** Events delivered by the queue trigger. Full: 500. */
  triggerEvents: number;
}

/** The scale issue #9 documents, and the quick one. */
export const AUDIT_SHIPPING_SCALES = {
  full: { cronEvents: 10_000, triggerEvents: 500 },
  quick: { cronEvents: 1_000, triggerEvents: 50 },
} as const satisfies Record<string, AuditShippingScale>;

/** Calls per service during one measured phase. */
export interface CallCounts {
  s3: number;
  sqs: number;
  secretManager: number;
}

/** One measured phase. */
export interface ShippingPhase {
  label: string;
  events: number;
  wallMs: number;
  calls: CallCounts;
  /** Log objects written during the phase. */
  objects: number;
  /** CRON invocations, or delivered messages for the trigger. */
  invocations: number;
}

/** Raw against stored bytes of the log objects of one path. */
export interface CompressionFigures {
  label: string;
  objects: number;
  rawBytes: number;
  storedBytes: number;
}

/** Everything one run measured. */
export interface AuditShippingResult {
  scale: AuditShippingScale;
  producer: ShippingPhase;
  phases: ShippingPhase[];
  compression: CompressionFigures[];
}

const ENVIRONMENT = 'production';
const EVENTS_PER_OBJECT = 100;
const PRODUCER_CONCURRENCY = 32;

interface CountedClients {
  s3: S3Client;
  sqs: SQSClient;
  counts: Map<string, number>;
  onCommand: Set<(name: string) => void>;
}

/** Counts the calls of an AWS SDK client per command, with the latency. */
function instrument(
  client: S3Client | SQSClient,
  service: 's3' | 'sqs',
  clients: Pick<CountedClients, 'counts' | 'onCommand'>,
): void {
  addClientLatency(client, API_LATENCY_MS, {
    onRequest: (command) => {
      const name = `${service}:${command}`;
      clients.counts.set(name, (clients.counts.get(name) ?? 0) + 1);
    },
    onResponse: (command) => {
      for (const listener of clients.onCommand) {
        listener(`${service}:${command}`);
      }
    },
  });
}

function countedClients(endpoint: string): CountedClients {
  const s3 = localS3Client(endpoint);
  const sqs = localSqsClient(endpoint);
  const clients = {
    s3,
    sqs,
    counts: new Map<string, number>(),
    onCommand: new Set<(name: string) => void>(),
  };
  instrument(s3, 's3', clients);
  instrument(sqs, 'sqs', clients);

  return clients;
}

function secretApi(api: ScalewayApi): Secretv1beta1.API {
  const client = createClient({
    apiURL: api.url,
    accessKey: LOCAL_DEFAULTS.accessKey,
    secretKey: LOCAL_DEFAULTS.secretKey,
    defaultOrganizationId: LOCAL_DEFAULTS.organizationId,
    defaultProjectId: LOCAL_DEFAULTS.projectId,
    defaultRegion: LOCAL_DEFAULTS.region,
    defaultZone: LOCAL_DEFAULTS.zone,
  });

  return new Secretv1beta1.API(client);
}

/** Creates the audit keys of the stack in the local Secret Manager. */
async function createAuditKeys(secrets: Secretv1beta1.API): Promise<void> {
  for (const name of ['audit-sse-key', 'audit-signing-key']) {
    const secret = await secrets.createSecret({
      name: `${name}-${ENVIRONMENT}`,
      path: '/evalap/audit',
      protected: true,
      type: 'opaque',
    });
    await secrets.createSecretVersion({
      secretId: secret.id,
      data: Buffer.from(randomBytes(32).toString('base64')).toString('base64'),
    });
  }
}

/** What provisioning would do to the audit bucket (here by hand). */
async function createAuditBucket(
  s3: S3Client,
  settings: AuditBucketSettings,
): Promise<void> {
  const bucket = settings.bucket;
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ObjectLockEnabledForBucket: settings.objectLock !== null,
    }),
  );
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  // No lifecycle rule: the local Object Storage applies lifecycle rules
  // by walking every object of the bucket on each request, which would
  // make this benchmark measure the emulator (quadratic in the number of
  // markers), not the shipper. Expiration costs nothing per write on
  // Scaleway.
  if (settings.objectLock !== null) {
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: bucket,
        ObjectLockConfiguration: settings.objectLock,
      }),
    );
  }
}

/** The audit queue with its dead-letter queue and redrive policy. */
async function createAuditQueue(sqs: SQSClient, name: string) {
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-dlq` }),
  );
  const dlqUrl = dlq.QueueUrl as string;
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: dlqUrl,
      AttributeNames: ['QueueArn'],
    }),
  );
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: '60',
        MessageRetentionPeriod: String(4 * 86_400),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: attributes.Attributes?.QueueArn,
          maxReceiveCount: 5,
        }),
      },
    }),
  );

  return { queueUrl: queue.QueueUrl as string, dlqUrl };
}

/**
 * Logs one event of a provisioning, rotation or drift run, the mix the
 * control plane produces, at the given time.
 */
async function logSampleEvent(
  sinks: AuditLoggerSinks,
  index: number,
  at: Date,
): Promise<AuditEvent> {
  const audit = new AuditLogger({
    environment: ENVIRONMENT,
    project: 'evalap',
    actor: index % 3 === 0 ? 'evalap-cicd' : 'rotation-cron',
    requestId: `req-${Math.floor(index / 25)}`,
    clock: { now: () => at },
    sinks,
  });
  const secret = `secret-${String(index % 500).padStart(3, '0')}`;
  const container = `svc-${String(index % 50).padStart(2, '0')}`;

  switch (index % 5) {
    case 0:
      return audit.logCreate('Secret', `${secret}-${ENVIRONMENT}`, {
        path: '/evalap/bench',
        type: 'opaque',
        protected: true,
        consumers: [`${container}-${ENVIRONMENT}`],
      });
    case 1:
      return audit.logUpdate('Container', `${container}-${ENVIRONMENT}`, {
        image: 'rg.fr-par.scw.cloud/evalap/api:1.4.2',
        env: ['LOG_LEVEL'],
        secret_env: ['API_KEY'],
      });
    case 2:
      return audit.record({
        operation: 'rotate',
        resourceType: 'Secret',
        resourceName: `${secret}-${ENVIRONMENT}`,
        severity: 'info',
        details: {
          strategy: 'generated',
          revision: (index % 7) + 2,
          redeployed: [`${container}-${ENVIRONMENT}`],
        },
      });
    case 3:
      return audit.record({
        operation: 'drift',
        resourceType: 'Container',
        resourceName: `${container}-${ENVIRONMENT}`,
        severity: 'warning',
        details: { findings: 1, fields: ['minScale'], severity: 'medium' },
      });
    default:
      return audit.record({
        operation: 'deploy',
        resourceType: 'Container',
        resourceName: `${container}-${ENVIRONMENT}`,
        severity: 'info',
        details: { status: 'ready', duration_ms: 4_000 + (index % 900) },
      });
  }
}

type AuditLoggerSinks = ConstructorParameters<typeof AuditLogger>[0]['sinks'];

function jsonLinesBytes(events: readonly AuditEvent[]): number {
  return events.reduce(
    (sum, event) => sum + Buffer.byteLength(`${encodeAuditEvent(event)}\n`),
    0,
  );
}

/**
 * Builds `count` events with AuditLogger and puts them in the queue ten
 * per SendMessageBatch; their bytes as JSON lines.
 */
async function fillBacklog(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  timeOf: (index: number) => Date,
): Promise<number> {
  const events: AuditEvent[] = [];
  const collect = [
    { name: 'collect', write: async (e: AuditEvent) => void events.push(e) },
  ];
  for (let index = 0; index < count; index += 1) {
    await logSampleEvent(collect, index, timeOf(index));
  }

  const limit = pLimit(PRODUCER_CONCURRENCY);
  const batches = [];
  for (let start = 0; start < events.length; start += 10) {
    const entries = events.slice(start, start + 10).map((event, id) => ({
      Id: String(id),
      MessageBody: encodeAuditEvent(event),
    }));
    batches.push(
      limit(() =>
        sqs.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
        ),
      ),
    );
  }
  await Promise.all(batches);

  return jsonLinesBytes(events);
}

/** Sends `count` events through the queue sink; their JSON-lines bytes. */
async function produce(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  timeOf: (index: number) => Date,
): Promise<number> {
  const sinks = [queueSink({ sqs, queueUrl })];
  const limit = pLimit(PRODUCER_CONCURRENCY);
  const events = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      limit(() => logSampleEvent(sinks, index, timeOf(index))),
    ),
  );

  return jsonLinesBytes(events);
}

interface Harness {
  api: ScalewayApi;
  storage: ObjectStorage;
  clock: PlatformClock;
  clients: CountedClients;
  runtime: AuditRuntime;
  handler: FunctionHandler;
  close(): Promise<void>;
}

async function startHarness(stack: Stack): Promise<Harness> {
  const clock = new PlatformClock();
  const api = await startScalewayApi({ port: 0, clock });
  const storage = await startObjectStorage({ port: 0, clock });
  const clients = countedClients(storage.endpoint);
  const secrets = secretApi(api);
  const settings = auditBucketSettings(stack);
  if (settings === null || settings.sseCKeySecret === null) {
    throw new Error('the production stack ships audit events with SSE-C');
  }

  await createAuditKeys(secrets);
  await createAuditBucket(clients.s3, settings);
  const queues = await createAuditQueue(
    clients.sqs,
    `${stack.audit.queue ?? 'evalap-audit'}-${ENVIRONMENT}`,
  );
  api.controls.latency.set({ ms: API_LATENCY_MS });

  const reader = scalewaySecretReader(secrets);
  const bucket = new AuditBucket({
    s3: clients.s3,
    bucket: settings.bucket,
    encryption: new AuditEncryptionKeys(
      reader,
      `/evalap/audit/${settings.sseCKeySecret}-${ENVIRONMENT}`,
    ),
  });
  const runtime: AuditRuntime = {
    environment: ENVIRONMENT,
    bucket,
    shipper: new AuditShipper({ bucket, environment: ENVIRONMENT, clock }),
    signingKeys: new AuditSigningKeys(
      reader,
      `/evalap/audit/audit-signing-key-${ENVIRONMENT}`,
    ),
    sqs: clients.sqs,
    queueUrls: [queues.queueUrl, queues.dlqUrl],
  };
  const handler = shipAuditLogsHandler({
    runtime: async () => runtime,
    logger: createLogger({ level: 'silent' }),
    clock,
  });

  return {
    api,
    storage,
    clock,
    clients,
    runtime,
    handler,
    close: async () => {
      clients.s3.destroy();
      clients.sqs.destroy();
      await storage.close();
      await api.close();
    },
  };
}

function resetCounts(harness: Harness): void {
  harness.clients.counts.clear();
  harness.api.controls.counters.reset();
}

function callCounts(harness: Harness): CallCounts {
  let s3 = 0;
  let sqs = 0;
  for (const [name, count] of harness.clients.counts) {
    if (name.startsWith('s3:')) s3 += count;
    else sqs += count;
  }

  return {
    s3,
    sqs,
    secretManager: harness.api.controls.counters.snapshot().total,
  };
}

interface LogObject {
  key: string;
  size: number;
}

/** The log objects (not markers, not digests) under the environment. */
async function logObjects(harness: Harness): Promise<LogObject[]> {
  const found: LogObject[] = [];
  let token: string | undefined;
  do {
    const page = await harness.clients.s3.send(
      new ListObjectsV2Command({
        Bucket: harness.runtime.bucket.name,
        Prefix: `${ENVIRONMENT}/`,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const item of page.Contents ?? []) {
      if (item.Key?.endsWith('.jsonl.gz')) {
        found.push({ key: item.Key, size: item.Size ?? 0 });
      }
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);

  return found;
}

function cronBody(): string {
  return JSON.stringify({ job: CRON_JOB });
}

async function invokeCron(harness: Harness) {
  const reply = await harness.handler({
    httpMethod: 'POST',
    path: '/',
    headers: {},
    body: cronBody(),
  });
  const report = JSON.parse(reply.body) as {
    received: number;
    stored: number;
    sealed: string[];
    failure?: string;
  };
  if (reply.statusCode !== 200) {
    throw new Error(`CRON run failed: ${report.failure ?? reply.statusCode}`);
  }

  return report;
}

/** Drains the queue with CRON invocations until a run receives nothing. */
async function cronPath(
  harness: Harness,
  count: number,
): Promise<{ drain: ShippingPhase; seal: ShippingPhase }> {
  const before = (await logObjects(harness)).length;
  resetCounts(harness);
  let stored = 0;
  let invocations = 0;
  const started = performance.now();
  for (;;) {
    const report = await invokeCron(harness);
    invocations += 1;
    stored += report.stored;
    if (report.received === 0) break;
  }
  const drainMs = performance.now() - started;
  if (stored !== count) {
    throw new Error(`CRON path stored ${stored} of ${count} events`);
  }
  const drainCalls = callCounts(harness);
  const objects = (await logObjects(harness)).length - before;

  harness.clock.advance(HOUR_MS + 11 * 60_000);
  resetCounts(harness);
  const sealStart = performance.now();
  const sealed = await invokeCron(harness);
  const sealMs = performance.now() - sealStart;

  return {
    drain: {
      label: 'CRON drain (ship-and-seal)',
      events: count,
      wallMs: drainMs,
      calls: drainCalls,
      objects,
      invocations,
    },
    seal: {
      label: `CRON seal (${sealed.sealed.length} closed hour)`,
      events: 0,
      wallMs: sealMs,
      calls: callCounts(harness),
      objects: 0,
      invocations: 1,
    },
  };
}

/**
 * Delivers the queue's messages one per invocation, ten in flight, and
 * resolves when `count` messages are stored and deleted.
 */
async function triggerPath(
  harness: Harness,
  count: number,
): Promise<ShippingPhase> {
  const before = (await logObjects(harness)).length;
  const queueUrl = harness.runtime.queueUrls[0] as string;
  const queue = queueUrl.split('/').at(-1) as string;
  let deleted = 0;
  let delivered = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const onDelete = (name: string) => {
    if (name !== 'sqs:DeleteMessageCommand') return;
    deleted += 1;
    if (deleted === count) done();
  };
  const poller = new QueuePoller(
    harness.clients.sqs,
    { functionName: 'ship-audit-logs', name: 'audit-queue', queue },
    async (_trigger, body) => {
      delivered += 1;
      const reply = await harness.handler({
        httpMethod: 'POST',
        path: '/',
        headers: {},
        body,
      });

      return reply.statusCode;
    },
  );

  resetCounts(harness);
  harness.clients.onCommand.add(onDelete);
  const started = performance.now();
  poller.start();
  await finished;
  const wallMs = performance.now() - started;
  const calls = callCounts(harness);
  harness.clients.onCommand.delete(onDelete);
  await poller.stop();

  return {
    label: 'Queue trigger (1 message per invocation, 10 in flight)',
    events: count,
    wallMs,
    calls,
    objects: (await logObjects(harness)).length - before,
    invocations: delivered,
  };
}

/** Runs both paths at the given scale on a fresh local platform. */
export async function runAuditShippingBench(
  scale: AuditShippingScale,
): Promise<AuditShippingResult> {
  const stack = await loadStack('stacks/production.yaml');
  const harness = await startHarness(stack);
  try {
    const queueUrl = harness.runtime.queueUrls[0] as string;
    const hour = startOfHour(harness.clock.now()).getTime();
    const span = harness.clock.now().getTime() - hour;
    const inHour = (index: number): Date =>
      new Date(hour + Math.floor((index * span) / scale.cronEvents));

    const cronRaw = await fillBacklog(
      harness.clients.sqs,
      queueUrl,
      scale.cronEvents,
      inHour,
    );
    const cron = await cronPath(harness, scale.cronEvents);
    const cronObjects = await logObjects(harness);

    resetCounts(harness);
    const produceStart = performance.now();
    const triggerRaw = await produce(
      harness.clients.sqs,
      queueUrl,
      scale.triggerEvents,
      () => harness.clock.now(),
    );
    const producer: ShippingPhase = {
      label: `AuditLogger → queue sink (${PRODUCER_CONCURRENCY} concurrent)`,
      events: scale.triggerEvents,
      wallMs: performance.now() - produceStart,
      calls: callCounts(harness),
      objects: 0,
      invocations: 0,
    };
    const trigger = await triggerPath(harness, scale.triggerEvents);
    const allObjects = await logObjects(harness);
    const cronKeys = new Set(cronObjects.map((o) => o.key));
    const triggerObjects = allObjects.filter((o) => !cronKeys.has(o.key));

    return {
      scale,
      producer,
      phases: [cron.drain, cron.seal, trigger],
      compression: [
        compression('CRON path', cronObjects, cronRaw),
        compression('Queue trigger', triggerObjects, triggerRaw),
      ],
    };
  } finally {
    await harness.close();
  }
}

function compression(
  label: string,
  objects: readonly LogObject[],
  rawBytes: number,
): CompressionFigures {
  return {
    label,
    objects: objects.length,
    rawBytes,
    storedBytes: objects.reduce((sum, o) => sum + o.size, 0),
  };
}

const integer = new Intl.NumberFormat('en-US');

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function rate(events: number, ms: number): string {
  if (events === 0) {
    return '–';
  }

  return integer.format(Math.round(events / (ms / 1000)));
}

function phaseRow(phase: ShippingPhase): string {
  const { calls } = phase;
  const cells = [
    phase.label,
    integer.format(phase.events),
    seconds(phase.wallMs),
    rate(phase.events, phase.wallMs),
    integer.format(phase.invocations),
    integer.format(phase.objects),
    integer.format(calls.s3),
    integer.format(calls.sqs),
    integer.format(calls.secretManager),
  ];

  return `| ${cells.join(' | ')} |`;
}

function compressionRow(figures: CompressionFigures): string {
  const ratio = figures.rawBytes / Math.max(1, figures.storedBytes);
  const cells = [
    figures.label,
    integer.format(figures.objects),
    integer.format(figures.rawBytes),
    integer.format(figures.storedBytes),
    `${ratio.toFixed(2)}×`,
  ];

  return `| ${cells.join(' | ')} |`;
}

/** The markdown section of docs/performance.md for a run. */
export function auditShippingMarkdown(result: AuditShippingResult): string {
  const { scale } = result;
  const quick = scale.cronEvents !== AUDIT_SHIPPING_SCALES.full.cronEvents;
  const flag = quick ? ' --quick' : '';

  return [
    '## Audit shipping',
    '',
    `Reproduce: \`npm run bench -- --only audit-shipping${flag}\`` +
      ` (or \`npx tsx bench/audit-shipping.ts${flag}\`).`,
    `Machine: ${machineLine()}.`,
    `Latency: ${API_LATENCY_MS} ms added to every call (Secret Manager on ` +
      'the local API; S3 and SQS in the client, since the local Object ' +
      'Storage has no latency control).',
    '',
    'Production audit bucket: versioning, object lock COMPLIANCE, SSE-C ' +
      'and signing keys read from the local Secret Manager; its lifecycle ' +
      'rule is left out because the local Object Storage applies it by ' +
      'walking every object on each request. The CRON backlog is put in ' +
      'the queue ten events per SendMessageBatch before the clock starts; ' +
      'the producer row is the queue sink sending the trigger events one ' +
      'message each. The CRON path ships up to ' +
      `${EVENTS_PER_OBJECT} events per object and 5,000 messages per run; ` +
      'the queue trigger writes one object per event.',
    '',
    "Per object, the shipper reads the hour's closing marker (and its " +
      'digest, for hours sealed before markers existed) before its put, ' +
      'and the marker again after it: since the race fix of #7, two HEADs ' +
      'more per object than before (queue trigger 44 → 39 events/s).',
    '',
    '| Phase | Events | Wall time | Events/s | Invocations | Log objects |' +
      ' S3 calls | SQS calls | Secret Manager calls |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    phaseRow(result.producer),
    ...result.phases.map(phaseRow),
    '',
    '| Compression | Log objects | JSON lines (bytes) | Stored gzip ' +
      '(bytes) | Ratio |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...result.compression.map(compressionRow),
    '',
  ].join('\n');
}

/** The scale asked for by `--quick` or `BENCH_SCALE=quick`. */
export function scaleFromArgs(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): AuditShippingScale {
  return isQuickScale(argv, env)
    ? AUDIT_SHIPPING_SCALES.quick
    : AUDIT_SHIPPING_SCALES.full;
}

async function main(): Promise<void> {
  const result = await runAuditShippingBench(scaleFromArgs());
  process.stdout.write(auditShippingMarkdown(result));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
