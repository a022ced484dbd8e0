import { scoreNumber } from '../metrics/passing.js';
import type { MetricComparison, PairChange, RunComparison, UnpairedRecord } from '../schemas/compare.js';
import type { OutputType } from '../schemas/metric.js';
import type { Score } from '../schemas/record.js';
import { hashSeed, pairedBootstrapInterval, seededRandom } from './bootstrap.js';

export const DEFAULT_RESAMPLES = 2_000;
export const DEFAULT_CONFIDENCE = 0.95;
export const DEFAULT_SEED = 7;
/** Lists in the response are capped; the counts next to them are always exact. */
export const MAX_LISTED = 1_000;

export interface ComparableRecord {
  id: string;
  testcaseId: string | null;
  trial: number;
  scores: Array<Pick<Score, 'metricConfigId' | 'score' | 'status'>>;
}

export interface ComparableRun {
  id: string;
  /** Parallel arrays, as on a Run: metricVersionIds[i] is the version of metricIds[i] the run scored with. */
  metricIds: string[];
  metricVersionIds: string[];
  records: ComparableRecord[];
}

export interface MetricInfo {
  name: string;
  outputType: OutputType;
}

export interface CompareOptions {
  resamples?: number;
  confidence?: number;
  seed?: number;
}

interface Side {
  record: ComparableRecord;
  /** Numeric value per metric id, for completed scores of the run's current metric versions only. */
  values: Map<string, number>;
}

const pairKey = (testcaseId: string, trial: number) => `${testcaseId}\u0000${trial}`;

function valuesByMetric(run: ComparableRun, record: ComparableRecord, metrics: Record<string, MetricInfo>) {
  const metricOfVersion = new Map(run.metricVersionIds.map((v, i) => [v, run.metricIds[i]!]));
  const values = new Map<string, number>();
  for (const score of record.scores) {
    const metricId = metricOfVersion.get(score.metricConfigId);
    const info = metricId ? metrics[metricId] : undefined;
    if (!metricId || !info || score.status !== 'completed') continue;
    const value = scoreNumber(info.outputType, score.score);
    if (value !== null) values.set(metricId, value);
  }
  return values;
}

/** Indexes a run's records by (testcaseId, trial); records without a testcase, or repeats, are unpaired. */
function index(run: ComparableRun, metrics: Record<string, MetricInfo>) {
  const byKey = new Map<string, Side>();
  const loose: UnpairedRecord[] = [];
  const sorted = [...run.records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const record of sorted) {
    const key = record.testcaseId === null ? null : pairKey(record.testcaseId, record.trial);
    if (key === null || byKey.has(key)) {
      loose.push({ recordId: record.id, testcaseId: record.testcaseId, trial: record.trial });
      continue;
    }
    byKey.set(key, { record, values: valuesByMetric(run, record, metrics) });
  }
  return { byKey, loose };
}

function compareMetric(
  metricId: string,
  info: MetricInfo,
  pairs: Array<[Side, Side]>,
  options: Required<CompareOptions>,
): MetricComparison {
  const differences: number[] = [];
  const regressions: PairChange[] = [];
  const improvements: PairChange[] = [];
  let baselineSum = 0;
  let candidateSum = 0;
  for (const [base, cand] of pairs) {
    const b = base.values.get(metricId);
    const c = cand.values.get(metricId);
    if (b === undefined || c === undefined) continue;
    baselineSum += b;
    candidateSum += c;
    differences.push(c - b);
    if (c === b) continue;
    const change: PairChange = {
      testcaseId: cand.record.testcaseId!,
      trial: cand.record.trial,
      baseline: b,
      candidate: c,
      baselineRecordId: base.record.id,
      recordId: cand.record.id,
    };
    (c < b ? regressions : improvements).push(change);
  }
  const n = differences.length;
  const interval = pairedBootstrapInterval(differences, {
    resamples: options.resamples,
    confidence: options.confidence,
    random: seededRandom(hashSeed(options.seed, metricId)),
  });
  // Largest moves first, so a truncated list still shows what matters most.
  const bySize = (x: PairChange, y: PairChange) =>
    Math.abs(y.candidate - y.baseline) - Math.abs(x.candidate - x.baseline) ||
    x.testcaseId.localeCompare(y.testcaseId) ||
    x.trial - y.trial;
  return {
    metricId,
    name: info.name,
    outputType: info.outputType,
    statistic: info.outputType === 'boolean' ? 'passRate' : 'mean',
    n,
    unscored: pairs.length - n,
    baseline: n ? baselineSum / n : null,
    candidate: n ? candidateSum / n : null,
    difference: n ? (candidateSum - baselineSum) / n : null,
    interval,
    change: !interval ? 'none' : interval.upper < 0 ? 'regression' : interval.lower > 0 ? 'improvement' : 'none',
    numRegressions: regressions.length,
    numImprovements: improvements.length,
    regressions: regressions.sort(bySize).slice(0, MAX_LISTED),
    improvements: improvements.sort(bySize).slice(0, MAX_LISTED),
  };
}

/**
 * Compares a candidate run with a baseline, pairing records by (testcaseId, trial). For each metric both runs
 * used (matched by metric id, so a new metric version still compares), it reports the pass rate (boolean) or
 * mean (int/float) of both over the pairs, the difference with a seeded paired-bootstrap interval, and the
 * pairs that moved. Pure and deterministic: the same inputs and seed give the same answer.
 */
export function compareRuns(
  baseline: ComparableRun,
  candidate: ComparableRun,
  metrics: Record<string, MetricInfo>,
  options: CompareOptions = {},
): RunComparison {
  const settings: Required<CompareOptions> = {
    resamples: options.resamples ?? DEFAULT_RESAMPLES,
    confidence: options.confidence ?? DEFAULT_CONFIDENCE,
    seed: options.seed ?? DEFAULT_SEED,
  };
  const base = index(baseline, metrics);
  const cand = index(candidate, metrics);
  const pairs: Array<[Side, Side]> = [];
  const baselineOnly = [...base.loose];
  for (const [key, side] of base.byKey) {
    const partner = cand.byKey.get(key);
    if (partner) pairs.push([side, partner]);
    else baselineOnly.push({ recordId: side.record.id, testcaseId: side.record.testcaseId, trial: side.record.trial });
  }
  const candidateOnly = [...cand.loose];
  for (const [key, side] of cand.byKey) {
    if (!base.byKey.has(key)) {
      candidateOnly.push({ recordId: side.record.id, testcaseId: side.record.testcaseId, trial: side.record.trial });
    }
  }
  const shared = candidate.metricIds.filter((id) => baseline.metricIds.includes(id) && metrics[id]);
  return {
    runId: candidate.id,
    baselineRunId: baseline.id,
    ...settings,
    paired: pairs.length,
    unpaired: {
      baselineOnly: baselineOnly.length,
      candidateOnly: candidateOnly.length,
      records: [
        ...baselineOnly.map((r) => ({ ...r, run: 'baseline' as const })),
        ...candidateOnly.map((r) => ({ ...r, run: 'candidate' as const })),
      ].slice(0, MAX_LISTED),
    },
    metrics: shared.map((id) => compareMetric(id, metrics[id]!, pairs, settings)),
    unmatchedMetrics: {
      baselineOnly: baseline.metricIds.filter((id) => !candidate.metricIds.includes(id)),
      candidateOnly: candidate.metricIds.filter((id) => !baseline.metricIds.includes(id)),
    },
  };
}
