import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CommandIo } from '../../lib/cli/index.ts';

/** The repository root, where `bin/evalap-infra.js` lives. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How a CLI run ended. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, as `npx evalap-infra` does. */
export function evalapInfra(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/evalap-infra.js', ...args],
      { cwd: ROOT },
      (error, stdout, stderr) => {
        const code = error ? Number(error.code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * A command's io that keeps what it writes, for in-process runs. The
 * audit queue is left out: commands then write audit events to stderr.
 */
export function captureIo(env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { ...env, EVALAP_AUDIT_QUEUE_URL: undefined },
  };

  return { out, err, io };
}
