import type { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { AuditLogger } from '../../lib/audit/logger.ts';
import {
  type CommandIo,
  commandAuditSinks,
  commandClock,
  localPlatformHint,
  processIo,
  reportStackProblems,
  writeJson,
} from '../../lib/cli/index.ts';
import { describeConfig, loadConfig } from '../../lib/config/index.ts';
import {
  checkDrift,
  type DriftCheckOptions,
  type DriftReport,
  DriftReportStore,
  readSecretEnvRecord,
  renderMarkdown,
  type SecretEnvRecord,
} from '../../lib/drift/index.ts';
import { createScalewayClients } from '../../lib/scaleway/clients.ts';
import {
  loadStack,
  type Stack,
  StackFileError,
} from '../../lib/stack/index.ts';
import { readAppliedState, stackRevision } from '../../lib/state/index.ts';

/** Exit codes of `drift`. */
export const DRIFT_EXIT = {
  clean: 0,
  drift: 1,
  /** No finding, but a type or detail could not be read; or a failure. */
  incomplete: 2,
  /** The file is not a stack (every problem printed, like validate). */
  notAStack: 2,
} as const;

/** Options of the `drift` command. */
export interface DriftCommandOptions {
  json?: boolean;
  /** Commander's `--no-store`: false to keep the report out of storage. */
  store?: boolean;
}

/**
 * Builds what a check needs from the file and the configuration;
 * `target` is the line printed on stderr before the check. Throws
 * StackFileError when the file is not a stack.
 */
export type DriftCommandRuntime = (
  file: string,
  options: DriftCommandOptions,
  io: CommandIo,
) => Promise<DriftCheckOptions & { target: string }>;

/** Registers `evalap-infra drift <stack.yaml>`. */
export function register(program: Command): void {
  program
    .command('drift')
    .description(
      'Compare the live Scaleway project with a stack file. Read-only. ' +
        'Exit 0 when clean, 1 on drift, 2 when something could not be read.',
    )
    .argument('<stack>', 'path to the stack YAML file')
    .option('--json', 'print the report as JSON instead of Markdown')
    .option('--no-store', 'do not read or write the report in the bucket')
    .action(async (file: string, options: DriftCommandOptions) => {
      process.exitCode = await driftCommand(file, options, configuredRuntime);
    });
}

/**
 * Runs a drift check of one stack file and prints the report on stdout
 * (Markdown, or with `json` the only JSON document); the target line and
 * any failure go to stderr. Returns the exit code. Tests pass their own
 * runtime and io.
 */
export async function driftCommand(
  file: string,
  options: DriftCommandOptions,
  runtime: DriftCommandRuntime,
  io: CommandIo = processIo,
): Promise<number> {
  let report: DriftReport;
  try {
    const { target, ...check } = await runtime(file, options, io);
    io.err(target);
    report = await checkDrift(check);
  } catch (error) {
    if (error instanceof StackFileError) {
      reportStackProblems(error, io, options);
      return DRIFT_EXIT.notAStack;
    }
    const reason = error instanceof Error ? error.message : 'unknown error';
    io.err(`drift check failed: ${reason}`);
    const hint = localPlatformHint(error);
    if (hint !== undefined) io.err(hint);
    return DRIFT_EXIT.incomplete;
  }

  if (options.json) {
    writeJson(io, report);
  } else {
    io.out(renderMarkdown(report).trimEnd());
  }

  return DRIFT_EXIT[report.status];
}

/**
 * The runtime of the installed CLI: the stack file, clients from the
 * configuration in `io.env`, and the hashes recorded in its state bucket.
 * A stored check also writes the drift-detected audit event, like the
 * function: the next check sees its findings as known.
 */
export async function configuredRuntime(
  file: string,
  options: DriftCommandOptions,
  io: CommandIo,
) {
  const stack = await loadStack(file);
  const config = loadConfig(io.env, { environment: stack.environment });
  const apis = createScalewayClients(config);
  const bucket = options.store === false ? undefined : config.stateBucket;
  const now = await commandClock(config, io);

  return {
    stack,
    apis,
    organizationId: config.scaleway.organizationId,
    ...(bucket === undefined
      ? {}
      : {
          store: new DriftReportStore(apis.s3, bucket),
          audit: new AuditLogger({
            environment: stack.environment,
            stack: stack.environment,
            project: stack.project.name,
            actor: 'evalap-infra drift',
            sinks: commandAuditSinks(stack, io, {
              sqs: apis.sqs,
              auditQueueUrl: config.auditQueueUrl,
            }),
          }),
        }),
    secretEnv: await secretEnvRecord(
      apis.s3,
      config.stateBucket,
      stack,
      io,
      now,
    ),
    now,
    target: describeConfig(config),
  };
}

/**
 * The hashes the last apply and rotations recorded for the stack's
 * environment; none when no state bucket is configured or nothing was
 * applied (secret variables are then reported unchecked). Says on
 * stderr when the file is not the stack last applied (a patch since, or
 * an edit not applied yet): the check compares with the file.
 */
async function secretEnvRecord(
  s3: S3Client,
  bucket: string | undefined,
  stack: Stack,
  io: CommandIo,
  now: () => Date,
): Promise<SecretEnvRecord | undefined> {
  if (bucket === undefined) return undefined;

  const applied = await readAppliedState(s3, bucket, stack.environment);
  if (applied === undefined) return undefined;

  if (applied.state.stackRevision !== stackRevision(stack)) {
    io.err(
      `Note: this file is not the stack last applied to ` +
        `${stack.environment} (applied ${applied.state.appliedAt}, ` +
        'perhaps patched since): findings are against the file. The ' +
        'check-drift function compares with the applied stack.',
    );
  }

  return readSecretEnvRecord(s3, bucket, applied.state, now());
}
