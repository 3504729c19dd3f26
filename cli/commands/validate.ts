import type { Command } from 'commander';
import {
  checkStack,
  countFindings,
  type Finding,
  hasErrors,
} from '../../lib/policy/index.ts';
import {
  formatStackPath,
  loadStack,
  StackFileError,
  type StackProblem,
} from '../../lib/stack/index.ts';

/** Exit codes of `validate`. */
export const VALIDATE_EXIT = {
  valid: 0,
  findings: 1,
  notAStack: 2,
} as const;

interface ValidateOptions {
  json?: boolean;
}

/** Registers `evalap-infra validate <stack.yaml> [--json]`. */
export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'Check a stack file against the schema and the policy checks. ' +
        'Exit 0 without errors (warnings allowed), 1 with errors, 2 when ' +
        'the file is not a stack.',
    )
    .argument('<stack>', 'path to the stack YAML file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: ValidateOptions) => {
      process.exitCode = await validate(file, options);
    });
}

/** Validates one file, prints the result, and returns the exit code. */
export async function validate(
  file: string,
  options: ValidateOptions,
): Promise<number> {
  let findings: Finding[];
  try {
    findings = checkStack(await loadStack(file));
  } catch (error) {
    if (!(error instanceof StackFileError)) {
      throw error;
    }
    printProblems(file, error.problems, options);
    return VALIDATE_EXIT.notAStack;
  }

  printFindings(file, findings, options);

  return hasErrors(findings) ? VALIDATE_EXIT.findings : VALIDATE_EXIT.valid;
}

function printProblems(
  file: string,
  problems: readonly StackProblem[],
  options: ValidateOptions,
): void {
  if (options.json) {
    const rows = problems.map((problem) => ({
      path: formatStackPath(problem.path),
      line: problem.position?.line ?? null,
      column: problem.position?.column ?? null,
      message: problem.message,
    }));
    writeJson({ file, stack: false, valid: false, problems: rows });
    return;
  }

  const lines = problems.map((problem) => {
    const where = problem.position
      ? `${file}:${problem.position.line}:${problem.position.column}`
      : file;
    return `${where}  ${formatStackPath(problem.path)}: ${problem.message}`;
  });
  const count = problems.length;
  lines.push(
    `${file} is not a stack: ${count} problem${count === 1 ? '' : 's'}`,
  );
  process.stderr.write(`${lines.join('\n')}\n`);
}

function printFindings(
  file: string,
  findings: readonly Finding[],
  options: ValidateOptions,
): void {
  const { errors, warnings } = countFindings(findings);
  if (options.json) {
    const rows = findings.map((finding) => ({
      ruleId: finding.ruleId,
      severity: finding.severity,
      path: formatStackPath(finding.path),
      segments: finding.path,
      message: finding.message,
    }));
    writeJson({
      file,
      stack: true,
      valid: errors === 0,
      errors,
      warnings,
      findings: rows,
    });
    return;
  }

  const ruleWidth = Math.max(0, ...findings.map((f) => f.ruleId.length));
  const lines = findings.map(
    (finding) =>
      `${finding.severity.padEnd(7)}  ${finding.ruleId.padEnd(ruleWidth)}  ` +
      `${formatStackPath(finding.path)}: ${finding.message}`,
  );
  const verdict = errors === 0 ? 'valid' : 'invalid';
  lines.push(
    `${file}: ${verdict}, ${plural(errors, 'error')}, ` +
      `${plural(warnings, 'warning')}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
