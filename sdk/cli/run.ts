import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { VerdictClient } from '../client.js';
import { fillRun, runAndEvaluate } from '../run-and-evaluate.js';
import { isHostedConfig, type Run } from '../types.js';
import { waitForRun } from '../wait-for-run.js';
import { evaluateGate, type GateOptions } from './gate.js';
import { API_OPTIONS, type CliIO, CliUsageError, clientFrom, numberOption, print, requireOption } from './io.js';
import { junitReport } from './junit.js';
import { loadSystem } from './load-module.js';
import { type Progress, progressBar } from './progress.js';
import { textReport } from './report.js';

const OPTIONS = {
  ...API_OPTIONS,
  project: { type: 'string' },
  'run-id': { type: 'string' },
  testset: { type: 'string' },
  'system-version': { type: 'string' },
  metrics: { type: 'string' },
  module: { type: 'string' },
  export: { type: 'string', default: 'default' },
  trials: { type: 'string' },
  concurrency: { type: 'string' },
  name: { type: 'string' },
  'fail-under': { type: 'string' },
  baseline: { type: 'string' },
  gate: { type: 'string' },
  'max-regression': { type: 'string' },
  'max-error-rate': { type: 'string', default: '0' },
  junit: { type: 'string' },
  timeout: { type: 'string', default: '1800' },
  'poll-ms': { type: 'string', default: '1000' },
} as const;

const parse = (args: string[]) => parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true });
type Values = ReturnType<typeof parse>['values'];

function gateOptions(values: Values): GateOptions {
  const failUnder = numberOption(values['fail-under'], '--fail-under', 0, 1);
  const maxErrorRate = numberOption(values['max-error-rate'], '--max-error-rate', 0, 1);
  const maxRegression = numberOption(values['max-regression'], '--max-regression', 0, Number.MAX_VALUE);
  const gate = values.gate;
  if (gate !== undefined && gate !== 'ci' && gate !== 'point') throw new CliUsageError('--gate must be ci or point');
  if (!values.baseline && (gate !== undefined || maxRegression !== undefined)) {
    throw new CliUsageError('--gate and --max-regression compare with a baseline: add --baseline RUN_ID');
  }
  if (gate === 'point' && maxRegression === undefined) {
    throw new CliUsageError('--gate point needs --max-regression (the largest drop you accept)');
  }
  // With a baseline and no explicit choice, the statistical gate: it fails only on a drop that is real.
  const ciGate = Boolean(values.baseline) && (gate === 'ci' || (gate === undefined && maxRegression === undefined));
  return { failUnder, maxRegression, ciGate, maxErrorRate };
}

/** Starts the run (hosted, or the local module through runAndEvaluate) and returns its id. */
async function startRun(client: VerdictClient, values: Values, io: CliIO, bar: Progress): Promise<string> {
  const onProgress = (p: { completed: number; total: number; errored: number }) =>
    bar.update('records', p.completed, p.total, `${p.errored} errored`);
  const runId = values['run-id'];
  if (runId !== undefined) {
    // An existing run (a GitHub workflow started for it): its testset, metrics and trials are already chosen.
    const clashing = (['project', 'testset', 'metrics', 'trials'] as const).filter(
      (name) => values[name] !== undefined,
    );
    if (clashing.length > 0) {
      throw new CliUsageError(`--run-id names a run that already has them: drop --${clashing.join(', --')}`);
    }
    const module = requireOption(values.module, '--module (the system that fills the run)');
    const system = await loadSystem(module, values.export ?? 'default', io.cwd);
    const result = await fillRun(client, runId, {
      system,
      systemVersionId: values['system-version'],
      concurrency: numberOption(values.concurrency, '--concurrency', 1, 1000),
      onProgress,
    });
    return result.runId;
  }
  const projectId = requireOption(values.project, '--project');
  const testsetId = requireOption(values.testset, '--testset');
  const metricIds = requireOption(values.metrics, '--metrics')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const trials = numberOption(values.trials, '--trials', 1, 20);
  if (values.module) {
    const system = await loadSystem(values.module, values.export ?? 'default', io.cwd);
    const result = await runAndEvaluate(client, {
      projectId,
      testsetId,
      metricIds,
      system,
      systemVersionId: values['system-version'],
      trials,
      concurrency: numberOption(values.concurrency, '--concurrency', 1, 1000),
      name: values.name,
      onProgress,
    });
    return result.runId;
  }
  const systemVersionId = requireOption(values['system-version'], '--system-version (or --module)');
  const version = await client.systems.getVersion(systemVersionId);
  if (!isHostedConfig(version.config)) {
    throw new CliUsageError(
      `system version ${systemVersionId} runs outside Verdict: its outputs come from your code, so run it with --module FILE`,
    );
  }
  const run = await client.runs.create(projectId, { testsetId, systemVersionId, metricIds, trials, name: values.name });
  return run.id;
}

const drawRun = (bar: Progress) => (run: Run) => {
  const expected = run.numExpectedRecords ?? run.numRecords;
  const perRecord = run.metricVersionIds.length - run.humanMetricVersionIds.length;
  const scorable = Math.max(0, expected - run.numErroredRecords) * perRecord;
  if (run.numExecuted < expected) bar.update('running', run.numExecuted, expected, `${run.numScores} scores`);
  else bar.update('scoring', run.numScores, scorable, run.status);
};

/** `verdict run`: start, wait, report, and exit 1 when the gate fails. */
export async function runCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parse(args);
  const gate = gateOptions(values);
  const timeoutMs = requireOption(numberOption(values.timeout, '--timeout', 1, 86_400), '--timeout') * 1000;
  const pollMs = requireOption(numberOption(values['poll-ms'], '--poll-ms', 10, 600_000), '--poll-ms');
  const client = clientFrom(values, io);
  const started = Date.now();
  const bar = progressBar(io.stderr);
  let run: Run;
  try {
    const runId = await startRun(client, values, io, bar);
    run = await waitForRun(client, runId, { timeoutMs, pollMs, onProgress: drawRun(bar) });
  } finally {
    bar.finish();
  }
  const names = Object.fromEntries(
    await Promise.all(
      run.metricIds.map(
        async (id) =>
          [
            id,
            await client.metrics.get(id).then(
              (m) => m.name,
              () => id,
            ),
          ] as const,
      ),
    ),
  );
  const comparison = values.baseline ? await client.runs.compare(run.id, values.baseline) : null;
  const result = evaluateGate(run, names, comparison, gate);
  const url = client.url(`/runs/${run.id}`);
  if (values.junit) {
    writeFileSync(
      resolve(io.cwd, values.junit),
      junitReport(result, { id: run.id, url }, (Date.now() - started) / 1000),
    );
  }
  if (values.json) {
    const summary = {
      passed: result.passed,
      run: {
        id: run.id,
        url,
        status: run.status,
        numRecords: run.numRecords,
        numErroredRecords: run.numErroredRecords,
      },
      failures: result.runFailures,
      metrics: result.metrics,
      comparison,
    };
    print(io.stdout, JSON.stringify(summary, null, 2));
  } else {
    print(io.stdout, textReport(run, url, result, comparison));
  }
  return result.passed ? 0 : 1;
}
