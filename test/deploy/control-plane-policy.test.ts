import { describe, expect, it } from 'vitest';
import { checkStack, resolvePolicyRules } from '../../lib/policy/index.ts';
import { formatStackPath, type IamPolicy } from '../../lib/stack/index.ts';
import { changedStack } from '../policy/fixtures.ts';

const CONTROL_PLANE: IamPolicy = {
  name: 'evalap-control-plane',
  preset: 'control-plane',
};

describe('the control plane IAM policy (preset control-plane)', () => {
  it('grants exactly the permission sets of the four functions', () => {
    const rules = resolvePolicyRules(CONTROL_PLANE);

    const granted = rules.map(
      (rule) => `${rule.scope}:${rule.permissionSetNames.join('+')}`,
    );

    expect(granted).toEqual([
      'organization:IAMApplicationManager+IAMPolicyManager',
      'project:SecretManagerFullAccess',
      'project:VPCFullAccess',
      'project:RelationalDatabasesFullAccess',
      'project:ContainersFullAccess',
      'project:ObjectStorageFullAccess',
    ]);
  });

  it('grants nothing on Functions, Queues or the whole account', () => {
    const names = resolvePolicyRules(CONTROL_PLANE).flatMap(
      (rule) => rule.permissionSetNames,
    );

    expect(
      names.filter((name) =>
        /Functions|MessagingAndQueuing|AllProducts|IAMManager|Owner/.test(name),
      ),
    ).toEqual([]);
  });

  it.each(['dev', 'staging', 'production'] as const)(
    'passes the policy checks of the %s stack',
    (environment) => {
      const stack = changedStack(environment, (s) => {
        s.iam.applications = [
          ...s.iam.applications,
          {
            name: 'evalap-control-plane',
            description: 'The evalap-infra control plane',
            policies: [
              { name: 'evalap-control-plane', preset: 'control-plane' },
            ],
          },
        ];
      });

      const findings = checkStack(stack)
        .filter((f) => f.path.join('.').includes('applications'))
        .map((f) => `${f.ruleId} ${formatStackPath(f.path)}`);

      expect(findings).toEqual([]);
    },
  );
});
