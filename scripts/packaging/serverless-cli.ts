import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { ServerlessCliError } from './errors.ts';

/** Options of {@link runServerless}. */
export interface ServerlessRunOptions {
  /** The service folder (where serverless.yml is). */
  readonly cwd: string;
  /** The whole environment of the CLI. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Lines of output kept for the error message. Default: 40. */
  readonly tailLines?: number;
}

/** Path of the pinned osls 3 CLI (devDependency `osls`). */
export function serverlessBin(): string {
  return createRequire(import.meta.url).resolve('osls/bin/serverless.js');
}

/**
 * Runs the pinned osls CLI (`serverless <args>`) with this Node and
 * resolves with its combined output.
 *
 * @throws ServerlessCliError with the last lines when it exits non-zero.
 */
export function runServerless(
  args: readonly string[],
  options: ServerlessRunOptions,
): Promise<string> {
  const child = spawn(process.execPath, [serverlessBin(), ...args], {
    cwd: options.cwd,
    env: { SLS_TELEMETRY_DISABLED: '1', ...(options.env ?? process.env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));

  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const output = Buffer.concat(chunks).toString('utf8');
      if (code === 0) {
        resolve(output);
        return;
      }
      const tail = output
        .split('\n')
        .slice(-(options.tailLines ?? 40))
        .join('\n');
      reject(new ServerlessCliError(args, code, tail));
    });
  });
}

/** The value given at package time to deploy-time variables left unset. */
export const PACKAGE_PLACEHOLDER = 'unset-at-package-time';

/**
 * The environment for `serverless package`: the current one, with every
 * required deploy-time variable that is unset given a placeholder.
 * Packaging reads no secret (the zip holds only dist/ and nothing of the
 * resolved configuration is written), so it runs offline and credential-
 * free; `deploy` still refuses to start without the real values.
 */
export function packageEnvironment(
  required: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const filled: NodeJS.ProcessEnv = { ...env };
  for (const name of required) {
    if ((filled[name] ?? '') === '') filled[name] = PACKAGE_PLACEHOLDER;
  }

  return filled;
}
