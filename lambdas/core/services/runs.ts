import { badRequest, notFound, VerdictError } from '../errors.js';
import { idCreatedAt, newId } from '../ids.js';
import { isPassing, scoreNumber } from '../metrics/passing.js';
import { completeIfDone } from '../pipeline/posted-records.js';
import type { Scope } from '../ports.js';
import type { TestsetMembers } from '../records/testset-members.js';
import { numberTrials } from '../records/trials.js';
import type { CreateRecord, RunRecord, Score, ScoreValue } from '../schemas/record.js';
import type { CreateRun, Run } from '../schemas/run.js';
import { hostedConfig, type SystemConfig } from '../schemas/system.js';
import { type CoreDeps, nowIso, requireProject, requireRun } from './deps.js';

/** Resolves metric ids to their current versions, naming the offending index when one is unknown. */
export async function resolveMetrics(deps: CoreDeps, scope: Scope, projectId: string, metricIds: string[]) {
  const metrics = await Promise.all(metricIds.map((id) => deps.metrics.get(scope, id)));
  const issues = metrics.flatMap((m, i) =>
    !m || m.projectId !== projectId
      ? [{ path: `metricIds.${i}`, message: `metric ${metricIds[i]} was not found in this project` }]
      : [],
  );
  if (issues.length) throw new VerdictError(404, 'not_found', 'unknown metric', issues);
  return metrics.filter((m) => m !== null);
}

export async function createRun(
  deps: CoreDeps,
  scope: Scope,
  projectId: string,
  input: CreateRun,
  lineage: { rerunOf?: string } = {},
): Promise<Run> {
  await requireProject(deps, scope, projectId);
  const unique = [...new Set(input.metricIds)];
  const metrics = await resolveMetrics(deps, scope, projectId, unique);
  const testset = input.testsetId ? await deps.testsets.get(scope, input.testsetId) : null;
  if (input.testsetId && (!testset || testset.projectId !== projectId)) {
    throw new VerdictError(404, 'not_found', `testset ${input.testsetId} was not found`, [
      { path: 'testsetId', message: 'not found in this project' },
    ]);
  }
  const version = input.systemVersionId ? await deps.systems.getVersion(scope, input.systemVersionId) : null;
  if (input.systemVersionId && (!version || version.projectId !== projectId)) {
    throw new VerdictError(404, 'not_found', `system version ${input.systemVersionId} was not found`, [
      { path: 'systemVersionId', message: 'not found in this project' },
    ]);
  }
  if (input.source === 'kickoff' && version && !hostedConfig(version.config)) {
    throw outsideVerdict(version.config);
  }
  // createdAt is read from the id, so time-range queries over id keys and createdAt filters agree to the ms.
  const id = newId();
  const run: Run = {
    id,
    projectId,
    name: input.name ?? null,
    testsetId: testset?.id ?? null,
    systemId: version?.systemId ?? null,
    systemVersionId: version?.id ?? null,
    systemVersion: version ? { id: version.id, name: version.name } : null,
    metricIds: metrics.map((m) => m.id),
    metricVersionIds: metrics.map((m) => m.versionId),
    humanMetricVersionIds: metrics.filter((m) => m.evalType === 'human').map((m) => m.versionId),
    generation: 0,
    numRecords: 0,
    numExpectedRecords: testset ? testset.numTestcases * input.trials : null,
    numScores: 0,
    numExecuted: 0,
    numErroredRecords: 0,
    status: 'pending',
    source: input.source,
    notes: input.notes ?? '',
    maxConcurrency: input.maxConcurrency,
    trials: input.trials,
    createdAt: idCreatedAt(id),
    startedAt: null,
    completedAt: null,
    statusExplanation: {},
    aggregates: null,
    ...(lineage.rerunOf && { rerunOf: lineage.rerunOf }),
  };
  return deps.runs.create(scope, run);
}

/** A kickoff asks Verdict to run the system itself, which it cannot do for one that runs outside it. */
function outsideVerdict(config: SystemConfig) {
  const known = typeof config.type === 'string' ? ` (config.type "${config.type}" is not openai_chat or http)` : '';
  return badRequest(`this system runs outside Verdict, so Verdict cannot kick off a run of it${known}`, [
    {
      path: 'systemVersionId',
      message:
        'runs outside Verdict: create the run without source "kickoff" and post its records (POST /runs/{runId}/records)',
    },
  ]);
}

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
  // Independent once the records are stored, so one round trip instead of three. Scoring may start before they
  // are counted: a run that completes meanwhile is reopened below.
  const [counted] = await Promise.all([
    deps.runs.addCounters(scope, runId, {
      numRecords: records.length,
      executed: records.length,
      erroredRecords: errored,
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
      { status: 'pending', completedAt: null, aggregates: null },
      { statusIn: ['completed', 'failed'] },
    );
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
