import type { CoreDeps } from '../deps.js';
import { nowIso } from '../deps.js';
import { NonRetryableError } from '../errors.js';
import type { BatchManifestRepository, MetricVersion, Scope, ScoreTally } from '../ports.js';
import type { Score } from '../schemas/record.js';
import { type Run, RunStatus } from '../schemas/run.js';
import { addTally, aggregateTally, emptyTally, tallyScores } from './aggregates.js';
import { runStatus } from './status.js';

/**
 * Where a finalization gets each metric version's tally of the run's scores. There is one way to tally scores
 * (`tallyScores`); the sources differ only in whether they read the scores or the scorer's per-batch tallies of them.
 */
export type TallySource = (scope: Scope, run: Run, versions: MetricVersion[]) => Promise<Map<string, ScoreTally>>;

/** Every stored score, read once: right for any run (records posted through the API, human reviews). */
export const storedScoreTallies =
  (deps: CoreDeps): TallySource =>
  (scope, run, versions) =>
    tallyStoredScores(deps, scope, run, versions);

/** The scorer's batch summaries when they account for every score (the state machine's runs); else `fallback`. */
export const batchSummaryTallies =
  (batches: BatchManifestRepository, fallback: TallySource): TallySource =>
  async (scope, run, versions) =>
    (await tallyBatchSummaries(batches, run)) ?? fallback(scope, run, versions);

/** What the state machine's FinalizeRun reads: the batch summaries, else every stored score. */
export const workflowTallies = (deps: CoreDeps & { batches: BatchManifestRepository }) =>
  batchSummaryTallies(deps.batches, storedScoreTallies(deps));

/** Reads every score of the run once, page by page, and tallies them per metric version. */
async function tallyStoredScores(deps: CoreDeps, scope: Scope, run: Run, versions: MetricVersion[]) {
  const byVersion = new Map<string, Score[]>(run.metricVersionIds.map((v) => [v, []]));
  let after: string | undefined;
  for (;;) {
    const page = await deps.records.listByRun(scope, run.id, { limit: 100, after }, run.metricVersionIds.length);
    for (const record of page.items)
      for (const score of record.scores) byVersion.get(score.metricConfigId)?.push(score);
    if (!page.last) break;
    after = page.last;
  }
  return new Map(versions.map((v) => [v.id, tallyScores(v.definition.outputType, byVersion.get(v.id) ?? [])]));
}

/**
 * The same tallies from the summaries the scorer stored as it counted each batch, when they account for every
 * score of the run: every batch summarised in the run's current pass, together holding every record, for
 * every metric of the run, none of them human (people's scores arrive one PUT at a time, not by batch).
 * Otherwise null, and the scores are read. A score replaced by a PUT while the run is still going is only
 * reflected by a later finalization (as after human review).
 */
async function tallyBatchSummaries(batches: BatchManifestRepository, run: Run) {
  if (run.humanMetricVersionIds.length > 0) return null;
  const summaries = await batches.scoreSummaries(run.id);
  if (summaries.length === 0) return null;
  const tallies = new Map(run.metricVersionIds.map((v) => [v, emptyTally()]));
  let records = 0;
  for (const summary of summaries) {
    if (summary?.generation !== run.generation) return null;
    records += summary.records;
    for (const versionId of run.metricVersionIds) {
      const tally = summary.metrics[versionId];
      if (!tally) return null;
      addTally(tallies.get(versionId)!, tally);
    }
  }
  return records === run.numRecords ? tallies : null;
}

/**
 * What the state machine's Catch hands FinalizeRun ({Error, Cause}; a Lambda's Cause is the JSON of its
 * {errorType, errorMessage}), as the one line a user reads.
 */
export function workflowErrorMessage(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { Error: name, Cause: cause } = error as { Error?: unknown; Cause?: unknown };
  if (typeof cause === 'string' && cause) {
    try {
      const parsed = JSON.parse(cause) as { errorMessage?: unknown };
      if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
    } catch {
      // not JSON: the cause is the message itself
    }
    return cause.slice(0, 1000);
  }
  return typeof name === 'string' ? name : 'the evaluation workflow failed';
}

/**
 * Computes per-metric aggregates from the stored scores and moves the run to its final status. `error` is set
 * by the state machine when PrepareRun or the whole Map failed. With `expected`, the result is written only if
 * the run's counters still read so (nothing was counted since the caller judged the run done): `finalized`
 * says whether it was.
 */
export async function finalizeRun(
  deps: CoreDeps,
  input: {
    runId: string;
    orgId: string;
    error?: unknown;
    /** Apply only if the run still reads so: its counters and, when given, its stored status. */
    expected?: Pick<Run, 'numRecords' | 'numScores'> & { status?: Run['status'] };
  },
  tallySource: TallySource,
) {
  const scope: Scope = { orgId: input.orgId };
  const run = await deps.runs.get(scope, input.runId);
  if (!run) throw new NonRetryableError(`run ${input.runId} does not exist`);
  const versions = (await Promise.all(run.metricVersionIds.map((id) => deps.metrics.getVersion(scope, id)))).filter(
    (v): v is MetricVersion => v !== null,
  );
  const tallies = await tallySource(scope, run, versions);
  const aggregates = Object.fromEntries(
    versions.map((v) => [v.id, aggregateTally(v, tallies.get(v.id) ?? emptyTally())]),
  );
  const numScores = [...tallies.values()].reduce((n, t) => n + t.n + t.errored, 0);
  const workflowFailed = input.error !== undefined && input.error !== null;
  const status = runStatus(run, { workflowFailed });
  const done = status !== 'awaiting_human_scoring';
  const failureReason =
    status === 'failed'
      ? workflowFailed
        ? workflowErrorMessage(input.error)
        : (run.firstRecordError ?? 'every record errored')
      : null;
  const updated = await deps.runs.update(
    scope,
    run.id,
    { status, aggregates, numScores, completedAt: done ? nowIso(deps) : null, failureReason },
    // Finalizing never overwrites a cancel that raced with the last batch, nor (given the status it was judged in)
    // a finalization that got there first: two scorers finishing together finalize the run once.
    {
      statusIn: input.expected?.status ? [input.expected.status] : RunStatus.options.filter((st) => st !== 'cancelled'),
      countersAre: input.expected && { numRecords: input.expected.numRecords, numScores: input.expected.numScores },
    },
  );
  return { runId: run.id, status: updated?.status ?? run.status, finalized: updated !== null };
}
