import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkDrift } from '../../lib/drift/index.ts';
import type { Stack } from '../../lib/stack/index.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import {
  type AppliedIds,
  applyForTest,
  type DriftPlatform,
  driftStack,
  startDriftPlatform,
} from './fixture.ts';
import { seedResources, TEN_THOUSAND } from './seed.ts';

const pagesOf = (items: number) => Math.max(1, Math.ceil(items / 100));

/**
 * List pages of 100 a complete inventory of the seeded platform needs:
 * every type once, containers once per namespace (two: the stack's and
 * the other team's).
 */
const MINIMUM_PAGES =
  pagesOf(1) + // vpcs
  pagesOf(1 + TEN_THOUSAND.privateNetworks) +
  pagesOf(2 + TEN_THOUSAND.secrets) +
  pagesOf(1) + // iam applications
  pagesOf(1) + // iam policies
  pagesOf(1) + // database instances
  pagesOf(2) + // container namespaces
  pagesOf(1) + // containers of the stack's namespace
  pagesOf(TEN_THOUSAND.containers);

describe('checkDrift with 10,000 resources', () => {
  let platform: DriftPlatform;
  let stack: Stack;
  let ids: AppliedIds;

  beforeAll(async () => {
    platform = await startDriftPlatform();
    stack = driftStack();
    ids = await applyForTest(platform.local, stack);
    seedResources(platform.local.api.store, TEN_THOUSAND);
  });

  afterAll(() => platform.close());

  beforeEach(() => {
    platform.controls.reset();
  });

  it('stays within 5% of the list pages needed, and finds no drift', async () => {
    const report = await checkDrift({
      stack,
      apis: platform.local,
      organizationId: LOCAL_DEFAULTS.organizationId,
      secretEnv: ids.secretEnv,
    });
    const calls = platform.controls.counters.snapshot();

    expect(report.status).toBe('clean');
    expect(report.api.minimumPages).toBe(MINIMUM_PAGES);
    expect(calls.write).toBe(0);
    expect(calls.total).toBeLessThanOrEqual(Math.floor(MINIMUM_PAGES * 1.05));
    expect(calls.total).toBe(report.api.requests);
  });

  it('reports a type under a 429 storm as unknown, and the others in full', async () => {
    platform.controls.faults.add({
      route: 'GET /secret-manager/v1beta1/regions/{region}/secrets',
      kind: 'throttle',
      retryAfterSeconds: 0,
    });
    await platform.local.container.createContainer({
      namespaceId: await stackNamespaceId(platform),
      name: 'during-the-storm',
      registryImage: 'rg.fr-par.scw.cloud/evalap/tool:1',
    });

    const report = await checkDrift({
      stack,
      apis: platform.local,
      organizationId: LOCAL_DEFAULTS.organizationId,
      secretEnv: ids.secretEnv,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
    });
    const secretRoute = platform.controls.counters.count(
      'GET /secret-manager/v1beta1/regions/{region}/secrets',
    );

    expect(report.types.secret.status).toBe('unknown');
    expect(report.findings.filter((f) => f.class === 'missing')).toEqual([]);
    expect(report.findings.map((f) => [f.class, f.resourceName])).toEqual([
      ['unmanaged', 'during-the-storm'],
    ]);
    expect(report.types['private-network']).toEqual({
      status: 'listed',
      count: 1 + TEN_THOUSAND.privateNetworks,
    });
    expect(report.types.container).toEqual({
      status: 'listed',
      count: 2 + TEN_THOUSAND.containers,
    });
    expect(secretRoute).toBe(3);
  });
});

async function stackNamespaceId(platform: DriftPlatform): Promise<string> {
  const { namespaces } = await platform.local.container.listNamespaces({
    name: 'evalap-staging',
  });
  const id = namespaces[0]?.id;
  if (id === undefined) throw new Error('stack namespace not found');

  return id;
}
