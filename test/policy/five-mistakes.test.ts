import { describe, expect, it } from 'vitest';
import { checkStack } from '../../lib/policy/index.ts';
import { formatStackPath } from '../../lib/stack/index.ts';
import { changedStack } from './fixtures.ts';

describe('checkStack on a stack with five different mistakes', () => {
  it('reports all five in one run, each with its path', () => {
    const stack = changedStack('production', (s) => {
      if (!s.network || !s.database || !s.containers) {
        throw new Error('production example lacks a section');
      }
      s.network.privateNetwork.cidr = '8.8.8.0/24';
      s.database.encryptionAtRest = false;
      s.audit.retentionDays = 30;
      const api = s.containers.items[0];
      if (api) api.memory = 8192;
      const policy = s.iam.applications[2]?.policies[0];
      if (policy) {
        delete policy.preset;
        policy.rules = [
          { service: 'database', access: 'read_only', scope: 'organization' },
        ];
        policy.needs = { database: 'read' };
      }
    });

    const findings = checkStack(stack).map((f) => ({
      ruleId: f.ruleId,
      path: formatStackPath(f.path),
    }));

    expect(findings).toEqual(
      expect.arrayContaining([
        { ruleId: 'network.cidr-private', path: 'network.privateNetwork.cidr' },
        {
          ruleId: 'encryption.database-at-rest',
          path: 'database.encryptionAtRest',
        },
        { ruleId: 'audit.retention', path: 'audit.retentionDays' },
        {
          ruleId: 'containers.cpu-memory',
          path: 'containers.items[0].memory',
        },
        {
          ruleId: 'least-privilege.organization-wide',
          path: 'iam.applications[2].policies[0].rules[0].scope',
        },
      ]),
    );
    expect(findings, JSON.stringify(findings)).toHaveLength(5);
  });
});
