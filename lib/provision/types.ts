import type { S3Client } from '@aws-sdk/client-s3';
import type { Containerv1beta1 } from '@scaleway/sdk-container';
import type { Iamv1alpha1 } from '@scaleway/sdk-iam';
import type { Rdbv1 } from '@scaleway/sdk-rdb';
import type { Secretv1beta1 } from '@scaleway/sdk-secret';
import type { Vpcv2 } from '@scaleway/sdk-vpc';
import type { Logger } from 'pino';
import type { AuditLogger } from '../audit/index.ts';
import type { Finding } from '../policy/index.ts';
import type { ResourceKind } from '../state/index.ts';

/** What provisioning does to one resource. */
export type PlanAction =
  | 'create'
  | 'update'
  | 'replace'
  | 'delete'
  | 'no-change';

/**
 * One changed field. Values are shown as they are declared or read,
 * except secret material, which is only ever described (`(stale)`,
 * `(current)`, `(set)`), never shown.
 */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** One line of a plan. */
export interface PlanItem {
  kind: ResourceKind;
  /**
   * Deployed name (`{name}-{environment}`; the role for DB users, the
   * PostgreSQL name for the logical database).
   */
  name: string;
  action: PlanAction;
  /** Field diffs of an update (empty otherwise). */
  changes: FieldChange[];
  /** Why a replacement, or why a no-change is special. */
  reason?: string;
  /** The live id, when the resource exists. */
  id?: string;
}

/** The plan of a stack for one environment, in dependency order. */
export interface Plan {
  environment: string;
  stackRevision: string;
  items: PlanItem[];
  /** Counts per action. */
  summary: Record<PlanAction, number>;
  /** Replacements the request must allow with `allowReplace`. */
  replacements: PlanItem[];
  /** Manual secrets that have no value yet (deployed names). */
  needsValue: string[];
  /** Policy warnings (errors refuse the request before any plan). */
  warnings: Finding[];
}

/** The SDK APIs provisioning talks to. */
export interface ProvisionClients {
  secret: Secretv1beta1.API;
  iam: Iamv1alpha1.API;
  vpc: Vpcv2.API;
  rdb: Rdbv1.API;
  container: Containerv1beta1.API;
  s3: S3Client;
}

/** A line of progress during an apply. */
export interface ProgressEvent {
  phase: 'start' | 'done' | 'failed';
  item: PlanItem;
}

/** What provisioning needs from its caller. */
export interface ProvisionContext {
  clients: ProvisionClients;
  /**
   * The environment this control plane serves (its stage): a request for
   * another one is refused. Default: none, every environment is served.
   */
  environment?: string;
  /** Organization of organization-scoped IAM rules. Default: none
   * (such rules are then scoped to the stack project). */
  organizationId?: string;
  /** The state bucket (applied state, lock, processed request ids). */
  stateBucket: string;
  /** Audit events of every change; none when absent. */
  audit?: AuditLogger;
  /** Operational log (never receives a secret value). */
  logger?: Logger;
  /** Called before and after each change during an apply. */
  onProgress?: (event: ProgressEvent) => void;
  /** Current time. Default `() => new Date()`. */
  now?: () => Date;
}

/** Options of a plan or an apply. */
export interface ProvisionOptions {
  /** Allow replacements (delete then create). Default false. */
  allowReplace?: boolean;
}
