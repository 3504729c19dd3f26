import { RESOURCE_TYPES } from '../inventory/types.ts';
import { FINDING_CLASSES, type FindingClass } from './finding.ts';
import type { DriftReport, ReportedFinding } from './report.ts';

const CLASS_TITLES: Record<FindingClass, string> = {
  'policy-violation': 'Policy violations on live state',
  missing: 'Missing (declared, not found)',
  changed: 'Changed (declared and live differ)',
  unmanaged: 'Unmanaged (live, not declared)',
};

const MAX_VALUE = 60;

/**
 * The report as a Markdown page for people: status, a summary, one table
 * per class of finding (new ones marked), unknown types, resolved and
 * ignored differences. Values are the report's, already masked.
 */
export function renderMarkdown(report: DriftReport): string {
  const lines = [
    `# Drift report: ${report.environment}`,
    '',
    `- Checked at: ${report.checkedAt}`,
    `- Project: ${report.projectId} (${report.region})`,
    `- Status: **${report.status}**`,
    `- Findings: ${report.summary.findings} (${report.summary.new} new, ` +
      `${report.summary.known} already reported), ` +
      `${report.summary.resolved} resolved since the last check`,
    `- API requests: ${report.api.requests} ` +
      `(fewest list pages possible: ${report.api.minimumPages})`,
    '',
  ];

  for (const kind of FINDING_CLASSES) {
    const findings = report.findings.filter((f) => f.class === kind);
    if (findings.length === 0) continue;
    lines.push(`## ${CLASS_TITLES[kind]}`, '', ...findingTable(findings), '');
  }

  const unknown = RESOURCE_TYPES.flatMap((type) => {
    const status = report.types[type];
    return status.status === 'unknown' ? [`- ${type}: ${status.reason}`] : [];
  });
  if (unknown.length > 0 || report.unchecked.length > 0) {
    lines.push(
      '## Not checked (unknown, not missing)',
      '',
      ...unknown,
      ...report.unchecked.map((item) => `- ${item}`),
      '',
    );
  }

  if (report.resolved.length > 0) {
    lines.push(
      '## Resolved since the last check',
      '',
      ...report.resolved.map(
        (r) =>
          `- ${r.class}: ${r.resourceType} ${r.resourceName}` +
          (r.field === undefined ? '' : ` (${r.field})`),
      ),
      '',
    );
  }

  if (report.ignored.length > 0) {
    lines.push(
      '## Ignored differences',
      '',
      ...report.ignored.map(
        (i) => `- ${i.resourceType} ${i.resourceName} ${i.field}: ${i.reason}`,
      ),
      '',
    );
  }

  if (report.status === 'clean') {
    lines.push('No drift: the live project matches the stack.', '');
  }
  lines.push('How to act on each class of finding: docs/drift.md.', '');

  return lines.join('\n');
}

function findingTable(findings: readonly ReportedFinding[]): string[] {
  const rows = findings.map((f) =>
    [
      f.status === 'new' ? '**new**' : 'known',
      f.severity,
      `${f.resourceType} \`${f.resourceName}\``,
      f.field ?? '',
      shown(f.declared),
      shown(f.live),
      f.message,
    ]
      .map(cell)
      .join(' | '),
  );

  return [
    '| | Severity | Resource | Field | Declared | Live | What to do |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ];
}

function shown(value: unknown): string {
  if (value === undefined) return '';

  const text = typeof value === 'string' ? value : JSON.stringify(value);

  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
