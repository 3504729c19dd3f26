import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import {
  type Config,
  ConfigError,
  describeConfig,
  loadConfig,
} from '../config/index.ts';
import { createLogger } from '../log/index.ts';
import { loadStack, type Stack, StackFileError } from '../stack/index.ts';
import {
  PolicyRejectedError,
  ProvisionError,
  ReplacementRefusedError,
} from './errors.ts';
import { formatPlan, formatProgress } from './format.ts';
import { EnvironmentBusy, handleProvisionRequest } from './request.ts';
import { provisionContext } from './runtime.ts';

/** Exit codes of `plan` and `apply`. */
export const PROVISION_EXIT = {
  ok: 0,
  refused: 1,
  notAStack: 2,
  failed: 3,
} as const;

/** Where the commands write; the process streams by default. */
export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
}

const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/**
 * `evalap-infra plan|apply <stack.yaml>`: loads the stack and the
 * configuration (the local platform of `npm start` when no Scaleway
 * credentials are set, and says so), then plans, or applies under the
 * environment lock with a progress line per resource. Returns the exit
 * code: 0 done, 1 refused (policy, replacement, busy), 2 not a stack,
 * 3 failed.
 */
export async function runProvisionCommand(
  action: 'plan' | 'apply',
  file: string,
  options: { allowReplace?: boolean; json?: boolean },
  io: CommandIo = processIo,
): Promise<number> {
  let stack: Stack;
  let config: Config & { stateBucket: string };
  try {
    stack = await loadStack(file);
    config = loadConfig(io.env, { require: ['EVALAP_STATE_BUCKET'] });
  } catch (error) {
    if (error instanceof StackFileError || error instanceof ConfigError) {
      io.err(error.message);
      return PROVISION_EXIT.notAStack;
    }
    throw error;
  }

  io.err(describeConfig(config));
  if (config.usingLocalPlatform) {
    io.err(
      'No Scaleway credentials: targeting the local platform (npm start).',
    );
  }

  const logger = createLogger({ name: 'evalap-infra', level: 'warn' });
  const context = await provisionContext({
    config,
    logger,
    actor: `cli:${userInfo().username}`,
    onProgress: (event) => {
      const line = formatProgress(event);
      if (line !== undefined && !options.json) io.out(line);
    },
  });

  try {
    const response = await handleProvisionRequest(context, {
      requestId: `cli-${randomUUID()}`,
      environment: stack.environment,
      action,
      stack,
      allowReplace: options.allowReplace ?? false,
    });
    if (options.json) {
      io.out(JSON.stringify(response, null, 2));
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
  return PROVISION_EXIT.failed;
}
