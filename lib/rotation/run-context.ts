import { randomUUID } from 'node:crypto';
import type { Rdbv1 } from '@scaleway/sdk-rdb';
import type { Logger } from 'pino';
import pino from 'pino';
import type { AuditSeverity } from '../audit/index.ts';
import { callScaleway, retryScaleway } from '../scaleway/index.ts';
import { deployedName, type Stack, type StackSecret } from '../stack/index.ts';
import type { AppliedState, ResourceKind } from '../state/index.ts';
import { RotationSetupError } from './errors.ts';
import type { RotationRecord } from './record.ts';
import type { RotationStep } from './steps.ts';
import type { RotationContext } from './types.ts';

const HOUR_MS = 3_600_000;

/**
 * Everything one run shares: the stack, the applied state, the context
 * with its defaults, and per-run caches (instance, CA certificate).
 */
export class RotationRun {
  readonly runId = randomUUID();
  readonly stack: Stack;
  readonly state: AppliedState;
  readonly context: RotationContext;
  readonly logger: Logger;
  readonly graceMs: number;
  readonly concurrency: number;
  readonly maxAutomaticAttempts: number;
  /** Containers read back holding their new values in this run. */
  readonly verifiedContainers = new Set<string>();
  readonly #instances = new Map<string, Promise<Rdbv1.Instance>>();
  readonly #certificates = new Map<string, Promise<string>>();

  constructor(stack: Stack, state: AppliedState, context: RotationContext) {
    this.stack = stack;
    this.state = state;
    this.context = context;
    this.logger = (context.logger ?? pino({ level: 'silent' })).child({
      rotationRun: this.runId,
      environment: stack.environment,
    });
    this.graceMs = context.graceMs ?? HOUR_MS;
    this.concurrency = context.concurrency ?? 8;
    this.maxAutomaticAttempts = context.maxAutomaticAttempts ?? 3;
  }

  get clients() {
    return this.context.clients;
  }

  get region() {
    return this.stack.region;
  }

  /** The platform's current time. */
  now(): Date {
    return this.context.now?.() ?? new Date();
  }

  /** Waits `ms` with the context's sleep. */
  sleep(ms: number): Promise<void> {
    if (this.context.sleep) return this.context.sleep(ms);
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /**
   * Runs a Scaleway call, translated; retried when `idempotent` and the
   * failure is the outside world's. Creations are never retried blindly
   * (their step finds what a lost reply created).
   */
  call<T>(
    operation: string,
    call: () => Promise<T>,
    idempotent = true,
  ): Promise<T> {
    if (!idempotent) return callScaleway(call, { operation });

    return retryScaleway(call, {
      operation,
      retries: this.context.retries ?? 4,
      minDelayMs: this.context.retryDelayMs ?? 500,
      sleep: (ms) => this.sleep(ms),
      onRetry: ({ attempt, delayMs }) =>
        this.logger.warn({ operation, attempt, delayMs }, 'retrying call'),
    });
  }

  /** The deployed name of a base name. */
  deployed(name: string): string {
    return deployedName(name, this.stack.environment);
  }

  /**
   * The id of an applied resource, by kind and deployed name.
   *
   * @throws RotationSetupError when the applied state lacks it.
   */
  resourceId(kind: ResourceKind, name: string, secret?: string): string {
    const found = this.state.resources.find(
      (r) => r.kind === kind && r.name === name,
    );
    if (found === undefined) {
      throw new RotationSetupError(
        `the applied state of ${this.stack.environment} has no ${kind} ` +
          `${name}: apply the stack first (evalap-infra apply)`,
        secret,
      );
    }

    return found.id;
  }

  /** The database instance (read once per run). */
  instance(secret: string): Promise<Rdbv1.Instance> {
    const database = this.stack.database;
    if (database === undefined) {
      throw new RotationSetupError(
        `secret ${secret} is a database user but the stack declares no ` +
          'database',
        secret,
      );
    }
    const id = this.resourceId(
      'database-instance',
      this.deployed(database.name),
      secret,
    );

    return cached(this.#instances, id, () =>
      this.call(`get database instance ${database.name}`, () =>
        this.clients.rdb.getInstance({ region: this.region, instanceId: id }),
      ),
    );
  }

  /** The PEM of the instance's CA, for verify-full (read once per run). */
  certificate(instanceId: string): Promise<string> {
    return cached(this.#certificates, instanceId, () =>
      this.call('get database certificate', async () => {
        const blob = await this.clients.rdb.getInstanceCertificate({
          region: this.region,
          instanceId,
        });
        return pemOf(await blob.text());
      }),
    );
  }

  /** One audit event for a step of a secret's rotation. */
  async auditStep(
    secret: StackSecret,
    record: RotationRecord,
    step: RotationStep | 'stuck' | 'abandon',
    details: Record<string, unknown> = {},
    error?: unknown,
  ): Promise<void> {
    const failed = error !== undefined;
    const severity: AuditSeverity = !failed
      ? 'info'
      : this.stack.environment === 'production'
        ? 'critical'
        : 'error';

    await this.context.audit?.record({
      operation: 'rotate',
      resourceType: 'Secret',
      resourceName: this.deployed(secret.name),
      severity,
      details: {
        rotation_id: record.rotationId,
        step,
        strategy: record.strategy,
        previous_revision: record.previousRevision,
        ...(record.pendingRevision === undefined
          ? {}
          : { pending_revision: record.pendingRevision }),
        ...details,
      },
      success: !failed,
      ...(failed ? { error } : {}),
    });
  }
}

function cached<T>(
  cache: Map<string, Promise<T>>,
  key: string,
  load: () => Promise<T>,
): Promise<T> {
  const hit = cache.get(key);
  if (hit) return hit;

  const loading = load();
  cache.set(key, loading);
  loading.catch(() => cache.delete(key));

  return loading;
}

/** The certificate endpoint answers PEM (`dl=1`) or a JSON file object. */
function pemOf(body: string): string {
  if (!body.trimStart().startsWith('{')) return body;

  const file = JSON.parse(body) as { content?: string };

  return Buffer.from(file.content ?? '', 'base64').toString('utf8');
}
