import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../log/index.ts';

/**
 * Where a command writes. `out` is the command's output and nothing else
 * (with `--json`, exactly one JSON document); `err` takes everything for
 * people and logs: the target line, progress, problems, log lines.
 */
export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
}

/** The process streams and environment. */
export const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/**
 * The logger of a command: warnings and errors only, as JSON lines on the
 * command's stderr, redacted like every log line (lib/log), and without
 * stack traces (the command's report says what failed).
 *
 * @param name - The `name` field of each line, e.g. `rotate`.
 */
export function commandLogger(io: CommandIo, name: string): Logger {
  return createLogger({
    name,
    level: 'warn',
    errorStacks: false,
    destination: { write: (line: string) => io.err(line.trimEnd()) },
  });
}

/**
 * The command's stderr as a stream, for writers that want one (the audit
 * stdout sink): each chunk becomes one `err` line.
 */
export function errorStream(io: CommandIo): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      io.err(String(chunk).trimEnd());
      done();
    },
  });
}

/** Writes a value as the command's single JSON document. */
export function writeJson(io: CommandIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
