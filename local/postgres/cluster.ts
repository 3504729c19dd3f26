import { randomBytes } from 'node:crypto';
import { chmod, chown, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { generateServerCertificates } from './certificates.ts';

/** Files the engine keeps in the cluster folder, beside PostgreSQL's. */
export const CLUSTER_FILES = {
  ca: 'local-ca.crt',
  certificate: 'local-server.crt',
  key: 'local-server.key',
  superuserPassword: 'local-superuser-password',
} as const;

/** What the engine needs from a prepared cluster folder. */
export interface ClusterSecrets {
  caCertificatePem: string;
  superuserPassword: string;
}

/**
 * Only TLS connections from loopback, always with scram-sha-256: no
 * `host` (plaintext) line and no Unix-socket line.
 */
export const PG_HBA = `# Written by the evalap-infra local platform.
# TYPE     DATABASE USER ADDRESS      METHOD
hostssl    all      all  127.0.0.1/32 scram-sha-256
hostssl    all      all  ::1/128      scram-sha-256
hostnossl  all      all  all          reject
`;

/** Whether the cluster folder already holds an initialised cluster. */
export async function isInitialised(clusterDir: string): Promise<boolean> {
  try {
    await stat(join(clusterDir, 'PG_VERSION'));
    return true;
  } catch {
    return false;
  }
}

/** A random superuser password (never logged, kept in the folder). */
export function newSuperuserPassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Writes the CA, the server certificate and key, the superuser password
 * and pg_hba.conf into a freshly initialised cluster folder, owned by the
 * account PostgreSQL runs as.
 */
export async function writeClusterFiles(
  clusterDir: string,
  superuserPassword: string,
): Promise<ClusterSecrets> {
  const certificates = generateServerCertificates();
  const owner = await stat(clusterDir);
  const files: [string, string][] = [
    [CLUSTER_FILES.ca, certificates.caCertificatePem],
    [CLUSTER_FILES.certificate, certificates.serverCertificatePem],
    [CLUSTER_FILES.key, certificates.serverKeyPem],
    [CLUSTER_FILES.superuserPassword, superuserPassword],
    ['pg_hba.conf', PG_HBA],
  ];

  for (const [name, content] of files) {
    const file = join(clusterDir, name);
    await writeFile(file, content, { mode: 0o600 });
    await chmod(file, 0o600);
    if (userInfo().uid === 0) {
      await chown(file, owner.uid, owner.gid);
    }
  }

  return {
    caCertificatePem: certificates.caCertificatePem,
    superuserPassword,
  };
}

/** Reads back what {@link writeClusterFiles} wrote. */
export async function readClusterSecrets(
  clusterDir: string,
): Promise<ClusterSecrets> {
  const read = (name: string) => readFile(join(clusterDir, name), 'utf8');

  return {
    caCertificatePem: await read(CLUSTER_FILES.ca),
    superuserPassword: (await read(CLUSTER_FILES.superuserPassword)).trim(),
  };
}

/** The server flags: TLS on, loopback only, no statement text in logs. */
export function serverFlags(clusterDir: string): string[] {
  const settings = {
    listen_addresses: 'localhost',
    unix_socket_directories: '',
    ssl: 'on',
    ssl_cert_file: join(clusterDir, CLUSTER_FILES.certificate),
    ssl_key_file: join(clusterDir, CLUSTER_FILES.key),
    password_encryption: 'scram-sha-256',
    // a failing ALTER ROLE … PASSWORD must not land in the server log
    log_min_error_statement: 'panic',
    log_statement: 'none',
  };

  return Object.entries(settings).flatMap(([name, value]) => [
    '-c',
    `${name}=${value}`,
  ]);
}

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));

  if (typeof address !== 'object' || !address) {
    throw new Error('no free port');
  }

  return address.port;
}
