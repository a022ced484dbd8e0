import type { VerdictClient } from './client.js';
import { VerdictUsageError } from './errors.js';
import { anySignal } from './http.js';
import { createInlineTestset, type InlineTestcase } from './inline-testset.js';
import { isHostedConfig, type Json, type Run, type SystemVersion, type Testcase } from './types.js';

export interface SystemContext {
  testcase: Testcase;
  trial: number;
  /** Aborted when runAndEvaluate gives up (an API failure, the caller's signal, or the system timeout). */
  signal: AbortSignal;
}

/**
 * Your system under test. An object it returns becomes the record's outputs as is; anything else (a string, a
 * number) is stored as `{response: value}`, the field heuristic metrics read by default. A throw becomes an
 * errored record carrying the message; the run goes on.
 */
export type SystemFunction = (
  inputs: Json,
  systemVersion: SystemVersion | null,
  context: SystemContext,
) => unknown | Promise<unknown>;

export interface RunProgress {
  runId: string;
  /** Records posted so far (errored ones included). */
  completed: number;
  errored: number;
  total: number;
}

export interface RunAndEvaluateOptions {
  projectId: string;
  /** An existing testset… */
  testsetId?: string;
  /** …or testcases in code, which first become a new testset (see docs: why not records without testcases). */
  testcases?: InlineTestcase[];
  /** Name of the testset made from inline testcases. */
  testsetName?: string;
  metricIds: string[];
  system: SystemFunction;
  /** A version that runs outside Verdict to attach the run to (and hand to `system`); hosted ones are refused. */
  systemVersionId?: string;
  trials?: number;
  /** Calls of `system` in flight at once (default 10). */
  concurrency?: number;
  /** A call of `system` slower than this becomes an errored record (default: no limit). */
  systemTimeoutMs?: number;
  name?: string;
  notes?: string;
  onProgress?: (progress: RunProgress) => void;
  signal?: AbortSignal;
}

export interface RunAndEvaluateResult {
  runId: string;
  /** The run's API address. */
  url: string;
  numRecords: number;
  numErrored: number;
}

const MAX_ERROR_LENGTH = 10_000;

const isPlainObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return (text || 'the system failed without a message').slice(0, MAX_ERROR_LENGTH);
}

async function callSystem(
  options: Pick<RunAndEvaluateOptions, 'system' | 'systemTimeoutMs'>,
  version: SystemVersion | null,
  testcase: Testcase,
  trial: number,
  parent: AbortSignal,
) {
  const timeout = options.systemTimeoutMs ? AbortSignal.timeout(options.systemTimeoutMs) : undefined;
  const signal = timeout ? anySignal([parent, timeout]) : parent;
  const started = performance.now();
  try {
    const call = Promise.resolve(options.system(testcase.inputs, version, { testcase, trial, signal }));
    const value = await (timeout
      ? Promise.race([
          call,
          new Promise<never>((_, reject) =>
            timeout.addEventListener('abort', () =>
              reject(new Error(`the system did not answer within ${options.systemTimeoutMs} ms`)),
            ),
          ),
        ])
      : call);
    const outputs = isPlainObject(value) ? value : { response: value ?? null };
    return { outputs, error: undefined, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { outputs: {}, error: errorMessage(error), latencyMs: Math.round(performance.now() - started) };
  }
}

async function systemVersionFor(client: VerdictClient, id: string | undefined, signal?: AbortSignal) {
  if (!id) return null;
  const version = await client.systems.getVersion(id, { signal });
  if (isHostedConfig(version.config)) {
    throw new VerdictUsageError(
      `system version ${id} is a hosted ${version.config.type} system, which the pipeline runs by itself; ` +
        'runAndEvaluate runs your own function, so pass a version that runs outside Verdict (config ' +
        '{type: "external"} or your own parameters) or none, or start the hosted run with `verdict run --system-version`',
    );
  }
  return version;
}

/** Testcases in testset order, each repeated per trial, stopping at the count the run expects. */
async function* workItems(client: VerdictClient, testsetId: string, testcaseCount: number, trials: number) {
  let seen = 0;
  for await (const testcase of client.testcases.list(testsetId, { limit: 100 })) {
    if (seen++ >= testcaseCount) return;
    for (let trial = 0; trial < trials; trial++) yield { testcase, trial };
  }
}

/** What filling a run needs: your system and how to call it. */
export type FillRunOptions = Pick<
  RunAndEvaluateOptions,
  'system' | 'systemVersionId' | 'concurrency' | 'systemTimeoutMs' | 'onProgress' | 'signal'
>;

/**
 * Evaluates your own system from code: creates a run, pages the testset, calls `system` with bounded
 * concurrency and posts each record as soon as it completes, so the server scores while the rest still runs,
 * then finishes the run (no more records). Use `waitForRun` for the aggregates.
 */
export async function runAndEvaluate(
  client: VerdictClient,
  options: RunAndEvaluateOptions,
): Promise<RunAndEvaluateResult> {
  const trials = options.trials ?? 1;
  if ((options.testsetId === undefined) === (options.testcases === undefined)) {
    throw new VerdictUsageError('give exactly one of testsetId and testcases');
  }
  if (options.metricIds.length === 0) {
    throw new VerdictUsageError('metricIds is empty: a run needs at least one metric to score its records');
  }
  checkConcurrency(options.concurrency);
  const version = await systemVersionFor(client, options.systemVersionId, options.signal);
  const testsetId =
    options.testsetId ??
    (
      await createInlineTestset(
        client,
        options.projectId,
        options.testcases!,
        options.testsetName ?? `runAndEvaluate ${new Date().toISOString()}`,
      )
    ).id;
  const run = await client.runs.create(
    options.projectId,
    {
      testsetId,
      systemVersionId: options.systemVersionId,
      metricIds: options.metricIds,
      trials,
      name: options.name,
      notes: options.notes,
      source: 'api',
    },
    { signal: options.signal },
  );
  return postAndFinish(client, run, version, options);
}

/**
 * Fills a run that already exists (one a GitHub workflow was started for, say): pages its testset, calls
 * `system` for every testcase and trial it expects, posts the records and finishes it.
 */
export async function fillRun(
  client: VerdictClient,
  runId: string,
  options: FillRunOptions,
): Promise<RunAndEvaluateResult> {
  checkConcurrency(options.concurrency);
  const run = await client.runs.get(runId, { signal: options.signal });
  if (!run.testsetId) {
    throw new VerdictUsageError(`run ${runId} has no testset, so there are no testcases to run your system on`);
  }
  if (run.status !== 'pending' || run.numRecords > 0) {
    throw new VerdictUsageError(
      `run ${runId} is ${run.status} with ${run.numRecords} records: only a new, empty run can be filled`,
    );
  }
  const version = await systemVersionFor(
    client,
    options.systemVersionId ?? run.systemVersionId ?? undefined,
    options.signal,
  );
  return postAndFinish(client, run, version, options);
}

function checkConcurrency(concurrency: number | undefined) {
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new VerdictUsageError('concurrency must be >= 1');
  }
}

/** Calls the system for every (testcase, trial) the run expects, posts each record, and finishes the run. */
async function postAndFinish(
  client: VerdictClient,
  run: Run,
  version: SystemVersion | null,
  options: FillRunOptions,
): Promise<RunAndEvaluateResult> {
  const concurrency = options.concurrency ?? 10;
  const trials = Math.max(1, run.trials);
  const total = run.numExpectedRecords ?? 0;
  const progress: RunProgress = { runId: run.id, completed: 0, errored: 0, total };
  const stop = new AbortController();
  const signal = options.signal ? anySignal([options.signal, stop.signal]) : stop.signal;
  const items = workItems(client, run.testsetId!, Math.floor(total / trials), trials);
  let failure: unknown;

  // Workers share one generator: an async generator hands each next() call its own item, in order.
  const worker = async () => {
    for (;;) {
      if (signal.aborted) return;
      const next = await items.next();
      if (next.done) return;
      const { testcase, trial } = next.value;
      const result = await callSystem(options, version, testcase, trial, signal);
      if (signal.aborted) return;
      await client.records
        .create(
          run.id,
          {
            testcaseId: testcase.id,
            inputs: testcase.inputs,
            expected: testcase.expected,
            outputs: result.outputs,
            latencyMs: result.latencyMs,
            trial,
            ...(result.error ? { error: result.error } : {}),
          },
          { signal },
        )
        .catch((error: unknown) => {
          // The run cannot complete without this record: say which testcase is missing, and why.
          if (error instanceof Error && !signal.aborted) {
            error.message = `testcase ${testcase.id} (trial ${trial}) was not recorded, so run ${run.id} is cancelled: ${error.message}`;
          }
          throw error;
        });
      progress.completed++;
      if (result.error) progress.errored++;
      options.onProgress?.({ ...progress });
    }
  };
  await Promise.all(
    Array.from({ length: concurrency }, () =>
      worker().catch((error: unknown) => {
        failure ??= error;
        stop.abort(error);
      }),
    ),
  );
  if (failure !== undefined || options.signal?.aborted) {
    // The run can no longer complete by itself; cancel it rather than leave it pending for ever.
    await client.runs.cancel(run.id, { maxRetries: 1 }).catch(() => {});
    throw failure ?? options.signal?.reason;
  }
  // Every record is in: say so, so the run completes now rather than waiting for a count (or idleness).
  await client.runs.finish(run.id, { signal: options.signal });
  return {
    runId: run.id,
    url: client.url(`/runs/${run.id}`),
    numRecords: progress.completed,
    numErrored: progress.errored,
  };
}
