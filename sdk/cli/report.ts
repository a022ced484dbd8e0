import type { Run, RunComparison } from '../types.js';
import { formatStatistic, type GateResult, number, percent } from './gate.js';

/** Left-aligned columns, two spaces apart. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function baselineCell(m: GateResult['metrics'][number]): string {
  const c = m.comparison;
  if (!c) return '';
  const fmt = (x: number | null) => formatStatistic(c.statistic, x);
  if (c.difference === null) return 'no data';
  const sign = c.difference > 0 ? '+' : '';
  const interval = c.interval ? ` [${fmt(c.interval.lower)}, ${fmt(c.interval.upper)}]` : '';
  return `${sign}${fmt(c.difference)}${interval} ${c.numRegressions} regressed`;
}

function gateCell(m: GateResult['metrics'][number]): string {
  if (m.errors.length) return 'ERROR';
  if (m.failures.length) return 'FAIL';
  return m.human ? 'human' : 'ok';
}

/** The human summary of a gated run: a header line, one row per metric, and the verdict. */
export function textReport(run: Run, url: string, result: GateResult, comparison: RunComparison | null): string {
  const head =
    `Run ${run.id}: ${run.status} · ${run.numRecords} records (${run.numErroredRecords} errored) · ${url}` +
    (comparison ? `\nBaseline ${comparison.baselineRunId}: ${comparison.paired} paired records` : '');
  const rows = [
    [
      'metric',
      'pass rate',
      'mean',
      'n',
      'errored',
      'error rate',
      ...(comparison ? ['vs baseline (95% CI)'] : []),
      'gate',
    ],
    ...result.metrics.map((m) => [
      m.name,
      percent(m.passRate),
      m.outputType === 'boolean' ? '' : number(m.mean),
      String(m.n),
      String(m.errored),
      percent(m.errorRate),
      ...(comparison ? [baselineCell(m)] : []),
      gateCell(m),
    ]),
  ];
  const reasons = [
    ...result.runFailures,
    ...result.metrics.flatMap((m) => [...m.errors, ...m.failures].map((f) => `${m.name}: ${f}`)),
  ];
  const verdict = result.passed ? 'PASSED' : `FAILED\n${reasons.map((r) => `  - ${r}`).join('\n')}`;
  return `${head}\n\n${table(rows)}\n\n${verdict}\n`;
}
