import type { Stack, StackSecret } from '../../stack/schema.ts';
import { error, type Finding, warning } from '../finding.ts';
import {
  GENERATOR_TYPES,
  ROTATION_PERIOD_DAYS,
  rotationClassOf,
} from '../rotation.ts';

const CREDENTIAL_TYPES: ReadonlySet<string> = new Set([
  'database_credentials',
  'basic_credentials',
  'certificate',
  'ssh_key',
]);
const CREDENTIAL_GENERATORS: ReadonlySet<string> = new Set([
  'password',
  'database-user',
  'iam-api-key',
]);

/** True when a secret holds a credential (password, key, certificate). */
export function holdsCredential(secret: StackSecret): boolean {
  return (
    CREDENTIAL_TYPES.has(secret.type) ||
    CREDENTIAL_GENERATORS.has(secret.generator.kind)
  );
}

/**
 * Secret checks: rotation period overrides, generator and type agreement,
 * generator references, and protection of production secrets.
 */
export function checkSecrets(stack: Stack): Finding[] {
  return stack.secrets.flatMap((secret, s) => [
    ...checkRotation(secret, s),
    ...checkGenerator(stack, secret, s),
    ...checkProtection(stack, secret, s),
  ]);
}

function checkRotation(secret: StackSecret, s: number): Finding[] {
  const rotationClass = rotationClassOf(secret);
  const period = ROTATION_PERIOD_DAYS[rotationClass];
  if (secret.rotationDays === undefined || secret.rotationDays <= period) {
    return [];
  }

  return [
    warning(
      'rotation.period',
      ['secrets', s, 'rotationDays'],
      `the guide rotates ${rotationClass} secrets every ${period} days; ` +
        `lower rotationDays to ${period} or less`,
    ),
  ];
}

function checkGenerator(
  stack: Stack,
  secret: StackSecret,
  s: number,
): Finding[] {
  const generator = secret.generator;
  const path = ['secrets', s, 'generator'];
  const allowed = GENERATOR_TYPES[generator.kind];
  if (!allowed.includes(secret.type)) {
    return [
      error(
        'rotation.generator-type',
        [...path, 'kind'],
        `a ${generator.kind} generator cannot produce a ${secret.type} ` +
          `secret; use type ${allowed.join(' or ')}, or generator manual`,
      ),
    ];
  }

  if (generator.kind === 'database-user') {
    const database = stack.database;
    if (database === undefined || database.name !== generator.database) {
      return [
        error(
          'references.database',
          [...path, 'database'],
          'name the declared database (database.name)',
        ),
      ];
    }
    const user = database.users.find((u) => u.name === generator.user);
    if (user === undefined) {
      return [
        error(
          'references.database-user',
          [...path, 'user'],
          'name a user declared in database.users',
        ),
      ];
    }
  }

  if (generator.kind === 'iam-api-key') {
    const declared = stack.iam.applications.some(
      (application) => application.name === generator.application,
    );
    if (!declared) {
      return [
        error(
          'references.application',
          [...path, 'application'],
          'name an application declared in iam.applications',
        ),
      ];
    }
  }

  return [];
}

function checkProtection(
  stack: Stack,
  secret: StackSecret,
  s: number,
): Finding[] {
  if (stack.environment !== 'production' || secret.protected) {
    return [];
  }

  const path = ['secrets', s, 'protected'];
  if (holdsCredential(secret)) {
    return [
      error(
        'secrets.protected',
        path,
        'production secrets holding credentials must be protected: set ' +
          '`protected: true`',
      ),
    ];
  }

  return [
    warning(
      'secrets.protected',
      path,
      'the guide protects production secrets: set `protected: true`',
    ),
  ];
}
