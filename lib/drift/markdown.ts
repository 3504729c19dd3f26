import { RESOURCE_TYPES } from '../inventory/types.ts';
import { describeDifference } from './difference.ts';
import { FINDING_CLASSES, type FindingClass } from './finding.ts';
import type { DriftReport, ReportedFinding } from './report.ts';

const CLASS_TITLES: Record<FindingClass, string> = {
  'policy-violation': 'Policy violations on live state',
  missing: 'Missing (declared, not found)',
  changed: 'Changed (declared and live differ)',
  unmanaged: 'Unmanaged (live, not declared)',
};

/** Width at which a difference wraps inside its table cell. */
const CELL_WIDTH = 60;

/**
 * The report as a Markdown page for people: status, a summary, one table
 * per class of finding (new ones marked), unknown types, resolved and
 * ignored differences. Each finding shows how the live value differs
 * (for a list, what it adds and lacks; for a map, which keys differ),
 * wrapped with `<br>` rather than cut. Values are the report's, already
 * masked.
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
      difference(f),
      cell(f.message),
    ].join(' | '),
  );

  return [
    '| | Severity | Resource | Field | Declared → live | What to do |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ];
}

function difference(finding: ReportedFinding): string {
  const parts = describeDifference(
    finding.field,
    finding.declared,
    finding.live,
  );

  return parts.flatMap((part) => wrap(cell(part))).join('<br>');
}

/** Splits a long text at the last space before the width (or at it). */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > CELL_WIDTH) {
    const window = rest.slice(0, CELL_WIDTH + 1);
    const space = window.lastIndexOf(' ');
    const at = space > 0 ? space : CELL_WIDTH;
    lines.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  lines.push(rest);

  return lines;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
