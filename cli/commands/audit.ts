import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { createClient } from '@scaleway/sdk-client';
import { Secretv1beta1 } from '@scaleway/sdk-secret';
import { type Command, Option } from 'commander';
import { AuditBucketNotFoundError } from '../../lib/audit/errors.ts';
import type { IntegrityReport } from '../../lib/audit/integrity/verify.ts';
import { verifyAuditTrail } from '../../lib/audit/integrity/verify.ts';
import {
  publicKeyFingerprint,
  scalewaySecretReader,
} from '../../lib/audit/keys.ts';
import { type AuditRuntime, auditRuntime } from '../../lib/audit/runtime.ts';
import {
  type CommandIo,
  localPlatformHint,
  processIo,
  reportStackProblems,
  writeJson,
} from '../../lib/cli/index.ts';
import {
  describeConfig,
  ENVIRONMENTS,
  loadConfig,
} from '../../lib/config/index.ts';
import { loadStack, StackFileError } from '../../lib/stack/index.ts';

/** Exit codes of `audit verify`; usage errors exit 2 as well. */
export const AUDIT_VERIFY_EXIT = {
  /** Intact, or nothing shipped yet (said so). */
  intact: 0,
  problems: 1,
  cannotVerify: 2,
  notAStack: 2,
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
    .addOption(
      new Option('--env <env>', 'the environment whose bucket to verify')
        .choices(ENVIRONMENTS)
        .makeOptionMandatory(),
    )
    .option('--stack <file>', 'stack file (default stacks/<env>.yaml)')
    .option('--public-key <pem>', 'trusted Ed25519 public key file')
    .option('--json', 'print the report as JSON')
    .action(async (options: AuditVerifyOptions) => {
      process.exitCode = await verifyCommand(options, defaultRuntime);
    });
}

/** Builds the audit runtime of an environment; tests pass their own. */
export type AuditVerifyRuntime = (
  options: AuditVerifyOptions,
  io: CommandIo,
) => Promise<AuditRuntime>;

async function defaultRuntime(options: AuditVerifyOptions, io: CommandIo) {
  const stack = await loadStack(stackFile(options));
  const config = loadConfig(io.env, { environment: stack.environment });
  io.err(describeConfig(config));
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
 * prints the report on stdout (with `json`, the only JSON document);
 * returns the exit code. A missing audit bucket, and a bucket with
 * nothing shipped to it yet, are said in so many words.
 */
export async function verifyCommand(
  options: AuditVerifyOptions,
  runtime: AuditVerifyRuntime,
  io: CommandIo = processIo,
): Promise<number> {
  let report: IntegrityReport;
  let bucket: string;
  try {
    const audit = await runtime(options, io);
    bucket = audit.bucket.name;
    const trusted = options.publicKey
      ? await readPublicKey(options.publicKey)
      : null;
    report = await verifyAuditTrail({
      bucket: audit.bucket,
      environment: audit.environment,
      ...(audit.retentionDays ? { retentionDays: audit.retentionDays } : {}),
      ...(audit.clock ? { clock: audit.clock } : {}),
      publicKey: async (version, fingerprint) => {
        if (trusted === null) {
          return audit.signingKeys.publicKey(version, fingerprint);
        }

        return publicKeyFingerprint(trusted) === fingerprint ? trusted : null;
      },
    });
  } catch (error) {
    return reportFailure(error, options, io);
  }

  if (options.json) {
    writeJson(io, report);
  } else {
    io.out(renderText(report, bucket));
  }

  return report.ok ? AUDIT_VERIFY_EXIT.intact : AUDIT_VERIFY_EXIT.problems;
}

function reportFailure(
  error: unknown,
  options: AuditVerifyOptions,
  io: CommandIo,
): number {
  if (error instanceof StackFileError) {
    reportStackProblems(error, io, options);
    return AUDIT_VERIFY_EXIT.notAStack;
  }
  if (error instanceof AuditBucketNotFoundError) {
    io.err(
      `audit verify: the audit bucket ${error.bucket} does not exist: ` +
        `apply the stack first (evalap-infra apply ${stackFile(options)}), ` +
        'which creates it; then there is a trail to verify.',
    );
    return AUDIT_VERIFY_EXIT.cannotVerify;
  }

  const reason = error instanceof Error ? error.message : 'unknown error';
  io.err(`audit verify: cannot verify: ${reason}`);
  const hint = localPlatformHint(error);
  if (hint !== undefined) io.err(hint);

  return AUDIT_VERIFY_EXIT.cannotVerify;
}

function stackFile(options: AuditVerifyOptions): string {
  return options.stack ?? `stacks/${options.env}.yaml`;
}

async function readPublicKey(file: string): Promise<KeyObject> {
  return createPublicKey(await readFile(file, 'utf8'));
}

function renderText(report: IntegrityReport, bucket: string): string {
  const nothingShipped =
    report.digests === 0 && report.objects === 0 && report.pending === 0;
  if (nothingShipped && report.ok) {
    return (
      `${report.environment}: nothing to verify: ${bucket} holds no ` +
      'digest and no log object (no audit event was shipped to it yet)'
    );
  }

  const lines = report.problems.map(
    (problem) =>
      `${problem.kind.padEnd(18)}  ${problem.key}: ${problem.detail}`,
  );
  const verdict = report.ok ? 'intact' : 'NOT intact';
  lines.push(
    `${report.environment}: ${verdict}, ${report.digests} digests, ` +
      `${report.objects} objects checked, ${report.pending} not sealed yet, ` +
      `${report.problems.length} problems`,
  );

  return lines.join('\n');
}
