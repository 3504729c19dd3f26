import {
  type AuditEvent,
  AuditLogger,
  type AuditSink,
} from '../../lib/audit/index.ts';
import { loadConfig } from '../../lib/config/index.ts';
import type { ProvisionContext } from '../../lib/provision/index.ts';
import { createScalewayClients } from '../../lib/scaleway/clients.ts';
import { ensureStateBucket } from '../../lib/state/index.ts';
import {
  type LocalPlatform,
  startLocalPlatform,
} from '../../local/platform.ts';

/** A local platform (no PostgreSQL, no runner) and a provisioning context. */
export interface ProvisionFixture {
  platform: LocalPlatform;
  context: ProvisionContext;
  events: AuditEvent[];
  environment: Record<string, string>;
  /** Write calls the Scaleway API received since the last reset. */
  apiWrites(): number;
  /**
   * Write calls (put, delete, …) sent to Object Storage so far: the state
   * bucket's applied state, lock claims and stored answers.
   */
  stateWrites(): number;
  close(): Promise<void>;
}

export const STATE_BUCKET = 'evalap-infra-state';

/** An audit sink keeping events in memory, to assert on them. */
export function memorySink(events: AuditEvent[]): AuditSink {
  return {
    name: 'memory',
    write: async (event) => {
      events.push(event);
    },
  };
}

/**
 * Starts the local platform on ephemeral ports and builds the context
 * provisioning runs with, from the same configuration a function would
 * load. `wrapFetch` lets a test sit between the SDK and the network.
 */
export async function startProvisionFixture(
  options: { wrapFetch?: (inner: typeof fetch) => typeof fetch } = {},
): Promise<ProvisionFixture> {
  const platform = await startLocalPlatform({
    ports: { scalewayApi: 0, storage: 0, postgres: 0, functions: 0 },
    postgres: false,
    serverlessConfig: false,
  });
  const environment = {
    ...platform.environment,
    EVALAP_STATE_BUCKET: STATE_BUCKET,
    EVALAP_LOG_LEVEL: 'silent',
  };
  const config = loadConfig(environment);
  const clients = createScalewayClients(
    config,
    options.wrapFetch ? { fetch: options.wrapFetch(fetch) } : {},
  );
  await ensureStateBucket(clients.s3, STATE_BUCKET);
  let stateWrites = 0;
  clients.s3.middlewareStack.add(
    (next, context) => (args) => {
      if (!/^(Get|Head|List)/.test(context.commandName ?? '')) {
        stateWrites += 1;
      }
      return next(args);
    },
    { step: 'initialize', name: 'countStateWrites' },
  );
  const events: AuditEvent[] = [];
  const audit = new AuditLogger({
    environment: 'production',
    project: 'evalap',
    actor: 'test',
    sinks: [memorySink(events)],
  });

  return {
    platform,
    events,
    environment,
    context: {
      clients,
      stateBucket: STATE_BUCKET,
      audit,
      organizationId: config.scaleway.organizationId as string,
    },
    apiWrites: () => platform.controls.counters.snapshot().write,
    stateWrites: () => stateWrites,
    close: async () => {
      clients.s3.destroy();
      clients.sqs.destroy();
      await platform.close();
    },
  };
}
