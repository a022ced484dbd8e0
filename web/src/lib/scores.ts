import type { Metric, MetricAggregate, Run, Score } from '../../../sdk/types.js';
import { decimal, percent } from './format.js';

/** The number a score carries, whatever its output type (booleans as 1 / 0). */
export function scoreNumber(score: Score['score']): number | null {
  if (typeof score.binaryScore === 'boolean') return score.binaryScore ? 1 : 0;
  if (typeof score.intScore === 'number') return score.intScore;
  if (typeof score.floatScore === 'number') return score.floatScore;
  return null;
}

export function scoreText(score: Score | undefined): string {
  if (!score) return '—';
  if (score.status === 'errored') return 'error';
  if (score.status === 'pending') return '…';
  const v = score.score;
  if (typeof v.binaryScore === 'boolean') return v.binaryScore ? 'pass' : 'fail';
  return decimal(scoreNumber(v));
}

/** pass / fail / error / pending, for the colour of a cell. */
export function scoreTone(score: Score | undefined): 'pass' | 'fail' | 'error' | 'pending' | 'none' {
  if (!score) return 'none';
  if (score.status === 'errored') return 'error';
  if (score.status === 'pending') return 'pending';
  return score.passed === true ? 'pass' : score.passed === false ? 'fail' : 'none';
}

/** The headline figure of an aggregate: pass rate for booleans, mean for int/float. */
export function aggregateHeadline(a: MetricAggregate | undefined): string {
  if (!a) return '—';
  return a.outputType === 'boolean' ? percent(a.passRate) : decimal(a.mean);
}

export interface RunMetric {
  metricId: string;
  versionId: string;
  metric: Metric | undefined;
  name: string;
}

/** The run's metrics in its own order, each with the version it scored with and its current definition. */
export function runMetrics(run: Run, metrics: Map<string, Metric> | undefined): RunMetric[] {
  return run.metricIds.map((metricId, i) => {
    const metric = metrics?.get(metricId);
    return { metricId, versionId: run.metricVersionIds[i] ?? '', metric, name: metric?.name ?? metricId };
  });
}

export function thresholdText(metric: Metric | undefined): string {
  if (!metric) return '—';
  if (metric.outputType === 'boolean') return 'pass = true';
  return metric.passingThreshold === undefined ? '—' : `≥ ${metric.passingThreshold}`;
}
