import { describe, expect, it } from 'vitest';
import type { DriftReport, ReportedFinding } from '../../lib/drift/index.ts';
import { renderMarkdown } from '../../lib/drift/index.ts';
import { RESOURCE_TYPES } from '../../lib/inventory/types.ts';

const KEYS = [
  'DATABASE_PASSWORD',
  'DATABASE_USER',
  'API_KEY',
  'LLM_API_KEY',
  'SERVICE_API_KEY',
  'ARTIFACTS_SSE_KEY',
];

function changed(
  field: string,
  declared: unknown,
  live: unknown,
): ReportedFinding {
  return {
    class: 'changed',
    severity: 'high',
    resourceType: 'container',
    resourceName: 'api-production',
    field,
    declared,
    live,
    message: `container api-production: ${field} differs from the stack`,
    fingerprint: field,
    status: 'new',
    firstSeenAt: '2026-03-01T00:00:00.000Z',
  };
}

function reportOf(findings: ReportedFinding[]): DriftReport {
  const types = Object.fromEntries(
    RESOURCE_TYPES.map((type) => [type, { status: 'listed', count: 1 }]),
  ) as DriftReport['types'];

  return {
    version: 1,
    environment: 'production',
    projectId: 'p',
    region: 'fr-par',
    checkedAt: '2026-03-01T00:00:00.000Z',
    status: 'drift',
    summary: {
      findings: findings.length,
      new: findings.length,
      known: 0,
      resolved: 0,
      byClass: {
        'policy-violation': 0,
        missing: 0,
        changed: findings.length,
        unmanaged: 0,
      },
      bySeverity: { critical: 0, high: findings.length, medium: 0, low: 0 },
    },
    types,
    findings,
    resolved: [],
    unverified: [],
    ignored: [],
    unchecked: [],
    api: { requests: 1, minimumPages: 1 },
  };
}

function rowOf(markdown: string, field: string): string {
  const row = markdown.split('\n').find((line) => line.includes(` ${field} |`));
  if (row === undefined) throw new Error(`no row for ${field}`);

  return row;
}

describe('renderMarkdown', () => {
  describe('a changed finding', () => {
    it.each([
      {
        case: 'a list: what live adds and what it lacks',
        finding: changed('secretEnvKeys', KEYS, [
          ...KEYS.slice(1),
          'DEBUG_TOKEN',
        ]),
        shows: ['added: DEBUG_TOKEN', 'removed: DATABASE_PASSWORD'],
        hides: ['DATABASE_USER'],
      },
      {
        case: 'tags: only the missing ones (extra live tags are fine)',
        finding: changed(
          'tags',
          ['managed-by=evalap-infra', 'environment=production'],
          ['managed-by=evalap-infra', 'owner=me'],
        ),
        shows: ['removed: environment=production'],
        hides: ['owner=me'],
      },
      {
        case: 'a map: each key that differs',
        finding: changed(
          'env',
          { LOG_LEVEL: 'info', REGION: 'fr-par', OLD: 'x' },
          { LOG_LEVEL: 'debug', REGION: 'fr-par', NEW: 'y' },
        ),
        shows: [
          'added: NEW=y',
          'changed: LOG_LEVEL: info → debug',
          'removed: OLD',
        ],
        hides: ['REGION'],
      },
      {
        case: 'a scalar: declared → live',
        finding: changed('privacy', 'private', 'public'),
        shows: ['private → public'],
        hides: [],
      },
    ])('shows $case', ({ finding, shows, hides }) => {
      const row = rowOf(
        renderMarkdown(reportOf([finding])),
        finding.field ?? '',
      );

      for (const text of shows) expect(row).toContain(text);
      for (const text of hides) expect(row).not.toContain(text);
    });

    it('wraps a long difference instead of cutting it', () => {
      const many = KEYS.map((key) => `${key}_${'X'.repeat(12)}`);
      const finding = changed('secretEnvKeys', [], many);

      const row = rowOf(renderMarkdown(reportOf([finding])), 'secretEnvKeys');
      const cell = row.split(' | ')[4] ?? '';

      expect(row).not.toContain('…');
      for (const key of many) expect(cell).toContain(key);
      expect(cell.split('<br>').length).toBeGreaterThan(1);
      for (const line of cell.split('<br>')) {
        expect(line.length).toBeLessThanOrEqual(60);
      }
    });

    it('scrubs a password out of a plain env value it shows', () => {
      const finding = changed(
        'env',
        { DATABASE_URL: 'postgres://app@db/app' },
        { DATABASE_URL: 'postgres://app:hunter2-secret@db/app' },
      );

      const markdown = renderMarkdown(reportOf([finding]));

      expect(markdown).not.toContain('hunter2-secret');
      expect(markdown).toContain('postgres://app:[REDACTED]@db/app');
    });
  });
});
