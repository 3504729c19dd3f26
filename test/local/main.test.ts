import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { localS3Client } from '../../local/storage/clients.ts';
import {
  freeBasePort,
  type NpmStart,
  runNpmStart,
  spawnNpmStart,
} from '../support/npm-start.ts';

const NO_FUNCTIONS = ['--serverless', 'no-such-serverless.yml'];

/** The functions of serverless.yml, in file order (one port each). */
const FUNCTIONS = [
  'provision',
  'rotate-secrets',
  'check-drift',
  'ship-audit-logs',
];

const folders: string[] = [];

async function tempFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), prefix));
  // as root, PostgreSQL runs as `postgres` and must traverse the folder
  await chmod(folder, 0o755);
  folders.push(folder);

  return folder;
}

afterAll(async () => {
  for (const folder of folders) {
    await rm(folder, { recursive: true, force: true });
  }
});

/**
 * Ctrl-C in a terminal: SIGINT to the whole process group (PostgreSQL
 * included), then the copy npm forwards to node a moment later.
 */
async function pressCtrlC(platform: NpmStart): Promise<number> {
  const pid = platform.child.pid ?? 0;
  const sentAt = performance.now();
  process.kill(-pid, 'SIGINT');
  setTimeout(() => platform.child.kill('SIGINT'), 20).unref();

  await platform.exited;

  return performance.now() - sentAt;
}

async function bucketExists(endpoint: string, bucket: string) {
  const s3 = localS3Client(endpoint);
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch {
    return false;
  } finally {
    s3.destroy();
  }
}

describe('npm start: the default start', () => {
  // Timing is not asserted: on a loaded 2-core machine a full start
  // (initdb, four functions loaded through tsx) varies too much for a
  // test; the banner's own "up in N s" line records it, and
  // docs/local-platform.md gives a measured figure.
  it('serves the four functions of serverless.yml over PostgreSQL', async () => {
    const base = await freeBasePort();

    const platform = await spawnNpmStart(['--port', String(base)]);
    const banner = platform.stdout();
    const api = await fetch(`${platform.exports.SCW_API_URL}/_local/clock`);
    const provision = await fetch(`http://127.0.0.1:${base + 10}/`);
    platform.child.kill('SIGTERM');
    const exit = await platform.exited;

    expect(banner).toMatch(/^Local Scaleway platform up in \d+\.\d s$/m);
    for (const [index, name] of FUNCTIONS.entries()) {
      expect(banner).toMatch(
        new RegExp(
          `^ {4}${name} +http://127\\.0\\.0\\.1:${base + 10 + index} ` +
            ' \\(private\\)$',
          'm',
        ),
      );
    }
    expect(banner).not.toContain('not served');
    expect(banner).toMatch(
      new RegExp(`^ {2}PostgreSQL +localhost:${base + 2} \\(TLS only`, 'm'),
    );
    expect(api.status).toBe(200);
    // private: reachable, and refused without a token
    expect(provision.status).toBe(403);
    expect(exit).toEqual({ code: 0, signal: null });
  }, 120_000);
});

describe('npm start: stopping', () => {
  it('stops on one Ctrl-C with 0, saves storage, keeps buckets', async () => {
    const folder = await tempFolder('evalap-start-persist-');
    const port = String(await freeBasePort());
    const args = ['--persist', folder, '--port', port, ...NO_FUNCTIONS];
    const first = await spawnNpmStart(args);
    const endpoint = first.exports.EVALAP_S3_ENDPOINT ?? '';
    const s3 = localS3Client(endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'kept-bucket' }));
    s3.destroy();

    const stopMs = await pressCtrlC(first);
    const firstExit = await first.exited;
    const second = await spawnNpmStart(args);
    const kept = await bucketExists(endpoint, 'kept-bucket');
    second.child.kill('SIGTERM');
    const secondExit = await second.exited;

    expect(firstExit).toEqual({ code: 0, signal: null });
    expect(first.stdout()).toContain('Local platform stopped in');
    expect(first.stderr()).not.toMatch(/again: exiting now/);
    // PostgreSQL got the Ctrl-C too; its stop used to wait 5 s for nothing
    expect(stopMs).toBeLessThan(4_000);
    expect(first.groupAlive()).toBe(false);
    expect(existsSync(join(folder, 'storage', 'object-storage.json'))).toBe(
      true,
    );
    expect(kept).toBe(true);
    expect(secondExit).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('leaves no temporary PostgreSQL folder after SIGTERM', async () => {
    const tmp = await tempFolder('evalap-start-tmp-');
    const port = String(await freeBasePort());
    const platform = await spawnNpmStart(['--port', port, ...NO_FUNCTIONS], {
      TMPDIR: tmp,
    });
    const during = await readdir(tmp);

    platform.child.kill('SIGTERM');
    const exit = await platform.exited;
    const after = await readdir(tmp);

    expect(during.some((name) => name.startsWith('evalap-pg-'))).toBe(true);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(after.filter((name) => name.startsWith('evalap-pg-'))).toEqual([]);
  }, 120_000);
});

describe('npm start: ports', () => {
  let holder: Server | undefined;

  afterAll(async () => {
    await new Promise((resolve) => holder?.close(resolve) ?? resolve(null));
  });

  it('names the port in use and the option, in one line', async () => {
    const base = await freeBasePort();
    holder = createServer();
    await new Promise<void>((resolve) =>
      holder?.listen(base + 1, '127.0.0.1', resolve),
    );

    const run = await runNpmStart(['--port', String(base), ...NO_FUNCTIONS]);

    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(
      `port ${base + 1} (Object Storage and queues) on 127.0.0.1 is ` +
        'already in use',
    );
    expect(run.stderr).toContain('--port <base>');
  }, 60_000);

  it('moves every port with --port and prints exports for them', async () => {
    const base = await freeBasePort();

    const platform = await spawnNpmStart([
      '--port',
      String(base),
      '--no-postgres',
      ...NO_FUNCTIONS,
    ]);
    platform.child.kill('SIGTERM');
    await platform.exited;

    expect(platform.exports.SCW_API_URL).toBe(`http://127.0.0.1:${base}`);
    expect(platform.exports.EVALAP_S3_ENDPOINT).toBe(
      `http://127.0.0.1:${base + 1}`,
    );
    expect(platform.exports.EVALAP_SQS_ENDPOINT).toBe(
      `http://127.0.0.1:${base + 1}`,
    );
  }, 60_000);

  it.each([
    { case: 'not a number', port: 'abc' },
    { case: 'below 1024', port: '80' },
    { case: 'above 65000', port: '65500' },
  ])('refuses --port $port ($case)', async ({ port }) => {
    const run = await runNpmStart(['--port', port]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("option '--port <base>' argument");
  });

  it('lists --port and --stage in --help', async () => {
    const run = await runNpmStart(['--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--port <base>/);
    expect(run.stdout).toMatch(/--stage <stage>.*production/s);
  });
});
