import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { esbuildOptions } from '../lib/bundling.js';
import {
  BUNDLE_SIZE_LIMITS,
  entryExists,
  LAMBDA_ENTRIES,
  LAMBDA_NAMES,
  type LambdaName,
  repoPath,
} from '../lib/lambda-entries.js';

/**
 * `npx tsx bench/bundles.ts` (or `npm run bench bundles`): bundles every Lambda exactly as the CDK stack does
 * (lib/bundling.ts) and prints its size and cold-start import time. Targets: api ≤ 1 MB, workers ≤ 2 MB,
 * import ≤ 150 ms.
 *
 * The import runs `await import(bundle)` in a fresh `node --enable-source-maps` process (as NODE_OPTIONS does
 * in Lambda) with every variable of lambdas/aws/config.ts set. AWS calls made while loading (the api reads
 * its cursor-signing secret) go to a stub endpoint on 127.0.0.1 through AWS_ENDPOINT_URL, so the whole cold
 * start is measured, including building the Hono app, but without a network round trip to AWS.
 */
export const IMPORT_TIME_TARGET_MS = 150;

// Under the repo's node_modules so the externals (@aws-sdk/*) resolve from it, as they do from the runtime in Lambda.
export const BUNDLE_ROOT = repoPath('node_modules/.cache/verdict-bundles');

export interface Bundle {
  name: LambdaName | 'floor' | 'workerFloor';
  file: string;
  bytes: number;
  /** Modules the bundle still imports at run time: node builtins and @aws-sdk/* only. */
  runtimeImports: string[];
}

export async function bundleLambda(name: LambdaName, outDir = join(BUNDLE_ROOT, name)): Promise<Bundle> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'index.mjs');
  const result = await build(esbuildOptions(name, file));
  const output = Object.entries(result.metafile?.outputs ?? {}).find(([path]) => path.endsWith('index.mjs'))?.[1];
  const runtimeImports = [...new Set((output?.imports ?? []).filter((i) => i.external).map((i) => i.path))].sort();
  return { name, file, bytes: statSync(file).size, runtimeImports };
}

// Answers any AWS JSON-protocol call; only GetSecretValue is expected while a module loads.
async function startAwsStub(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bench',
          SecretString: 'bench-secret-0123456789abcdef',
        }),
      );
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const DUMMY_ARN = (service: string, resource: string) => `arn:aws:${service}:us-east-1:000000000000:${resource}`;

/** Every variable lambdas/aws/config.ts knows, with values that look like the deployed ones. */
export function lambdaEnvironment(awsEndpoint: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL: awsEndpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    TABLE_NAME: 'verdict-bench',
    BUCKET_NAME: 'verdict-bench',
    CURSOR_SECRET_ARN: DUMMY_ARN('secretsmanager', 'secret:cursor'),
    LLM_SECRET_ARN: DUMMY_ARN('secretsmanager', 'secret:llm'),
    EXECUTOR_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/verdict-executor',
    SCORER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/verdict-scorer',
    STATE_MACHINE_ARN: DUMMY_ARN('states', 'stateMachine:run-evaluation'),
    SCHEDULE_GROUP_NAME: 'verdict-monitors',
    MONITOR_FUNCTION_ARN: DUMMY_ARN('lambda', 'function:verdict-monitor'),
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/verdict-scheduler',
    POWERTOOLS_SERVICE_NAME: 'verdict-bench',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export interface ColdImport {
  /** Loading the @aws-sdk/* modules the bundle imports (the runtime's copy in Lambda, node_modules here). */
  sdkMs: number;
  /** Then `await import(bundle)`: our code and its bundled dependencies, module-scope init included. */
  ownMs: number;
  /** sdkMs + ownMs: what `await import(bundle)` costs in a fresh process. */
  importMs: number;
  /** From process start (Node's own boot included) to the end of the import. */
  processMs: number;
  error?: { name: string; code?: string; message: string };
}

// The SDK is loaded first and timed apart, because it is not in our bundle and not ours to shrink.
const CHILD_SCRIPT = `
const t0 = performance.now();
for (const name of JSON.parse(process.env.VERDICT_PRELOAD)) await import(name);
const t1 = performance.now();
let error;
try { await import(process.env.VERDICT_BUNDLE_URL); }
catch (e) { error = { name: e?.name ?? 'Error', code: e?.code, message: String(e?.message ?? e) }; }
const t2 = performance.now();
const result = { sdkMs: t1 - t0, ownMs: t2 - t1, importMs: t2 - t0, processMs: t2, error };
process.stdout.write('\\n' + JSON.stringify(result) + '\\n');
process.exit(0);
`;

/** Imports a bundle in a fresh Node process, as a Lambda cold start does, and reports how long it took. */
export async function coldImport(bundle: Bundle): Promise<ColdImport> {
  const stub = await startAwsStub();
  const preload = bundle.runtimeImports.filter((name) => name.startsWith('@aws-sdk/'));
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--enable-source-maps', '--input-type=module', '-e', CHILD_SCRIPT],
      {
        env: {
          ...lambdaEnvironment(stub.url),
          VERDICT_BUNDLE_URL: pathToFileURL(bundle.file).href,
          VERDICT_PRELOAD: JSON.stringify(preload),
        },
        // The child resolves @aws-sdk/* from the repo, like the bundle does.
        cwd: repoPath('.'),
        timeout: 30_000,
      },
    );
    const last = stdout.trim().split('\n').at(-1) ?? '';
    return JSON.parse(last) as ColdImport;
  } finally {
    stub.server.close();
  }
}

/**
 * The least any of our Lambdas can import in: zod and the DynamoDB document client, bundled and minified the way
 * the workers are, and nothing else. Every handler validates with zod and talks to DynamoDB, so no handler can
 * import faster than this on the machine that runs the bench.
 */
const FLOORS = {
  floor: [
    "import * as z from 'zod';",
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    'export const clients = [DynamoDBDocumentClient.from(new DynamoDBClient({}))];',
    'export const schema = z.object({ id: z.string() });',
  ],
  // What the executor cannot do without: records (DynamoDB, S3 for large ones), task callbacks (Step Functions),
  // the LLM key (Secrets Manager) and the LLM client.
  workerFloor: [
    "import * as z from 'zod';",
    "import OpenAI from 'openai';",
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    "import { S3Client } from '@aws-sdk/client-s3';",
    "import { SFNClient } from '@aws-sdk/client-sfn';",
    "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
    'export const clients = [DynamoDBDocumentClient.from(new DynamoDBClient({})), new S3Client({}), new SFNClient({}),',
    '  new SecretsManagerClient({}), new OpenAI({ apiKey: "x" })];',
    'export const schema = z.object({ id: z.string() });',
  ],
};
type FloorName = keyof typeof FLOORS;

/**
 * Lower bounds, bundled and minified the way the workers are: `floor` is zod and the DynamoDB document client
 * alone (every handler needs both); `workerFloor` adds what the executor needs to do its job at all.
 */
export async function bundleFloor(name: FloorName, outDir = join(BUNDLE_ROOT, name)): Promise<Bundle> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const entry = join(outDir, 'entry.mjs');
  writeFileSync(entry, FLOORS[name].join('\n'));
  const file = join(outDir, 'index.mjs');
  await build({ ...esbuildOptions('executor', file), entryPoints: [entry], metafile: false });
  return { name, file, bytes: statSync(file).size, runtimeImports: [] };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`;

export async function main(runs = 5): Promise<void> {
  console.log(`Bundles as lib/bundling.ts builds them; cold import = median of ${runs} fresh processes.\n`);
  console.log('lambda                size     limit      sdk      own   import  process  status');
  for (const name of [...LAMBDA_NAMES, 'floor' as const, 'workerFloor' as const]) {
    const isFloor = name === 'floor' || name === 'workerFloor';
    if (!isFloor && !entryExists(name)) {
      console.log(`${name.padEnd(17)} skipped: ${LAMBDA_ENTRIES[name]} does not exist yet`);
      continue;
    }
    const bundle = isFloor ? await bundleFloor(name) : await bundleLambda(name);
    const samples: ColdImport[] = [];
    for (let i = 0; i < runs; i++) samples.push(await coldImport(bundle));
    const [sdkMs, ownMs, importMs, processMs] = (['sdkMs', 'ownMs', 'importMs', 'processMs'] as const).map((key) =>
      median(samples.map((sample) => sample[key])),
    ) as [number, number, number, number];
    const problems = [
      !isFloor && bundle.bytes > BUNDLE_SIZE_LIMITS[name] ? 'OVER SIZE' : '',
      importMs > IMPORT_TIME_TARGET_MS ? 'SLOW IMPORT' : '',
      samples[0]?.error ? `import threw ${samples[0].error.name}: ${samples[0].error.message.slice(0, 120)}` : '',
    ].filter(Boolean);
    const ms = (value: number) => `${value.toFixed(0).padStart(5)} ms`;
    console.log(
      `${name.padEnd(17)} ${kb(bundle.bytes).padStart(8)}  ${(isFloor ? '-' : kb(BUNDLE_SIZE_LIMITS[name])).padStart(8)}  ` +
        `${ms(sdkMs)} ${ms(ownMs)} ${ms(importMs)} ${ms(processMs)}  ${problems.join('; ') || 'ok'}`,
    );
  }
  console.log(
    '\nfloor = zod and the DynamoDB document client alone, bundled like the workers (every handler needs both); ' +
      'workerFloor adds OpenAI, S3, Step Functions and Secrets Manager clients, without which the executor cannot ' +
      'work. No handler imports faster than its floor on this machine.',
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
