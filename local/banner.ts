import { stageAuditQueue, stageStateBucket } from './defaults.ts';
import type { LocalPlatform } from './platform.ts';

/**
 * What `npm start` prints once the platform is up: where each part
 * listens, the stage served, and the `export` lines that point the CLI at
 * these ports.
 */
export function banner(
  platform: LocalPlatform,
  seconds: number,
  persist: boolean | string | undefined,
): string {
  const postgres = platform.postgres
    ? `${platform.postgres.host}:${platform.postgres.port} ` +
      '(TLS only, scram-sha-256; CA from the RDB certificate endpoint)'
    : 'not started';
  const functions = platform.functions.map(
    (fn) => `    ${fn.name.padEnd(16)} ${fn.url}  (${fn.privacy})`,
  );
  const skipped = (platform.runner?.skipped ?? []).map(
    (fn) => `    ${fn.name.padEnd(16)} not served: ${fn.reason}`,
  );
  const exports = Object.entries(platform.environment).map(
    ([name, value]) => `  export ${name}=${value}`,
  );
  const stage = platform.runner
    ? [
        `  Stage             ${platform.stage} (state bucket ` +
          `${stageStateBucket(platform.stage)}, audit queue ` +
          `${stageAuditQueue(platform.stage)}; --stage to change)`,
      ]
    : [];

  return [
    `Local Scaleway platform up in ${seconds.toFixed(1)} s`,
    '',
    `  Scaleway API      ${platform.scalewayApiUrl}`,
    `  Object Storage    ${platform.storageEndpoint}  (S3, path style)`,
    `  Queues            ${platform.storageEndpoint}  (SQS)`,
    `  PostgreSQL        ${postgres}`,
    functions.length === 0 && skipped.length === 0
      ? '  Functions         none (no serverless.yml)'
      : '  Functions',
    ...functions,
    ...skipped,
    ...stage,
    `  Controls          ${platform.scalewayApiUrl}/_local/clock, ` +
      '/_local/counters, /_local/faults, /_local/latency',
    `                    ${platform.storageEndpoint}/_local/storage/faults ` +
      '(docs/local-platform.md)',
    `  State             ${persist ? 'persisted' : 'in memory (--persist)'}`,
    '',
    'Point the CLI at it (the key is accepted by this platform only):',
    ...exports,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}
