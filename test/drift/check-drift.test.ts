import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  checkDrift,
  type DriftReport,
  renderMarkdown,
} from '../../lib/drift/index.ts';
import { environmentTag, MANAGED_BY_TAG } from '../../lib/inventory/index.ts';
import type { Stack } from '../../lib/stack/index.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import {
  type AppliedIds,
  applyForTest,
  type DriftPlatform,
  driftStack,
  required,
  SECRET_VALUES,
  startDriftPlatform,
} from './fixture.ts';

const FAST_RETRY = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };

describe('checkDrift on the local platform', () => {
  let platform: DriftPlatform;
  let stack: Stack;
  let ids: AppliedIds;

  const check = (): Promise<DriftReport> =>
    checkDrift({
      stack,
      apis: platform.local,
      organizationId: LOCAL_DEFAULTS.organizationId,
      secretEnv: ids.secretEnv,
      store: platform.reports,
      retry: FAST_RETRY,
    });

  beforeAll(async () => {
    platform = await startDriftPlatform();
    stack = driftStack();
    ids = await applyForTest(platform.local, stack);
  });

  afterAll(() => platform.close());

  beforeEach(() => {
    platform.controls.faults.clear();
  });

  it('reports no drift in two checks in a row right after an apply', async () => {
    const first = await check();
    const second = await check();

    expect(first.findings).toEqual([]);
    expect(first.status).toBe('clean');
    expect(second.status).toBe('clean');
    expect(second.findings).toEqual([]);
    expect(Object.values(second.types).map((t) => t.status)).not.toContain(
      'unknown',
    );
  });

  it('compares secret variables by hash, reading no value', async () => {
    platform.controls.counters.reset();

    const report = await check();
    const routes = Object.keys(platform.controls.counters.snapshot().routes);

    expect(report.status).toBe('clean');
    expect(report.unchecked).toEqual([]);
    expect(routes.filter((route) => route.endsWith('/access'))).toEqual([]);
  });

  it('reports secret variables unchecked without a record', async () => {
    const report = await checkDrift({
      stack,
      apis: platform.local,
      organizationId: LOCAL_DEFAULTS.organizationId,
      retry: FAST_RETRY,
    });

    expect(report.findings).toEqual([]);
    expect(report.status).toBe('incomplete');
    expect(report.unchecked).toEqual(
      ['API_KEY', 'DATABASE_PASSWORD', 'DATABASE_USER'].map(
        (key) =>
          `api-staging secretEnv.${key}: no hash recorded ` +
          '(apply the stack once)',
      ),
    );
  });

  describe('after changes made through the API', () => {
    let report: DriftReport;

    beforeAll(async () => {
      const { local } = platform;
      await local.rdb.updateInstance({
        instanceId: ids.database,
        backupScheduleRetention: 3,
      });
      await local.container.updateContainer({
        containerId: ids.container,
        environmentVariables: {
          LOG_LEVEL: 'debug',
          FEATURES: 'a',
          DATABASE_URL: 'postgres://app:typed-url-password@db/app',
          WEBHOOK_TOKEN: 'typed-token',
        },
        secretEnvironmentVariables: [
          { key: 'DATABASE_PASSWORD', value: 'typed-in-the-console' },
        ],
      });
      await local.iam.setRules({
        policyId: ids.policy,
        rules: [
          {
            permissionSetNames: ['ContainersFullAccess'],
            organizationId: LOCAL_DEFAULTS.organizationId,
            condition: '',
          },
        ],
      });
      await local.secret.deleteSecret({
        secretId: required(ids.secrets['api-key']),
      });
      await local.container.createContainer({
        namespaceId: ids.namespace,
        name: 'hand-made',
        registryImage: 'rg.fr-par.scw.cloud/evalap/tool:1',
      });
      const staging = [MANAGED_BY_TAG, environmentTag('staging')];
      await local.secret.createSecret({
        name: 'stray-staging',
        path: '/evalap/stray',
        protected: false,
        tags: staging,
      });
      await local.vpc.createVPC({
        name: 'stray-vpc-staging',
        tags: staging,
        enableRouting: true,
      });
      await local.secret.createSecret({
        name: 'stray-production',
        path: '/evalap/stray',
        protected: false,
        tags: [MANAGED_BY_TAG, environmentTag('production')],
      });
      await local.iam.updateApplication({
        applicationId: ids.application,
        tags: [MANAGED_BY_TAG],
      });
      await local.secret.unprotectSecret({
        secretId: required(ids.secrets['db-password']),
      });

      report = await check();
    });

    it.each([
      {
        case: 'a database setting',
        class: 'changed',
        type: 'database',
        field: 'backupRetentionDays',
        declared: 14,
        live: 3,
        severity: 'medium',
      },
      {
        case: 'a container env var',
        class: 'changed',
        type: 'container',
        field: 'env',
        declared: { LOG_LEVEL: 'info', FEATURES: 'a' },
        live: {
          LOG_LEVEL: 'debug',
          FEATURES: 'a',
          DATABASE_URL: 'postgres://app:[REDACTED]@db/app',
          WEBHOOK_TOKEN: '[REDACTED]',
        },
        severity: 'medium',
      },
      {
        case: 'an IAM rule (org-wide: a policy violation)',
        class: 'policy-violation',
        type: 'iam-policy',
        field: 'rules',
        live: ['organization ContainersFullAccess'],
        severity: 'high',
      },
      {
        case: 'a secret deleted through the API',
        class: 'missing',
        type: 'secret',
        name: 'api-key-staging',
        severity: 'high',
      },
      {
        case: 'an unmanaged container in the managed namespace',
        class: 'unmanaged',
        type: 'container',
        name: 'hand-made',
        severity: 'medium',
      },
      {
        case: 'a secret tagged for staging, undeclared',
        class: 'unmanaged',
        type: 'secret',
        name: 'stray-staging',
        severity: 'medium',
      },
      {
        case: 'a VPC tagged for staging, undeclared',
        class: 'unmanaged',
        type: 'vpc',
        name: 'stray-vpc-staging',
        severity: 'medium',
      },
      {
        case: 'a tag removed from an application',
        class: 'changed',
        type: 'iam-application',
        field: 'tags',
        severity: 'low',
      },
      {
        case: 'a secret unprotected (security)',
        class: 'changed',
        type: 'secret',
        field: 'protected',
        declared: true,
        live: false,
        severity: 'high',
      },
    ])('reports $case as $class', (row) => {
      const found = report.findings.filter(
        (f) =>
          f.class === row.class &&
          f.resourceType === row.type &&
          (row.field === undefined || f.field === row.field) &&
          (row.name === undefined || f.resourceName === row.name),
      );

      expect(found).toHaveLength(1);
      if ('declared' in row) expect(found[0]?.declared).toEqual(row.declared);
      if ('live' in row) expect(found[0]?.live).toEqual(row.live);
      expect(found[0]?.severity).toBe(row.severity);
      expect(found[0]?.status).toBe('new');
    });

    it('leaves out a resource tagged for another environment', () => {
      const names = report.findings.map((f) => f.resourceName);

      expect(names).toContain('stray-staging');
      expect(names).not.toContain('stray-production');
    });

    it('reports the org-wide rule once, as a violation, not as changed', () => {
      const rules = report.findings.filter(
        (f) => f.resourceType === 'iam-policy' && f.class === 'changed',
      );

      expect(rules).toEqual([]);
      expect(report.status).toBe('drift');
    });

    it('masks secret env vars and credentials in plain ones', () => {
      const secretEnv = report.findings.filter((f) =>
        f.field?.startsWith('secretEnv.'),
      );
      const text = JSON.stringify(report);

      expect(secretEnv.map((f) => [f.field, f.declared, f.live])).toEqual([
        ['secretEnv.DATABASE_PASSWORD', '***', '***'],
      ]);
      expect(text).not.toContain('typed-in-the-console');
      expect(text).not.toContain('typed-url-password');
      expect(text).not.toContain('typed-token');
      expect(renderMarkdown(report)).toContain(
        'DATABASE_URL=postgres://app:[REDACTED]@db/app',
      );
      expect(text).not.toContain(SECRET_VALUES['db-password']);
      expect(text).not.toContain('$argon2id');
    });

    it.each([
      {
        case: 'its rotation redeploys',
        during: { rotating: new Set(['db-password-staging']) },
        reason: 'rotation of db-password-staging redeploying',
      },
      {
        case: 'its rotation record is unreadable',
        during: {
          rotating: new Set<string>(),
          unreadable: new Set(['db-password-staging']),
        },
        reason:
          'rotation record of db-password-staging unreadable ' +
          '(see docs/rotation.md)',
      },
      {
        case: 'an apply holds the environment lock',
        during: { rotating: new Set<string>(), lockedBy: 'apply r-1' },
        reason: 'apply r-1 holds the environment lock',
      },
    ])('ignores a changed hash while $case', async (row) => {
      const during = await checkDrift({
        stack,
        apis: platform.local,
        organizationId: LOCAL_DEFAULTS.organizationId,
        secretEnv: { hashes: ids.secretEnv.hashes, ...row.during },
        retry: FAST_RETRY,
      });
      const fields = during.findings.map((f) => f.field);

      expect(fields).not.toContain('secretEnv.DATABASE_PASSWORD');
      expect(during.ignored).toEqual([
        {
          resourceType: 'container',
          resourceName: 'api-staging',
          field: 'secretEnv.DATABASE_PASSWORD',
          reason: `${row.reason}: the hash it set is not recorded yet`,
        },
      ]);
    });

    it('reports the same drift as known the next time, not new', async () => {
      const again = await check();

      expect(again.summary.findings).toBe(report.summary.findings);
      expect(again.summary.new).toBe(0);
      expect(again.findings.map((f) => f.firstSeenAt)).toEqual(
        report.findings.map((f) => f.firstSeenAt),
      );
    });
  });
});
