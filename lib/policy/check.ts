import type { Stack } from '../stack/schema.ts';
import type { Finding } from './finding.ts';
import { checkContainers } from './rules/containers.ts';
import { checkDatabase } from './rules/database.ts';
import { checkEncryption } from './rules/encryption.ts';
import { checkIam } from './rules/iam.ts';
import { checkNaming } from './rules/naming.ts';
import { checkNetwork } from './rules/network.ts';
import { checkSecrets } from './rules/secrets.ts';
import { checkStorage } from './rules/storage.ts';

/** The rule groups, in the order their findings are reported. */
const CHECKS: readonly ((stack: Stack) => Finding[])[] = [
  checkIam,
  checkNetwork,
  checkEncryption,
  checkDatabase,
  checkNaming,
  checkSecrets,
  checkContainers,
  checkStorage,
];

/**
 * Runs every policy check on a stack and returns all findings at once.
 * The stack is valid for provisioning when no finding is an error.
 *
 * @example
 * const findings = checkStack(await loadStack('stacks/production.yaml'));
 * if (hasErrors(findings)) process.exitCode = 1;
 */
export function checkStack(stack: Stack): Finding[] {
  return CHECKS.flatMap((check) => check(stack));
}

/** True when at least one finding is an error. */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.severity === 'error');
}

/** Counts findings by severity. */
export function countFindings(findings: readonly Finding[]): {
  errors: number;
  warnings: number;
} {
  const errors = findings.filter((f) => f.severity === 'error').length;

  return { errors, warnings: findings.length - errors };
}
