import { deployedName } from '../../stack/names.ts';
import type { StackPath } from '../../stack/path.ts';
import type { Stack } from '../../stack/schema.ts';
import { ENVIRONMENTS } from '../../stack/vocabulary.ts';
import { error, type Finding } from '../finding.ts';

interface NamedResource {
  kind: string;
  name: string;
  path: StackPath;
  /** Longest deployed name Scaleway accepts. */
  maxLength: number;
}

const SECRET_PATH = /^\/[a-zA-Z0-9_-]+(\/[a-zA-Z0-9_-]+)*$/;
const DATABASE_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/;

/**
 * Naming checks: base names carry no environment (it is appended as
 * `{name}-{environment}`), deployed names fit Scaleway's limits, names are
 * unique per kind, secret paths sit under `/{project}/`, and database and
 * role names are valid PostgreSQL identifiers.
 */
export function checkNaming(stack: Stack): Finding[] {
  const resources = namedResources(stack);
  const findings: Finding[] = [];

  for (const resource of resources) {
    findings.push(...checkBaseName(stack, resource));
  }
  findings.push(...duplicates(resources));
  findings.push(...checkSecretPaths(stack));
  findings.push(...checkDatabaseNames(stack));

  return findings;
}

function namedResources(stack: Stack): NamedResource[] {
  const resources: NamedResource[] = [];
  const add = (kind: string, name: string, path: StackPath, max = 255) => {
    resources.push({ kind, name, path, maxLength: max });
  };

  for (const [i, secret] of stack.secrets.entries()) {
    add('secret', secret.name, ['secrets', i, 'name']);
  }
  for (const [i, bucket] of stack.buckets.entries()) {
    add('bucket', bucket.name, ['buckets', i, 'name'], 63);
  }
  for (const [a, app] of stack.iam.applications.entries()) {
    const appPath = ['iam', 'applications', a];
    add('application', app.name, [...appPath, 'name'], 64);
    for (const [p, policy] of app.policies.entries()) {
      add('policy', policy.name, [...appPath, 'policies', p, 'name'], 64);
    }
  }
  if (stack.network) {
    add('vpc', stack.network.vpc.name, ['network', 'vpc', 'name']);
    add('private network', stack.network.privateNetwork.name, [
      'network',
      'privateNetwork',
      'name',
    ]);
  }
  if (stack.database) {
    add('database', stack.database.name, ['database', 'name'], 255);
  }
  if (stack.containers) {
    const { namespace, items } = stack.containers;
    add('namespace', namespace.name, ['containers', 'namespace', 'name'], 63);
    for (const [i, container] of items.entries()) {
      add('container', container.name, ['containers', 'items', i, 'name'], 63);
    }
  }
  if (stack.audit.queue) {
    add('queue', stack.audit.queue, ['audit', 'queue'], 64);
  }

  return resources;
}

function checkBaseName(stack: Stack, resource: NamedResource): Finding[] {
  const suffix = ENVIRONMENTS.find((env) => resource.name.endsWith(`-${env}`));
  if (suffix !== undefined) {
    return [
      error(
        'naming.environment-suffix',
        resource.path,
        `drop the -${suffix} suffix: resources deploy as ` +
          '{name}-{environment}, so the environment would appear twice',
      ),
    ];
  }

  const deployed = deployedName(resource.name, stack.environment);
  if (deployed.length > resource.maxLength) {
    return [
      error(
        'naming.length',
        resource.path,
        `the deployed ${resource.kind} name ${deployed} is longer than ` +
          `${resource.maxLength} characters; shorten the base name`,
      ),
    ];
  }
  return [];
}

function duplicates(resources: readonly NamedResource[]): Finding[] {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const resource of resources) {
    const key = `${resource.kind}:${resource.name}`;
    if (seen.has(key)) {
      findings.push(
        error(
          'naming.duplicate',
          resource.path,
          `another ${resource.kind} is already named ${resource.name}; ` +
            'names must be unique',
        ),
      );
    }
    seen.add(key);
  }

  return findings;
}

function checkSecretPaths(stack: Stack): Finding[] {
  const root = `/${stack.project.name}`;

  return stack.secrets.flatMap((secret, s) => {
    const path = ['secrets', s, 'path'];
    if (!SECRET_PATH.test(secret.path)) {
      return [
        error(
          'naming.secret-path',
          path,
          'write the path as /segment/segment with letters, digits, ' +
            'hyphens and underscores, no trailing slash',
        ),
      ];
    }
    const underRoot =
      secret.path === root || secret.path.startsWith(`${root}/`);
    if (!underRoot) {
      return [
        error(
          'naming.secret-path',
          path,
          `keep secrets under the project tree ${root}/, e.g. ` +
            `${root}/database`,
        ),
      ];
    }

    return [];
  });
}

function checkDatabaseNames(stack: Stack): Finding[] {
  const database = stack.database;
  if (database === undefined) {
    return [];
  }

  const findings: Finding[] = [];
  if (!DATABASE_NAME.test(database.databaseName)) {
    findings.push(
      error(
        'naming.database-name',
        ['database', 'databaseName'],
        'database names start with a letter and use letters, digits and ' +
          'underscores (at most 63)',
      ),
    );
  }
  const seen = new Set<string>();
  database.users.forEach((user, u) => {
    const path = ['database', 'users', u, 'name'];
    if (!DATABASE_NAME.test(user.name)) {
      findings.push(
        error(
          'naming.database-name',
          path,
          'user names start with a letter and use letters, digits and ' +
            'underscores (at most 63)',
        ),
      );
    }
    if (seen.has(user.name)) {
      findings.push(
        error('naming.duplicate', path, 'database user names are unique'),
      );
    }
    seen.add(user.name);
  });

  return findings;
}
