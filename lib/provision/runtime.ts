import {
  AuditLogger,
  type AuditSink,
  queueSink,
  stdoutSink,
} from '../audit/index.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import {
  createScalewayClients,
  type ScalewayClients,
} from '../scaleway/clients.ts';
import { ensureStateBucket } from '../state/index.ts';
import type { ProgressEvent, ProvisionContext } from './types.ts';

/** Options of {@link provisionContext}. */
export interface ProvisionContextOptions {
  config: Config & { stateBucket: string };
  logger: Logger;
  /** Who acts, for the audit events. Default `evalap-infra`. */
  actor?: string;
  /** Progress lines of an apply. Default: none. */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Audit sinks, from the clients built here. Default: the audit queue if
   * configured, else stdout.
   */
  auditSinks?: (clients: ScalewayClients) => AuditSink[];
}

/**
 * Builds what provisioning needs from the configuration: the SDK clients,
 * the audit logger (events to the audit queue, or stdout without one) and
 * the state bucket, created and versioned if needed.
 */
export async function provisionContext(
  options: ProvisionContextOptions,
): Promise<ProvisionContext & { clients: ScalewayClients }> {
  const { config, logger } = options;
  const clients = createScalewayClients(config);
  await ensureStateBucket(clients.s3, config.stateBucket);

  const sinks =
    options.auditSinks?.(clients) ??
    (config.auditQueueUrl === undefined
      ? [stdoutSink()]
      : [queueSink({ sqs: clients.sqs, queueUrl: config.auditQueueUrl })]);
  const audit = new AuditLogger({
    environment: config.environment ?? 'dev',
    project: config.scaleway.projectId,
    actor: options.actor ?? 'evalap-infra',
    sinks,
  });

  return {
    clients,
    stateBucket: config.stateBucket,
    audit,
    logger,
    ...(config.environment === undefined
      ? {}
      : { environment: config.environment }),
    ...(config.scaleway.organizationId === undefined
      ? {}
      : { organizationId: config.scaleway.organizationId }),
    ...(options.onProgress === undefined
      ? {}
      : { onProgress: options.onProgress }),
  };
}
