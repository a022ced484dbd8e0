import type { PageRequest } from './pagination.js';
import type { Metric, MetricDefinition } from './schemas/metric.js';
import type { Project } from './schemas/project.js';
import type { RecordWithScores, RunRecord, Score } from './schemas/record.js';
import type { System, SystemVersion } from './schemas/system.js';
import type { Testcase, Testset, UpdateTestset } from './schemas/testset.js';

/** Every repository call is scoped to one organization: a foreign id reads as absent. */
export interface Scope {
  orgId: string;
}

export interface ApiKey {
  keyId: string;
  orgId: string;
  name: string;
  createdAt: string;
  revoked: boolean;
}

export interface ApiKeyRepository {
  /** Stores only the hash of the secret. */
  put(key: ApiKey, secretHash: string): Promise<void>;
  findByHash(secretHash: string): Promise<ApiKey | null>;
  revoke(keyId: string): Promise<boolean>;
  list(orgId: string): Promise<ApiKey[]>;
}

export interface ProjectRepository {
  create(scope: Scope, project: Project): Promise<Project>;
  get(scope: Scope, id: string): Promise<Project | null>;
  list(scope: Scope, page: PageRequest): Promise<Paged<Project>>;
}

export type TestsetPatch = UpdateTestset;

export interface TestsetRepository {
  create(scope: Scope, projectId: string, testset: Testset): Promise<Testset>;
  get(scope: Scope, id: string): Promise<(Testset & { projectId: string }) | null>;
  list(scope: Scope, projectId: string, page: PageRequest): Promise<Paged<Testset>>;
  update(scope: Scope, id: string, patch: TestsetPatch): Promise<Testset | null>;
  delete(scope: Scope, id: string): Promise<boolean>;
}

/** A page plus the raw sort key of its last item, which the API turns into a signed cursor. */
export interface Paged<T> {
  items: T[];
  last: string | null;
}

export interface TestcaseRepository {
  /** Writes the testcases and bumps the testset's count once for the batch. */
  createMany(scope: Scope, testcases: Testcase[]): Promise<void>;
  get(scope: Scope, id: string): Promise<Testcase | null>;
  /** The testcases that exist, in no particular order; ids that do not (or belong elsewhere) are left out. */
  getMany(scope: Scope, ids: string[]): Promise<Testcase[]>;
  list(scope: Scope, testsetId: string, page: PageRequest): Promise<Paged<Testcase>>;
  /** Every testcase id of a testset, in order. */
  listIds(scope: Scope, testsetId: string): Promise<string[]>;
  replace(scope: Scope, testcase: Testcase): Promise<void>;
  deleteMany(scope: Scope, ids: string[]): Promise<number>;
}

export interface MetricVersion {
  id: string;
  metricId: string;
  projectId: string;
  definition: MetricDefinition;
  createdAt: string;
}

export interface MetricRepository {
  create(scope: Scope, projectId: string, metricId: string, version: MetricVersion): Promise<Metric>;
  get(scope: Scope, id: string): Promise<Metric | null>;
  list(scope: Scope, projectId: string, page: PageRequest): Promise<Paged<Metric>>;
  /** Appends an immutable version; fails with a retryable conflict if `expectedVersionId` is stale. */
  addVersion(scope: Scope, metricId: string, expectedVersionId: string, version: MetricVersion): Promise<Metric>;
  getVersion(scope: Scope, versionId: string): Promise<MetricVersion | null>;
  delete(scope: Scope, id: string): Promise<boolean>;
}

export interface SystemRepository {
  /** Creates the system or returns the one of that name in the project (names are unique per project). */
  upsertByName(scope: Scope, system: System): Promise<{ system: System; created: boolean }>;
  get(scope: Scope, id: string): Promise<System | null>;
  list(scope: Scope, projectId: string, page: PageRequest): Promise<Paged<System>>;
  update(
    scope: Scope,
    id: string,
    patch: { name?: string; description?: string; productionVersionId?: string },
  ): Promise<System | null>;
  delete(scope: Scope, id: string): Promise<boolean>;
  /** Returns the existing version when one with the same config exists. */
  addVersion(
    scope: Scope,
    version: SystemVersion,
    configHash: string,
  ): Promise<{ version: SystemVersion; created: boolean }>;
  getVersion(scope: Scope, versionId: string): Promise<(SystemVersion & { projectId: string }) | null>;
  /** Gives an existing version a new name (Scorecard's upsert of a config that already has a version). */
  renameVersion(scope: Scope, versionId: string, name: string): Promise<SystemVersion | null>;
}

export type { RunCondition, RunCounters, RunPatch, RunRepository } from './runs/ports.js';

export interface RecordRepository {
  /** Creates a record once; a repeated insert of the same id returns false and changes nothing. */
  insert(scope: Scope, record: RunRecord, projectId: string): Promise<boolean>;
  insertMany(scope: Scope, records: RunRecord[], projectId: string): Promise<void>;
  replace(scope: Scope, record: RunRecord, projectId: string): Promise<void>;
  get(scope: Scope, id: string): Promise<RecordWithScores | null>;
  getMany(scope: Scope, ids: string[]): Promise<RunRecord[]>;
  listIdsByRun(scope: Scope, runId: string): Promise<string[]>;
  listByRun(scope: Scope, runId: string, page: PageRequest, metricsPerRecord: number): Promise<Paged<RecordWithScores>>;
  /**
   * The run's list read from its end: the `page.limit` records before `page.after` (exclusive), in ascending
   * order; `last` is the page's first record id (the next page ends there), null at the list's start.
   */
  listByRunFromEnd(
    scope: Scope,
    runId: string,
    page: PageRequest,
    metricsPerRecord: number,
  ): Promise<Paged<RecordWithScores>>;
  delete(scope: Scope, id: string): Promise<boolean>;
  /**
   * A GET link (valid `expiresInSeconds` from `now`) to the record's document fields when they are stored apart
   * from it, as one JSON object `{inputs, expected, outputs}`; null when the record is not found or keeps them inline.
   */
  largeFieldsLink(
    scope: Scope,
    id: string,
    expiresInSeconds: number,
    now: Date,
  ): Promise<{ url: string; expiresAt: Date } | null>;
}

export interface ScoreRepository {
  /** Insert or replace; returns whether this was the first score for (record, metric version). */
  upsert(scope: Scope, runId: string, score: Score): Promise<{ created: boolean; previous: Score | null }>;
  /** Writes once per scoring pass (generation); false when this pass already wrote it. */
  insert(scope: Scope, runId: string, score: Score, generation?: number): Promise<boolean>;
  /** Scores already written in this scoring pass, keyed `recordId/metricVersionId`. */
  writtenInPass(
    scope: Scope,
    recordIds: string[],
    metricVersionIds: string[],
    generation: number,
  ): Promise<Map<string, Score>>;
  /** Bulk write (BatchWriteItem) of a batch's scores for one scoring pass. */
  putMany(scope: Scope, runId: string, scores: Score[], generation: number): Promise<void>;
}

/** Object storage for exports and for item fields too large for DynamoDB. */
export interface BlobStore {
  put(key: string, body: string | Uint8Array, contentType?: string): Promise<void>;
  get(key: string): Promise<string | null>;
  delete(key: string): Promise<void>;
  /** A GET link to the object for `expiresInSeconds` from `now` (sooner if the signer's credentials end first). */
  presign(key: string, expiresInSeconds: number, now: Date): Promise<{ url: string; expiresAt: Date }>;
}

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** Remembers the first response to a POST with an Idempotency-Key, so a retry gets it back. */
export interface IdempotencyStore {
  /** Claims the key; returns the stored response if it was already completed, or 'in_progress'. */
  claim(
    orgId: string,
    key: string,
    fingerprint: string,
  ): Promise<StoredResponse | 'claimed' | 'in_progress' | 'mismatch'>;
  complete(orgId: string, key: string, response: StoredResponse): Promise<void>;
  release(orgId: string, key: string): Promise<void>;
}

export type CountedPhase = 'execution' | 'scores';

/**
 * One record of a batch. A batch still to execute also names the testcase and trial each record runs: the
 * executor builds the record from them, so PrepareRun writes no placeholder records.
 */
export interface BatchEntry {
  recordId: string;
  testcaseId?: string;
  trial?: number;
}

/** The records of one batch of a run, written by PrepareRun and read by the workers. */
export interface BatchManifestRepository {
  /** Batch `i` gets `batches[i]`, for a run planned for the first time (nothing of it counted yet). */
  createAll(runId: string, batches: BatchEntry[][]): Promise<void>;
  /** Writes or re-plans one batch, keeping which of its phases were already counted. */
  put(runId: string, batch: number, entries: BatchEntry[]): Promise<void>;
  get(runId: string, batch: number): Promise<BatchEntry[] | null>;
  /**
   * Marks a phase of a batch as added to the run's counters, once per scoring pass (generation). Workers write
   * a batch's results in bulk and then add the batch's totals only if they win this claim, so redelivered or
   * concurrent messages never count a batch twice. The scores phase stores the batch's score summary with it.
   */
  claim(
    runId: string,
    batch: number,
    phase: CountedPhase,
    generation: number,
    summary?: BatchScoreSummary,
  ): Promise<boolean>;
  /** The score summary of every batch of the run, in batch order; null for a batch that has none. */
  scoreSummaries(runId: string): Promise<Array<BatchScoreSummary | null>>;
}

/** What aggregates need of one metric version's scores: counts, and the values for mean, median and histogram. */
export interface ScoreTally {
  /** Completed scores. */
  n: number;
  passed: number;
  failed: number;
  errored: number;
  values: number[];
}

/**
 * Every score one scoring pass wrote for one batch, summed up when the batch is counted, so FinalizeRun can
 * aggregate a run from one small item per batch instead of reading every score.
 */
export interface BatchScoreSummary {
  generation: number;
  /** The batch's stored records, scored or not. */
  records: number;
  /** Per metric version the pass scored. */
  metrics: Record<string, ScoreTally>;
}
