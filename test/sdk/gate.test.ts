import xml from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { evaluateGate, type GateOptions } from '../../sdk/cli/gate.js';
import { junitReport } from '../../sdk/cli/junit.js';
import { progressBar } from '../../sdk/cli/progress.js';
import type { MetricComparison, Run, RunComparison } from '../../sdk/index.js';

function runWith(passRate: number | null, overrides: Partial<Run> = {}): Run {
  return {
    id: 'run1',
    metricIds: ['m1'],
    metricVersionIds: ['v1'],
    status: 'completed',
    numRecords: 10,
    numErroredRecords: 0,
    aggregates: {
      v1: {
        metricId: 'm1',
        metricVersionId: 'v1',
        outputType: 'boolean',
        n: 10,
        passed: 0,
        failed: 0,
        errored: 0,
        passRate,
        mean: passRate,
        median: null,
      },
    },
    ...overrides,
  } as Run;
}

function comparison(difference: number, lower: number, upper: number): RunComparison {
  const metric = {
    metricId: 'm1',
    statistic: 'passRate',
    baseline: 0.9,
    candidate: 0.9 + difference,
    difference,
    interval: { lower, upper },
    change: upper < 0 ? 'regression' : lower > 0 ? 'improvement' : 'none',
    n: 10,
    numRegressions: 1,
  } as MetricComparison;
  return { metrics: [metric] } as RunComparison;
}

describe('evaluateGate', () => {
  it.each<{ label: string; rate: number | null; cmp?: RunComparison; options: GateOptions; passed: boolean }>([
    { label: 'no gate at all', rate: 0.1, options: {}, passed: true },
    { label: 'a pass rate exactly at --fail-under', rate: 0.7, options: { failUnder: 0.7 }, passed: true },
    { label: 'a pass rate under --fail-under', rate: 0.69, options: { failUnder: 0.7 }, passed: false },
    { label: 'no scored records under --fail-under', rate: null, options: { failUnder: 0.5 }, passed: false },
    {
      label: 'a real drop with the ci gate',
      rate: 0.7,
      cmp: comparison(-0.2, -0.3, -0.1),
      options: { ciGate: true },
      passed: false,
    },
    {
      label: 'a noisy drop with the ci gate',
      rate: 0.8,
      cmp: comparison(-0.1, -0.3, 0),
      options: { ciGate: true },
      passed: true,
    },
    {
      label: 'a drop equal to --max-regression',
      rate: 0.8,
      cmp: comparison(-0.1, -0.3, 0),
      options: { maxRegression: 0.1 },
      passed: true,
    },
    {
      label: 'a drop past --max-regression',
      rate: 0.8,
      cmp: comparison(-0.15, -0.3, 0),
      options: { maxRegression: 0.1 },
      passed: false,
    },
  ])('$label → passed: $passed', ({ rate, cmp, options, passed }) => {
    const result = evaluateGate(runWith(rate), { m1: 'Exact' }, cmp ?? null, options);
    expect(result.passed).toBe(passed);
    expect(result.metrics[0]!.failures.length > 0).toBe(!passed);
  });

  it.each<{ label: string; n: number; errored: number; options: GateOptions; passed: boolean }>([
    { label: 'every score errored, no gate flags', n: 0, errored: 10, options: {}, passed: false },
    { label: 'one errored score, no gate flags', n: 9, errored: 1, options: {}, passed: false },
    {
      label: 'one in ten errored under --max-error-rate 0.1',
      n: 9,
      errored: 1,
      options: { maxErrorRate: 0.1 },
      passed: true,
    },
    {
      label: 'two in ten errored under --max-error-rate 0.1',
      n: 8,
      errored: 2,
      options: { maxErrorRate: 0.1 },
      passed: false,
    },
    { label: 'never scored at all', n: 0, errored: 0, options: { maxErrorRate: 1 }, passed: false },
  ])('$label → passed: $passed', ({ n, errored, options, passed }) => {
    const run = runWith(n ? 1 : null);
    Object.assign(run.aggregates!.v1!, { n, errored });
    const result = evaluateGate(run, { m1: 'Judge' }, null, options);
    expect(result.passed).toBe(passed);
    expect(result.metrics[0]!.errors.length > 0).toBe(!passed);
    expect(result.metrics[0]!.errorRate).toBe(n + errored ? errored / (n + errored) : null);
  });

  it('does not gate a human metric, which people score after the run', () => {
    const run = runWith(null, { humanMetricVersionIds: ['v1'] } as Partial<Run>);
    Object.assign(run.aggregates!.v1!, { n: 0, errored: 0 });
    expect(evaluateGate(run, {}, null, {})).toMatchObject({ passed: true, metrics: [{ human: true, errors: [] }] });
  });

  it('fails a comparison that has no data, whatever the gate flags', () => {
    const empty = comparison(0, 0, 0);
    Object.assign(empty.metrics[0]!, { baseline: null, difference: null, interval: null, change: 'none', n: 0 });
    empty.baselineRunId = 'base';
    const result = evaluateGate(runWith(0.9), { m1: 'Exact' }, empty, { ciGate: true });
    expect(result.passed).toBe(false);
    expect(result.metrics[0]!.errors[0]).toMatch(/no paired records .*baseline base/);
    const missing = { ...empty, metrics: [] };
    expect(evaluateGate(runWith(0.9), {}, missing, {}).metrics[0]!.errors[0]).toMatch(/does not score this metric/);
  });

  it('describes a drop in points, not as a negative percentage', () => {
    const result = evaluateGate(runWith(0.6), { m1: 'Exact' }, comparison(-0.26, -0.4, -0.1), { ciGate: true });
    expect(result.metrics[0]!.failures[0]).toMatch(/^pass rate fell 26\.0 points vs the baseline/);
  });

  it('fails a run that ended failed even without thresholds', () => {
    const result = evaluateGate(runWith(null, { status: 'failed', numErroredRecords: 10 }), {}, null, {});
    expect(result).toMatchObject({ passed: false, runFailures: [expect.stringContaining('ended failed')] });
  });
});

describe('junitReport', () => {
  it('escapes names and messages into XML that parses, one testcase per metric', () => {
    const run = runWith(0.5, {
      metricIds: ['m1', 'm2'],
      metricVersionIds: ['v1', 'v2'],
    });
    run.aggregates!.v2 = { ...run.aggregates!.v1!, metricId: 'm2', metricVersionId: 'v2' };
    const result = evaluateGate(run, { m1: 'Tone <"&"> \u0007check', m2: "It's fine" }, null, { failUnder: 0.6 });
    const text = junitReport(result, { id: 'run1', url: 'http://x/runs/run1?a=1&b=2' }, 1.5);
    expect(xml.validate(text)).toBe(true);
    const doc = xml.parse(text, { ignoreAttributes: false, attributeNamePrefix: '' });
    const cases = [doc.testsuites.testsuite.testcase].flat();
    expect(cases.map((c: any) => c.name)).toEqual(['Tone &lt;&quot;&amp;&quot;&gt; check', 'It&apos;s fine']);
    expect(doc.testsuites).toMatchObject({ tests: '2', failures: '2', errors: '0' });
  });

  it('marks a metric that could not be judged as an error, not a failure or a pass', () => {
    const run = runWith(0.5, { metricIds: ['m1', 'm2'], metricVersionIds: ['v1', 'v2'] });
    run.aggregates!.v2 = {
      ...run.aggregates!.v1!,
      metricId: 'm2',
      metricVersionId: 'v2',
      n: 0,
      errored: 10,
      passRate: null,
    };
    const text = junitReport(evaluateGate(run, { m1: 'Exact', m2: 'Judge' }, null, {}), { id: 'run1', url: 'u' }, 1);
    const doc = xml.parse(text, { ignoreAttributes: false, attributeNamePrefix: '' });
    const [exact, judge] = [doc.testsuites.testsuite.testcase].flat();
    expect(doc.testsuites).toMatchObject({ tests: '2', failures: '0', errors: '1' });
    expect(exact.error).toBeUndefined();
    expect(judge.error.message).toContain('10 of 10 records errored (100.0%)');
  });
});

describe('progressBar', () => {
  it('draws on a terminal and stays silent anywhere else', () => {
    const writes: string[] = [];
    const tty = progressBar({ isTTY: true, columns: 80, write: (s) => writes.push(s) });
    tty.update('records', 5, 10);
    tty.finish();
    expect(writes.join('')).toMatch(/records\s+\[#{14}-{14}\] 5\/10\n$/);
    const quiet: string[] = [];
    const pipe = progressBar({ write: (s) => quiet.push(s) });
    pipe.update('records', 5, 10);
    pipe.finish();
    expect(quiet).toEqual([]);
  });
});
