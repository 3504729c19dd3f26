import { secretBindings } from '../../stack/bindings.ts';
import type { Stack } from '../../stack/schema.ts';
import { SSL_MODES, type SslMode } from '../../stack/vocabulary.ts';
import {
  error,
  type Finding,
  type Severity,
  severityByEnvironment,
  warning,
} from '../finding.ts';

/** The guide's SSL mode per environment (weakest acceptable). */
export const MINIMUM_SSL_MODE = {
  dev: 'prefer',
  staging: 'require',
  production: 'verify-full',
} as const satisfies Record<Stack['environment'], SslMode>;

function finding(
  severity: Severity,
  ruleId: string,
  path: (string | number)[],
  message: string,
): Finding {
  return severity === 'error'
    ? error(ruleId, path, message)
    : warning(ruleId, path, message);
}

/**
 * The guide's encryption table per environment: database encryption at
 * rest, SSL mode, private network and SSE-C; production databases have no
 * public endpoint and production containers that hold database
 * credentials sit on the private network.
 */
export function checkEncryption(stack: Stack): Finding[] {
  return [
    ...checkDatabaseEncryption(stack),
    ...checkPrivateNetwork(stack),
    ...checkSseC(stack),
  ];
}

function checkDatabaseEncryption(stack: Stack): Finding[] {
  const database = stack.database;
  if (database === undefined) {
    return [];
  }

  const findings: Finding[] = [];
  const severity = severityByEnvironment(stack.environment);
  if (!database.encryptionAtRest && severity) {
    findings.push(
      finding(
        severity,
        'encryption.database-at-rest',
        ['database', 'encryptionAtRest'],
        `${stack.environment} ${requirement(severity)} encryption at ` +
          'rest: set `encryptionAtRest: true` (only possible at creation)',
      ),
    );
  }

  const minimum = MINIMUM_SSL_MODE[stack.environment];
  const weaker =
    SSL_MODES.indexOf(database.sslMode) < SSL_MODES.indexOf(minimum);
  if (weaker) {
    findings.push(
      finding(
        severity ?? 'warning',
        'encryption.ssl-mode',
        ['database', 'sslMode'],
        `${stack.environment} uses sslMode ${minimum} or stronger; set ` +
          `\`sslMode: ${minimum}\``,
      ),
    );
  }

  return findings;
}

function checkPrivateNetwork(stack: Stack): Finding[] {
  const severity = severityByEnvironment(stack.environment);
  if (severity === undefined) {
    return [];
  }

  const findings: Finding[] = [];
  if (stack.network === undefined) {
    findings.push(
      finding(
        severity,
        'encryption.private-network',
        ['network'],
        `${stack.environment} ${requirement(severity)} a private ` +
          'network: declare `network` with a VPC and a private network',
      ),
    );
  }

  if (stack.database?.endpoint === 'public') {
    findings.push(
      finding(
        severity,
        'encryption.database-public-endpoint',
        ['database', 'endpoint'],
        `database ${stack.database.name} would be reachable from the ` +
          `internet; ${stack.environment} databases take no public ` +
          'endpoint, only the private network: set ' +
          '`endpoint: private-network`',
      ),
    );
  }

  const credentialSecrets = new Set(
    stack.secrets
      .filter((secret) => secret.type === 'database_credentials')
      .map((secret) => secret.name),
  );
  const offNetwork = new Set(
    stack.containers?.items
      .filter((container) => !container.privateNetwork)
      .map((container) => container.name),
  );
  const flagged = new Set<string>();
  for (const binding of secretBindings(stack)) {
    const exposed =
      credentialSecrets.has(binding.secret) &&
      offNetwork.has(binding.container);
    if (!exposed || flagged.has(binding.container)) {
      continue;
    }
    flagged.add(binding.container);
    const index =
      stack.containers?.items.findIndex(
        (container) => container.name === binding.container,
      ) ?? -1;
    findings.push(
      finding(
        severity,
        'encryption.private-network',
        ['containers', 'items', index, 'privateNetwork'],
        `container ${binding.container} holds database credentials ` +
          `(${binding.secret}) but is off the private network; in ` +
          `${stack.environment} it must reach the database over the ` +
          'private network: set `privateNetwork: true`',
      ),
    );
  }

  return findings;
}

function checkSseC(stack: Stack): Finding[] {
  if (stack.environment !== 'production') {
    return [];
  }

  return stack.buckets.flatMap((bucket, b) =>
    bucket.sseC
      ? []
      : [
          warning(
            'encryption.sse-c',
            ['buckets', b, 'sseC'],
            'SSE-C is recommended in production: add ' +
              '`sseC: { keySecret: <secret> }` with a 32-byte random key',
          ),
        ],
  );
}

function requirement(severity: Severity): string {
  return severity === 'error' ? 'requires' : 'recommends';
}
