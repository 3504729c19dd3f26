import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type QueueAttributeName,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { FastifyInstance } from 'fastify';
import type { PlatformClock } from '../controls/clock.ts';
import { LOCAL_DEFAULTS } from '../defaults.ts';
import {
  type FunctionDeclaration,
  loadServerlessConfig,
  type ServerlessConfig,
} from './config.ts';
import { CronScheduler, type CronTrigger } from './cron.ts';
import { startFunctionServer } from './function-server.ts';
import { loadHandler } from './handler.ts';
import { QueuePoller, type QueueTrigger } from './queue.ts';

/** Where the runner reports trouble; never given a secret value. */
export interface RunnerLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/** Options of {@link startFunctionRunner}. */
export interface FunctionRunnerOptions {
  /** Path of serverless.yml. Default: `serverless.yml` in the cwd. */
  configFile?: string;
  /** Platform clock for CRON triggers. */
  clock: PlatformClock;
  /** SQS client for queue triggers; none: queue triggers are not run. */
  sqs?: SQSClient;
  /** First port; function n listens on basePort + n. 0: ephemeral. */
  basePort?: number;
  /** Interface to bind. Default: 127.0.0.1. */
  host?: string;
  /**
   * Whether an `X-Auth-Token` may call private functions. Default: the
   * local platform's secret key only.
   */
  isAuthorized?: (token: string) => boolean | Promise<boolean>;
  /** Environment to resolve `${env:…}` from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Stage for `${sls:stage}` and `params`. Default: `dev`. */
  stage?: string;
  /**
   * Create the queues the SQS triggers read, if missing (on Scaleway they
   * are created beforehand). Default: false.
   */
  createQueues?: boolean;
  logger?: RunnerLogger;
}

/** One served function. */
export interface RunningFunction {
  name: string;
  url: string;
  privacy: 'public' | 'private';
  handler: string;
}

/** A declared function the runner could not load, and why. */
export interface SkippedFunction {
  name: string;
  handler: string;
  reason: string;
}

/** The running functions and their triggers. */
export interface FunctionRunner {
  service: string;
  functions: RunningFunction[];
  /** Functions whose handler could not be loaded (not served). */
  skipped: SkippedFunction[];
  /** POSTs every CRON trigger of `functionName` now; returns statuses. */
  runCron(functionName: string): Promise<number[]>;
  /** Fires CRON triggers whose time has come on the platform clock. */
  tickCron(): number;
  close(): Promise<void>;
}

const silentLogger: RunnerLogger = { warn: () => undefined };

/**
 * Reads serverless.yml and serves each function as Scaleway does: an HTTP
 * endpoint per function (own port), CRON triggers POSTing their input to
 * `/` in UTC on the platform clock, and queue triggers delivering one SQS
 * message per POST. Triggers reach private functions without the caller's
 * token, as on Scaleway.
 */
export async function startFunctionRunner(
  options: FunctionRunnerOptions,
): Promise<FunctionRunner> {
  const configFile = resolve(options.configFile ?? 'serverless.yml');
  const config = await loadServerlessConfig(configFile, {
    stage: options.stage ?? 'dev',
    env: options.env ?? process.env,
  });
  const serviceDir = dirname(configFile);
  const host = options.host ?? LOCAL_DEFAULTS.host;
  const logger = options.logger ?? silentLogger;
  const triggerToken = randomBytes(24).toString('base64url');
  const isAuthorized =
    options.isAuthorized ??
    ((token: string) => token === LOCAL_DEFAULTS.secretKey);

  applyEnvironment(config);

  const servers: FastifyInstance[] = [];
  const functions: RunningFunction[] = [];
  const skipped: SkippedFunction[] = [];
  const declared = Object.entries(config.functions);
  const entries: [string, FunctionDeclaration][] = [];
  try {
    for (const [index, [name, declaration]] of declared.entries()) {
      const handler = await loadHandler(
        serviceDir,
        name,
        declaration.handler,
      ).catch((error: unknown) => {
        skipped.push({
          name,
          handler: declaration.handler,
          reason: describeLoadError(error),
        });
        logger.warn({ functionName: name }, 'function skipped: no handler');
        return undefined;
      });
      if (!handler) {
        continue;
      }
      entries.push([name, declaration]);
      const port = options.basePort ? options.basePort + index : 0;
      const server = await startFunctionServer({
        name,
        handler,
        privacy: declaration.privacy,
        port,
        host,
        isAuthorized,
        triggerToken,
      });
      servers.push(server);
      functions.push({
        name,
        url: serverUrl(server, host),
        privacy: declaration.privacy,
        handler: declaration.handler,
      });
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.close()));
    throw error;
  }

  const urlOf = (name: string) =>
    functions.find((fn) => fn.name === name)?.url ?? '';
  const post = async (functionName: string, body: string) => {
    const reply = await fetch(`${urlOf(functionName)}/`, {
      method: 'POST',
      // a trigger reads a 3xx as a failure to retry, never follows it
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'ScalewayServerlessOrchestrator/1.0',
        'x-auth-token': triggerToken,
      },
      body,
    });
    await reply.arrayBuffer();

    return reply.status;
  };

  const cronTriggers = cronTriggersOf(entries);
  const scheduler = new CronScheduler(
    cronTriggers,
    options.clock,
    async (trigger) => {
      const status = await post(
        trigger.functionName,
        JSON.stringify(trigger.input),
      ).catch(() => 599);
      if (status >= 300) {
        logger.warn(
          { functionName: trigger.functionName, status },
          'cron invocation failed',
        );
      }
    },
  );

  const pollers = options.sqs
    ? queueTriggersOf(entries).map(
        (trigger) =>
          new QueuePoller(
            options.sqs as SQSClient,
            trigger,
            (t, body) => post(t.functionName, body),
            {
              onPollError: (t, error) =>
                logger.warn(
                  { trigger: t.name, err: errorName(error) },
                  'queue poll failed',
                ),
              onGiveUp: (t, messageId) =>
                logger.warn(
                  { trigger: t.name, messageId },
                  'message failed after retries; left to the queue',
                ),
            },
          ),
      )
    : [];
  if (options.sqs && options.createQueues) {
    await createTriggerQueues(
      options.sqs,
      queueTriggersOf(entries),
      config.custom?.evalap?.queueRetentionSeconds,
    );
  }
  for (const poller of pollers) {
    poller.start();
  }

  return {
    service: config.service,
    functions,
    skipped,
    runCron: (functionName) =>
      Promise.all(
        cronTriggers
          .filter((trigger) => trigger.functionName === functionName)
          .map((trigger) => post(functionName, JSON.stringify(trigger.input))),
      ),
    tickCron: () => scheduler.tick(),
    close: async () => {
      scheduler.stop();
      await Promise.all(pollers.map((poller) => poller.stop()));
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}

/**
 * Sets provider and function `env`/`secret` values (variables already
 * resolved) in the process environment, without overriding variables
 * already set.
 */
// Differs from Scaleway (docs/local-platform.md):
// every function runs in one process and shares one environment; two
// functions declaring the same key get the first value.
function applyEnvironment(config: ServerlessConfig): void {
  const maps = [
    config.provider.env,
    config.provider.secret,
    ...Object.values(config.functions).flatMap((fn) => [fn.env, fn.secret]),
  ];

  for (const map of maps) {
    for (const [key, value] of Object.entries(map ?? {})) {
      if (value === undefined || process.env[key] !== undefined) {
        continue;
      }
      process.env[key] = value;
    }
  }
}

/**
 * Creates each trigger queue that is missing with its dead-letter queue
 * `<queue>-dlq` (maxReceiveCount 5), the set-up docs/deploy.md asks for
 * on Scaleway. A queue that has a redrive policy keeps it. With the
 * stage's `custom.evalap.queueRetentionSeconds`, each queue keeps its
 * messages that long, and its dead-letter queue 14 days.
 */
// Differs from Scaleway (docs/local-platform.md): there the deployer
// creates the queues beforehand.
async function createTriggerQueues(
  sqs: SQSClient,
  triggers: readonly QueueTrigger[],
  retentionSeconds: number | undefined,
): Promise<void> {
  const retention = (seconds: number) =>
    retentionSeconds === undefined
      ? {}
      : { MessageRetentionPeriod: String(seconds) };
  const names = new Set(triggers.map((trigger) => trigger.queue));
  for (const name of names) {
    const dlq = await sqs.send(
      new CreateQueueCommand({ QueueName: `${name}-dlq` }),
    );
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    await setAttributes(sqs, dlq.QueueUrl, retention(MAX_RETENTION_SECONDS));
    await setAttributes(sqs, queue.QueueUrl, retention(retentionSeconds ?? 0));
    const current = await attributes(sqs, queue.QueueUrl, ['RedrivePolicy']);
    if (current.RedrivePolicy) continue;

    const { QueueArn } = await attributes(sqs, dlq.QueueUrl, ['QueueArn']);
    await setAttributes(sqs, queue.QueueUrl, {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: QueueArn,
        maxReceiveCount: 5,
      }),
    });
  }
}

/** The longest message retention SQS allows: 14 days. */
const MAX_RETENTION_SECONDS = 1_209_600;

async function setAttributes(
  sqs: SQSClient,
  queueUrl: string | undefined,
  attributes: Record<string, string>,
): Promise<void> {
  if (Object.keys(attributes).length === 0) return;

  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: attributes,
    }),
  );
}

async function attributes(
  sqs: SQSClient,
  queueUrl: string | undefined,
  names: QueueAttributeName[],
): Promise<Partial<Record<string, string>>> {
  const reply = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: names,
    }),
  );

  return reply.Attributes ?? {};
}

function describeLoadError(error: unknown): string {
  if (!(error instanceof Error)) {
    return 'unknown error';
  }
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';

  return `${error.message}${cause}`;
}

function cronTriggersOf(
  entries: [string, FunctionDeclaration][],
): CronTrigger[] {
  return entries.flatMap(([functionName, declaration]) =>
    declaration.events.flatMap((event) =>
      'schedule' in event
        ? [
            {
              functionName,
              schedule: event.schedule.rate,
              input: event.schedule.input ?? {},
            },
          ]
        : [],
    ),
  );
}

function queueTriggersOf(
  entries: [string, FunctionDeclaration][],
): QueueTrigger[] {
  return entries.flatMap(([functionName, declaration]) =>
    declaration.events.flatMap((event) =>
      'sqs' in event
        ? [{ functionName, name: event.sqs.name, queue: event.sqs.queue }]
        : [],
    ),
  );
}

function serverUrl(server: FastifyInstance, host: string): string {
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return `http://${host}:${port}`;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
