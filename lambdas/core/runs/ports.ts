import type { PageRequest } from '../pagination.js';
import type { Paged, Scope } from '../ports.js';
import type { Run } from '../schemas/run.js';

/** Where runs live: the storage adapter stores and returns the run's facts; core derives its status. */
export interface RunCounters {
  numRecords?: number;
  numScores?: number;
  executed?: number;
  erroredRecords?: number;
  /** Records not run because their testcase failed validation (also counted in erroredRecords). */
  invalidRecords?: number;
  /** An errored record's error: kept only if the run has none yet (the first fatal error says why it failed). */
  firstRecordError?: string;
  /** When these records were posted (a run fed from outside is closed after it has been idle long enough). */
  recordedAt?: string;
  /** Per metric version: scored / errored deltas. */
  metrics?: Record<string, { scored?: number; errored?: number; lastError?: string }>;
}

export type RunPatch = Partial<
  Pick<
    Run,
    | 'notes'
    | 'name'
    | 'status'
    | 'startedAt'
    | 'completedAt'
    | 'aggregates'
    | 'metricIds'
    | 'metricVersionIds'
    | 'humanMetricVersionIds'
    | 'generation'
    | 'rescoredMetricVersionIds'
    | 'scoringHistory'
    | 'numRecords'
    | 'numScores'
    | 'trials'
    | 'failureReason'
    | 'closedAt'
    | 'closedBy'
  >
>;

/** Guards an update: applied only while every given condition holds (otherwise the update is skipped). */
export interface RunCondition {
  statusIn?: Run['status'][];
  /** Nothing was counted since the caller read the run (finalizing must not outrun a record or score). */
  countersAre?: Pick<Run, 'numRecords' | 'numScores'>;
  /** The run has fewer trials than this (trials only grow). */
  trialsBelow?: number;
  /** The run still takes records (it was neither finished nor closed for idleness). */
  open?: boolean;
}

export interface RunRepository {
  create(scope: Scope, run: Run): Promise<Run>;
  get(scope: Scope, id: string): Promise<Run | null>;
  list(scope: Scope, projectId: string, page: PageRequest, filter?: { source?: string }): Promise<Paged<Run>>;
  update(scope: Scope, id: string, patch: RunPatch, condition?: RunCondition): Promise<Run | null>;
  /**
   * Adds to the counters atomically and returns the run as it is now (null when it does not exist). With
   * `once`, the delta is added only if no earlier call named the same key (a batch's phase): a worker that dies
   * after counting, or before, neither loses nor doubles the batch's totals when it is redelivered.
   */
  addCounters(scope: Scope, id: string, delta: RunCounters, once?: string): Promise<Run | null>;
  /**
   * Counts records per testcase of a run (`key` → how many more arrived) and returns each key's new total: the
   * n-th record of a testcase is its trial n−1. `size` is a fixed hint of how many testcases the run covers
   * (null when unknown), the same on every call for a run, so the store can size how it keeps the counts.
   */
  countTrials(
    scope: Scope,
    id: string,
    arrivals: Map<string, number>,
    size: number | null,
  ): Promise<Map<string, number>>;
  listActive(): Promise<Array<{ orgId: string; run: Run }>>;
  /** A rescore starts: zeroes these metric versions' counters and counts as progress (lastProgressAt = now). */
  resetProgress(scope: Scope, id: string, metricVersionIds: string[]): Promise<void>;
}

/**
 * Starts work for a run in the background: an evaluation (a Step Functions execution in AWS, the local driver
 * on a laptop) and the scoring of records posted through the API. The API, the monitor ticks and the local
 * resume all start runs through this one port.
 */
export interface RunLauncher {
  /** Starts the evaluation of a run that has a testset and a runnable system version, or rescores one. */
  start(scope: Scope, runId: string, mode: 'execute' | 'rescore'): Promise<void>;
  /** Queues scoring for records posted through the API. */
  scoreRecords(scope: Scope, runId: string, recordIds: string[]): Promise<void>;
}

/**
 * What is known of a run's workflow executions: why the latest one ended without finalizing the run (it failed,
 * timed out, was stopped or hit the history limit), or null while it runs, once it finalized, or when the
 * deployment does not track them (then the stuck-run sweeper goes by the run's last progress alone).
 */
export interface RunExecutions {
  endedWithoutFinalizing(scope: Scope, runId: string): Promise<string | null>;
}

/** A deployment that does not track executions: only the last-progress bound settles its stuck runs. */
export const executionsNotTracked: RunExecutions = {
  async endedWithoutFinalizing() {
    return null;
  },
};
