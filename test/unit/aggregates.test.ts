import { describe, expect, it } from 'vitest';
import type { MetricVersion } from '../../lambdas/core/ports.js';
import {
  addTally,
  aggregateScores,
  aggregateTally,
  emptyTally,
  tallyScores,
} from '../../lambdas/core/runs/aggregates.js';
import type { Score } from '../../lambdas/core/schemas/record.js';

const version = (outputType: 'boolean' | 'int' | 'float'): MetricVersion => ({
  id: `mv-${outputType}`,
  metricId: `m-${outputType}`,
  projectId: 'p',
  createdAt: '2026-01-01T00:00:00.000Z',
  definition: { name: outputType, evalType: 'heuristic', outputType } as MetricVersion['definition'],
});

const score = (i: number, value: Score['score'], passed: boolean | null, errored = false): Score => ({
  recordId: `r${i}`,
  metricConfigId: 'mv',
  metricId: 'm',
  score: errored ? {} : value,
  passed: errored ? null : passed,
  status: errored ? 'errored' : 'completed',
  error: errored ? 'judge failed' : null,
  usage: null,
  latencyMs: null,
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const intScores = Array.from({ length: 23 }, (_, i) => score(i, { intScore: (i % 5) + 1 }, i % 5 >= 2, i % 6 === 0));
const floatScores = Array.from({ length: 17 }, (_, i) => score(i, { floatScore: (i * 0.37) % 1 }, i % 3 !== 0));
const boolScores = Array.from({ length: 11 }, (_, i) => score(i, { binaryScore: i % 2 === 0 }, i % 2 === 0, i === 4));

describe('score tallies', () => {
  it.each([
    ['int', intScores],
    ['float', floatScores],
    ['boolean', boolScores],
  ] as const)('%s: tallies of parts add up to the aggregate of the whole, whatever the split', (type, scores) => {
    const v = version(type);
    const whole = aggregateScores(v, scores);
    for (const cuts of [[0], [5], [3, 9], [1, 2, 10, 15]]) {
      const tally = emptyTally();
      const bounds = [0, ...cuts, scores.length];
      for (let i = 0; i + 1 < bounds.length; i++)
        addTally(tally, tallyScores(type, scores.slice(bounds[i], bounds[i + 1])));
      expect(aggregateTally(v, tally)).toEqual(whole);
    }
  });

  it('counts errored scores apart and keeps them out of rates, means and the histogram', () => {
    const aggregate = aggregateScores(version('int'), intScores);
    // i % 6 === 0 errs: 0, 6, 12, 18 of 0..22.
    expect(aggregate).toMatchObject({ n: 19, errored: 4 });
    expect(aggregate.passed + aggregate.failed).toBe(19);
    expect(Object.values(aggregate.histogram!).reduce((a, b) => a + b, 0)).toBe(19);
    expect(aggregateScores(version('boolean'), [])).toMatchObject({ n: 0, passRate: null, mean: null, median: null });
  });

  it('bins float scores in tenths, the edges included', () => {
    const scores = [0, 0.05, 0.1, 0.55, 0.99, 1].map((v, i) => score(i, { floatScore: v }, v >= 0.9));
    expect(aggregateScores(version('float'), scores).histogram).toEqual({
      '0.0': 2,
      '0.1': 1,
      '0.2': 0,
      '0.3': 0,
      '0.4': 0,
      '0.5': 1,
      '0.6': 0,
      '0.7': 0,
      '0.8': 0,
      '0.9': 2,
    });
    expect(aggregateScores(version('boolean'), scores).histogram).toBeUndefined();
  });
});
