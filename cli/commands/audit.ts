import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { createClient } from '@scaleway/sdk-client';
import { Secretv1beta1 } from '@scaleway/sdk-secret';
import type { Command } from 'commander';

import type { IntegrityReport } from '../../lib/audit/integrity/verify.ts';
import { verifyAuditTrail } from '../../lib/audit/integrity/verify.ts';
import {
  publicKeyFingerprint,
  scalewaySecretReader,
} from '../../lib/audit/keys.ts';
import { type AuditRuntime, auditRuntime } from '../../lib/audit/runtime.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { loadStack } from '../../lib/stack/index.ts';

/** Exit codes of `audit verify`. */
export const AUDIT_VERIFY_EXIT = {
  intact: 0,
  problems: 1,
  cannotVerify: 2,
} as const;

/** Options of `audit verify`. */
export interface AuditVerifyOptions {
  env: string;
  /** Stack file. Default: `stacks/<env>.yaml`. */
  stack?: string;
  /** Trusted public key (PEM); default: derived from Secret Manager. */
  publicKey?: string;
  /** Print JSON instead of text (default false). */
  json?: boolean;
}

/**
 * Registers `evalap-infra audit verify --env <env>`: checks the signed
 * hourly digests and every log object of an environment's audit bucket.
 */
export function register(program: Command): void {
  const audit = program.command('audit').description('Audit trail tools.');

  audit
    .command('verify')
    .description(
      'Verify the audit bucket of an environment: digest signatures and ' +
        'chain, object hashes. Exit 0 when intact, 1 with problems, 2 ' +
        'when verification could not run.',
    )
    .requiredOption('--env <env>', 'dev, staging or production')
    .option('--stack <file>', 'stack file (default stacks/<env>.yaml)')
    .option('--public-key <pem>', 'trusted Ed25519 public key file')
    .option('--json', 'print the report as JSON')
    .action(async (options: AuditVerifyOptions) => {
      process.exitCode = await verifyCommand(options, defaultRuntime);
    });
}

async function defaultRuntime(options: AuditVerifyOptions) {
  const config = loadConfig();
  const stack = await loadStack(options.stack ?? `stacks/${options.env}.yaml`);
  const client = createClient({
    accessKey: config.scaleway.accessKey,
    secretKey: config.scaleway.secretKey,
    defaultProjectId: config.scaleway.projectId,
    defaultRegion: config.scaleway.region as 'fr-par',
    apiURL: config.scaleway.apiUrl,
  });
  const secrets = scalewaySecretReader(new Secretv1beta1.API(client));

  return auditRuntime({ config, stack, secrets });
}

/**
 * Runs the verification with a runtime factory (tests pass their own) and
 * prints the report; returns the exit code.
 */
export async function verifyCommand(
  options: AuditVerifyOptions,
  runtime: (options: AuditVerifyOptions) => Promise<AuditRuntime>,
): Promise<number> {
  let report: IntegrityReport;
  try {
    const audit = await runtime(options);
    const trusted = options.publicKey
      ? await readPublicKey(options.publicKey)
      : null;
    report = await verifyAuditTrail({
      bucket: audit.bucket,
      environment: audit.environment,
      publicKey: async (version, fingerprint) => {
        if (trusted === null) {
          return audit.signingKeys.publicKey(version, fingerprint);
        }

        return publicKeyFingerprint(trusted) === fingerprint ? trusted : null;
      },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    process.stderr.write(`audit verify: cannot verify: ${reason}\n`);

    return AUDIT_VERIFY_EXIT.cannotVerify;
  }

  process.stdout.write(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report),
  );

  return report.ok ? AUDIT_VERIFY_EXIT.intact : AUDIT_VERIFY_EXIT.problems;
}

async function readPublicKey(file: string): Promise<KeyObject> {
  return createPublicKey(await readFile(file, 'utf8'));
}

function renderText(report: IntegrityReport): string {
  const lines = report.problems.map(
    (problem) =>
      `${problem.kind.padEnd(16)}  ${problem.key}: ${problem.detail}`,
  );
  const verdict = report.ok ? 'intact' : 'NOT intact';
  lines.push(
    `${report.environment}: ${verdict}, ${report.digests} digests, ` +
      `${report.objects} objects checked, ${report.pending} not sealed yet, ` +
      `${report.problems.length} problems`,
  );

  return `${lines.join('\n')}\n`;
}
