import { withRetries } from '../llm/retry.js';
import { JudgeReplyError, scoreRecordWithMetric } from '../metrics/judge.js';
import type { MetricVersion, Scope } from '../ports.js';
import type { RunRecord, Score } from '../schemas/record.js';
import type { Run } from '../schemas/run.js';
import { nowIso } from '../services/deps.js';
import type { BatchTask, PipelineDeps } from './deps.js';
import { cancellationProbe, errorMessage, loadBatch } from './load-batch.js';
import { autoMetricVersionIds } from './status.js';

/** Scores every completed record of a batch with every automatic metric of the run. */
export async function scoreBatch(deps: PipelineDeps, task: BatchTask, attempt = 1) {
  const { scope, run, records } = await loadBatch(deps, task);
  return scoreRecords(deps, scope, run, records, attempt);
}

/** Loads the run's automatic metric versions (human ones wait for people). */
export async function autoMetricVersions(deps: PipelineDeps, scope: Scope, run: Run): Promise<MetricVersion[]> {
  const versions = await Promise.all(autoMetricVersionIds(run).map((id) => deps.metrics.getVersion(scope, id)));
  return versions.filter((v): v is MetricVersion => v !== null);
}

/**
 * Each (record, metric) is scored once per scoring pass: a conditional write refuses a second score of the
 * same pass, so redelivery and retries never double count. A judge reply that cannot be parsed, or a judge
 * that cannot be reached after retries, is an errored score that keeps the raw reply, never a silent 0.
 */
export async function scoreRecords(deps: PipelineDeps, scope: Scope, run: Run, records: RunRecord[], attempt = 1) {
  const metrics = await autoMetricVersions(deps, scope, run);
  const isCancelled = cancellationProbe(deps, scope, run.id, run);
  const limiter = deps.runLimiters.for(run.id, run.maxConcurrency);
  const done = await deps.scores.writtenInPass(
    scope,
    records.map((r) => r.id),
    metrics.map((m) => m.id),
    run.generation,
  );
  let scored = 0;
  let errored = 0;
  await Promise.all(
    records.map(async (record) => {
      if (record.status !== 'completed' || (await isCancelled())) return;
      await deps.hooks?.beforeRecord?.('score', record, attempt);
      await Promise.all(
        metrics.map(async (version) => {
          if (done.has(`${record.id}/${version.id}`)) return;
          const score = await scoreOne(deps, limiter, version, record);
          if (!(await deps.scores.insert(scope, run.id, score, run.generation))) return;
          const failed = score.status === 'errored';
          if (failed) errored++;
          else scored++;
          await deps.runs.addCounters(scope, run.id, {
            numScores: 1,
            metrics: { [version.id]: failed ? { errored: 1, lastError: score.error ?? 'error' } : { scored: 1 } },
          });
        }),
      );
    }),
  );
  return { scored, errored };
}

async function scoreOne(
  deps: PipelineDeps,
  limiter: { run<T>(fn: () => Promise<T>): Promise<T> },
  version: MetricVersion,
  record: RunRecord,
): Promise<Score> {
  const base = { recordId: record.id, metricConfigId: version.id, metricId: version.metricId, updatedAt: nowIso(deps) };
  const subject = {
    inputs: record.inputs,
    expected: record.expected,
    outputs: record.outputs,
    latencyMs: record.latencyMs,
    costUsd: record.costUsd,
  };
  const needsLlm = version.definition.evalType === 'ai';
  try {
    const run = () => scoreRecordWithMetric(version.definition, subject, { chat: deps.chat });
    const result = needsLlm ? await limiter.run(() => withRetries(run, deps.retry)) : await run();
    if (!result) throw new Error('human metrics are not scored automatically');
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
