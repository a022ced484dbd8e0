import { type CoreDeps, nowIso, requireRun } from '../deps.js';
import { badRequest, notFound, VerdictError } from '../errors.js';
import { idCreatedAt, newId } from '../ids.js';
import { isPassing, scoreNumber } from '../metrics/passing.js';
import type { Scope } from '../ports.js';
import { completeIfDone } from '../runs/complete.js';
import type { CreateRecord, RunRecord, Score, ScoreValue } from '../schemas/record.js';

/** A record posted by a client (the SDK's runAndEvaluate, or any external system). */
export async function postRecord(deps: CoreDeps, scope: Scope, runId: string, input: CreateRecord) {
  const run = await requireRun(deps, scope, runId);
  if (run.status === 'cancelled') throw new VerdictError(409, 'run_cancelled', `run ${runId} was cancelled`);
  const errored = Boolean(input.error);
  const id = newId();
  const record: RunRecord = {
    id,
    runId,
    testcaseId: input.testcaseId ?? null,
    inputs: input.inputs,
    expected: input.expected,
    outputs: input.outputs,
    status: errored ? 'errored' : 'completed',
    error: input.error ?? null,
    latencyMs: input.latencyMs ?? null,
    usage: input.usage ?? null,
    costUsd: input.costUsd ?? null,
    trial: input.trial,
    ...(input.traceId !== undefined && { traceId: input.traceId }),
    createdAt: idCreatedAt(id),
  };
  await deps.records.insert(scope, record, run.projectId);
  await deps.runs.addCounters(scope, runId, {
    numRecords: 1,
    executed: 1,
    erroredRecords: errored ? 1 : 0,
    ...(input.error && { firstRecordError: input.error }),
  });
  return { run, record };
}

/** PUT /records/{id}/scores/{metricConfigId}: an upsert that keeps the run's counters exact. */
export async function putScore(
  deps: CoreDeps,
  scope: Scope,
  recordId: string,
  metricVersionId: string,
  value: ScoreValue,
): Promise<Score> {
  const record = await deps.records.get(scope, recordId);
  if (!record) throw notFound('record', recordId);
  const version = await deps.metrics.getVersion(scope, metricVersionId);
  if (!version) throw notFound('metric version', metricVersionId);
  const { definition } = version;
  if (scoreNumber(definition.outputType, value) === null) {
    const field = { boolean: 'binaryScore', int: 'intScore', float: 'floatScore' }[definition.outputType];
    throw badRequest(`a ${definition.outputType} metric needs score.${field}`, [
      { path: `score.${field}`, message: 'is required for this metric' },
    ]);
  }
  const score: Score = {
    recordId,
    metricConfigId: metricVersionId,
    metricId: version.metricId,
    score: value,
    passed: isPassing(definition, value),
    status: 'completed',
    error: null,
    usage: null,
    latencyMs: null,
    updatedAt: nowIso(deps),
  };
  const run = await requireRun(deps, scope, record.runId);
  if (!run.metricVersionIds.includes(metricVersionId)) {
    // A score for a metric the run was not created with joins the run (e.g. a human review added later).
    await deps.runs.update(scope, run.id, {
      metricIds: [...run.metricIds, version.metricId],
      metricVersionIds: [...run.metricVersionIds, metricVersionId],
      ...(definition.evalType === 'human'
        ? { humanMetricVersionIds: [...run.humanMetricVersionIds, metricVersionId] }
        : {}),
    });
  }
  const { created, previous } = await deps.scores.upsert(scope, record.runId, score);
  const wasErrored = previous?.status === 'errored';
  if (created || wasErrored) {
    await deps.runs.addCounters(scope, record.runId, {
      numScores: created ? 1 : 0,
      metrics: { [metricVersionId]: { scored: 1, errored: wasErrored ? -1 : 0 } },
    });
  }
  await completeIfDone(deps, scope, record.runId);
  return score;
}
