import { fileURLToPath } from 'node:url';

import { createClient } from '@scaleway/sdk-client';
import { Secretv1beta1 } from '@scaleway/sdk-secret';
import { scalewaySecretReader } from '../lib/audit/keys.ts';
import { auditBucketSettings } from '../lib/audit/retention.ts';
import { auditRuntime } from '../lib/audit/runtime.ts';
import { shipAuditLogsHandler } from '../lib/audit/shipping/function.ts';
import { LogShipper } from '../lib/audit/shipping/log-shipper.ts';
import { stdoutSink } from '../lib/audit/sinks/stdout.ts';
import { loadConfig } from '../lib/config/index.ts';
import { createLogger } from '../lib/log/index.ts';
import { loadStack } from '../lib/stack/index.ts';

/**
 * ship-audit-logs: stores audit events from the audit queue in the
 * environment's bucket (queue trigger) and, on its CRON, drains the queue
 * and writes the signed hourly digests. A stage whose stack keeps no
 * audit bucket (dev) writes each event to the log instead. See
 * docs/audit.md.
 */
export const handle = shipAuditLogsHandler({
  logger: createLogger({ name: 'ship-audit-logs' }),
  runtime: async () => {
    const config = loadConfig(undefined, {
      require: ['EVALAP_ENVIRONMENT', 'EVALAP_AUDIT_QUEUE_URL'],
    });
    const stackFile = fileURLToPath(
      new URL(`../stacks/${config.environment}.yaml`, import.meta.url),
    );
    const stack = await loadStack(stackFile);
    if (auditBucketSettings(stack) === null) {
      // a development stage: its trail is this function's log (Cockpit)
      const shipper = new LogShipper(config.environment, stdoutSink());
      return { logOnly: true, shipper };
    }

    const client = createClient({
      accessKey: config.scaleway.accessKey,
      secretKey: config.scaleway.secretKey,
      defaultProjectId: config.scaleway.projectId,
      defaultRegion: config.scaleway.region as 'fr-par',
      apiURL: config.scaleway.apiUrl,
    });
    const secrets = scalewaySecretReader(new Secretv1beta1.API(client));

    return auditRuntime({ config, stack, secrets });
  },
});
