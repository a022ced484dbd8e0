import type { MetricComparison, Run, RunComparison } from '../types.js';

export interface GateOptions {
  /** Fail a metric whose pass rate is below this (0–1). */
  failUnder?: number;
  /** Against the baseline: fail when the 95% interval of the difference lies wholly below 0. */
  ciGate?: boolean;
  /** Against the baseline: fail when the point difference drops by more than this (statistic's units). */
  maxRegression?: number;
  /**
   * Fail a metric when more than this share (0–1) of its records have no score because the system or the metric
   * errored. Undefined means 0: an errored score is never a silent pass.
   */
  maxErrorRate?: number;
}

export interface MetricGateResult {
  metricId: string;
  name: string;
  outputType: 'boolean' | 'int' | 'float' | null;
  passRate: number | null;
  mean: number | null;
  n: number;
  /** Records this metric has no score for because the system threw (errored record) or the metric errored. */
  errored: number;
  /** errored / (scored + errored); null when the metric has neither. */
  errorRate: number | null;
  /** Human metrics are scored by people after the run: reported, never gated. */
  human: boolean;
  comparison: Pick<
    MetricComparison,
    'statistic' | 'baseline' | 'candidate' | 'difference' | 'interval' | 'change' | 'n' | 'numRegressions'
  > | null;
  failures: string[];
  /** Failures that mean the gate could not judge at all (errored scores, nothing to compare): JUnit errors. */
  errors: string[];
}

export interface GateResult {
  passed: boolean;
  /** Failures of the run as a whole (it failed or was cancelled); they fail every metric's JUnit case too. */
  runFailures: string[];
  metrics: MetricGateResult[];
}

// Float noise (0.1 - 0.2 …) must not turn an exact tie with a threshold into a failure.
const EPSILON = 1e-9;

export const percent = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`;
export const number = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(3));

/** The statistic in the units people read it: a percentage for pass rates, a plain number for means. */
export const formatStatistic = (statistic: 'passRate' | 'mean', x: number | null) =>
  statistic === 'passRate' ? percent(x) : number(x);

/**
 * A change in the statistic's own words: a pass rate moves in percentage points ("fell 26.0 points"), a mean
 * by its value ("fell 0.260"); a signed percentage ("dropped -26.0%") reads as a relative change.
 */
export function describeChange(statistic: 'passRate' | 'mean', difference: number): string {
  const verb = difference < 0 ? 'fell' : 'rose';
  const size = Math.abs(difference);
  return statistic === 'passRate' ? `${verb} ${(size * 100).toFixed(1)} points` : `${verb} ${size.toFixed(3)}`;
}

function baselineFailures(c: MetricComparison, options: GateOptions): string[] {
  const failures: string[] = [];
  const fmt = (x: number | null) => formatStatistic(c.statistic, x);
  const what = c.statistic === 'passRate' ? 'pass rate' : 'mean';
  if (options.ciGate && c.change === 'regression' && c.interval && c.difference !== null) {
    failures.push(
      `${what} ${describeChange(c.statistic, c.difference)} vs the baseline ` +
        `(95% CI [${fmt(c.interval.lower)}, ${fmt(c.interval.upper)}] excludes 0)`,
    );
  }
  if (options.maxRegression !== undefined && c.difference !== null && -c.difference > options.maxRegression + EPSILON) {
    const limit =
      c.statistic === 'passRate' ? `${(options.maxRegression * 100).toFixed(1)} points` : String(options.maxRegression);
    failures.push(
      `${what} ${describeChange(c.statistic, c.difference)} vs the baseline, more than --max-regression (${limit})`,
    );
  }
  return failures;
}

/** A baseline comparison with nothing in it cannot say "no regression": it says why it could not compare. */
function comparisonGaps(c: MetricComparison | null, baselineRunId: string): string[] {
  if (!c) return [`the baseline run ${baselineRunId} does not score this metric, so there is nothing to compare`];
  if (c.n === 0 || c.baseline === null || c.candidate === null) {
    return [
      `no paired records with scores in both runs (baseline ${baselineRunId}: ${c.unscored} pairs unscored), ` +
        'so the comparison has no data',
    ];
  }
  return [];
}

/**
 * Decides a CI gate from a finished run (and, when given, its comparison with a baseline). Pure, so the CLI's
 * exit code, its table, its JSON and its JUnit file all say the same thing.
 */
export function evaluateGate(
  run: Run,
  names: Record<string, string>,
  comparison: RunComparison | null,
  options: GateOptions,
): GateResult {
  const runFailures: string[] = [];
  if (run.status === 'failed' || run.status === 'cancelled') {
    runFailures.push(`the run ended ${run.status} (${run.numErroredRecords} of ${run.numRecords} records errored)`);
  }
  const maxErrorRate = options.maxErrorRate ?? 0;
  const humanVersions = new Set(run.humanMetricVersionIds ?? []);
  const metrics = run.metricIds.map((metricId, i): MetricGateResult => {
    const versionId = run.metricVersionIds[i] ?? '';
    const aggregate = run.aggregates?.[versionId];
    const human = humanVersions.has(versionId);
    const c = comparison?.metrics.find((m) => m.metricId === metricId) ?? null;
    const failures: string[] = [];
    const errors: string[] = [];
    const passRate = aggregate?.passRate ?? null;
    const n = aggregate?.n ?? 0;
    const errored = run.numErroredRecords + (aggregate?.errored ?? 0);
    const errorRate = n + errored === 0 ? null : errored / (n + errored);
    if (!human) {
      if (errorRate === null) errors.push('no scores at all: the metric was never scored');
      else if (errorRate > maxErrorRate + EPSILON) {
        errors.push(
          `${errored} of ${n + errored} records errored (${percent(errorRate)}), over --max-error-rate ${percent(maxErrorRate)}`,
        );
      }
    }
    if (options.failUnder !== undefined) {
      if (passRate === null) failures.push('no scored records, so no pass rate to hold to --fail-under');
      else if (passRate < options.failUnder - EPSILON) {
        failures.push(`pass rate ${percent(passRate)} is under --fail-under ${percent(options.failUnder)}`);
      }
    }
    if (comparison && !human) {
      errors.push(...comparisonGaps(c, comparison.baselineRunId));
      if (c) failures.push(...baselineFailures(c, options));
    }
    return {
      metricId,
      name: names[metricId] ?? metricId,
      outputType: aggregate?.outputType ?? null,
      passRate,
      mean: aggregate?.mean ?? null,
      n,
      errored,
      errorRate,
      human,
      comparison: c && {
        statistic: c.statistic,
        baseline: c.baseline,
        candidate: c.candidate,
        difference: c.difference,
        interval: c.interval,
        change: c.change,
        n: c.n,
        numRegressions: c.numRegressions,
      },
      failures,
      errors,
    };
  });
  const passed = runFailures.length === 0 && metrics.every((m) => m.failures.length === 0 && m.errors.length === 0);
  return { passed, runFailures, metrics };
}
