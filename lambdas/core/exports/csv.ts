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

export function headerOf(plan: ColumnPlan): string[] {
  return [
    'recordId',
    'testcaseId',
    'status',
    'trial',
    ...FIELD_GROUPS.flatMap((group) => plan[group].map((key) => `${group}.${key}`)),
    ...uniqueNames(plan.metrics).flatMap((name) => [name, `${name} passed`, `${name} reasoning`]),
    'latencyMs',
    'tokens',
    'costUsd',
    'error',
  ];
}

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
  const usage = record.usage;
  return [
    record.id,
    record.testcaseId,
    record.status,
    record.trial,
    ...FIELD_GROUPS.flatMap((group) => plan[group].map((key) => cell(record[group]?.[key]))),
    ...plan.metrics.flatMap((m) => {
      const version = versionOf(m.metricId);
      const score = version ? byVersion.get(version) : undefined;
      if (!score) return [null, null, null];
      const value = score.score.binaryScore ?? score.score.intScore ?? score.score.floatScore ?? null;
      return [value, score.passed, score.score.reasoning ?? score.error ?? null];
    }),
    record.latencyMs,
    usage ? usage.promptTokens + usage.completionTokens : null,
    record.costUsd,
    record.error,
  ];
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
