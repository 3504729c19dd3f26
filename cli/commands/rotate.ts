import type { Command } from 'commander';
import { AuditLogger } from '../../lib/audit/logger.ts';
import {
  type CommandIo,
  commandAuditSinks,
  commandClock,
  commandLogger,
  loadCommandStack,
  localPlatformHint,
  processIo,
  USAGE_EXIT,
  writeJson,
} from '../../lib/cli/index.ts';
import {
  type Config,
  describeConfig,
  loadConfig,
} from '../../lib/config/index.ts';
import {
  abandonRotation,
  type RotationContext,
  type RotationReport,
  resumeRotation,
  runRotation,
  type SecretOutcome,
  summarizeReport,
} from '../../lib/rotation/index.ts';
import { createScalewayClients } from '../../lib/scaleway/clients.ts';
import type { Stack } from '../../lib/stack/index.ts';

/** Exit codes of `rotate`; usage errors exit 2 as well. */
export const ROTATE_EXIT = {
  ok: 0,
  stuck: 1,
  failed: 2,
  notAStack: 2,
} as const;

/** Options of `rotate`. */
export interface RotateOptions {
  /** Only this secret (base name), rotated now even if not due. */
  secret?: string;
  /** Report what is due; change nothing. */
  dryRun?: boolean;
  /** Resume the secret's rotation (needs `secret`). */
  resume?: boolean;
  /** Abandon the secret's rotation (needs `secret`). */
  abandon?: boolean;
  /** Print JSON (default: a summary and one line per secret). */
  json?: boolean;
}

/**
 * Registers `evalap-infra rotate <stack.yaml> [--secret name]
 * [--dry-run] [--resume | --abandon] [--json]`. Exit 0 when nothing is
 * stuck, 1 when a rotation is stuck, 2 when the run could not happen.
 */
export function register(program: Command): void {
  program
    .command('rotate')
    .description(
      'Rotate the due secrets of a stack and redeploy their consumers; ' +
        '--secret rotates one now, --resume / --abandon recover a stuck ' +
        'rotation (docs/rotation.md).',
    )
    .argument('<stack>', 'path to the stack YAML file')
    .option('--secret <name>', 'only this secret, rotated now')
    .option('--dry-run', 'report what is due; change nothing')
    .option('--resume', "resume the secret's rotation now")
    .option('--abandon', "abandon the secret's rotation (before promotion)")
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: RotateOptions) => {
      process.exitCode = await rotateCommand(file, options);
    });
}

/**
 * Runs the command; returns its exit code. The report goes to stdout
 * (with `json`, as the only JSON document); the target line, audit
 * events and log lines go to stderr.
 */
export async function rotateCommand(
  file: string,
  options: RotateOptions,
  io: CommandIo = processIo,
): Promise<number> {
  const problem = optionProblem(options);
  if (problem) {
    io.err(`rotate: ${problem}`);
    return USAGE_EXIT;
  }
  const stack = await loadCommandStack(file, io, options);
  if (stack === undefined) return ROTATE_EXIT.notAStack;

  try {
    const config = loadConfig(io.env, {
      require: ['EVALAP_STATE_BUCKET'],
      environment: stack.environment,
    });
    io.err(describeConfig(config));
    const context = await cliContext(config, stack, io);
    const secret = options.secret ?? '';

    if (options.abandon) {
      const outcome = await abandonRotation(stack, context, secret);
      write(
        io,
        options,
        outcome,
        `abandoned the rotation of ${secret} ` +
          `at step ${outcome.step}; its previous value stays current`,
      );
      return ROTATE_EXIT.ok;
    }
    const report = options.resume
      ? await resumeRotation(stack, context, secret)
      : await runRotation(stack, context, {
          ...(options.secret ? { secret } : {}),
          dryRun: options.dryRun ?? false,
        });
    write(io, options, report, describe(report));

    return report.stuck.length > 0 ? ROTATE_EXIT.stuck : ROTATE_EXIT.ok;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`rotate: ${message}`);
    const hint = localPlatformHint(error);
    if (hint !== undefined) io.err(hint);
    return ROTATE_EXIT.failed;
  }
}

function optionProblem(options: RotateOptions): string | undefined {
  if (options.resume && options.abandon) {
    return '--resume and --abandon exclude each other';
  }
  if ((options.resume || options.abandon) && !options.secret) {
    return '--resume and --abandon need --secret <name>';
  }
  if ((options.resume || options.abandon) && options.dryRun) {
    return '--dry-run only previews a run';
  }

  return undefined;
}

async function cliContext(
  config: Config & { stateBucket: string },
  stack: Stack,
  io: CommandIo,
): Promise<RotationContext> {
  const now = await commandClock(config, io);
  const clients = createScalewayClients(config);

  return {
    clients,
    stateBucket: config.stateBucket,
    logger: commandLogger(io, 'rotate'),
    audit: new AuditLogger({
      environment: stack.environment,
      stack: stack.environment,
      project: stack.project.name,
      actor: 'evalap-infra rotate',
      sinks: commandAuditSinks(stack, io, {
        sqs: clients.sqs,
        auditQueueUrl: config.auditQueueUrl,
      }),
    }),
    now,
  };
}

/**
 * The report for a person: the summary, then a line per secret with what
 * happened to it, skipped ones with their reason (not due until …, no
 * value yet), due ones with their age. A dry run says so first. A
 * rotation waiting out its grace period says when its previous version
 * is retired.
 */
function describe(report: RotationReport): string {
  const lines = report.dryRun
    ? ['Dry run: nothing was changed.', summarizeReport(report)]
    : [summarizeReport(report)];
  const categories = [
    'rotated',
    'resumed',
    'finished',
    'stuck',
    'manual',
    'due',
    'skipped',
  ] as const;
  for (const category of categories) {
    for (const outcome of report[category]) {
      const step = stepText(category, outcome);
      const reason = outcome.reason ? `: ${outcome.reason}` : '';
      const operator = outcome.needsOperator
        ? ` (run: evalap-infra rotate <stack> --secret ${outcome.secret} ` +
          '--resume or --abandon)'
        : '';
      lines.push(
        `  ${category} ${outcome.secret}${step}${reason}` +
          `${ageText(outcome)}${operator}`,
      );
    }
  }
  for (const redeploy of report.redeployed) {
    lines.push(
      `  redeployed ${redeploy.container} (${redeploy.secrets.join(', ')})`,
    );
  }

  return lines.join('\n');
}

/**
 * Where a secret's rotation stands, when that says something: a new
 * value in use waits out its grace period; a stuck or due one names its
 * step. Finished and skipped secrets say it in their category or reason.
 */
function stepText(category: string, outcome: SecretOutcome): string {
  const waiting = category === 'rotated' || category === 'resumed';
  const role = outcome.role === undefined ? '' : ` (role ${outcome.role})`;
  if (waiting && outcome.finishAfter !== undefined) {
    const retired = outcome.finishAfter;
    return `${role}; the previous version is retired after ${retired}`;
  }
  if (category === 'finished' || category === 'skipped') return '';

  return outcome.step ? ` at ${outcome.step}` : '';
}

/** How old the value in use is, against its rotation period. */
function ageText(outcome: SecretOutcome): string {
  const { ageDays, periodDays } = outcome;
  if (ageDays === undefined || periodDays === undefined) return '';

  return ` (${ageDays} days old, rotated every ${periodDays})`;
}

function write(
  io: CommandIo,
  options: RotateOptions,
  value: unknown,
  text: string,
): void {
  if (options.json) {
    writeJson(io, value);
    return;
  }

  io.out(text);
}
