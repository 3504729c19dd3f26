export { commandAuditSinks } from './audit.ts';
export { commandClock } from './clock.ts';
export {
  type CommandIo,
  commandLogger,
  processIo,
  writeJson,
} from './output.ts';
export { loadCommandStack, reportStackProblems } from './stack.ts';
export { localPlatformHint } from './unreachable.ts';
export { USAGE_EXIT, usageExitCode } from './usage.ts';
