import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDrift,
  type DriftReport,
  LIVE_POLICY_RULES,
} from '../../lib/drift/index.ts';
import { environmentTag, MANAGED_BY_TAG } from '../../lib/inventory/index.ts';
import { deployedName, parseStack } from '../../lib/stack/index.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import {
  type AppliedIds,
  applyForTest,
  DRIFT_STACK_YAML,
  type DriftPlatform,
  driftStack,
  required,
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

    // The database recreated by hand without encryption at rest (it can
    // only be set at creation), with a public endpoint (its ACL is the
    // default 0.0.0.0/0), and the container taken off the private network.
    await local.rdb.deleteInstance({ instanceId: ids.database });
    const database = required(stack.database);
    const recreated = await local.rdb.createInstance({
      name: deployedName(database.name, stack.environment),
      engine: database.engine,
      nodeType: database.nodeType,
      userName: 'evalap_admin',
      password: 'Admin-Passw0rd!-xyz',
      isHaCluster: database.highAvailability,
      disableBackup: false,
      volumeType: database.volume.type,
      volumeSize: database.volume.sizeGb * 1e9,
      encryption: { enabled: false },
      initEndpoints: [
        {
          privateNetwork: {
            privateNetworkId: ids.privateNetwork,
            ipamConfig: {},
          },
        },
      ],
      backupSameRegion: false,
      tags: [MANAGED_BY_TAG, environmentTag(stack.environment)],
    });
    await local.rdb.createEndpoint({
      instanceId: recreated.id,
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
      secretEnv: ids.secretEnv,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
    });
  });

  afterAll(() => platform.close());

  it.each([
    {
      case: 'a database public endpoint',
      rule: LIVE_POLICY_RULES.publicEndpoint,
      type: 'database',
      severity: 'high',
    },
    {
      case: 'an open ACL on that endpoint',
      rule: LIVE_POLICY_RULES.openAcl,
      type: 'database',
      severity: 'high',
    },
    {
      case: 'encryption at rest off on the database',
      rule: LIVE_POLICY_RULES.encryption,
      type: 'database',
      severity: 'high',
    },
    {
      case: 'a container off the private network',
      rule: LIVE_POLICY_RULES.containerNetwork,
      type: 'container',
      severity: 'high',
    },
  ])('reports $case as a policy violation', (row) => {
    const found = report.findings.filter((f) => f.ruleId === row.rule);

    expect(found).toHaveLength(1);
    expect(found[0]?.class).toBe('policy-violation');
    expect(found[0]?.resourceType).toBe(row.type);
    expect(found[0]?.severity).toBe(row.severity);
  });

  it('reports encryption at rest off once, not also as changed', () => {
    const found = report.findings.filter((f) => f.field === 'encryptionAtRest');

    expect(found.map((f) => [f.class, f.declared, f.live])).toEqual([
      ['policy-violation', undefined, false],
    ]);
  });
});

describe('checkDrift live policy violations in production', () => {
  let platform: DriftPlatform;

  beforeAll(async () => {
    platform = await startDriftPlatform();
  });

  afterAll(() => platform.close());

  it('reports a container off the private network as critical', async () => {
    const stack = parseStack(
      DRIFT_STACK_YAML.replace(
        'environment: staging',
        'environment: production',
      ),
      'drift-production.yaml',
    );
    const ids = await applyForTest(platform.local, stack);
    await platform.local.container.updateContainer({
      containerId: ids.container,
      privateNetworkId: '',
    });

    const report = await checkDrift({
      stack,
      apis: platform.local,
      organizationId: LOCAL_DEFAULTS.organizationId,
      secretEnv: ids.secretEnv,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
    });
    const found = report.findings.filter(
      (f) => f.ruleId === LIVE_POLICY_RULES.containerNetwork,
    );

    expect(found.map((f) => [f.resourceName, f.severity])).toEqual([
      ['api-production', 'critical'],
    ]);
  });
});
