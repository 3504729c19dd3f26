import { describe, expect, it } from 'vitest';
import {
  checkStack,
  POLICY_PRESET_DEFINITIONS,
  resolvePolicyRules,
} from '../../lib/policy/index.ts';
import { formatStackPath, POLICY_PRESETS } from '../../lib/stack/index.ts';
import { changedStack } from './fixtures.ts';

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
