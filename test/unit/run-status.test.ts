import { describe, expect, it } from 'vitest';
import { type RunFacts, runStatus } from '../../lambdas/core/runs/status.js';
import type { RunStatus } from '../../lambdas/core/schemas/run.js';

/** A run of 10 records with one automatic metric (a) and, where a case says so, one human metric (h). */
function facts(overrides: Partial<RunFacts> & { a?: [number, number]; h?: number; human?: boolean } = {}): RunFacts {
  const { a = [0, 0], h = 0, human = false, ...rest } = overrides;
  return {
    status: 'running_execution',
    numRecords: 10,
    numExpectedRecords: null,
    numExecuted: 10,
    numErroredRecords: 0,
    metricVersionIds: human ? ['a', 'h'] : ['a'],
    humanMetricVersionIds: human ? ['h'] : [],
    statusExplanation: {
      a: { scored: a[0], errored: a[1], total: 10 },
      ...(human && { h: { scored: h, errored: 0, total: 10 } }),
    },
    ...rest,
  };
}

describe('runStatus: what a client sees while a run is active', () => {
  it.each<[string, RunFacts, RunStatus]>([
    ['nothing recorded yet', facts({ status: 'pending', numRecords: 0, numExecuted: 0 }), 'pending'],
    ['planned, nothing executed', facts({ numExecuted: 0 }), 'awaiting_execution'],
    ['some records executed', facts({ numExecuted: 4 }), 'running_execution'],
    [
      'posted records still expected',
      facts({ numRecords: 6, numExecuted: 6, numExpectedRecords: 10 }),
      'running_execution',
    ],
    ['posted run, none in yet', facts({ numRecords: 0, numExecuted: 0, numExpectedRecords: 10 }), 'pending'],
    ['all executed, no score yet', facts(), 'awaiting_scoring'],
    ['first score written', facts({ a: [1, 0] }), 'running_scoring'],
    ['first errored score written', facts({ a: [0, 1] }), 'running_scoring'],
    [
      'all executed, no automatic metric',
      facts({ human: true, metricVersionIds: ['h'], statusExplanation: {} }),
      'running_scoring',
    ],
    [
      'rescore in progress (stored running_scoring)',
      facts({ status: 'running_scoring', a: [3, 0] }),
      'running_scoring',
    ],
    [
      'waiting for people',
      facts({ status: 'awaiting_human_scoring', human: true, a: [10, 0] }),
      'awaiting_human_scoring',
    ],
    ['completed stays completed', facts({ status: 'completed', a: [10, 0] }), 'completed'],
    ['failed stays failed', facts({ status: 'failed' }), 'failed'],
    ['cancelled stays cancelled', facts({ status: 'cancelled', numExecuted: 3 }), 'cancelled'],
  ])('%s → %s', (_case, run, expected) => {
    expect(runStatus(run)).toBe(expected);
  });
});

describe('runStatus: the status a run is finalized in', () => {
  it.each<[string, RunFacts, boolean, RunStatus]>([
    ['every score in', facts({ a: [10, 0] }), false, 'completed'],
    ['some records errored', facts({ numErroredRecords: 3, a: [7, 0] }), false, 'completed'],
    ['every score of a metric errored (flagged on the metric)', facts({ a: [0, 10] }), false, 'completed'],
    ['every record errored', facts({ numErroredRecords: 10 }), false, 'failed'],
    ['the workflow failed', facts({ a: [10, 0] }), true, 'failed'],
    ['no records at all', facts({ numRecords: 0, numExecuted: 0 }), false, 'completed'],
    ['human scores owed', facts({ human: true, a: [10, 0], h: 4 }), false, 'awaiting_human_scoring'],
    ['human scores all in', facts({ human: true, a: [10, 0], h: 10 }), false, 'completed'],
    ['human metric but nothing scorable', facts({ human: true, numErroredRecords: 10 }), false, 'failed'],
    ['cancel raced the last batch', facts({ status: 'cancelled', a: [10, 0] }), false, 'cancelled'],
    ['cancelled and the workflow failed', facts({ status: 'cancelled' }), true, 'cancelled'],
  ])('%s → %s', (_case, run, workflowFailed, expected) => {
    expect(runStatus(run, { workflowFailed })).toBe(expected);
  });
});
