import { scoreNumber } from '../metrics/passing.js';
import type { MetricVersion } from '../ports.js';
import type { Score } from '../schemas/record.js';
import type { MetricAggregate } from '../schemas/run.js';

const median = (sorted: number[]) => {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Per-metric summary of a run's scores: pass rate over scored records, mean and median of the values, and a
 * 1–5 histogram for int metrics. Errored scores are counted apart and never enter the rates.
 */
export function aggregateScores(version: MetricVersion, scores: Score[]): MetricAggregate {
  const { outputType } = version.definition;
  const done = scores.filter((s) => s.status === 'completed');
  const values = done
    .map((s) => scoreNumber(outputType, s.score))
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  const passed = done.filter((s) => s.passed === true).length;
  const failed = done.filter((s) => s.passed === false).length;
  const aggregate: MetricAggregate = {
    metricId: version.metricId,
    metricVersionId: version.id,
    outputType,
    n: done.length,
    passed,
    failed,
    errored: scores.length - done.length,
    passRate: passed + failed > 0 ? passed / (passed + failed) : null,
    mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null,
    median: median(values),
  };
  if (outputType === 'int') {
    aggregate.histogram = Object.fromEntries(
      [1, 2, 3, 4, 5].map((k) => [String(k), values.filter((v) => v === k).length]),
    );
  }
  return aggregate;
}
