import type { Scope } from '../ports.js';
import type { RecordStatus, RunRecord, Score } from '../schemas/record.js';

/**
 * One bounded read of a record list, newest first (or oldest first): the project's records, or one run's.
 * Equality filters are applied by the store while it reads; whatever it read counts against `maxItems`.
 */
export interface RecordScanRequest {
  projectId: string;
  /** Read the run's own list instead of the project's (every record read then belongs to the run). */
  runId?: string;
  /** Keep only records of this run while reading the project's list. */
  onlyRunId?: string;
  status?: RecordStatus;
  testcaseId?: string;
  traceId?: string;
  /** Inclusive bounds on the record id (a creation-time range). */
  idMin?: string;
  idMax?: string;
  /** Resume strictly after this position (a `last` returned earlier). */
  after?: string;
  ascending?: boolean;
  /** Items to read at most (records, and the score items of a run's list). */
  maxItems: number;
  /** Read only ids and the field maps (inputs, expected, outputs), for planning export columns. */
  fieldsOnly?: boolean;
}

export interface RecordScan {
  records: RunRecord[];
  /** Items read, matching or not. */
  scanned: number;
  /** Where the read stopped; null when the list has nothing further. */
  last: string | null;
}

export interface RecordSearchRepository {
  scan(scope: Scope, request: RecordScanRequest): Promise<RecordScan>;
  /** The scores stored for these (record, metric version) pairs; absent ones are left out. */
  scores(scope: Scope, pairs: Array<{ recordId: string; metricVersionId: string }>): Promise<Score[]>;
}
