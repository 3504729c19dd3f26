import { AuditLogger } from '../lib/audit/logger.ts';
import type { AuditSink } from '../lib/audit/sink.ts';
import { queueSink } from '../lib/audit/sinks/queue.ts';
import { stdoutSink } from '../lib/audit/sinks/stdout.ts';
import { loadConfig } from '../lib/config/index.ts';
import { createLogger } from '../lib/log/index.ts';
import { rotateSecretsHandler } from '../lib/rotation/function.ts';
import { RotationSetupError } from '../lib/rotation/index.ts';
import { createScalewayClients } from '../lib/scaleway/clients.ts';
import { createQueueClient } from '../lib/scaleway/index.ts';
import { readAppliedState } from '../lib/state/index.ts';

const config = loadConfig(undefined, {
  require: ['EVALAP_ENVIRONMENT', 'EVALAP_STATE_BUCKET'],
});

/**
 * rotate-secrets: every day (CRON `POST /`), rotates the due secrets of
 * the environment's last applied stack and redeploys their consumers;
 * `GET /due` previews, `POST /rotate` rotates, resumes or abandons one
 * secret now. See docs/rotation.md.
 */
export const handle = rotateSecretsHandler({
  logger: createLogger({ name: 'rotate-secrets', level: config.logLevel }),
  auth:
    config.functionToken === undefined
      ? 'public'
      : { token: config.functionToken },
  runtime: async () => {
    const apis = createScalewayClients(config);
    const applied = await readAppliedState(
      apis.s3,
      config.stateBucket,
      config.environment,
    );
    if (applied === undefined) {
      throw new RotationSetupError(
        `nothing was applied to ${config.environment}: nothing to rotate`,
      );
    }
    const stack = applied.state.stack;

    return {
      stack,
      context: {
        clients: apis,
        stateBucket: config.stateBucket,
        audit: new AuditLogger({
          environment: config.environment,
          stack: config.environment,
          project: stack.project.name,
          actor: 'rotate-secrets',
          sinks: auditSinks(),
        }),
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
