import { describe, expect, it } from 'vitest';
import { type RunFacts, recordsAllIn, runStatus } from '../../lambdas/core/runs/status.js';
import type { RunStatus } from '../../lambdas/core/schemas/run.js';

const T = '2026-12-03T10:00:00.000Z';

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
    // Runs fed from outside (stored pending, PrepareRun never planned them).
    ['fed without a testset, still open', facts({ status: 'pending' }), 'running_execution'],
    ['fed without a testset, still open, scores landing', facts({ status: 'pending', a: [4, 0] }), 'running_execution'],
    ['fed without a testset, finished', facts({ status: 'pending', closedAt: T }), 'awaiting_scoring'],
    [
      'fed without a testset, finished, scoring',
      facts({ status: 'pending', closedAt: T, a: [3, 0] }),
      'running_scoring',
    ],
    ['finished before any record', facts({ status: 'pending', closedAt: T, numRecords: 0, numExecuted: 0 }), 'pending'],
    [
      'finished short of its testset (no longer waits for the rest)',
      facts({ status: 'pending', closedAt: T, numRecords: 6, numExecuted: 6, numExpectedRecords: 10 }),
      'awaiting_scoring',
    ],
    [
      'with a testset, every expected record in (closes by itself)',
      facts({ status: 'pending', numExpectedRecords: 10, a: [2, 0] }),
      'running_scoring',
    ],
    ['finished and then cancelled', facts({ status: 'cancelled', closedAt: T }), 'cancelled'],
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
    ['finished fed run, every score in', facts({ status: 'pending', closedAt: T, a: [10, 0] }), false, 'completed'],
    ['GitHub dispatch failed before any record', facts({ numRecords: 0, numExecuted: 0 }), true, 'failed'],
  ])('%s → %s', (_case, run, workflowFailed, expected) => {
    expect(runStatus(run, { workflowFailed })).toBe(expected);
  });
});

describe('recordsAllIn: whether a run can still get records', () => {
  it.each<[string, Pick<RunFacts, 'closedAt' | 'numRecords' | 'numExpectedRecords'>, boolean]>([
    ['no testset, open', { numRecords: 10, numExpectedRecords: null }, false],
    ['no testset, finished', { numRecords: 10, numExpectedRecords: null, closedAt: T }, true],
    ['no testset, closed for idleness with nothing in', { numRecords: 0, numExpectedRecords: null, closedAt: T }, true],
    ['testset, short of its count', { numRecords: 9, numExpectedRecords: 10 }, false],
    ['testset, count reached', { numRecords: 10, numExpectedRecords: 10 }, true],
    ['testset, short of its count but finished', { numRecords: 9, numExpectedRecords: 10, closedAt: T }, true],
  ])('%s → %s', (_case, run, expected) => {
    expect(recordsAllIn(run)).toBe(expected);
  });
});
