process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../lambdas/aws/dynamo/keys.js';
import { newId, positionalId } from '../lambdas/core/ids.js';
import type { RunRecord, Score } from '../lambdas/core/schemas/record.js';
import { startLocalStack } from '../local/stack.js';
import { tempDataDir } from '../test/support/stack.js';
import { fmt } from './support.js';

const RECORDS = Number(process.env.BENCH_EXPORT_RECORDS ?? 100_000);
const SEED_BATCH = 500;
const SEED_PARALLEL = 4;

/**
 * POST /runs/{id}/exports on a run of 100,000 records with 3 metrics (400,000 items), seeded in bulk through the
 * repositories. Prints rows/s and the process's peak RSS growth while the export streams (sampled every 25 ms),
 * and the emulator's ceiling for comparison. Targets: ≥ 20,000 rows/s, ≤ 150 MB. Everything runs in this
 * process: the API, dynalite's worker thread and s3rver.
 */
export async function main() {
  const dataDir = tempDataDir('verdict-bench-export-');
  const stack = await startLocalStack({ dataDir, port: 0, pipeline: false });
  const scope = { orgId: 'default' };
  const { repositories } = stack.core;
  try {
    const headers = { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${stack.url}/api/v2${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<any>;
    };
    const project = await post('/projects', { name: 'bench export' });
    const testset = await post(`/projects/${project.id}/testsets`, {
      name: 'qa',
      fieldMapping: { inputs: ['question'], expected: ['answer'], metadata: [] },
    });
    const metrics = [
      await post(`/projects/${project.id}/metrics`, {
        name: 'exact',
        evalType: 'heuristic',
        outputType: 'boolean',
        heuristic: { kind: 'exact_match' },
      }),
      await post(`/projects/${project.id}/metrics`, { name: 'quality', evalType: 'human', outputType: 'int' }),
      await post(`/projects/${project.id}/metrics`, { name: 'similarity', evalType: 'human', outputType: 'float' }),
    ];
    const run = await post(`/projects/${project.id}/runs`, {
      metricIds: metrics.map((m) => m.id),
      testsetId: testset.id,
    });

    const seedStart = performance.now();
    const createdAt = Date.parse(run.createdAt);
    const inFlight: Promise<void>[] = [];
    for (let start = 0; start < RECORDS; start += SEED_BATCH) {
      const records: RunRecord[] = Array.from({ length: Math.min(SEED_BATCH, RECORDS - start) }, (_, k) => {
        const i = start + k;
        return {
          id: positionalId(createdAt, i),
          runId: run.id,
          testcaseId: newId(),
          inputs: { question: `What is ${i} + ${i}?` },
          expected: { answer: String(2 * i) },
          outputs: { response: i % 10 ? String(2 * i) : `I think it is ${2 * i + 1}` },
          status: 'completed',
          error: null,
          latencyMs: 100 + (i % 900),
          usage: { promptTokens: 50, completionTokens: 12 },
          costUsd: 0.00012,
          trial: 0,
          createdAt: run.createdAt,
        };
      });
      const scores: Score[] = records.flatMap((r, k) => {
        const i = start + k;
        const base = { recordId: r.id, status: 'completed' as const, error: null, usage: null, latencyMs: null };
        const updatedAt = run.createdAt;
        return [
          {
            ...base,
            metricConfigId: metrics[0].versionId,
            metricId: metrics[0].id,
            score: { binaryScore: i % 10 !== 0 },
            passed: i % 10 !== 0,
            updatedAt,
          },
          {
            ...base,
            metricConfigId: metrics[1].versionId,
            metricId: metrics[1].id,
            score: { intScore: 1 + (i % 5), reasoning: 'clear and correct' },
            passed: 1 + (i % 5) >= 4,
            updatedAt,
          },
          {
            ...base,
            metricConfigId: metrics[2].versionId,
            metricId: metrics[2].id,
            score: { floatScore: (i % 100) / 100 },
            passed: i % 100 >= 90,
            updatedAt,
          },
        ];
      });
      inFlight.push(
        (async () => {
          await repositories.records.insertMany(scope, records, project.id);
          await repositories.scores.putMany(scope, run.id, scores, 0);
        })(),
      );
      if (inFlight.length >= SEED_PARALLEL) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
    await repositories.runs.addCounters(scope, run.id, { numRecords: RECORDS, numScores: RECORDS * 3 });
    console.log(
      `seeded ${RECORDS} records × 3 scores (${RECORDS * 4} items) in ${fmt((performance.now() - seedStart) / 1000, 1)} s`,
    );

    (globalThis as { gc?: () => void }).gc?.();
    const baseline = process.memoryUsage();
    const peak = { ...baseline };
    const sample = () => {
      const now = process.memoryUsage();
      for (const key of Object.keys(peak) as Array<keyof NodeJS.MemoryUsage>) peak[key] = Math.max(peak[key], now[key]);
    };
    const sampler = setInterval(sample, 25);
    const load = loadavg()[0]!;
    const started = performance.now();
    const created = await post(`/runs/${run.id}/exports`, {});
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    sample();

    const file = await fetch(created.url);
    const bytes = (await file.arrayBuffer()).byteLength;
    const mb = (n: number) => fmt(n / 1024 / 1024, 1);
    const growth = (key: keyof NodeJS.MemoryUsage) => mb(peak[key] - baseline[key]);
    console.log(
      `\nexport of ${created.rows} rows: ${fmt(seconds, 2)} s → ${fmt(created.rows / seconds, 0)} rows/s (target ≥ 20,000)`,
    );
    console.log(
      `peak RSS growth during the export: ${growth('rss')} MB (target ≤ 150), baseline ${mb(baseline.rss)} MB`,
    );
    console.log(
      `  of which the API's own isolate: heap used +${growth('heapUsed')} MB, buffers +${growth('arrayBuffers')} MB ` +
        '(the rest is dynalite’s worker thread, LevelDB and s3rver, which share this process)',
    );
    console.log(`file: ${mb(bytes)} MB (${created.bytes === bytes ? 'matches' : 'DIFFERS from'} the reported size)`);

    // The emulator's ceiling: the run's records and scores read with nothing else done (no SDK parsing, no CSV).
    const ceilingStart = performance.now();
    let items = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await repositories.table.client.send(
        new QueryCommand({
          TableName: repositories.table.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.recordsOf(run.id) },
          ExclusiveStartKey: startKey,
          Limit: 2_000,
        }),
      );
      items += out.Items?.length ?? 0;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    const ceiling = items / 4 / ((performance.now() - ceilingStart) / 1000);
    console.log(
      `dynalite ceiling: the same ${items} items by bare Query loop: ${fmt(ceiling, 0)} rows/s (4 items per row)`,
    );
    console.log(`1-minute load average when the export started: ${fmt(load, 2)}`);
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
