import { type CoreDeps, nowIso, requireRun } from '../deps.js';
import { badRequest, notFound, VerdictError } from '../errors.js';
import { idCreatedAt, newId } from '../ids.js';
import { isPassing, scoreNumber } from '../metrics/passing.js';
import type { Scope } from '../ports.js';
import type { TestsetMembers } from '../records/testset-members.js';
import { numberTrials } from '../records/trials.js';
import { runClosed } from '../runs/close.js';
import { completeIfDone } from '../runs/complete.js';
import type { CreateRecord, RunRecord, Score, ScoreValue } from '../schemas/record.js';
import type { Run } from '../schemas/run.js';

/**
 * Records posted by a client (the SDK's runAndEvaluate, or any external system), in arrival order, written
 * together: one run read, one batch write and one counter update however many arrived at once. `stored` runs
 * once the records are written, beside the counting (the caller queues them for scoring there). Each input gets
 * its record, or the error that refused it alone (a testcaseId not in the run's testset): one bad record among
 * many that arrived together fails only its own POST.
 */
export async function postRecords(
  deps: CoreDeps,
  scope: Scope,
  runId: string,
  posted: CreateRecord[],
  members: TestsetMembers,
  stored?: (run: Run, records: RunRecord[]) => Promise<void>,
): Promise<{ run: Run; results: Array<RunRecord | Error> }> {
  const run = await requireRun(deps, scope, runId);
  if (run.status === 'cancelled') throw new VerdictError(409, 'run_cancelled', `run ${runId} was cancelled`);
  if (run.closedAt) throw runClosed(run);
  const checks = await Promise.all(
    posted.map((input) =>
      input.testcaseId
        ? requireTestcaseOfRun(members, scope, run, input.testcaseId).then(
            () => null,
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          )
        : null,
    ),
  );
  const inputs = posted.filter((_, i) => checks[i] === null);
  if (inputs.length === 0) return { run, results: checks as Error[] };
  const trials = await numberTrials(deps.runs, scope, run, inputs);
  const records = inputs.map((input, i): RunRecord => {
    const id = newId();
    return {
      id,
      runId,
      ...(input.testcaseId ? { testcaseId: input.testcaseId } : {}),
      inputs: input.inputs,
      expected: input.expected,
      outputs: input.outputs,
      status: input.error ? 'errored' : 'completed',
      error: input.error ?? null,
      latencyMs: input.latencyMs ?? null,
      usage: input.usage ?? null,
      costUsd: input.costUsd ?? null,
      trial: trials[i]!,
      ...(input.traceId !== undefined && { traceId: input.traceId }),
      createdAt: idCreatedAt(id),
    };
  });
  await deps.records.insertMany(scope, records, run.projectId);
  const most = Math.max(...trials) + 1;
  // run.trials says how many times testcases were run. numExpectedRecords stays what the run was created
  // expecting: a client that repeats only some testcases (or a retried POST) must not leave it waiting forever.
  const errored = records.filter((r) => r.status === 'errored').length;
  const firstError = records.find((r) => r.error)?.error;
  // Independent once the records are stored, so one round trip instead of three. Scoring may start before they
  // are counted: a run that completes meanwhile is reopened below.
  const [counted] = await Promise.all([
    deps.runs.addCounters(scope, runId, {
      numRecords: records.length,
      executed: records.length,
      erroredRecords: errored,
      recordedAt: nowIso(deps),
      ...(firstError && { firstRecordError: firstError }),
    }),
    most > run.trials ? deps.runs.update(scope, runId, { trials: most }, { trialsBelow: most }) : null,
    stored?.(run, records),
  ]);
  // A record that arrives after its run finished (client-side trials beyond numExpectedRecords, or a late
  // straggler) reopens it: the run scores it and finalizes again, so its figures are never stale. The status
  // is the one read as the records were counted, so a run that finished meanwhile is seen too.
  if (counted?.status === 'completed' || counted?.status === 'failed') {
    await deps.runs.update(
      scope,
      runId,
      { status: 'pending', completedAt: null, aggregates: null, failureReason: null },
      { statusIn: ['completed', 'failed'] },
    );
    // The new records' scoring may have ended before the run was reopened, while it still read as final (so it
    // did not finish the run): judge it again now. If their scores are still to come, this does nothing.
    await completeIfDone(deps, scope, runId);
  }
  const byInput = records.values();
  return { run: counted ?? run, results: checks.map((error) => error ?? byInput.next().value!) };
}

/** A posted record may name a testcase only of its run's testset (the same message whether or not it exists). */
async function requireTestcaseOfRun(members: TestsetMembers, scope: Scope, run: Run, testcaseId: string) {
  if (!run.testsetId) {
    throw badRequest(`run ${run.id} has no testset, so its records name no testcase`, [
      { path: 'testcaseId', message: 'must be absent or null: the run has no testset' },
    ]);
  }
  const size = run.numExpectedRecords === null ? null : Math.ceil(run.numExpectedRecords / Math.max(1, run.trials));
  if (!(await members.has(scope, run.testsetId, testcaseId, size))) {
    throw badRequest(`testcase ${testcaseId} is not in the run's testset`, [
      { path: 'testcaseId', message: `is not a testcase of testset ${run.testsetId}` },
    ]);
  }
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
