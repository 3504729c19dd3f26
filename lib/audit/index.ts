export { type AuditClock, systemClock } from './clock.ts';
export {
  AuditBucketNotFoundError,
  AuditError,
  AuditEventInvalidError,
  type AuditEventProblem,
  AuditKeyError,
  AuditSinkError,
  AuditStorageError,
} from './errors.ts';
export {
  AUDIT_OPERATIONS,
  AUDIT_SEVERITIES,
  type AuditEvent,
  type AuditOperation,
  type AuditSeverity,
  auditEventSchema,
  decodeAuditEvent,
  encodeAuditEvent,
  parseAuditEvent,
} from './event.ts';
export {
  type AuditDigest,
  auditDigestSchema,
} from './integrity/digest.ts';
export { type SealReport, sealAuditHours } from './integrity/seal.ts';
export {
  type IntegrityProblem,
  type IntegrityReport,
  verifyAuditTrail,
} from './integrity/verify.ts';
export {
  AuditEncryptionKeys,
  AuditSigningKeys,
  memorySecretReader,
  type SecretReader,
  scalewaySecretReader,
} from './keys.ts';
export * from './layout.ts';
export {
  AuditLogger,
  type AuditLoggerOptions,
  type AuditRecordInput,
  type DeploymentCounts,
} from './logger.ts';
export {
  AUDIT_RETENTION_DAYS,
  type AuditBucketSettings,
  auditBucketSettings,
} from './retention.ts';
export { type AuditRuntime, auditRuntime } from './runtime.ts';
export { isSecretKeyName, REDACTED, scrubText, scrubValue } from './scrub.ts';
export {
  type AuditMessageOutcome,
  type DrainReport,
  drainAuditQueue,
  handleAuditMessage,
} from './shipping/queue.ts';
export { AuditShipper, type ShipResult } from './shipping/shipper.ts';
export type { AuditSink } from './sink.ts';
export { fileSink, pruneAuditFiles } from './sinks/file.ts';
export { queueSink } from './sinks/queue.ts';
export { stdoutSink } from './sinks/stdout.ts';
export { AuditBucket, auditS3Client } from './storage.ts';
