import { describe, expect, it } from 'vitest';
import { pairedBootstrapInterval, seededRandom } from '../../lambdas/core/compare/bootstrap.js';
import { type ComparableRun, compareRuns, type MetricInfo } from '../../lambdas/core/compare/compare-runs.js';

const EXACT = 'm-exact';
const QUALITY = 'm-quality';
const metrics: Record<string, MetricInfo> = {
  [EXACT]: { name: 'Exact', outputType: 'boolean' },
  [QUALITY]: { name: 'Quality', outputType: 'int' },
};

/** A run whose record i scores exact(i) and quality(i); version ids differ per run, as after a metric edit. */
function run(
  id: string,
  n: number,
  exact: (i: number) => boolean | null,
  quality: (i: number) => number | null = () => 4,
  trials = 1,
): ComparableRun {
  const versions = [`${id}-v-exact`, `${id}-v-quality`];
  const records = [];
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < trials; t++) {
      const e = exact(i);
      const q = quality(i);
      records.push({
        id: `${id}-r${String(i).padStart(4, '0')}-${t}`,
        testcaseId: `tc${i}`,
        trial: t,
        scores: [
          e === null
            ? { metricConfigId: versions[0]!, score: {}, status: 'errored' as const }
            : { metricConfigId: versions[0]!, score: { binaryScore: e }, status: 'completed' as const },
          ...(q === null
            ? []
            : [{ metricConfigId: versions[1]!, score: { intScore: q }, status: 'completed' as const }]),
        ],
      });
    }
  }
  return { id, metricIds: [EXACT, QUALITY], metricVersionIds: versions, records };
}

describe('compareRuns (pure, paired bootstrap)', () => {
  it('names exactly the testcases that regressed and improved, and the paired pass rates', () => {
    // Prepare: 200 pairs; 30 go pass → fail, 5 go fail → pass.
    const regressed = new Set(Array.from({ length: 30 }, (_, k) => k * 6));
    const improved = new Set([1, 7, 13, 19, 25]);
    const baseline = run('base', 200, (i) => !improved.has(i));
    const candidate = run('cand', 200, (i) => !regressed.has(i));

    // Act
    const result = compareRuns(baseline, candidate, metrics);

    // Assess
    const exact = result.metrics.find((m) => m.metricId === EXACT)!;
    expect(result.paired).toBe(200);
    expect(exact).toMatchObject({ statistic: 'passRate', n: 200, numRegressions: 30, numImprovements: 5 });
    expect(exact.baseline).toBeCloseTo(195 / 200);
    expect(exact.candidate).toBeCloseTo(170 / 200);
    expect(exact.difference).toBeCloseTo(-25 / 200);
    expect(new Set(exact.regressions.map((r) => r.testcaseId))).toEqual(new Set([...regressed].map((i) => `tc${i}`)));
    expect(exact.improvements.map((r) => r.testcaseId).sort()).toEqual([...improved].map((i) => `tc${i}`).sort());
    expect(exact.regressions[0]).toMatchObject({ baseline: 1, candidate: 0, trial: 0 });
    expect(exact.interval!.upper).toBeLessThan(0);
    expect(exact.change).toBe('regression');
  });

  it.each([
    { label: 'no change at all', regressed: [] as number[], improved: [] as number[], change: 'none' },
    { label: 'one flip in 100', regressed: [3], improved: [], change: 'none' },
    { label: 'swaps that cancel out', regressed: [1, 2, 3, 4], improved: [5, 6, 7, 8], change: 'none' },
    {
      label: 'a consistent 15-point drop',
      regressed: Array.from({ length: 15 }, (_, i) => i),
      improved: [],
      change: 'regression',
    },
    {
      label: 'a consistent 15-point gain',
      regressed: [],
      improved: Array.from({ length: 15 }, (_, i) => i),
      change: 'improvement',
    },
  ])('calls $label "$change"', ({ regressed, improved, change }) => {
    const baseline = run('b', 100, (i) => !improved.includes(i));
    const candidate = run('c', 100, (i) => !regressed.includes(i));
    const exact = compareRuns(baseline, candidate, metrics).metrics.find((m) => m.metricId === EXACT)!;
    expect(exact.change).toBe(change);
    expect(exact.numRegressions).toBe(regressed.length);
    expect(exact.numImprovements).toBe(improved.length);
    const { lower, upper } = exact.interval!;
    expect(lower).toBeLessThanOrEqual(exact.difference!);
    expect(upper).toBeGreaterThanOrEqual(exact.difference!);
    expect(change === 'none' ? lower <= 0 && upper >= 0 : change === 'regression' ? upper < 0 : lower > 0).toBe(true);
  });

  it('compares int and float metrics by their means, and leaves out pairs without a completed score', () => {
    const baseline = run(
      'b',
      50,
      () => true,
      (i) => (i < 10 ? null : 5),
    );
    const candidate = run(
      'c',
      50,
      () => true,
      (i) => (i % 2 ? 3 : 5),
    );
    const quality = compareRuns(baseline, candidate, metrics).metrics.find((m) => m.metricId === QUALITY)!;
    expect(quality).toMatchObject({ statistic: 'mean', n: 40, unscored: 10, baseline: 5, candidate: 4 });
    expect(quality.difference).toBeCloseTo(-1);
    expect(quality.numRegressions).toBe(20);
    expect(quality.regressions.every((r) => r.baseline === 5 && r.candidate === 3)).toBe(true);
  });

  it('ignores errored scores on either side', () => {
    const baseline = run('b', 20, (i) => (i < 5 ? null : true));
    const candidate = run('c', 20, () => false);
    const exact = compareRuns(baseline, candidate, metrics).metrics.find((m) => m.metricId === EXACT)!;
    expect(exact).toMatchObject({ n: 15, unscored: 5, numRegressions: 15 });
  });

  it('pairs by (testcase, trial) and reports what has no partner', () => {
    const baseline = run('b', 10, () => true, undefined, 2);
    const candidate = run('c', 12, () => true, undefined, 1);
    candidate.records.push({ id: 'c-loose', testcaseId: null, trial: 0, scores: [] });
    candidate.records.push({ ...candidate.records[0]!, id: 'c-zzz-duplicate' });
    const result = compareRuns(baseline, candidate, metrics);
    expect(result.paired).toBe(10);
    expect(result.unpaired.baselineOnly).toBe(10);
    expect(result.unpaired.candidateOnly).toBe(4);
    expect(result.unpaired.records.filter((r) => r.run === 'baseline').every((r) => r.trial === 1)).toBe(true);
    expect(result.unpaired.records.filter((r) => r.run === 'candidate').map((r) => r.recordId)).toEqual(
      expect.arrayContaining(['c-loose', 'c-zzz-duplicate', 'c-r0010-0', 'c-r0011-0']),
    );
  });

  it('matches metrics by id and reports those only one run has', () => {
    const baseline = run('b', 5, () => true);
    const candidate = { ...run('c', 5, () => true) };
    candidate.metricIds = [EXACT, 'm-new'];
    const result = compareRuns(baseline, candidate, { ...metrics, 'm-new': { name: 'New', outputType: 'float' } });
    expect(result.metrics.map((m) => m.metricId)).toEqual([EXACT]);
    expect(result.unmatchedMetrics).toEqual({ baselineOnly: [QUALITY], candidateOnly: ['m-new'] });
  });

  it('is deterministic for a seed and reports nothing for no pairs', () => {
    const baseline = run('b', 100, (i) => i % 3 !== 0);
    const candidate = run('c', 100, (i) => i % 4 !== 0);
    expect(compareRuns(baseline, candidate, metrics)).toEqual(compareRuns(baseline, candidate, metrics));
    const seeded = compareRuns(baseline, candidate, metrics, { seed: 99 });
    expect(seeded.seed).toBe(99);
    expect(seededRandom(99)()).not.toBe(seededRandom(7)());
    const empty = compareRuns(
      run('b', 0, () => true),
      run('c', 0, () => true),
      metrics,
    ).metrics[0]!;
    expect(empty).toMatchObject({ n: 0, baseline: null, difference: null, interval: null, change: 'none' });
  });
});

describe('pairedBootstrapInterval', () => {
  it('covers the true mean of the differences about 95% of the time', () => {
    // Prepare: 200 experiments of 60 pairs whose differences have true mean 0.1.
    const draw = seededRandom(1);
    let covered = 0;
    for (let e = 0; e < 200; e++) {
      const differences = Array.from({ length: 60 }, () => (draw() < 0.3 ? 1 : 0) - (draw() < 0.2 ? 1 : 0));
      const interval = pairedBootstrapInterval(differences, {
        resamples: 500,
        confidence: 0.95,
        random: seededRandom(e),
      })!;
      if (interval.lower <= 0.1 && 0.1 <= interval.upper) covered++;
    }
    expect(covered / 200).toBeGreaterThan(0.88);
    expect(covered / 200).toBeLessThan(0.99);
  });

  it('collapses to the value when every difference is the same', () => {
    expect(
      pairedBootstrapInterval([-1, -1, -1], { resamples: 100, confidence: 0.95, random: seededRandom(3) }),
    ).toEqual({
      lower: -1,
      upper: -1,
    });
  });
});
