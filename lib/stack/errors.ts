/** A position in a stack file, both 1-based. */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * One reason a file is not a valid stack: where it is in the stack (path
 * of keys and indexes), where it is in the file, and what is wrong. The
 * message names keys, never values.
 */
export interface StackProblem {
  /** Keys and indexes from the root, e.g. `['containers', 'items', 0]`. */
  path: readonly (string | number)[];
  /** Where the problem is in the YAML text; absent when unknown. */
  position?: SourcePosition;
  message: string;
}

/** Root of every error about stack declarations. */
export class StackError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StackError';
  }
}

/**
 * A file (or text) is not a stack at all: unreadable, not YAML, or not the
 * shape of a stack. Carries every problem found, not only the first.
 */
export class StackFileError extends StackError {
  /** The file path or label the text came from. */
  readonly source: string;
  readonly problems: readonly StackProblem[];

  constructor(
    source: string,
    problems: readonly StackProblem[],
    options?: { cause?: unknown },
  ) {
    const count = problems.length;
    super(
      `${source} is not a valid stack: ${count} problem${count === 1 ? '' : 's'}`,
      options,
    );
    this.name = 'StackFileError';
    this.source = source;
    this.problems = problems;
  }
}
