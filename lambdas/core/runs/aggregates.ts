import { scoreNumber } from '../metrics/passing.js';
import type { MetricVersion, ScoreTally } from '../ports.js';
import type { OutputType } from '../schemas/metric.js';
import type { Score } from '../schemas/record.js';
import type { MetricAggregate } from '../schemas/run.js';

const median = (sorted: number[]) => {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const emptyTally = (): ScoreTally => ({ n: 0, passed: 0, failed: 0, errored: 0, values: [] });

/** What the aggregates need of some scores of one metric version; tallies of disjoint sets of scores add up. */
export function tallyScores(outputType: OutputType, scores: Score[]): ScoreTally {
  const tally = emptyTally();
  for (const s of scores) {
    if (s.status !== 'completed') {
      tally.errored++;
      continue;
    }
    tally.n++;
    if (s.passed === true) tally.passed++;
    else if (s.passed === false) tally.failed++;
    const value = scoreNumber(outputType, s.score);
    if (value !== null) tally.values.push(value);
  }
  return tally;
}

export function addTally(into: ScoreTally, more: ScoreTally): ScoreTally {
  into.n += more.n;
  into.passed += more.passed;
  into.failed += more.failed;
  into.errored += more.errored;
  for (const v of more.values) into.values.push(v);
  return into;
}

/**
 * Per-metric summary of a run's scores: pass rate over scored records, mean and median of the values, and a
 * 1–5 histogram for int metrics (ten 0.1 bins for float metrics). Errored scores are counted apart and never enter the rates.
 */
export function aggregateTally(version: MetricVersion, tally: ScoreTally): MetricAggregate {
  const { outputType } = version.definition;
  const values = [...tally.values].sort((a, b) => a - b);
  const { passed, failed } = tally;
  const aggregate: MetricAggregate = {
    metricId: version.metricId,
    metricVersionId: version.id,
    name: version.definition.name,
    outputType,
    n: tally.n,
    passed,
    failed,
    errored: tally.errored,
    passRate: passed + failed > 0 ? passed / (passed + failed) : null,
    mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null,
    median: median(values),
  };
  if (tally.n === 0 && tally.errored > 0) aggregate.allErrored = true;
  if (outputType === 'int') {
    aggregate.histogram = Object.fromEntries(
      [1, 2, 3, 4, 5].map((k) => [String(k), values.filter((v) => v === k).length]),
    );
  }
  if (outputType === 'float') aggregate.histogram = floatHistogram(values);
  return aggregate;
}

/** Ten bins of 0.1 over 0–1, keyed by their lower bound ("0.0" … "0.9"); 1.0 counts in the last bin. */
function floatHistogram(values: number[]): Record<string, number> {
  const bins = Array.from({ length: 10 }, () => 0);
  for (const v of values) bins[Math.min(9, Math.max(0, Math.floor(v * 10)))]! += 1;
  return Object.fromEntries(bins.map((n, i) => [(i / 10).toFixed(1), n]));
}

export const aggregateScores = (version: MetricVersion, scores: Score[]): MetricAggregate =>
  aggregateTally(version, tallyScores(version.definition.outputType, scores));
