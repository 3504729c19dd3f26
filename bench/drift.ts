/**
 * Drift benchmark (issue 9 collects it into docs/performance.md): a
 * project of 10,000 resources on the local platform with 20 ms of
 * latency per API call; one drift check (list calls) against the
 * per-resource GET approach of most IaC refreshes, in the same run.
 *
 * Run: npx tsx bench/drift.ts
 */
import os from 'node:os';
import pLimit from 'p-limit';
import { checkDrift } from '../lib/drift/index.ts';
import type { LiveResource } from '../lib/inventory/index.ts';
import { InventoryReader } from '../lib/inventory/index.ts';
import { LOCAL_DEFAULTS } from '../local/defaults.ts';
import {
  applyForTest,
  driftStack,
  startDriftPlatform,
} from '../test/drift/fixture.ts';
import { seedResources, TEN_THOUSAND } from '../test/drift/seed.ts';

const LATENCY_MS = 20;
const CONCURRENCY = 4;

const platform = await startDriftPlatform();
try {
  const stack = driftStack();
  const ids = await applyForTest(platform.local, stack);
  seedResources(platform.local.api.store, TEN_THOUSAND);
  const { controls, local } = platform;
  controls.reset();
  controls.latency.set({ ms: LATENCY_MS });

  const listStart = performance.now();
  const report = await checkDrift({
    stack,
    apis: local,
    organizationId: LOCAL_DEFAULTS.organizationId,
    secretEnv: ids.secretEnv,
    concurrency: CONCURRENCY,
  });
  const listMs = performance.now() - listStart;
  const listCalls = controls.counters.snapshot().total;

  // Per-resource GETs: what a refresh does (it knows every id from its
  // state); the ids come from an inventory read before the clock starts.
  controls.latency.clear();
  const inventory = await new InventoryReader({
    apis: local,
    scope: {
      projectId: stack.project.id,
      organizationId: LOCAL_DEFAULTS.organizationId,
      region: stack.region,
    },
  }).readAll();
  const resources = Object.values(inventory.listings).flatMap((listing) =>
    listing.status === 'listed' ? (listing.resources as LiveResource[]) : [],
  );
  controls.reset();
  controls.latency.set({ ms: LATENCY_MS });
  const limit = pLimit(CONCURRENCY);
  const getStart = performance.now();
  await Promise.all(resources.map((r) => limit(() => getOne(r))));
  const getMs = performance.now() - getStart;
  const getCalls = controls.counters.snapshot().total;

  const minimum = report.api.minimumPages;
  const row = (approach: string, ms: number, calls: number) =>
    `| ${approach} | ${resources.length} | ${(ms / 1000).toFixed(2)} s | ` +
    `${calls} | ${(calls / minimum).toFixed(2)} |`;
  console.log(
    [
      '## Drift at scale',
      '',
      'Reproduce: `npx tsx bench/drift.ts` (part of `npm run bench`).',
      `Node ${process.version}. Target: at least 20× fewer calls than ` +
        'per-resource reads, under 15 s.',
      '',
      `Drift check, ${LATENCY_MS} ms per API call, concurrency ` +
        `${CONCURRENCY}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
      '',
      '| Approach | Resources | Wall time | API calls | Calls / minimum list pages |',
      '|---|---|---|---|---|',
      row('drift check (list calls)', listMs, listCalls),
      row('per-resource GET', getMs, getCalls),
      '',
      `Minimum list pages: ${minimum}. Per-resource GETs make ` +
        `${(getCalls / listCalls).toFixed(1)}× the calls of the drift check.`,
    ].join('\n'),
  );

  function getOne(resource: LiveResource): Promise<unknown> {
    const region = stack.region;
    switch (resource.type) {
      case 'vpc':
        return local.vpc.getVPC({ region, vpcId: resource.id });
      case 'private-network':
        return local.vpc.getPrivateNetwork({
          region,
          privateNetworkId: resource.id,
        });
      case 'secret':
        return local.secret.getSecret({ region, secretId: resource.id });
      case 'iam-application':
        return local.iam.getApplication({ applicationId: resource.id });
      case 'iam-policy':
        return local.iam.getPolicy({ policyId: resource.id });
      case 'database':
        return local.rdb.getInstance({ region, instanceId: resource.id });
      case 'container-namespace':
        return local.container.getNamespace({
          region,
          namespaceId: resource.id,
        });
      case 'container':
        return local.container.getContainer({
          region,
          containerId: resource.id,
        });
    }
  }
} finally {
  await platform.close();
}
