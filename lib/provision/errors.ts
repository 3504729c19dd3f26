import type { Fault } from '../http/fault.ts';
import type { Finding } from '../policy/index.ts';
import { ScalewayApiError } from '../scaleway/index.ts';
import type { PlanItem } from './types.ts';

/** Root of the provisioning errors; `fault` decides the HTTP answer. */
export class ProvisionError extends Error {
  override name = 'ProvisionError';
  readonly fault: Fault = 'ours';
  readonly httpStatus?: number | undefined;

  /** Caller-safe data for the body of a caller fault. */
  get details(): unknown {
    return undefined;
  }
}

/** The stack breaks policy rules: nothing was done (HTTP 422). */
export class PolicyRejectedError extends ProvisionError {
  override name = 'PolicyRejectedError';
  override readonly fault = 'caller';
  override readonly httpStatus = 422;
  readonly findings: Finding[];

  constructor(findings: Finding[]) {
    const errors = findings.filter((f) => f.severity === 'error').length;
    super(
      `The stack breaks ${errors} policy rule(s); nothing was changed. ` +
        'Fix every finding and send the request again.',
    );
    this.findings = findings;
  }

  override get details(): unknown {
    return { findings: this.findings };
  }
}

/**
 * The request is for an environment this control plane does not serve:
 * each stage's functions provision their own environment only (HTTP 422).
 */
export class EnvironmentNotServedError extends ProvisionError {
  override name = 'EnvironmentNotServedError';
  override readonly fault = 'caller';
  override readonly httpStatus = 422;

  constructor(requested: string, served: string) {
    super(
      `This control plane serves ${served}, not ${requested}: nothing was ` +
        `changed. Send the request to the ${requested} stage's provision ` +
        'function.',
    );
  }
}

/** The plan replaces resources and the request did not allow it (409). */
export class ReplacementRefusedError extends ProvisionError {
  override name = 'ReplacementRefusedError';
  override readonly fault = 'caller';
  override readonly httpStatus = 409;
  readonly replacements: PlanItem[];

  constructor(replacements: PlanItem[]) {
    const names = replacements.map((r) => `${r.kind} ${r.name}`);
    super(
      `Applying this stack would replace ${names.join(', ')} ` +
        `(${replacements.map((r) => r.reason).join('; ')}). ` +
        'Nothing was changed: send the request again with allowReplace ' +
        '(CLI: --allow-replace) if the replacement is intended.',
    );
    this.replacements = replacements;
  }

  override get details(): unknown {
    return { replacements: this.replacements };
  }
}

/**
 * A resource with a declared name exists but is not managed by
 * evalap-infra (no `managed-by` tag): it is never adopted silently.
 */
export class UnmanagedResourceError extends ProvisionError {
  override name = 'UnmanagedResourceError';
  override readonly fault = 'caller';
  override readonly httpStatus = 409;

  constructor(kind: string, name: string, environment: string) {
    super(
      `A ${kind} named ${name} already exists but is not managed by ` +
        'evalap-infra. Rename it, delete it, or tag it ' +
        `managed-by=evalap-infra and environment=${environment} to adopt it.`,
    );
  }
}

/** A protected secret cannot be replaced (replace means delete). */
export class ProtectedSecretError extends ProvisionError {
  override name = 'ProtectedSecretError';
  override readonly fault = 'caller';
  override readonly httpStatus = 409;

  constructor(name: string, reason: string) {
    super(
      `Secret ${name} is protected and would have to be replaced ` +
        `(${reason}). Protected secrets are never deleted: declare a new ` +
        'secret instead, or unprotect this one by hand first.',
    );
  }
}

/**
 * A change failed. Keeps the translated Scaleway error as `cause`, its
 * fault and, for a caller fault, its status (409 for a conflict with what
 * exists); the message says which resource and what to do.
 */
export class ProvisionStepError extends ProvisionError {
  override name = 'ProvisionStepError';
  override readonly fault: Fault;
  override readonly httpStatus: number | undefined;
  readonly item: PlanItem;

  constructor(item: PlanItem, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Could not ${item.action} ${item.kind} ${item.name}: ${reason}`, {
      cause,
    });
    this.item = item;
    this.fault = faultOfCause(cause);
    this.httpStatus =
      this.fault === 'caller' && cause instanceof ScalewayApiError
        ? cause.httpStatus
        : undefined;
  }
}

/** A value a step needs is missing (e.g. a manual secret with no value). */
export class MissingValueError extends ProvisionError {
  override name = 'MissingValueError';
  override readonly fault = 'caller';
  override readonly httpStatus = 409;

  constructor(message: string) {
    super(message);
  }
}

function faultOfCause(cause: unknown): Fault {
  const fault = (cause as { fault?: unknown } | undefined)?.fault;

  return fault === 'caller' || fault === 'outside' ? fault : 'ours';
}
