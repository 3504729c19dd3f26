import { secretBindings } from '../../stack/bindings.ts';
import type { Stack } from '../../stack/schema.ts';
import { aclBlock } from '../cidr.ts';
import { error, type Finding, warning } from '../finding.ts';

/** SSL modes that let a client fall back to plaintext. */
const PLAINTEXT_MODES: ReadonlySet<string> = new Set([
  'disable',
  'allow',
  'prefer',
]);

/**
 * Database checks beyond encryption: the endpoint has a network to live
 * on, backups and HA per environment, an admin user whose password no
 * container holds, and user passwords held in declared
 * database_credentials secrets.
 */
export function checkDatabase(stack: Stack): Finding[] {
  const database = stack.database;
  if (database === undefined) {
    return [];
  }

  const findings: Finding[] = [];
  if (database.endpoint === 'private-network' && !stack.network) {
    findings.push(
      error(
        'database.private-network-missing',
        ['database', 'endpoint'],
        'a private-network endpoint needs a private network: declare ' +
          '`network`',
      ),
    );
  }

  if (!database.backups.enabled && stack.environment !== 'dev') {
    const build = stack.environment === 'production' ? error : warning;
    findings.push(
      build(
        'database.backups',
        ['database', 'backups', 'enabled'],
        `enable backups in ${stack.environment}: \`enabled: true\``,
      ),
    );
  }

  if (!database.highAvailability && stack.environment === 'production') {
    findings.push(
      warning(
        'database.high-availability',
        ['database', 'highAvailability'],
        'production databases should run as an HA cluster: set ' +
          '`highAvailability: true`',
      ),
    );
  }

  if (!database.users.some((user) => user.admin)) {
    findings.push(
      error(
        'database.admin-user',
        ['database', 'users'],
        'mark the instance admin user with `admin: true`',
      ),
    );
  }

  findings.push(...adminPasswordConsumers(stack));
  findings.push(...publicEndpointAcl(stack));

  const rotated = stack.secrets.some(
    (secret) => secret.generator.kind === 'database-user',
  );
  if (rotated && PLAINTEXT_MODES.has(database.sslMode)) {
    findings.push(
      warning(
        'database.ssl-mode-rotation',
        ['database', 'sslMode'],
        `sslMode ${database.sslMode} allows plaintext, and password ` +
          'rotation tests logins over TLS only: it would stop at its test ' +
          'step. Set `sslMode: require` or stronger',
      ),
    );
  }

  database.users.forEach((user, u) => {
    const secret = stack.secrets.find((s) => s.name === user.passwordSecret);
    const path = ['database', 'users', u, 'passwordSecret'];
    if (secret === undefined) {
      findings.push(
        error('references.secret', path, 'name a secret declared in secrets'),
      );
      return;
    }
    if (secret.type !== 'database_credentials') {
      findings.push(
        error(
          'database.password-secret-type',
          path,
          'a database password lives in a secret of type ' +
            'database_credentials',
        ),
      );
    }
  });

  return findings;
}

/**
 * Rotation changes the admin password in place (one user, no alternate
 * role): a container holding it would hold a dead password from the new
 * password's first use until its redeploy. Containers take an
 * application user's password, which rotates between two roles.
 */
function adminPasswordConsumers(stack: Stack): Finding[] {
  const admins = new Map(
    (stack.database?.users ?? [])
      .filter((user) => user.admin)
      .map((user) => [user.passwordSecret, user.name]),
  );
  const build = stack.environment === 'production' ? error : warning;

  return secretBindings(stack)
    .filter((binding) => admins.has(binding.secret))
    .map((binding) =>
      build(
        'database.admin-password-consumed',
        binding.path,
        `container ${binding.container} reads ${binding.secret}, the ` +
          `password of admin user ${admins.get(binding.secret)}, which ` +
          'rotation changes in place: give the container an application ' +
          "user's password (rotated between two roles without downtime)",
      ),
    );
}

/**
 * A public endpoint admits only the addresses its `acl` lists: without
 * one, Scaleway's default admits every address. Each entry is an IPv4
 * address or block, and none is the whole internet.
 */
function publicEndpointAcl(stack: Stack): Finding[] {
  const database = stack.database;
  if (database?.endpoint !== 'public') return [];
  if (database.acl === undefined) {
    return [
      warning(
        'database.public-acl',
        ['database', 'endpoint'],
        'a public endpoint admits every address until its ACL says ' +
          'otherwise: declare `acl: [{ ip: <your office block> }]`',
      ),
    ];
  }

  return database.acl.flatMap((entry, index): Finding[] => {
    const path = ['database', 'acl', index, 'ip'];
    const block = aclBlock(entry.ip);
    if (block === undefined) {
      return [
        error(
          'database.acl-ip',
          path,
          'write an IPv4 address or block, e.g. 203.0.113.0/24',
        ),
      ];
    }
    if (block.prefix === 0) {
      return [
        error(
          'database.open-acl',
          path,
          `${entry.ip} admits every address: list the addresses that ` +
            'need the database, or use the private network',
        ),
      ];
    }

    return [];
  });
}
