import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
let totalWrites = 0;

beforeAll(async () => {
  stack = await loadStack('stacks/production.yaml');
  const crash = new CrashSwitch();
  const fixture = await startWithSwitch(crash);
  await applyStack(fixture.context, stack);
  totalWrites = crash.writes;
  reference = await inventoryNames(fixture.context, stack.project.id);
  await fixture.close();
}, 60_000);

describe('applyStack after a crash', () => {
  it('counts the writes of a full apply', () => {
    expect(totalWrites).toBeGreaterThan(30);
  });

  it('converges after a crash following each write, none duplicated', async () => {
    const failures: string[] = [];

    for (let n = 1; n <= totalWrites; n += 1) {
      const crash = new CrashSwitch();
      const fixture = await startWithSwitch(crash);
      try {
        crash.crashAfter = n;
        await expect(applyStack(fixture.context, stack)).rejects.toThrow();
        crash.crashAfter = undefined;

        await applyStack(fixture.context, stack);
        const plan = await planStack(fixture.context, stack);
        const names = await inventoryNames(fixture.context, stack.project.id);

        const pending = plan.items.filter((i) => i.action !== 'no-change');
        if (
          pending.length > 0 ||
          JSON.stringify(names) !== JSON.stringify(reference)
        ) {
          failures.push(`crash after write ${n}`);
        }
        expect(names, `crash after write ${n}`).toEqual(reference);
        expect(pending, `crash after write ${n}`).toEqual([]);
      } finally {
        await fixture.close();
      }
    }

    expect(failures).toEqual([]);
  }, 600_000);
});

afterAll(() => undefined);
