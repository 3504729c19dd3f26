/**
 * Exit code of a usage error in every command: a missing argument, an
 * unknown option or command, a missing required option, options that
 * exclude each other.
 */
export const USAGE_EXIT = 2;

/**
 * The exit code for a commander exit: 0 stays 0 (help, version), the
 * code 1 commander gives every usage error becomes {@link USAGE_EXIT}
 * (1 means "findings" or "drift" to our commands), others are kept.
 */
export function usageExitCode(error: { exitCode: number }): number {
  return error.exitCode === 1 ? USAGE_EXIT : error.exitCode;
}
