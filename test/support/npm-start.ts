import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { assertPortFree } from '../../local/ports.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** How a spawned process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `local/main.ts` running in its own process group, as in a terminal. */
export interface NpmStart {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The `export NAME=value` lines of the banner. */
  exports: Record<string, string>;
  exited: Promise<Exit>;
  /** Whether any process of the group (PostgreSQL included) is left. */
  groupAlive(): boolean;
}

/**
 * Runs `node --import tsx local/main.ts <args>` (what `npm start` runs)
 * from the repository root in a new process group, with no Scaleway or
 * evalap setting inherited. Resolves once the banner is printed; rejects
 * if the process exits first.
 */
export async function spawnNpmStart(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<NpmStart> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/main.ts', ...args],
    {
      cwd: ROOT,
      detached: true,
      env: { ...cleanEnvironment(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (!stdout.includes('Ctrl-C stops everything.')) return;
      child.stdout?.off('data', onData);
      resolve();
    };
    child.stdout?.on('data', onData);
    void exited.then((exit) =>
      reject(new Error(`exited before the banner (${exit.code}): ${stderr}`)),
    );
  });

  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exports: bannerExports(stdout),
    exited,
    groupAlive: () => groupAlive(child.pid ?? 0),
  };
}

/** Runs `local/main.ts <args>` to its end (for failures and --help). */
export async function runNpmStart(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Exit & { stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/main.ts', ...args],
    { cwd: ROOT, env: { ...cleanEnvironment(), ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = await new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  return { ...exit, stdout, stderr };
}

/**
 * A first port whose platform ports (base to base + 2, base + 10 to
 * base + 19) are all free right now.
 */
export async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_000 + 20 * Math.floor(Math.random() * 2_000);
    const ports = [0, 1, 2, ...Array.from({ length: 10 }, (_, i) => 10 + i)];
    const free = await Promise.all(
      ports.map((offset) =>
        assertPortFree('test', '127.0.0.1', base + offset).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (free.every(Boolean)) return base;
  }

  throw new Error('no free range of ports');
}

/** The environment without any setting lib/config or the runner reads. */
function cleanEnvironment(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !/^(SCW_|EVALAP_)/.test(entry[0]),
    ),
  );
}

function bannerExports(stdout: string): Record<string, string> {
  const exports: Record<string, string> = {};
  for (const match of stdout.matchAll(/^ {2}export (\w+)=(.*)$/gm)) {
    exports[match[1] as string] = match[2] as string;
  }

  return exports;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
