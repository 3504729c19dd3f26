import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDrift } from '../../lib/drift/index.ts';
import { environmentTag, MANAGED_BY_TAG } from '../../lib/inventory/index.ts';
import type { Stack } from '../../lib/stack/index.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import {
  type AppliedIds,
  applyForTest,
  type DriftPlatform,
  driftStack,
  required,
  startDriftPlatform,
} from './fixture.ts';

/** The managed tags, in the opposite order to the one applied. */
const REVERSED_TAGS = [environmentTag('staging'), MANAGED_BY_TAG];

describe('checkDrift and the order of lists', () => {
  let platform: DriftPlatform;
  let stack: Stack;
  let ids: AppliedIds;

  beforeAll(async () => {
    platform = await startDriftPlatform();
    stack = driftStack();
    ids = await applyForTest(platform.local, stack);
  });

  afterAll(() => platform.close());

  // Each row reorders one list through the API and reads it back, so the
  // test shows the live order really changed; rows accumulate.
  it.each([
    {
      case: 'the tags of the VPC',
      reorder: async () => {
        const { vpc } = platform.local;
        await vpc.updateVPC({ vpcId: ids.vpc, tags: REVERSED_TAGS });
        return (await vpc.getVPC({ vpcId: ids.vpc })).tags;
      },
      expected: REVERSED_TAGS,
    },
    {
      case: 'the tags of a secret',
      reorder: async () => {
        const { secret } = platform.local;
        const secretId = required(ids.secrets['api-key']);
        await secret.updateSecret({ secretId, tags: REVERSED_TAGS });
        return (await secret.getSecret({ secretId })).tags;
      },
      expected: REVERSED_TAGS,
    },
    {
      case: 'the tags of the database',
      reorder: async () => {
        const { rdb } = platform.local;
        const instanceId = ids.database;
        await rdb.updateInstance({ instanceId, tags: REVERSED_TAGS });
        return (await rdb.getInstance({ instanceId })).tags;
      },
      expected: REVERSED_TAGS,
    },
    {
      case: 'the rules of the IAM policy',
      reorder: async () => {
        const { iam } = platform.local;
        const policyId = ids.policy;
        const { rules } = await iam.listRules({ policyId });
        await iam.setRules({
          policyId,
          rules: [...rules].reverse().map((rule) => ({
            permissionSetNames: rule.permissionSetNames ?? [],
            projectIds: rule.projectIds ?? [],
            condition: '',
          })),
        });
        const live = await iam.listRules({ policyId });
        return live.rules.map((rule) => rule.permissionSetNames?.join());
      },
      expected: [
        'ObservabilityReadOnly',
        'ContainerRegistryReadOnly',
        'SecretManagerSecretAccess',
        'ObjectStorageFullAccess',
        'RelationalDatabasesFullAccess',
        'ContainersFullAccess',
      ],
    },
    {
      case: 'the keys of the container env',
      reorder: async () => {
        const { container } = platform.local;
        const containerId = ids.container;
        await container.updateContainer({
          containerId,
          environmentVariables: { FEATURES: 'a', LOG_LEVEL: 'info' },
        });
        const live = await container.getContainer({ containerId });
        return Object.keys(live.environmentVariables);
      },
      expected: ['FEATURES', 'LOG_LEVEL'],
    },
  ])('reports no drift when the live side reorders $case', async (row) => {
    const liveOrder = await row.reorder();

    const report = await checkDrift({
      stack,
      apis: platform.local,
      organizationId: LOCAL_DEFAULTS.organizationId,
      secretEnv: ids.secretEnv,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
    });

    expect(liveOrder).toEqual(row.expected);
    expect(report.findings).toEqual([]);
    expect(report.status).toBe('clean');
  });
});
