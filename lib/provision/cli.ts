import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import {
  type CommandIo,
  commandAuditSinks,
  commandLogger,
  loadCommandStack,
  localPlatformHint,
  processIo,
  writeJson,
} from '../cli/index.ts';
import {
  type Config,
  ConfigError,
  describeConfig,
  loadConfig,
} from '../config/index.ts';
import {
  PolicyRejectedError,
  ProvisionError,
  ReplacementRefusedError,
} from './errors.ts';
import { formatApplySummary, formatPlan, formatProgress } from './format.ts';
import { EnvironmentBusy, handleProvisionRequest } from './request.ts';
import { provisionContext } from './runtime.ts';

/** Exit codes of `plan` and `apply`; usage errors exit 2 as well. */
export const PROVISION_EXIT = {
  ok: 0,
  refused: 1,
  notAStack: 2,
  failed: 3,
} as const;

/**
 * `evalap-infra plan|apply <stack.yaml>`: loads the stack (every problem
 * printed like `validate` when it is not one) and the configuration (the
 * local platform of `npm start` when no Scaleway credentials are set),
 * prints the target line on stderr, then plans (the plan table), or
 * applies under the environment lock (a progress line per resource, then
 * a summary). With `json`, stdout holds the response document only.
 * Returns the exit code: 0 done, 1 refused (policy, replacement, busy),
 * 2 not a stack or no configuration, 3 failed.
 */
export async function runProvisionCommand(
  action: 'plan' | 'apply',
  file: string,
  options: { allowReplace?: boolean; json?: boolean },
  io: CommandIo = processIo,
): Promise<number> {
  const stack = await loadCommandStack(file, io, options);
  if (stack === undefined) return PROVISION_EXIT.notAStack;

  let config: Config & { stateBucket: string };
  try {
    config = loadConfig(io.env, {
      require: ['EVALAP_STATE_BUCKET'],
      environment: stack.environment,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;

    io.err(error.message);
    return PROVISION_EXIT.notAStack;
  }

  io.err(describeConfig(config));
  let context: Awaited<ReturnType<typeof provisionContext>>;
  try {
    context = await provisionContext({
      config,
      logger: commandLogger(io, 'evalap-infra'),
      actor: `cli:${userInfo().username}`,
      auditSinks: ({ sqs }) =>
        commandAuditSinks(stack, io, {
          sqs,
          auditQueueUrl: config.auditQueueUrl,
        }),
      onProgress: (event) => {
        const line = formatProgress(event);
        if (line !== undefined && !options.json) io.out(line);
      },
    });
  } catch (error) {
    return reportFailure(error, io);
  }

  try {
    const response = await handleProvisionRequest(context, {
      requestId: `cli-${randomUUID()}`,
      environment: stack.environment,
      action,
      stack,
      allowReplace: options.allowReplace ?? false,
    });
    if (options.json) {
      writeJson(io, response);
    } else if (action === 'apply') {
      io.out(formatApplySummary(response.plan));
    } else {
      io.out(formatPlan(response.plan));
    }

    return PROVISION_EXIT.ok;
  } catch (error) {
    return reportFailure(error, io);
  } finally {
    context.clients.s3.destroy();
    context.clients.sqs.destroy();
  }
}

function reportFailure(error: unknown, io: CommandIo): number {
  if (error instanceof PolicyRejectedError) {
    io.err(error.message);
    for (const finding of error.findings) {
      io.err(`  ${finding.severity} ${finding.ruleId}: ${finding.message}`);
    }
    return PROVISION_EXIT.refused;
  }
  if (
    error instanceof ReplacementRefusedError ||
    error instanceof EnvironmentBusy
  ) {
    io.err(error.message);
    return PROVISION_EXIT.refused;
  }
  if (error instanceof ProvisionError) {
    io.err(error.message);
    return error.fault === 'caller'
      ? PROVISION_EXIT.refused
      : PROVISION_EXIT.failed;
  }

  io.err(`Unexpected failure: ${(error as Error).message ?? String(error)}`);
  const hint = localPlatformHint(error);
  if (hint !== undefined) io.err(hint);

  return PROVISION_EXIT.failed;
}
