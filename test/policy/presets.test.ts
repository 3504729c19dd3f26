import { describe, expect, it } from 'vitest';
import {
  checkStack,
  PERMISSION_SET_SCOPES,
  PERMISSION_SETS,
  POLICY_PRESET_DEFINITIONS,
  permissionSetsFor,
  resolvePolicyRules,
} from '../../lib/policy/index.ts';
import { formatStackPath, POLICY_PRESETS } from '../../lib/stack/index.ts';
import { changedStack } from './fixtures.ts';

const ORIGINAL_SERVICES = [
  'serverless_containers',
  'database',
  'object_storage',
  'secret_manager',
  'container_registry',
  'cockpit',
  'vpc',
];

describe('PERMISSION_SETS', () => {
  it('holds the seven services of the original table, plus iam', () => {
    expect(Object.keys(PERMISSION_SETS)).toEqual([...ORIGINAL_SERVICES, 'iam']);
  });

  it.each(Object.keys(PERMISSION_SETS))(
    '%s has full_access and read_only',
    (service) => {
      expect(permissionSetsFor(service, 'full_access')).toBeDefined();
      expect(permissionSetsFor(service, 'read_only')).toBeDefined();
    },
  );

  it.each([
    {
      service: 'serverless_containers',
      access: 'deploy_only',
      sets: ['ContainersNamespacesCreate', 'ContainersNamespacesDelete'],
    },
    {
      service: 'object_storage',
      access: 'write_only',
      sets: ['ObjectStorageObjectsWrite', 'ObjectStorageBucketsWrite'],
    },
    {
      service: 'secret_manager',
      access: 'secret_access',
      sets: ['SecretManagerSecretAccess'],
    },
    {
      service: 'cockpit',
      access: 'logs_only',
      sets: ['ObservabilityLogsRead'],
    },
    {
      service: 'cockpit',
      access: 'metrics_only',
      sets: ['ObservabilityMetricsRead'],
    },
    { service: 'vpc', access: 'read_only', sets: ['VPCReadOnly'] },
  ])('$service $access grants $sets', ({ service, access, sets }) => {
    expect(permissionSetsFor(service, access)).toEqual(sets);
  });

  it.each([
    { service: 'kubernetes', access: 'full_access' },
    { service: 'database', access: 'secret_access' },
  ])('has nothing for $service $access', ({ service, access }) => {
    expect(permissionSetsFor(service, access)).toBeUndefined();
  });

  it('knows the scope type of every set it grants', () => {
    const granted = Object.values(PERMISSION_SETS).flatMap((levels) =>
      Object.values(levels).flat(),
    );

    for (const name of granted) {
      expect(PERMISSION_SET_SCOPES.has(name)).toBe(true);
    }
    expect(PERMISSION_SET_SCOPES.get('IAMManager')).toBe('organization');
    expect(PERMISSION_SET_SCOPES.get('ContainersFullAccess')).toBe('projects');
  });
});

describe('POLICY_PRESET_DEFINITIONS', () => {
  it.each([
    {
      preset: 'evalap-service',
      rules: [
        'serverless_containers:full_access',
        'database:full_access',
        'object_storage:full_access',
        'secret_manager:secret_access',
        'container_registry:read_only',
        'cockpit:read_only',
      ],
    },
    {
      preset: 'ci-cd',
      rules: [
        'serverless_containers:full_access',
        'container_registry:full_access',
        'secret_manager:read_only',
        'cockpit:read_only',
      ],
    },
  ] as const)('$preset has the guide table', ({ preset, rules }) => {
    const actual = POLICY_PRESET_DEFINITIONS[preset].rules.map(
      (rule) => `${rule.service}:${rule.access}`,
    );

    expect(actual).toEqual(rules);
  });

  it('read-only grants only read_only levels', () => {
    const levels = POLICY_PRESET_DEFINITIONS['read-only'].rules.map(
      (rule) => rule.access,
    );

    expect(new Set(levels)).toEqual(new Set(['read_only']));
  });

  it.each(POLICY_PRESETS)('%s passes the policy checks', (preset) => {
    const stack = changedStack('production', (s) => {
      s.iam.applications = [
        { name: 'evalap-service', policies: [{ name: 'policy', preset }] },
      ];
    });

    const findings = checkStack(stack).map((f) => formatStackPath(f.path));

    expect(findings).toEqual([]);
  });

  it('control-plane grants IAM on the organization, the rest on the project', () => {
    const rules = resolvePolicyRules({ name: 'cp', preset: 'control-plane' });

    const scopes = rules.map((rule) => `${rule.service}:${rule.scope}`);

    expect(scopes).toEqual([
      'iam:organization',
      'secret_manager:project',
      'vpc:project',
      'database:project',
      'serverless_containers:project',
      'object_storage:project',
    ]);
    expect(rules[0]?.permissionSetNames).toEqual([
      'IAMApplicationManager',
      'IAMPolicyManager',
    ]);
  });
});
