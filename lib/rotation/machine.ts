import { SIGNING_KEY_SECRET } from '../audit/runtime.ts';
import { faultOf } from '../http/fault.ts';
import { scrubSecrets } from '../log/index.ts';
import { consumersOfSecret, type StackSecret } from '../stack/index.ts';
import {
  copyPrivileges,
  scrambleRolePassword,
  setRolePassword,
  testLogin,
} from './database.ts';
import { RotationSetupError, RotationStepError } from './errors.ts';
import {
  applicationIdOf,
  checkApiKey,
  createApiKey,
  deleteApiKey,
  keysOfRotation,
} from './iam.ts';
import {
  deleteRotationRecord,
  type RotationRecord,
  writeRotationRecord,
} from './record.ts';
import { getContainer, holdsValues } from './redeploy.ts';
import type { RotationRun } from './run-context.ts';
import { nextStep, ROTATION_STEPS, type RotationStep } from './steps.ts';
import {
  type Credentials,
  consumerValues,
  credentialsOf,
  type EnvValue,
  fromSecretData,
  generatePassword,
  generateValue,
  hasDeclaredShape,
  nextRole,
  toSecretData,
  withCredentials,
} from './values.ts';

/** One consumer's expected variables for the new value. */
export interface ConsumerValues {
  container: string;
  containerId: string;
  values: EnvValue[];
}

/**
 * The rotation of one secret: runs its steps from the record's `step`,
 * saving the record after each one, so that whatever stops it (a crash,
 * a failure) the next run continues where it stopped.
 */
export class SecretRotation {
  readonly run: RotationRun;
  readonly secret: StackSecret;
  /** Whether the run found it in progress (resumed) or started it. */
  readonly resumed: boolean;
  record: RotationRecord;
  /** The step the run found it at. */
  readonly initialStep: RotationStep;
  /** Containers that hold the new value after this run's redeploy. */
  readonly containers: string[] = [];
  /** The role the new value logs in as, once this run set it. */
  role: string | undefined;
  readonly warnings: string[] = [];
  readonly #payloads = new Map<number, Promise<string>>();

  constructor(
    run: RotationRun,
    secret: StackSecret,
    record: RotationRecord,
    resumed: boolean,
  ) {
    this.run = run;
    this.secret = secret;
    this.record = record;
    this.initialStep = record.step;
    this.resumed = resumed;
  }

  /** Saves the record with `patch` applied. */
  async save(patch: Partial<RotationRecord>): Promise<void> {
    const record = {
      ...this.record,
      ...patch,
      updatedAt: this.run.now().toISOString(),
    };
    await writeRotationRecord(
      this.run.clients.s3,
      this.run.context.stateBucket,
      this.run.stack.environment,
      record,
    );
    this.record = record;
  }

  /** Runs steps until the record's step is `stop` (or it finished). */
  async advanceUntil(stop: RotationStep | 'done'): Promise<void> {
    const end = stop === 'done' ? ROTATION_STEPS.length : index(stop);
    while (index(this.record.step) < end && !this.done) {
      await this.runStep(this.record.step);
    }
  }

  /** True once `finish` ran (the record is deleted). */
  done = false;

  /** Runs one step, audits it and moves the record to the next one. */
  async runStep(step: RotationStep): Promise<void> {
    const details = await this.#execute(step);
    await this.run.auditStep(this.secret, this.record, step, details);
    this.run.logger.info(
      {
        secretName: this.secret.name,
        step,
        rotationId: this.record.rotationId,
      },
      'rotation step done',
    );

    const next = nextStep(step);
    if (next === undefined) {
      await deleteRotationRecord(
        this.run.clients.s3,
        this.run.context.stateBucket,
        this.run.stack.environment,
        this.secret.name,
      );
      this.done = true;
      return;
    }
    await this.save({ step: next });
  }

  /**
   * Records the failure of a step: the rotation is `stuck` there, with
   * the reason; the old value still works (nothing past this step ran).
   */
  async markStuck(step: RotationStep, error: unknown): Promise<void> {
    const fault = faultOf(error);
    const reason = scrubSecrets(
      error instanceof Error ? error.message : String(error),
    );
    const failure = new RotationStepError(
      this.secret.name,
      step,
      reason,
      fault,
      { cause: error },
    );
    this.run.logger.warn(
      { secretName: this.secret.name, step, fault, err: failure },
      'rotation stuck',
    );
    await this.save({
      status: 'stuck',
      attempts: this.record.attempts + 1,
      stuck: { step, reason, fault, at: this.run.now().toISOString() },
    });
    await this.run.auditStep(
      this.secret,
      this.record,
      'stuck',
      {
        failed_step: step,
        fault,
      },
      failure,
    );
  }

  /** True when automatic runs no longer retry it. */
  get needsOperator(): boolean {
    const stuck = this.record.stuck;
    if (this.record.status !== 'stuck' || stuck === undefined) return false;

    return (
      stuck.fault !== 'outside' ||
      this.record.attempts >= this.run.maxAutomaticAttempts
    );
  }

  /** The variables each consumer must hold for the pending value. */
  async consumerValues(): Promise<ConsumerValues[]> {
    const pending = await this.#pendingPayload();

    return consumersOfSecret(this.run.stack, this.secret.name).map((b) => ({
      container: b.container,
      containerId: this.run.resourceId(
        'container',
        this.run.deployed(b.container),
        this.secret.name,
      ),
      values: consumerValues(
        this.record.strategy,
        this.secret.type,
        pending,
        b.env,
        this.record.pendingAccessKey,
      ),
    }));
  }

  #execute(step: RotationStep): Promise<Record<string, unknown>> {
    switch (step) {
      case 'create-pending':
        return this.#createPending();
      case 'set-in-target':
        return this.#setInTarget();
      case 'test':
        return this.#test();
      case 'redeploy':
        // The run redeploys containers for all secrets at once and only
        // then moves each record past this step (see run.ts).
        return Promise.resolve({});
      case 'verify':
        return this.#verify();
      case 'finish':
        return this.#finish();
    }
  }

  async #createPending(): Promise<Record<string, unknown>> {
    const { run, record } = this;
    const versions = await run.call('list secret versions', () =>
      run.clients.secret
        .listSecretVersions({ region: run.region, secretId: record.secretId })
        .all(),
    );
    const existing = versions.find((v) =>
      v.description?.includes(record.rotationId),
    );
    if (existing) {
      await this.save({
        pendingRevision: existing.revision,
        ...accessKeyFrom(existing.description, record),
      });
      return { recovered: true };
    }

    const previous = await this.#payload(record.previousRevision);
    const { value, accessKey } = await this.#newValue(previous);
    const created = await run.call(
      'create secret version',
      () =>
        run.clients.secret.createSecretVersion({
          region: run.region,
          secretId: record.secretId,
          data: toSecretData(value),
          description: versionDescription(record.rotationId, accessKey),
        }),
      false,
    );
    this.#payloads.set(created.revision, Promise.resolve(value));
    await this.save({
      pendingRevision: created.revision,
      ...(accessKey === undefined ? {} : { pendingAccessKey: accessKey }),
    });

    return {};
  }

  async #newValue(
    previous: string,
  ): Promise<{ value: string; accessKey?: string }> {
    const { secret, record, run } = this;
    switch (record.strategy) {
      case 'generated':
        return { value: generateValue(secret, previous) };
      case 'iam-api-key': {
        const applicationId = applicationIdOf(run, secret);
        const orphans = await keysOfRotation(
          run,
          applicationId,
          record.rotationId,
        );
        for (const orphan of orphans) {
          await deleteApiKey(run, orphan.accessKey);
        }
        const key = await createApiKey(run, applicationId, record.rotationId);
        const secretKey = key.secretKey ?? '';
        const value =
          secret.type === 'key_value'
            ? JSON.stringify({
                access_key: key.accessKey,
                secret_key: secretKey,
              })
            : secretKey;
        return { value, accessKey: key.accessKey };
      }
      default: {
        const current = credentialsOf(secret.type, previous);
        const role = nextRole(
          record.strategy,
          this.#declaredUser(),
          current.username,
        );
        const password = generatePassword();
        return {
          value: withCredentials(secret.type, previous, role, password),
        };
      }
    }
  }

  async #setInTarget(): Promise<Record<string, unknown>> {
    const { run, record } = this;
    if (record.strategy === 'generated' || record.strategy === 'iam-api-key') {
      return {};
    }

    const instance = await run.instance(this.secret.name);
    const pending = await this.#pendingCredentials();
    const previous = await this.#previousCredentials();
    if (record.strategy === 'single-user') {
      const alreadySet = await testLogin(run, instance, this.#login(pending))
        .then(() => true)
        .catch(() => false);
      if (alreadySet) {
        this.role = pending.username ?? this.#declaredUser();
        return { already_set: true };
      }
      // prove the database is reachable before changing anything.
      await testLogin(run, instance, this.#login(previous));
    }

    const role = pending.username ?? this.#declaredUser();
    const created = await setRolePassword(
      run,
      instance,
      role,
      pending.password ?? '',
    );
    this.role = role;
    const from = previous.username ?? this.#declaredUser();
    if (record.strategy === 'alternating-users' && from !== role) {
      const warnings = await copyPrivileges(run, instance, from, role);
      this.warnings.push(...warnings);
    }

    return { role, role_created: created };
  }

  async #test(): Promise<Record<string, unknown>> {
    const { run, record, secret } = this;
    switch (record.strategy) {
      case 'generated': {
        const pending = await this.#pendingPayload();
        if (!hasDeclaredShape(secret, pending)) {
          throw new RotationSetupError(
            `the new version of ${secret.name} does not have the declared ` +
              'shape',
            secret.name,
          );
        }
        return {};
      }
      case 'iam-api-key': {
        const accessKey = record.pendingAccessKey;
        if (accessKey === undefined) {
          throw new RotationSetupError('the new API key is unknown');
        }
        await checkApiKey(run, applicationIdOf(run, secret), accessKey);
        return {};
      }
      default: {
        const instance = await run.instance(secret.name);
        const pending = await this.#pendingCredentials();
        await testLogin(run, instance, this.#login(pending));
        return { ssl_mode: run.stack.database?.sslMode ?? 'verify-full' };
      }
    }
  }

  async #verify(): Promise<Record<string, unknown>> {
    const { run, secret } = this;
    const consumers = await this.consumerValues();
    for (const consumer of consumers) {
      // Read back (argon2id) by this run's redeploy: nothing to add.
      if (run.verifiedContainers.has(consumer.containerId)) continue;
      const container = await getContainer(run, consumer);
      const holds =
        container.status === 'ready' &&
        (await holdsValues(container, consumer.values));
      if (!holds) {
        throw new RotationSetupError(
          `container ${consumer.container} is not ready with the new value ` +
            `of ${secret.name}`,
          secret.name,
        );
      }
    }
    if (this.#isDatabase()) {
      const instance = await run.instance(secret.name);
      await testLogin(
        run,
        instance,
        this.#login(await this.#pendingCredentials()),
      );
    }

    const finishAfter = new Date(run.now().getTime() + run.graceMs);
    await this.save({ finishAfter: finishAfter.toISOString() });

    return {
      consumers: consumers.map((c) => c.container),
      finish_after: finishAfter.toISOString(),
    };
  }

  /** Whether `finish` may run now (its grace period is over). */
  get graceOver(): boolean {
    const after = this.record.finishAfter;

    return after === undefined || this.run.now() >= new Date(after);
  }

  async #finish(): Promise<Record<string, unknown>> {
    const { run, record, secret } = this;
    const keepPrevious = keepsPreviousVersions(run, secret);
    if (!keepPrevious) {
      await this.#disableVersion(record.previousRevision);
    }

    let retired: string | undefined;
    if (record.strategy === 'alternating-users') {
      // The other role of the pair, derived rather than read: the
      // previous version may already be disabled (a re-run of finish).
      const pending = await this.#pendingCredentials();
      retired = nextRole(
        record.strategy,
        this.#declaredUser(),
        pending.username,
      );
      const instance = await run.instance(secret.name);
      await scrambleRolePassword(run, instance, retired);
    }
    if (record.strategy === 'iam-api-key' && record.previousAccessKey) {
      await deleteApiKey(run, record.previousAccessKey);
    } else if (record.strategy === 'iam-api-key') {
      this.warnings.push(
        'the previous API key is unknown: delete it by hand in IAM',
      );
    }

    return {
      previous_version: keepPrevious ? 'kept enabled' : 'disabled',
      ...(retired ? { retired_role: retired } : {}),
    };
  }

  async #disableVersion(revision: number): Promise<void> {
    const { run, record } = this;
    const request = {
      region: run.region,
      secretId: record.secretId,
      revision: String(revision),
    };
    const version = await run.call('get secret version', () =>
      run.clients.secret.getSecretVersion(request),
    );
    if (version.status !== 'enabled') return;

    await run.call('disable the previous secret version', () =>
      run.clients.secret.disableSecretVersion(request),
    );
  }

  #isDatabase(): boolean {
    const strategy = this.record.strategy;

    return strategy === 'alternating-users' || strategy === 'single-user';
  }

  #declaredUser(): string {
    const generator = this.secret.generator;

    return generator.kind === 'database-user' ? generator.user : '';
  }

  #login(credentials: Credentials) {
    return {
      user: credentials.username ?? this.#declaredUser(),
      password: credentials.password ?? '',
      database:
        credentials.dbname ?? this.run.stack.database?.databaseName ?? '',
    };
  }

  async #pendingCredentials(): Promise<Credentials> {
    return credentialsOf(this.secret.type, await this.#pendingPayload());
  }

  async #previousCredentials(): Promise<Credentials> {
    const payload = await this.#payload(this.record.previousRevision);

    return credentialsOf(this.secret.type, payload);
  }

  #pendingPayload(): Promise<string> {
    const revision = this.record.pendingRevision;
    if (revision === undefined) {
      throw new RotationSetupError('the rotation has no pending version yet');
    }

    return this.#payload(revision);
  }

  /** A version's payload, read by revision, once per run. */
  #payload(revision: number): Promise<string> {
    const hit = this.#payloads.get(revision);
    if (hit) return hit;

    const { run, record } = this;
    const loading = run
      .call(`read secret version ${revision}`, () =>
        run.clients.secret.accessSecretVersion({
          region: run.region,
          secretId: record.secretId,
          revision: String(revision),
        }),
      )
      .then((access) => fromSecretData(access.data));
    this.#payloads.set(revision, loading);
    loading.catch(() => this.#payloads.delete(revision));

    return loading;
  }
}

/**
 * Secrets whose previous versions stay enabled after a rotation: keys
 * that encrypt (SSE-C) or sign data at rest, which older objects and
 * digests still need.
 */
export function keepsPreviousVersions(
  run: RotationRun,
  secret: StackSecret,
): boolean {
  const encrypts = run.stack.buckets.some(
    (b) => b.sseC?.keySecret === secret.name,
  );

  return encrypts || secret.name === SIGNING_KEY_SECRET;
}

/** The description of a rotation's version: its id, its access key. */
export function versionDescription(
  rotationId: string,
  accessKey?: string,
): string {
  const base = `evalap-infra rotation ${rotationId}`;

  return accessKey === undefined ? base : `${base} access_key=${accessKey}`;
}

/** The access key named in a version's description, if any. */
export function accessKeyInDescription(
  description: string | undefined,
): string | undefined {
  return description?.match(/access_key=(\S+)/)?.[1];
}

function accessKeyFrom(
  description: string | undefined,
  record: RotationRecord,
): Partial<RotationRecord> {
  const accessKey = accessKeyInDescription(description);
  if (accessKey === undefined || record.pendingAccessKey) return {};

  return { pendingAccessKey: accessKey };
}

function index(step: RotationStep): number {
  return ROTATION_STEPS.indexOf(step);
}
