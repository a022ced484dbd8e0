process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../lambdas/aws/dynamo/keys.js';
import { startLocalStack } from '../local/stack.js';
import { tempDataDir } from '../test/support/stack.js';
import { startEmulatorsProcess } from './emulators-process.js';
import { seedInChildProcess } from './export-seed.js';
import { recordFigure } from './results.js';
import { BENCH_METRICS, benchPoster, fmt } from './support.js';

const RECORDS = Number(process.env.BENCH_EXPORT_RECORDS ?? 100_000);

/**
 * POST /runs/{id}/exports on a run of 100,000 records with 3 metrics (400,000 items), seeded in bulk through the
 * repositories. Prints rows/s and the API process's peak RSS growth while the export streams (sampled every
 * 25 ms), and the emulator's ceiling for comparison. Targets: ≥ 20,000 rows/s, ≤ 150 MB. The API runs in this
 * process, as it does in its Lambda; dynalite, s3rver and fauxqs run in a child process, as DynamoDB and S3 are
 * elsewhere in AWS (their memory is reported apart).
 */
export async function main() {
  // A full collection before the baseline and after the export, so growth is measured from a clean heap.
  setFlagsFromString('--expose-gc');
  const collectGarbage = runInNewContext('gc') as () => void;
  const dataDir = tempDataDir('verdict-bench-export-');
  const emulators = await startEmulatorsProcess(dataDir);
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    pipeline: false,
    monitors: false,
    emulators: emulators.address,
  });
  const scope = { orgId: 'default' };
  const { repositories } = stack.core;
  try {
    const post = benchPoster(stack.url, stack.apiKey);
    const project = await post('/projects', { name: 'bench export' });
    const testset = await post(`/projects/${project.id}/testsets`, {
      name: 'qa',
      fieldMapping: { inputs: ['question'], expected: ['answer'], metadata: [] },
    });
    const metrics = [
      await post(`/projects/${project.id}/metrics`, BENCH_METRICS.exact),
      await post(`/projects/${project.id}/metrics`, BENCH_METRICS.quality),
      await post(`/projects/${project.id}/metrics`, BENCH_METRICS.similarity),
    ];
    const run = await post(`/projects/${project.id}/runs`, {
      metricIds: metrics.map((m) => m.id),
      testsetId: testset.id,
    });

    const seedStart = performance.now();
    // Seeded by a process of its own, so this one (the API's) starts the export with the memory a fresh API
    // process would have, not a heap grown by writing 400,000 items.
    await seedInChildProcess({
      address: emulators.address,
      orgId: scope.orgId,
      projectId: project.id,
      runId: run.id,
      createdAt: run.createdAt,
      metrics: metrics.map((m) => ({ id: m.id, versionId: m.versionId })),
      records: RECORDS,
    });
    console.log(
      `seeded ${RECORDS} records × 3 scores (${RECORDS * 4} items) in ${fmt((performance.now() - seedStart) / 1000, 1)} s`,
    );

    collectGarbage();
    const baseline = process.memoryUsage();
    const peak = { ...baseline };
    const sample = () => {
      const now = process.memoryUsage();
      for (const key of Object.keys(peak) as Array<keyof NodeJS.MemoryUsage>) peak[key] = Math.max(peak[key], now[key]);
    };
    const sampler = setInterval(sample, 25);
    const emulatorRss = { baseline: await emulators.rss(), peak: 0 };
    const emulatorSampler = setInterval(async () => {
      emulatorRss.peak = Math.max(emulatorRss.peak, await emulators.rss());
    }, 250);
    const load = loadavg()[0]!;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const created = await post(`/runs/${run.id}/exports`, {});
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    clearInterval(emulatorSampler);
    sample();
    emulatorRss.peak = Math.max(emulatorRss.peak, await emulators.rss());

    collectGarbage();
    const retained = process.memoryUsage().heapUsed - baseline.heapUsed;
    const file = await fetch(created.url);
    const bytes = (await file.arrayBuffer()).byteLength;
    const mb = (n: number) => fmt(n / 1024 / 1024, 1);
    const growth = (key: keyof NodeJS.MemoryUsage) => mb(peak[key] - baseline[key]);
    recordFigure('export', 'rows/s', created.rows / seconds, '/s');
    recordFigure('export', 'peak RSS growth', (peak.rss - baseline.rss) / 1024 / 1024, 'MB');
    console.log(
      `\nexport of ${created.rows} rows: ${fmt(seconds, 2)} s → ${fmt(created.rows / seconds, 0)} rows/s (target ≥ 20,000)`,
    );
    // Well under a core: the API process spends much of the export waiting on dynalite (see the Query loop below).
    console.log(`API process CPU during the export: ${fmt((cpu.user + cpu.system) / 1e6 / seconds, 2)} cores`);
    console.log(
      `peak RSS growth during the export: ${growth('rss')} MB (target ≤ 150), baseline ${mb(baseline.rss)} MB`,
    );
    console.log(`  of which heap used +${growth('heapUsed')} MB, buffers +${growth('arrayBuffers')} MB`);
    // Near zero: what the peak held was garbage V8 had not collected yet, not data the export kept.
    console.log(`  heap still used after a full GC: ${fmt(retained / 1024 / 1024, 1)} MB over the baseline`);
    console.log(
      `emulators' process (dynalite, s3rver): peak RSS growth ${mb(Math.max(0, emulatorRss.peak - emulatorRss.baseline))} MB`,
    );
    console.log(`file: ${mb(bytes)} MB (${created.bytes === bytes ? 'matches' : 'DIFFERS from'} the reported size)`);

    // The emulator's ceiling for the export's row pass: the run's records and scores (gsi1) read through the same
    // document client with nothing else done (no CSV, no S3). It runs after the export, on a settled emulator.
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
      `dynalite ceiling: the same ${items} items by a plain Query loop (SDK, no CSV): ${fmt(ceiling, 0)} rows/s (4 items per row)`,
    );
    console.log(`1-minute load average when the export started: ${fmt(load, 2)}`);
  } finally {
    await stack.stop();
    await emulators.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
