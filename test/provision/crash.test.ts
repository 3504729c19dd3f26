import pLimit from 'p-limit';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyStack, planStack } from '../../lib/provision/index.ts';
import { loadStack, type Stack } from '../../lib/stack/index.ts';
import { inventoryNames } from './inventory.ts';
import { type ProvisionFixture, startProvisionFixture } from './support.ts';

/** Thrown by the transport after the chosen write: a process crash. */
class SimulatedCrash extends Error {}

/**
 * Sits between the SDK clients and the network: counts write calls (to
 * the Scaleway API and to Object Storage) and, once armed, lets the N-th
 * one reach the platform, then fails as if the process died before
 * reading the answer.
 */
class CrashSwitch {
  writes = 0;
  crashAfter: number | undefined;

  afterWrite(): void {
    this.writes += 1;
    if (this.crashAfter !== undefined && this.writes === this.crashAfter) {
      throw new SimulatedCrash(`crash after write ${this.writes}`);
    }
  }

  wrapFetch = (inner: typeof fetch): typeof fetch =>
    (async (input: Request | string | URL, init?: RequestInit) => {
      const response = await inner(input, init);
      const method = (
        init?.method ??
        (input as Request).method ??
        'GET'
      ).toUpperCase();
      if (method !== 'GET' && method !== 'HEAD') this.afterWrite();
      return response;
    }) as typeof fetch;
}

async function startWithSwitch(crash: CrashSwitch): Promise<ProvisionFixture> {
  const fixture = await startProvisionFixture({ wrapFetch: crash.wrapFetch });
  fixture.context.clients.s3.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const request = args.request as { method?: string };
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        crash.afterWrite();
      }
      return result;
    },
    { step: 'finalizeRequest', name: 'crashSwitch' },
  );
  crash.writes = 0;

  return fixture;
}

let stack: Stack;
let reference: Record<string, string[]>;
let referenceText = '';
let totalWrites = 0;

interface CrashOutcome {
  label: string;
  crashed: boolean;
  names: string;
  pending: string[];
}

/** Crashes after write `n` on a fresh platform, re-runs, reads back. */
async function crashThenRerun(n: number): Promise<CrashOutcome> {
  const crash = new CrashSwitch();
  const fixture = await startWithSwitch(crash);
  try {
    crash.crashAfter = n;
    const crashed = await applyStack(fixture.context, stack).then(
      () => false,
      () => true,
    );
    crash.crashAfter = undefined;

    await applyStack(fixture.context, stack);
    const plan = await planStack(fixture.context, stack);
    const names = await inventoryNames(fixture.context, stack.project.id);

    return {
      label: `crash after write ${n}`,
      crashed,
      names: JSON.stringify(names),
      pending: plan.items
        .filter((i) => i.action !== 'no-change')
        .map((i) => `${i.action} ${i.kind} ${i.name}`),
    };
  } finally {
    await fixture.close();
  }
}

beforeAll(async () => {
  stack = await loadStack('stacks/production.yaml');
  const crash = new CrashSwitch();
  const fixture = await startWithSwitch(crash);
  await applyStack(fixture.context, stack);
  totalWrites = crash.writes;
  reference = await inventoryNames(fixture.context, stack.project.id);
  referenceText = JSON.stringify(reference);
  await fixture.close();
}, 60_000);

describe('applyStack after a crash', () => {
  it('counts the writes of a full apply', () => {
    expect(totalWrites).toBeGreaterThan(20);
  });

  it('converges after a crash following each write, none duplicated', async () => {
    const limit = pLimit(2);
    const runs = Array.from({ length: totalWrites }, (_, i) =>
      limit(() => crashThenRerun(i + 1)),
    );

    const outcomes = await Promise.all(runs);

    const diverged = outcomes.filter((o) => o.names !== referenceText);
    const pending = outcomes.filter((o) => o.pending.length > 0);
    expect(diverged.map((o) => o.label)).toEqual([]);
    expect(pending.map((o) => `${o.label}: ${o.pending.join(', ')}`)).toEqual(
      [],
    );
    expect(outcomes.every((o) => o.crashed)).toBe(true);
  }, 600_000);
});

describe('applyStack after a fault injected by the platform', () => {
  it.each([
    {
      label: 'a dropped connection on a secret version',
      fault: { route: 'POST /secret-manager/*', kind: 'drop' as const },
    },
    {
      label: 'a 503 on the container create',
      fault: { route: 'POST /containers/*', kind: 'error' as const },
    },
    {
      label: 'a 429 on the database create',
      fault: { route: 'POST /rdb/*', kind: 'throttle' as const },
    },
  ])('fails with $label, then converges', async ({ fault }) => {
    const fixture = await startProvisionFixture();
    try {
      fixture.platform.controls.faults.add({ ...fault, count: 1 });

      const failed = await applyStack(fixture.context, stack).then(
        () => undefined,
        (error: unknown) => error,
      );
      await applyStack(fixture.context, stack);
      const names = await inventoryNames(fixture.context, stack.project.id);

      expect(failed).toBeInstanceOf(Error);
      expect(JSON.stringify(names)).toBe(referenceText);
    } finally {
      await fixture.close();
    }
  });
});
