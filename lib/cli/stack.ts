import {
  formatStackProblems,
  loadStack,
  type Stack,
  StackFileError,
  stackProblemsReport,
} from '../stack/index.ts';
import { type CommandIo, writeJson } from './output.ts';

/**
 * Loads the stack file of a command. When the file is not a stack, prints
 * every problem the way `validate` does (`file:line:column  path:
 * message`, on stderr; with `json`, also validate's JSON report on
 * stdout) and returns undefined: the command then exits with its "not a
 * stack" code.
 *
 * @example
 * const stack = await loadCommandStack(file, io, options);
 * if (stack === undefined) return DRIFT_EXIT.notAStack;
 */
export async function loadCommandStack(
  file: string,
  io: CommandIo,
  options: { json?: boolean | undefined } = {},
): Promise<Stack | undefined> {
  try {
    return await loadStack(file);
  } catch (error) {
    if (!(error instanceof StackFileError)) throw error;

    reportStackProblems(error, io, options);
    return undefined;
  }
}

/** Prints why a file is not a stack; see {@link loadCommandStack}. */
export function reportStackProblems(
  error: StackFileError,
  io: CommandIo,
  options: { json?: boolean | undefined } = {},
): void {
  for (const line of formatStackProblems(error.source, error.problems)) {
    io.err(line);
  }
  if (options.json) {
    writeJson(io, stackProblemsReport(error.source, error.problems));
  }
}
