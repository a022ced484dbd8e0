import { stringify } from 'csv-stringify/sync';
import type { RecordWithScores, Score } from '../schemas/record.js';

/**
 * Excel-safe CSV: CRLF line ends, fields with quotes or line breaks quoted, and text beginning with = + - @ tab
 * or CR (or their full-width forms) prefixed with ' so a spreadsheet shows it instead of running it as a formula.
 * Numbers we write ourselves (latency, cost, scores) stay numbers, negative ones included.
 */
const CSV_OPTIONS = {
  record_delimiter: 'windows',
  // Without this, naming a record delimiter stops csv-stringify quoting fields that hold a lone LF or CR.
  quote_record_delimiter: true,
  escape_formulas: true,
  cast: { boolean: (value: boolean) => (value ? 'true' : 'false') },
} as const;

export const UTF8_BOM = '\uFEFF';

export const csvLines = (rows: unknown[][]): string => stringify(rows, CSV_OPTIONS);

export interface MetricColumn {
  metricId: string;
  name: string;
}

/** Columns of an export, fixed before the first row is written (the file is streamed, never rewritten). */
export interface ColumnPlan {
  inputs: string[];
  expected: string[];
  outputs: string[];
  metrics: MetricColumn[];
}

const FIELD_GROUPS = ['inputs', 'expected', 'outputs'] as const;

/** What a column reads from one record: the record itself and its score for a metric (by the run's version). */
interface RowContext {
  record: RecordWithScores;
  score(metricId: string): Score | undefined;
}

/**
 * The columns of an export, each its header and how it reads a row, in one list: the header and the rows
 * cannot drift apart.
 */
function columnsOf(plan: ColumnPlan): Array<{ header: string; cell(row: RowContext): unknown }> {
  const names = uniqueNames(plan.metrics);
  const column = (header: string, read: (row: RowContext) => unknown) => ({ header, cell: read });
  return [
    column('recordId', ({ record }) => record.id),
    column('testcaseId', ({ record }) => record.testcaseId),
    column('status', ({ record }) => record.status),
    column('trial', ({ record }) => record.trial),
    ...FIELD_GROUPS.flatMap((group) =>
      plan[group].map((key) => column(`${group}.${key}`, ({ record }) => cell(record[group]?.[key]))),
    ),
    ...plan.metrics.flatMap((m, i) => {
      const name = names[i]!;
      const value = (s: Score) => s.score.binaryScore ?? s.score.intScore ?? s.score.floatScore ?? null;
      return [
        column(name, (row) => {
          const s = row.score(m.metricId);
          return s ? value(s) : null;
        }),
        column(`${name} passed`, (row) => row.score(m.metricId)?.passed ?? null),
        column(`${name} reasoning`, (row) => {
          const s = row.score(m.metricId);
          return s ? (s.score.reasoning ?? s.error ?? null) : null;
        }),
      ];
    }),
    column('latencyMs', ({ record }) => record.latencyMs),
    column('tokens', ({ record }) => (record.usage ? record.usage.promptTokens + record.usage.completionTokens : null)),
    column('costUsd', ({ record }) => record.costUsd),
    column('error', ({ record }) => record.error),
  ];
}

export const headerOf = (plan: ColumnPlan): string[] => columnsOf(plan).map((c) => c.header);

/** Two metrics with one name get their ids appended, so every column header is distinct. */
function uniqueNames(metrics: MetricColumn[]): string[] {
  const count = new Map<string, number>();
  for (const m of metrics) count.set(m.name, (count.get(m.name) ?? 0) + 1);
  return metrics.map((m) => ((count.get(m.name) ?? 0) > 1 ? `${m.name} (${m.metricId})` : m.name));
}

/**
 * One CSV row. `versionOf` names the metric version the record's run scored a metric with (runs keep scores
 * by version); a record whose run did not use a metric leaves its three cells empty.
 */
export function rowOf(
  plan: ColumnPlan,
  record: RecordWithScores,
  versionOf: (metricId: string) => string | undefined,
): unknown[] {
  const byVersion = new Map<string, Score>(record.scores.map((s) => [s.metricConfigId, s]));
  const score = (metricId: string) => {
    const version = versionOf(metricId);
    return version ? byVersion.get(version) : undefined;
  };
  return cachedColumns(plan).map((c) => c.cell({ record, score }));
}

/** A plan's columns, built once per plan rather than once per row (an export has one plan and many rows). */
const columnCache = new WeakMap<ColumnPlan, ReturnType<typeof columnsOf>>();
function cachedColumns(plan: ColumnPlan) {
  let columns = columnCache.get(plan);
  if (!columns) {
    columns = columnsOf(plan);
    columnCache.set(plan, columns);
  }
  return columns;
}

/** Text stays text (and is checked for formulas); numbers and booleans as such; anything else as JSON. */
function cell(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** The field names records use, in order of first appearance, for building a ColumnPlan. */
export class FieldCollector {
  private readonly seen = { inputs: new Set<string>(), expected: new Set<string>(), outputs: new Set<string>() };

  add(record: Pick<RecordWithScores, 'inputs' | 'expected' | 'outputs'>) {
    for (const group of FIELD_GROUPS) for (const key of Object.keys(record[group] ?? {})) this.seen[group].add(key);
  }

  /** Notes another collector's fields after these, in its order (a list read in parts, put back in order). */
  addFrom(other: FieldCollector) {
    for (const group of FIELD_GROUPS) for (const key of other.seen[group]) this.seen[group].add(key);
  }

  /** Fields in schema order (`preferred`, e.g. the testset's field mapping) first, then the rest as first seen. */
  fields(preferred: Partial<Record<(typeof FIELD_GROUPS)[number], string[]>>) {
    const order = (group: (typeof FIELD_GROUPS)[number]) => {
      const seen = this.seen[group];
      const first = (preferred[group] ?? []).filter((k) => seen.has(k));
      return [...new Set([...first, ...seen])];
    };
    return { inputs: order('inputs'), expected: order('expected'), outputs: order('outputs') };
  }
}
