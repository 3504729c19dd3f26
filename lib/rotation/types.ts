import type { S3Client } from '@aws-sdk/client-s3';
import type { Containerv1beta1 } from '@scaleway/sdk-container';
import type { Iamv1alpha1 } from '@scaleway/sdk-iam';
import type { Rdbv1 } from '@scaleway/sdk-rdb';
import type { Secretv1beta1 } from '@scaleway/sdk-secret';
import type { Logger } from 'pino';
import type { AuditLogger } from '../audit/index.ts';
import type { Fault } from '../http/fault.ts';
import type { RotationStrategy } from './record.ts';
import type { RotationStep } from './steps.ts';

/** The SDK APIs rotation talks to, and the state bucket's S3 client. */
export interface RotationClients {
  secret: Secretv1beta1.API;
  iam: Iamv1alpha1.API;
  rdb: Rdbv1.API;
  container: Containerv1beta1.API;
  s3: S3Client;
}

/** Where the rotator reaches a database instance. */
export interface DatabaseAddress {
  host: string;
  port: number;
  /** TLS server name checked by verify-full. Default: `host`. */
  servername?: string;
}

/** What a rotation run needs from its caller. */
export interface RotationContext {
  clients: RotationClients;
  /** The state bucket (applied state, lock, rotation records). */
  stateBucket: string;
  /** One audit event per step; none when absent. */
  audit?: AuditLogger;
  /** Operational log; never receives a value. Default: silent. */
  logger?: Logger;
  /** The platform's current time. Default `() => new Date()`. */
  now?: () => Date;
  /** Time the previous value stays valid after verify. Default 1 h. */
  graceMs?: number;
  /**
   * Where to reach an instance. Default: its private network endpoint
   * when the stack declares `endpoint: private-network`, else its public
   * one. Tests use it to make the database unreachable.
   */
  databaseAddress?: (instance: Rdbv1.Instance) => DatabaseAddress;
  /** Attempts of a database login test. Default 3. */
  loginAttempts?: number;
  /** Scaleway calls: retries of retryable failures. Default 4. */
  retries?: number;
  /** First backoff delay of those retries. Default 500 ms. */
  retryDelayMs?: number;
  /** Secrets or containers handled at once. Default 8. */
  concurrency?: number;
  /** How long a container may take to become ready. Default 5 min. */
  readyTimeoutMs?: number;
  /** Polling interval while waiting. Default 2 s. */
  pollIntervalMs?: number;
  /** Failed runs before a stuck rotation waits for `--resume`. Default 3. */
  maxAutomaticAttempts?: number;
  /** Waits (backoff, polling). Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
}

/** What a run does. */
export interface RotationRunOptions {
  /** Only this secret (base name); rotated now even if not due. */
  secret?: string;
  /** Report what is due and what is in progress; change nothing. */
  dryRun?: boolean;
  /** The invocation (correlation id) for the lock and audit events. */
  requestId?: string;
}

/** One secret in a run's report. Names, steps and dates: no values. */
export interface SecretOutcome {
  /** Base name of the secret. */
  secret: string;
  strategy?: RotationStrategy;
  /** The rotation's next step (stuck: the step that failed). */
  step?: RotationStep;
  /** Revision of the new value, when created. */
  revision?: number;
  /** Age of the current value in days. */
  ageDays?: number;
  /** Rotation period in days (its type's, or its override). */
  periodDays?: number;
  /** Why it is stuck, skipped or manual. */
  reason?: string;
  fault?: Fault;
  /** A stuck rotation the automatic runs no longer retry. */
  needsOperator?: boolean;
  /** When the previous value will be retired. */
  finishAfter?: string;
  /** Containers redeployed for it in this run. */
  containers?: string[];
  /**
   * Database strategies, when this run set the new value: the role it
   * logs in as (the other one after an alternating-users rotation). A
   * name, not a secret.
   */
  role?: string;
  /** Non-blocking problems, e.g. privileges not copied. */
  warnings?: string[];
}

/** One container redeployed in a run. */
export interface ContainerRedeploy {
  /** Base name. */
  container: string;
  /** Secrets (base names) whose new values it received. */
  secrets: string[];
}

/** The report of a run, returned over HTTP and logged. */
export interface RotationReport {
  runId: string;
  environment: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  /** Rotations started and completed up to their grace period. */
  rotated: SecretOutcome[];
  /** Rotations in progress (or stuck) that this run moved forward. */
  resumed: SecretOutcome[];
  /** Rotations that finished (previous value retired) in this run. */
  finished: SecretOutcome[];
  /** Rotations that cannot complete; the old value still works. */
  stuck: SecretOutcome[];
  /** Not due, waiting for their grace period, or without a value. */
  skipped: SecretOutcome[];
  /** Due, but rotated by a person (manual, certificate, ssh_key). */
  manual: SecretOutcome[];
  /** Dry run only: what a real run would rotate. */
  due: SecretOutcome[];
  redeployed: ContainerRedeploy[];
}
