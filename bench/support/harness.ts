/**
 * Pieces every benchmark shares: the machine line of the report, the
 * `--quick` switch, and client-side latency for the AWS SDK clients (the
 * local Object Storage and queues have no latency control of their own).
 */

import { arch, cpus, loadavg, platform as osPlatform } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** The machine a run happened on, for the report. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const load = loadavg()[0]?.toFixed(1) ?? '?';

  return (
    `Node ${process.version}, ${cpu}, ${cpus().length} cores, ` +
    `${osPlatform()} ${arch()}, load average ${load} at the end of the run`
  );
}

/** True when `--quick` or `BENCH_SCALE=quick` asks for the small scale. */
export function isQuickScale(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return argv.includes('--quick') || env.BENCH_SCALE === 'quick';
}

/** Called with the command name (`PutObject`, `SendMessage`, …). */
export interface CommandHooks {
  /** Before the request is sent (after the added latency). */
  onRequest?(commandName: string): void;
  /** Once the answer is back. */
  onResponse?(commandName: string): void;
}

type Handler = (args: unknown) => Promise<unknown>;

interface MiddlewareAdder {
  add(
    middleware: (next: Handler, context: { commandName?: string }) => Handler,
    options: { step: 'build'; name: string },
  ): void;
}

/**
 * Adds `latencyMs` before every call of an S3 or SQS client and reports
 * each command to `hooks`.
 */
export function addClientLatency(
  client: S3Client | SQSClient,
  latencyMs: number,
  hooks: CommandHooks = {},
): void {
  const middleware =
    (next: Handler, context: { commandName?: string }) =>
    async (args: unknown) => {
      const name = context.commandName ?? 'unknown';
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      hooks.onRequest?.(name);
      const output = await next(args);
      hooks.onResponse?.(name);

      return output;
    };

  // The S3 and SQS stacks differ only in their input and output types,
  // which this middleware does not look at.
  const stack = client.middlewareStack as unknown as MiddlewareAdder;
  stack.add(middleware, { step: 'build', name: 'benchLatencyAndCount' });
}
