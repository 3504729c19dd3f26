import type { StackProblem } from './errors.ts';
import { formatStackPath } from './path.ts';

/** One problem of a file that is not a stack, as JSON reports show it. */
export interface StackProblemRow {
  /** `database.highAvailabilty`; `(root)` for the file itself. */
  path: string;
  /** 1-based; null when the position is unknown. */
  line: number | null;
  column: number | null;
  message: string;
}

/** The JSON report of a file that is not a stack. */
export interface StackProblemsReport {
  file: string;
  stack: false;
  valid: false;
  problems: StackProblemRow[];
}

/**
 * Why a file is not a stack, for a person: one line per problem,
 * `file:line:column  path: message`, then a summary line. Every command
 * that loads a stack prints these lines.
 *
 * @example
 * formatStackProblems('typo.yaml', error.problems)
 * // ['typo.yaml:109:3  database.highAvailabilty: unknown key "…"',
 * //  'typo.yaml is not a stack: 1 problem']
 */
export function formatStackProblems(
  file: string,
  problems: readonly StackProblem[],
): string[] {
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

  return lines;
}

/** The same problems as a JSON report (`--json` of every command). */
export function stackProblemsReport(
  file: string,
  problems: readonly StackProblem[],
): StackProblemsReport {
  const rows = problems.map((problem) => ({
    path: formatStackPath(problem.path),
    line: problem.position?.line ?? null,
    column: problem.position?.column ?? null,
    message: problem.message,
  }));

  return { file, stack: false, valid: false, problems: rows };
}
