import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRepositories, type Repositories } from '../lambdas/aws/repositories.js';
import { newId } from '../lambdas/core/ids.js';
import type { Scope } from '../lambdas/core/ports.js';
import type { Score } from '../lambdas/core/schemas/record.js';
import { connectEmulators, type EmulatorAddress, LOCAL_BUCKET, LOCAL_TABLE } from '../local/emulators.js';
import { makeRecord, makeScore } from '../test/support/records.js';

const SEED_BATCH = 500;
const SEED_PARALLEL = 4;

type Metric = { id: string; versionId: string };

export interface SeedJob {
  address: EmulatorAddress;
  orgId: string;
  projectId: string;
  runId: string;
  createdAt: string;
  /** Three metrics: a boolean, an int and a float one. */
  metrics: Metric[];
  records: number;
}

/** Writes `job.records` completed records with one score per metric straight through the repositories. */
export async function seedRun(repositories: Repositories, job: SeedJob) {
  const scope: Scope = { orgId: job.orgId };
  const createdAt = Date.parse(job.createdAt);
  const inFlight: Promise<void>[] = [];
  for (let start = 0; start < job.records; start += SEED_BATCH) {
    const records = Array.from({ length: Math.min(SEED_BATCH, job.records - start) }, (_, k) => {
      const i = start + k;
      return makeRecord({
        runId: job.runId,
        createdAtMs: createdAt,
        position: i,
        testcaseId: newId(),
        inputs: { question: `What is ${i} + ${i}?` },
        expected: { answer: String(2 * i) },
        outputs: { response: i % 10 ? String(2 * i) : `I think it is ${2 * i + 1}` },
        latencyMs: 100 + (i % 900),
        usage: { promptTokens: 50, completionTokens: 12 },
        costUsd: 0.00012,
      });
    });
    const [exact, quality, similarity] = job.metrics as [Metric, Metric, Metric];
    const scores: Score[] = records.flatMap((r, k) => {
      const i = start + k;
      return [
        makeScore(job.runId, r.id, exact, { binaryScore: i % 10 !== 0 }, i % 10 !== 0),
        makeScore(
          job.runId,
          r.id,
          quality,
          { intScore: 1 + (i % 5), reasoning: 'clear and correct' },
          1 + (i % 5) >= 4,
        ),
        makeScore(job.runId, r.id, similarity, { floatScore: (i % 100) / 100 }, i % 100 >= 90),
      ].map(({ runId: _runId, ...score }) => score);
    });
    inFlight.push(
      (async () => {
        await repositories.records.insertMany(scope, records, job.projectId);
        await repositories.scores.putMany(scope, job.runId, scores, 0);
      })(),
    );
    if (inFlight.length >= SEED_PARALLEL) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  await repositories.runs.addCounters(scope, job.runId, { numRecords: job.records, numScores: job.records * 3 });
}

/** Runs seedRun in a child process against the emulators at `job.address`, and resolves when it is done. */
export async function seedInChildProcess(job: SeedJob) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(job)], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`seeding exited with code ${code}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const job = JSON.parse(process.argv[2]!) as SeedJob;
  const emulators = connectEmulators(job.address);
  await seedRun(createRepositories(emulators.clients, { tableName: LOCAL_TABLE, bucketName: LOCAL_BUCKET }), job);
  await emulators.stop();
}
