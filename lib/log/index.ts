export type { Logger } from 'pino';
export {
  createLogger,
  type LoggerOptions,
  REDACT_PATHS,
  SECRET_FIELDS,
} from './logger.ts';
export { scrubSecrets } from './scrub.ts';
