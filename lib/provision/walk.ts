import { createHash } from 'node:crypto';
import { callScaleway, type ScalewayCallContext } from '../scaleway/index.ts';
import {
  deployedName,
  type Environment,
  type Stack,
  type StackSecret,
} from '../stack/index.ts';
import type {
  AppliedResource,
  AppliedState,
  ResourceKind,
} from '../state/index.ts';
import { ProvisionStepError } from './errors.ts';
import type {
  FieldChange,
  PlanAction,
  PlanItem,
  ProvisionContext,
} from './types.ts';
import {
  consumerValue,
  credentialsUsername,
  fromSecretData,
} from './values.ts';

/** Audit resource types, in the words of the guide. */
const AUDIT_TYPES: Record<ResourceKind, string> = {
  vpc: 'VPC',
  'private-network': 'PrivateNetwork',
  secret: 'Secret',
  'iam-application': 'IAMApplication',
  'iam-policy': 'IAMPolicy',
  'iam-api-key': 'IAMApiKey',
  'database-instance': 'DatabaseInstance',
  database: 'Database',
  'database-user': 'DatabaseUser',
  'container-namespace': 'ContainerNamespace',
  container: 'Container',
  bucket: 'ObjectBucket',
};

/** What a walk starts from besides the live state. */
export interface WalkOptions {
  payloads?: Map<string, string | undefined>;
  previous?: AppliedState | undefined;
}

/** A managed resource no longer declared, deleted after every step. */
export interface Orphan {
  item: PlanItem;
  remove: () => Promise<void>;
}

/**
 * One pass over a stack, in dependency order. In `plan` mode every step
 * reads the live state and records what it would do; in `apply` mode it
 * also does it, right after reading, so a re-run after a crash starts
 * from what really exists. Plan and apply share every comparison.
 */
export class ProvisionWalk {
  readonly items: PlanItem[] = [];
  readonly resources: AppliedResource[] = [];
  readonly orphans: Orphan[] = [];
  readonly needsValue: string[] = [];
  /** Live ids by key, e.g. `vpc`, `secret:db-password`. */
  readonly ids = new Map<string, string>();
  /** Versions of each declared secret (base name), as read or written. */
  readonly versionCounts = new Map<string, number>();

  readonly #payloads: Map<string, string | undefined>;
  readonly #previous: AppliedResource[];

  /**
   * @param options.payloads secret payloads already read in this run (the
   *   plan of an apply hands its own over, so each value is read once).
   * @param options.previous the applied state of the last apply, if any.
   */
  constructor(
    readonly context: ProvisionContext,
    readonly stack: Stack,
    readonly mode: 'plan' | 'apply',
    options: WalkOptions = {},
  ) {
    this.#payloads = options.payloads ?? new Map();
    this.#previous = options.previous?.resources ?? [];
  }

  /** The secret payloads read or written so far (memory only). */
  get payloads(): Map<string, string | undefined> {
    return this.#payloads;
  }

  get applying(): boolean {
    return this.mode === 'apply';
  }

  get environment(): Environment {
    return this.stack.environment;
  }

  get region(): Stack['region'] {
    return this.stack.region;
  }

  get projectId(): string {
    return this.stack.project.id;
  }

  /** `{name}-{environment}`. */
  deployed(name: string): string {
    return deployedName(name, this.environment);
  }

  /** Calls the SDK, translating its failures (lib/scaleway/errors). */
  call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const context: ScalewayCallContext = { operation };

    return callScaleway(call, context);
  }

  /** Records a resource that needs nothing. */
  unchanged(
    kind: ResourceKind,
    name: string,
    id: string,
    reason?: string,
  ): PlanItem {
    const item: PlanItem = { kind, name, action: 'no-change', changes: [], id };
    if (reason !== undefined) {
      item.reason = reason;
    }
    this.items.push(item);

    return item;
  }

  /**
   * Records a change and, when applying, makes it: progress line before
   * and after, one audit event (create/update/delete, or an error event
   * on failure). Returns what `run` returns (`undefined` in plan mode).
   */
  async change<T>(
    spec: {
      kind: ResourceKind;
      name: string;
      action: Exclude<PlanAction, 'no-change'>;
      changes?: FieldChange[];
      reason?: string;
      id?: string;
      details?: Record<string, unknown>;
    },
    run: () => Promise<T>,
  ): Promise<T | undefined> {
    const item: PlanItem = {
      kind: spec.kind,
      name: spec.name,
      action: spec.action,
      changes: spec.changes ?? [],
    };
    if (spec.reason !== undefined) item.reason = spec.reason;
    if (spec.id !== undefined) item.id = spec.id;
    this.items.push(item);
    if (!this.applying) {
      return undefined;
    }

    return this.#run(item, spec.details ?? {}, run);
  }

  async #run<T>(
    item: PlanItem,
    details: Record<string, unknown>,
    run: () => Promise<T>,
  ): Promise<T> {
    const { audit, onProgress } = this.context;
    const type = AUDIT_TYPES[item.kind];
    onProgress?.({ phase: 'start', item });
    audit?.startOperation(type, item.name);

    let result: T;
    try {
      result = await run();
    } catch (error) {
      onProgress?.({ phase: 'failed', item });
      const operation =
        item.action === 'create' || item.action === 'delete'
          ? item.action
          : 'update';
      await audit?.logError(type, item.name, operation, error);
      throw new ProvisionStepError(item, error);
    }

    await this.#audit(type, item, details);
    onProgress?.({ phase: 'done', item });

    return result;
  }

  async #audit(
    type: string,
    item: PlanItem,
    details: Record<string, unknown>,
  ): Promise<void> {
    const { audit } = this.context;
    if (audit === undefined) {
      return;
    }
    if (item.action === 'create') {
      await audit.logCreate(type, item.name, details);
    } else if (item.action === 'delete') {
      await audit.logDelete(type, item.name, item.reason);
    } else {
      const changes = Object.fromEntries(
        item.changes.map((c) => [c.field, { from: c.from, to: c.to }]),
      );
      if (item.action === 'replace') {
        changes.replaced = { from: item.id ?? null, to: item.reason ?? null };
      }
      await audit.logUpdate(type, item.name, changes);
    }
  }

  /** Adds a resource to the applied state. */
  applied(resource: AppliedResource): void {
    this.resources.push(resource);
  }

  /** The same resource in the last applied state, if it was there. */
  previous(kind: ResourceKind, name: string): AppliedResource | undefined {
    return this.#previous.find((r) => r.kind === kind && r.name === name);
  }

  /** Whether a declared secret exists and holds at least one version. */
  hasValue(name: string): boolean {
    return (
      this.ids.has(`secret:${name}`) && (this.versionCounts.get(name) ?? 0) > 0
    );
  }

  /**
   * A digest of a consumer's argon2id `hash` with the secret's id and
   * version count: equal digests mean the consumer still holds the value
   * verified when the digest was recorded, and the secret has had no new
   * version since. Lets an apply skip reading the value (#9).
   */
  fingerprint(name: string, hash: string): string {
    const id = this.ids.get(`secret:${name}`) ?? '';
    const versions = this.versionCounts.get(name) ?? 0;

    return createHash('sha256')
      .update(`${hash}\u0000${id}\u0000${versions}`)
      .digest('hex')
      .slice(0, 32);
  }

  /**
   * Whether a declared secret will hold a value once applied: it has one
   * now, or (in a plan) the apply generates it; only a `manual` secret
   * without a version will not.
   */
  willHaveValue(name: string): boolean {
    if (this.hasValue(name)) return true;

    const generator = this.secret(name)?.generator.kind;

    return !this.applying && generator !== undefined && generator !== 'manual';
  }

  /** The declared secret of a base name. */
  secret(name: string): StackSecret | undefined {
    return this.stack.secrets.find((secret) => secret.name === name);
  }

  /**
   * The payload of a declared secret's latest enabled version, read from
   * Secret Manager once per run; `undefined` when it has no version.
   * Kept in memory only; never logged.
   */
  async secretPayload(name: string): Promise<string | undefined> {
    if (this.#payloads.has(name)) {
      return this.#payloads.get(name);
    }

    const id = this.ids.get(`secret:${name}`);
    const versions = this.versionCounts.get(name) ?? 0;
    let payload: string | undefined;
    if (id !== undefined && versions > 0) {
      const secret = this.secret(name);
      const access = await callScaleway(
        () =>
          this.context.clients.secret.accessSecretVersion({
            region: this.region,
            secretId: id,
            revision: 'latest_enabled',
          }),
        {
          operation: `read secret ${this.deployed(name)}`,
          secret: {
            name: this.deployed(name),
            path: secret?.path ?? '/',
            region: this.region,
          },
        },
      );
      payload = fromSecretData(access.data);
    }
    this.#payloads.set(name, payload);

    return payload;
  }

  /** Remembers a payload just written (no read-back needed). */
  rememberPayload(name: string, payload: string): void {
    this.#payloads.set(name, payload);
    this.versionCounts.set(name, (this.versionCounts.get(name) ?? 0) + 1);
  }

  /** What a consumer of the secret receives (see `consumerValue`). */
  async consumerValue(name: string): Promise<string | undefined> {
    const secret = this.secret(name);
    const payload = await this.secretPayload(name);
    if (secret === undefined || payload === undefined) {
      return undefined;
    }

    return consumerValue(secret.type, payload);
  }

  /** The role in a credentials secret (its `username`), if any. */
  async consumerUsername(name: string): Promise<string | undefined> {
    const payload = await this.secretPayload(name);
    if (payload === undefined) return undefined;

    return credentialsUsername(payload);
  }
}
