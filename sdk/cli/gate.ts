import type { MetricComparison, Run, RunComparison } from '../types.js';

export interface GateOptions {
  /** Fail a metric whose pass rate is below this (0–1). */
  failUnder?: number;
  /** Against the baseline: fail when the 95% interval of the difference lies wholly below 0. */
  ciGate?: boolean;
  /** Against the baseline: fail when the point difference drops by more than this (statistic's units). */
  maxRegression?: number;
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
  comparison: Pick<
    MetricComparison,
    'statistic' | 'baseline' | 'candidate' | 'difference' | 'interval' | 'change' | 'n' | 'numRegressions'
  > | null;
  failures: string[];
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

function baselineFailures(c: MetricComparison, options: GateOptions): string[] {
  const failures: string[] = [];
  const fmt = (x: number | null) => formatStatistic(c.statistic, x);
  if (options.ciGate && c.change === 'regression' && c.interval) {
    failures.push(
      `${c.statistic === 'passRate' ? 'pass rate' : 'mean'} dropped ${fmt(c.difference)} vs the baseline ` +
        `(95% CI [${fmt(c.interval.lower)}, ${fmt(c.interval.upper)}] excludes 0)`,
    );
  }
  if (options.maxRegression !== undefined && c.difference !== null && -c.difference > options.maxRegression + EPSILON) {
    failures.push(
      `${c.statistic === 'passRate' ? 'pass rate' : 'mean'} dropped ${fmt(-c.difference)} vs the baseline, ` +
        `more than --max-regression ${c.statistic === 'passRate' ? percent(options.maxRegression) : options.maxRegression}`,
    );
  }
  return failures;
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
  const metrics = run.metricIds.map((metricId, i): MetricGateResult => {
    const aggregate = run.aggregates?.[run.metricVersionIds[i] ?? ''];
    const c = comparison?.metrics.find((m) => m.metricId === metricId) ?? null;
    const failures: string[] = [];
    const passRate = aggregate?.passRate ?? null;
    if (options.failUnder !== undefined) {
      if (passRate === null) failures.push('no scored records, so no pass rate to hold to --fail-under');
      else if (passRate < options.failUnder - EPSILON) {
        failures.push(`pass rate ${percent(passRate)} is under --fail-under ${percent(options.failUnder)}`);
      }
    }
    if (c) failures.push(...baselineFailures(c, options));
    return {
      metricId,
      name: names[metricId] ?? metricId,
      outputType: aggregate?.outputType ?? null,
      passRate,
      mean: aggregate?.mean ?? null,
      n: aggregate?.n ?? 0,
      errored: run.numErroredRecords + (aggregate?.errored ?? 0),
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
    };
  });
  return { passed: runFailures.length === 0 && metrics.every((m) => m.failures.length === 0), runFailures, metrics };
}
