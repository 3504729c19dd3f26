import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDrift,
  type DriftReport,
  LIVE_POLICY_RULES,
} from '../../lib/drift/index.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import {
  type AppliedIds,
  applyForTest,
  type DriftPlatform,
  driftStack,
  startDriftPlatform,
} from './fixture.ts';

describe('checkDrift live policy violations', () => {
  let platform: DriftPlatform;
  let ids: AppliedIds;
  let report: DriftReport;

  beforeAll(async () => {
    platform = await startDriftPlatform();
    const stack = driftStack();
    ids = await applyForTest(platform.local, stack);
    const { local } = platform;

    // A public endpoint added by hand (its ACL is the default 0.0.0.0/0),
    // and the container taken off the private network.
    await local.rdb.createEndpoint({
      instanceId: ids.database,
      endpointSpec: { loadBalancer: {} },
    });
    await local.container.updateContainer({
      containerId: ids.container,
      privateNetworkId: '',
    });

    report = await checkDrift({
      stack,
      apis: local,
      organizationId: LOCAL_DEFAULTS.organizationId,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
    });
  });

  afterAll(() => platform.close());

  it.each([
    {
      case: 'a database public endpoint',
      rule: LIVE_POLICY_RULES.publicEndpoint,
      type: 'database',
    },
    {
      case: 'an open ACL on that endpoint',
      rule: LIVE_POLICY_RULES.openAcl,
      type: 'database',
    },
    {
      case: 'a container off the private network',
      rule: LIVE_POLICY_RULES.containerNetwork,
      type: 'container',
    },
  ])('reports $case as a policy violation', (row) => {
    const found = report.findings.filter((f) => f.ruleId === row.rule);

    expect(found).toHaveLength(1);
    expect(found[0]?.class).toBe('policy-violation');
    expect(found[0]?.resourceType).toBe(row.type);
  });
});
