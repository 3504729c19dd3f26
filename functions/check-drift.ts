import { AuditLogger } from '../lib/audit/logger.ts';
import type { AuditSink } from '../lib/audit/sink.ts';
import { queueSink } from '../lib/audit/sinks/queue.ts';
import { stdoutSink } from '../lib/audit/sinks/stdout.ts';
import { loadConfig } from '../lib/config/index.ts';
import { checkDriftHandler } from '../lib/drift/function.ts';
import {
  DriftReportStore,
  NoAppliedStateError,
  readSecretEnvRecord,
} from '../lib/drift/index.ts';
import { createLogger } from '../lib/log/index.ts';
import { createScalewayClients } from '../lib/scaleway/clients.ts';
import {
  createObjectStorageClient,
  createQueueClient,
} from '../lib/scaleway/index.ts';
import { readAppliedState } from '../lib/state/index.ts';

const config = loadConfig(undefined, {
  require: ['EVALAP_ENVIRONMENT', 'EVALAP_STATE_BUCKET'],
});

/**
 * check-drift: every hour (CRON `POST /`), compares the live project with
 * the stack last applied to the environment (its applied state) and
 * stores the report; `GET /drift` returns the latest one. Read-only: it
 * never changes a resource. See docs/drift.md.
 */
export const handle = checkDriftHandler({
  logger: createLogger({ name: 'check-drift', level: config.logLevel }),
  auth:
    config.functionToken === undefined
      ? 'public'
      : { token: config.functionToken },
  runtime: async () => {
    const environment = config.environment;
    const s3 = createObjectStorageClient(config);
    const store = new DriftReportStore(s3, config.stateBucket);

    return {
      environment,
      store,
      check: async () => {
        const applied = await readAppliedState(
          s3,
          config.stateBucket,
          environment,
        );
        if (applied === undefined) throw new NoAppliedStateError(environment);

        const stack = applied.state.stack;
        return {
          stack,
          apis: createScalewayClients(config),
          organizationId: config.scaleway.organizationId,
          secretEnv: await readSecretEnvRecord(
            s3,
            config.stateBucket,
            applied.state,
          ),
          audit: new AuditLogger({
            environment,
            stack: environment,
            project: stack.project.name,
            actor: 'check-drift',
            sinks: auditSinks(),
          }),
        };
      },
    };
  },
});

function auditSinks(): AuditSink[] {
  if (config.auditQueueUrl === undefined) return [stdoutSink()];

  return [
    queueSink({
      sqs: createQueueClient(config),
      queueUrl: config.auditQueueUrl,
    }),
  ];
}
