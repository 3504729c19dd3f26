import type { Command } from 'commander';
import {
  checkStack,
  countFindings,
  type Finding,
  hasErrors,
} from '../../lib/policy/index.ts';
import {
  formatStackPath,
  formatStackProblems,
  loadStack,
  StackFileError,
  type StackProblem,
  stackProblemsReport,
} from '../../lib/stack/index.ts';

/** Exit codes of `validate`. */
export const VALIDATE_EXIT = {
  valid: 0,
  findings: 1,
  notAStack: 2,
} as const;

interface ValidateOptions {
  /** Print JSON instead of text (default false). */
  json?: boolean;
}

/**
 * Registers `evalap-infra validate <stack.yaml...> [--json]`. With several
 * files the exit code is the worst of them; `--json` then prints an array.
 */
export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'Check stack files against the schema and the policy checks. ' +
        'Exit 0 without errors (warnings allowed), 1 with errors, 2 when ' +
        'a file is not a stack.',
    )
    .argument('<stacks...>', 'paths to stack YAML files')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], options: ValidateOptions) => {
      process.exitCode = await validateFiles(files, options);
    });
}

/** Validates each file in turn, printing each; returns the worst code. */
export async function validateFiles(
  files: readonly string[],
  options: ValidateOptions,
): Promise<number> {
  const results: ValidateResult[] = [];
  for (const file of files) {
    results.push(await validate(file));
  }

  if (options.json) {
    const documents = results.map((result) => result.json);
    writeJson(documents.length === 1 ? documents[0] : documents);
  } else {
    for (const result of results) {
      const stream = result.code === 2 ? process.stderr : process.stdout;
      stream.write(`${result.text.join('\n')}\n`);
    }
  }

  return Math.max(...results.map((result) => result.code));
}

interface ValidateResult {
  code: number;
  text: string[];
  json: unknown;
}

/** Validates one file; returns its exit code and both renderings. */
export async function validate(file: string): Promise<ValidateResult> {
  let findings: Finding[];
  try {
    findings = checkStack(await loadStack(file));
  } catch (error) {
    if (!(error instanceof StackFileError)) {
      throw error;
    }
    return {
      code: VALIDATE_EXIT.notAStack,
      ...renderProblems(file, error.problems),
    };
  }

  const code = hasErrors(findings)
    ? VALIDATE_EXIT.findings
    : VALIDATE_EXIT.valid;

  return { code, ...renderFindings(file, findings) };
}

function renderProblems(
  file: string,
  problems: readonly StackProblem[],
): Omit<ValidateResult, 'code'> {
  return {
    text: formatStackProblems(file, problems),
    json: stackProblemsReport(file, problems),
  };
}

function renderFindings(
  file: string,
  findings: readonly Finding[],
): Omit<ValidateResult, 'code'> {
  const { errors, warnings } = countFindings(findings);
  const rows = findings.map((finding) => ({
    ruleId: finding.ruleId,
    severity: finding.severity,
    path: formatStackPath(finding.path),
    segments: finding.path,
    message: finding.message,
  }));

  const ruleWidth = Math.max(0, ...findings.map((f) => f.ruleId.length));
  const text = findings.map(
    (finding) =>
      `${finding.severity.padEnd(7)}  ${finding.ruleId.padEnd(ruleWidth)}  ` +
      `${formatStackPath(finding.path)}: ${finding.message}`,
  );
  const verdict = errors === 0 ? 'valid' : 'invalid';
  text.push(
    `${file}: ${verdict}, ${plural(errors, 'error')}, ` +
      `${plural(warnings, 'warning')}`,
  );

  return {
    text,
    json: {
      file,
      stack: true,
      valid: errors === 0,
      errors,
      warnings,
      findings: rows,
    },
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
