import { nowIso } from '../deps.js';
import { withRetries } from '../llm/retry.js';
import { JudgeReplyError, scoreRecordWithMetric } from '../metrics/judge.js';
import type { BatchScoreSummary, MetricVersion, RunCounters, Scope } from '../ports.js';
import { tallyScores } from '../runs/aggregates.js';
import { metricVersionIdsToScore } from '../runs/status.js';
import type { RunRecord, Score } from '../schemas/record.js';
import type { Run } from '../schemas/run.js';
import { type BatchTask, checkDeadline, type PipelineDeps, type RemainingTime } from './deps.js';
import { cancellationProbe, errorMessage, loadBatch } from './load-batch.js';
import { settleAll, writeAsFinished } from './settle.js';
import { scoreResultProblem } from './storable.js';

/** Loads the metric versions this pass judges (human ones wait for people; a rescore judges only those it named). */
export async function autoMetricVersions(deps: PipelineDeps, scope: Scope, run: Run): Promise<MetricVersion[]> {
  const versions = await Promise.all(metricVersionIdsToScore(run).map((id) => deps.caches.metricVersion(scope, id)));
  return versions.filter((v): v is MetricVersion => v !== null);
}

/** Counter deltas for a set of scores: numScores and per metric version scored / errored (+ the last error). */
export function countScores(scores: Score[]): RunCounters {
  const metrics: NonNullable<RunCounters['metrics']> = {};
  for (const s of scores) {
    const m = metrics[s.metricConfigId] ?? { scored: 0, errored: 0 };
    metrics[s.metricConfigId] = m;
    if (s.status === 'errored') {
      m.errored = (m.errored ?? 0) + 1;
      m.lastError = s.error ?? 'error';
    } else m.scored = (m.scored ?? 0) + 1;
  }
  return { numScores: scores.length, metrics };
}

/**
 * Scores every completed record of a batch with every automatic metric, skipping pairs this pass already
 * scored, writes the new scores in bulk and adds the batch's totals to the run once (the batch claim).
 */
export async function scoreBatch(deps: PipelineDeps, task: BatchTask, attempt = 1, remainingMs?: RemainingTime) {
  const { scope, run, records } = await loadBatch(deps, task, 'skip');
  // Each score is written as soon as its judge has answered (see writeAsFinished).
  const save = writeAsFinished<Score>((scores) => deps.scores.putMany(scope, run.id, scores, run.generation));
  const { fresh, existing, metrics, failure } = await computeScores(
    deps,
    scope,
    run,
    records,
    attempt,
    save,
    remainingMs,
  );
  if (failure) throw failure;
  const scores = [...existing, ...fresh];
  const summary = summarizeBatch(run.generation, records.length, metrics, scores);
  // The claim keeps the batch's summary for FinalizeRun; the counts are added once under their own key, on the
  // run item itself, so a crash between the two writes neither loses nor doubles them.
  await deps.batches.claim(run.id, task.batch, 'scores', run.generation, summary);
  await deps.runs.addCounters(scope, run.id, countScores(scores), `scores:${task.batch}:${run.generation}`);
  return {
    scored: fresh.filter((s) => s.status === 'completed').length,
    errored: fresh.filter((s) => s.status === 'errored').length,
  };
}

/** Every score of this pass for a batch, tallied per metric version (see BatchScoreSummary). */
function summarizeBatch(
  generation: number,
  records: number,
  metrics: MetricVersion[],
  scores: Score[],
): BatchScoreSummary {
  const summary: BatchScoreSummary = { generation, records, metrics: {} };
  for (const version of metrics) {
    const own = scores.filter((s) => s.metricConfigId === version.id);
    summary.metrics[version.id] = tallyScores(version.definition.outputType, own);
  }
  return summary;
}

/**
 * Records posted through the API have no batch manifest. A message of just-posted records is counted like a
 * batch: its scores are written in bulk and, if this delivery wins the message's claim (`claim`), every score
 * of its records in this pass is added to the counters once. Records queued again (after a restart) may also
 * have been counted under their first message, so each of their scores is written with a conditional put
 * once per pass and only the writes that win are counted.
 */
export async function scoreRecords(deps: PipelineDeps, scope: Scope, run: Run, records: RunRecord[], claim?: string) {
  const { fresh, existing, failure } = await computeScores(deps, scope, run, records, 1);
  if (claim !== undefined) {
    await deps.scores.putMany(scope, run.id, fresh, run.generation);
    if (failure) throw failure;
    await deps.runs.addCounters(
      scope,
      run.id,
      countScores([...existing, ...fresh]),
      `posted:${claim}:${run.generation}`,
    );
    return;
  }
  const won = await Promise.all(fresh.map((score) => deps.scores.insert(scope, run.id, score, run.generation)));
  const counted = fresh.filter((_, i) => won[i]);
  if (counted.length > 0) await deps.runs.addCounters(scope, run.id, countScores(counted));
  if (failure) throw failure;
}

/** The scores this pass still lacks for these records. A judge that fails is an errored score, never a 0. */
async function computeScores(
  deps: PipelineDeps,
  scope: Scope,
  run: Run,
  records: RunRecord[],
  attempt: number,
  /** Writes each new score as soon as it is known; without it the caller writes them all. */
  save?: (score: Score) => Promise<unknown>,
  /** How long the invocation has left: no record is started under the margin (see checkDeadline). */
  remainingMs?: RemainingTime,
) {
  const metrics = await autoMetricVersions(deps, scope, run);
  const scorable = records.filter((r) => r.status === 'completed');
  const written = await deps.scores.writtenInPass(
    scope,
    scorable.map((r) => r.id),
    metrics.map((m) => m.id),
    run.generation,
  );
  const isCancelled = cancellationProbe(deps, scope, run.id, run);
  const limiter = deps.runLimiters.for(scope.orgId, run.id, run.maxConcurrency);
  const { results, failure } = await settleAll(scorable, async (record) => {
    const missing = metrics.filter((m) => !written.has(`${record.id}/${m.id}`));
    if (missing.length === 0 || (await isCancelled())) return [];
    checkDeadline(remainingMs);
    await deps.hooks?.beforeRecord?.('score', record, attempt);
    const scores = await Promise.all(
      missing.map((version) => scoreOne(deps, limiter, isCancelled, version, record, save)),
    );
    return scores.filter((s): s is Score => s !== null);
  });
  await limiter.releaseIdle();
  return { fresh: results.flat(), existing: [...written.values()], metrics, failure };
}

/**
 * One metric on one record, written through `save` when given. A judge's permit covers its write as well as its
 * call: judge calls in flight plus scores not yet saved never pass the run's concurrency, so a crash makes at
 * most that many judge calls again.
 */
async function scoreOne(
  deps: PipelineDeps,
  limiter: { run<T>(fn: () => Promise<T>): Promise<T> },
  isCancelled: () => Promise<boolean>,
  version: MetricVersion,
  record: RunRecord,
  save?: (score: Score) => Promise<unknown>,
): Promise<Score | null> {
  const scoreAndSave = async () => {
    const score = await judgeOne(deps, version, record);
    if (save) await save(score);
    return score;
  };
  if (version.definition.evalType !== 'ai') return scoreAndSave();
  return limiter.run(async () => ((await isCancelled()) ? null : scoreAndSave()));
}

/** The score of one metric on one record: a judge that fails gives an errored score, never a 0. */
async function judgeOne(deps: PipelineDeps, version: MetricVersion, record: RunRecord): Promise<Score> {
  const base = { recordId: record.id, metricConfigId: version.id, metricId: version.metricId, updatedAt: nowIso(deps) };
  const subject = {
    inputs: record.inputs,
    expected: record.expected,
    outputs: record.outputs,
    latencyMs: record.latencyMs,
    costUsd: record.costUsd,
  };
  try {
    const score = () => scoreRecordWithMetric(version.definition, subject, { chat: deps.chat });
    const result = version.definition.evalType === 'ai' ? await withRetries(score, deps.retry) : await score();
    if (!result) throw new Error('human metrics are not scored automatically');
    const problem = scoreResultProblem(result);
    if (problem) throw new Error(problem);
    return {
      ...base,
      score: result.value,
      passed: result.passed,
      status: 'completed',
      error: null,
      usage: result.usage,
      latencyMs: result.latencyMs,
      rawReply: result.rawReply,
    };
  } catch (error) {
    const reply = error instanceof JudgeReplyError ? error : null;
    return {
      ...base,
      score: {},
      passed: null,
      status: 'errored',
      error: errorMessage(error),
      usage: reply?.usage ?? null,
      latencyMs: reply?.latencyMs ?? null,
      rawReply: reply?.rawReply ?? null,
    };
  }
}
