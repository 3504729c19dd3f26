import type { Finding } from '../policy/index.ts';
import { formatStackPath } from '../stack/index.ts';
import type { FieldChange, Plan, PlanItem, ProgressEvent } from './types.ts';

const SYMBOLS: Record<PlanItem['action'], string> = {
  create: '+',
  update: '~',
  replace: '-/+',
  delete: '-',
  'no-change': '=',
};

/**
 * A plan as a table a person reads: one row per resource (symbol, action,
 * kind, name, what changes and why), then a summary line. Secret material
 * only ever appears as `(set)`, `(stale)`, `(current)`.
 */
export function formatPlan(plan: Plan): string {
  const rows = plan.items.map((item) => [
    SYMBOLS[item.action],
    item.action,
    item.kind,
    item.name,
    details(item),
  ]);
  const header = ['', 'ACTION', 'KIND', 'NAME', 'DETAILS'];
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();

  const s = plan.summary;
  const lines = [line(header), ...rows.map(line), ''];
  lines.push(
    `Plan for ${plan.environment}: ${s.create} to create, ${s.update} to ` +
      `update, ${s.replace} to replace, ${s.delete} to delete, ` +
      `${s['no-change']} unchanged.`,
  );
  lines.push(...needsValueLines(plan));
  if (plan.replacements.length > 0) {
    lines.push(
      'Replacements delete and recreate the resource: apply them with ' +
        '--allow-replace.',
    );
  }
  lines.push(...plan.warnings.map(formatWarning));

  return lines.join('\n');
}

/**
 * What an apply did, in a few lines: the count per action, the revision
 * of the applied stack, and the manual secrets that still need a value.
 * Printed after the progress lines instead of the plan table.
 *
 * @example
 * formatApplySummary(response.plan)
 * // 'Applied production: 25 created, 0 updated, 0 replaced, 0 deleted,
 * //  1 unchanged.\nStack revision: 3f9a…'
 */
export function formatApplySummary(plan: Plan): string {
  const s = plan.summary;
  const lines = [
    `Applied ${plan.environment}: ${s.create} created, ${s.update} ` +
      `updated, ${s.replace} replaced, ${s.delete} deleted, ` +
      `${s['no-change']} unchanged.`,
    `Stack revision: ${plan.stackRevision}`,
    ...needsValueLines(plan),
  ];

  return lines.join('\n');
}

/** One progress line of an apply, e.g. `✓ create secret api-key-dev`. */
export function formatProgress(event: ProgressEvent): string | undefined {
  if (event.phase === 'start') {
    return undefined;
  }
  const mark = event.phase === 'done' ? '✓' : '✗';
  const { item } = event;

  return `${mark} ${item.action} ${item.kind} ${item.name}`;
}

function needsValueLines(plan: Plan): string[] {
  if (plan.needsValue.length === 0) return [];

  const names = plan.needsValue.join(', ');

  return [`Needs a value (manual secrets, add a version): ${names}`];
}

function details(item: PlanItem): string {
  const parts = item.changes.map(formatChange);
  if (item.reason !== undefined) {
    parts.push(item.reason);
  }

  return parts.join('; ');
}

function formatChange(change: FieldChange): string {
  return `${change.field}: ${show(change.from)} → ${show(change.to)}`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '(none)';

  return JSON.stringify(value);
}

function formatWarning(finding: Finding): string {
  const where = formatStackPath(finding.path);

  return `warning ${finding.ruleId} at ${where}: ${finding.message}`;
}
