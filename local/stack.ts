import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { GithubWorkflowDispatcher } from '../lambdas/adapters/github/workflow-dispatcher.js';
import { createApp, type RouteGroup } from '../lambdas/api/app.js';
import type { ApiDeps } from '../lambdas/api/context.js';
import type { AuthThrottleOptions } from '../lambdas/api/middleware/auth-throttle.js';
import { DynamoGithubConnectionRepository } from '../lambdas/aws/dynamo/github-connections.js';
import { DynamoProjectSecretRepository } from '../lambdas/aws/dynamo/project-secrets.js';
import { createRepositories } from '../lambdas/aws/repositories.js';
import { UrlPolicy } from '../lambdas/core/net/url-policy.js';
import { noPlayground, noScheduler, pipelineOff } from '../lambdas/core/not-configured.js';
import { CursorCodec } from '../lambdas/core/pagination.js';
import { playgroundRunner } from '../lambdas/core/playground/run-once.js';
import type { RunLauncher } from '../lambdas/core/runs/ports.js';
import { createApiKey, DEFAULT_ORG, ensureApiKey } from '../lambdas/core/services/api-keys.js';
import { connectEmulators, type EmulatorAddress, LOCAL_BUCKET, LOCAL_TABLE, startEmulators } from './emulators.js';
import { startLocalExportWorker } from './exports.js';
import { type LocalMonitorOptions, startLocalMonitors } from './monitors.js';
import { type LocalPipelineOptions, localPipeline } from './pipeline.js';
import { FileSecretValueStore } from './secret-store.js';
import { fileSecret } from './secrets.js';
import { withWebApp } from './web-app.js';
import { WEB_DIST } from './web-build.js';

export interface LocalStackOptions {
  dataDir: string;
  /** 0 picks a free port (tests); `npm start` passes PORT or 8787. */
  port?: number;
  /** An operator-chosen admin key (VERDICT_API_KEY); otherwise one is generated on first start. */
  apiKey?: string;
  /**
   * Let systems call loopback and private addresses (a team's agent on the laptop): VERDICT_ALLOW_PRIVATE_URLS=1
   * by default. The stack's own ports (emulators, API) stay refused either way.
   */
  allowPrivateUrls?: boolean;
  authCacheMs?: number;
  /** The failed-authentication throttle's limits (tests use short windows and their own clock). */
  authThrottle?: AuthThrottleOptions;
  log?: (line: string) => void;
  /** The run pipeline's settings (LLM endpoint, retries, test hooks); false leaves it out. */
  pipeline?: LocalPipelineOptions | false;
  /** The monitor scheduler (croner on the system clock; tests pass a ManualClock); false leaves it out. */
  monitors?: LocalMonitorOptions | false;
  /** Features that need the running stack plug in here. */
  extensions?: Array<(stack: StackCore) => Promise<StackExtension> | StackExtension>;
  /** Use emulators another process runs instead of starting them here (bench/export). */
  emulators?: EmulatorAddress;
  /** The S3 emulator's port (VERDICT_S3_PORT); by default the one saved in the data dir, so export links last. */
  s3Port?: number;
  /** The built web app served at `/` (web/dist by default); false serves the API alone. */
  webDist?: string | false;
  /** GitHub's REST API for GitHub-triggered runs (GITHUB_API_URL, default https://api.github.com; tests: a fake). */
  githubApiUrl?: string;
}

export interface StackExtension {
  launcher?: RunLauncher;
  /** The pipeline knows whether a default LLM is configured. */
  llmConfigured?: boolean;
  routes?: RouteGroup[];
  health?: () => Promise<Record<string, string>>;
  stop?: () => Promise<void>;
}

export type StackCore = Awaited<ReturnType<typeof startCore>>;

async function startCore(dataDir: string, options: LocalStackOptions, log: (line: string) => void) {
  const emulators = options.emulators
    ? connectEmulators(options.emulators)
    : await startEmulators(dataDir, { s3Port: options.s3Port, log });
  const repositories = createRepositories(emulators.clients, { tableName: LOCAL_TABLE, bucketName: LOCAL_BUCKET });
  return { emulators, repositories, dataDir };
}

/**
 * The admin key of the default organization: VERDICT_API_KEY when set, otherwise a key generated on first start,
 * kept under the data dir (mode 0600) and printed once.
 */
async function adminApiKey(core: StackCore, chosen: string | undefined, log: (line: string) => void) {
  if (chosen) {
    await ensureApiKey(core.repositories.apiKeys, DEFAULT_ORG, chosen, 'VERDICT_API_KEY');
    return chosen;
  }
  const path = join(core.dataDir, 'admin-api-key');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const key = await createApiKey(core.repositories.apiKeys, DEFAULT_ORG, 'local admin');
  writeFileSync(path, `${key.secret}\n`, { mode: 0o600 });
  log(`Created an admin API key (saved to ${path}; shown only now): ${key.secret}`);
  return key.secret;
}

/** The ports of the emulators, which the stack's own systems must never be pointed at. */
function emulatorPorts(endpoints: StackCore['emulators']['endpoints']): number[] {
  return [endpoints.dynamodb, endpoints.s3, endpoints.sqs]
    .filter((endpoint): endpoint is string => Boolean(endpoint))
    .map((endpoint) => {
      const url = new URL(endpoint);
      return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    });
}

/**
 * The whole product in one process: emulators on private free ports, the same repositories and handlers as in
 * AWS, and the Hono app served on 127.0.0.1.
 */
export async function startLocalStack(options: LocalStackOptions) {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const log = options.log ?? (() => {});
  const core = await startCore(dataDir, options, log);
  const { repositories, emulators } = core;

  const apiKey = await adminApiKey(core, options.apiKey, log);

  // Listen before the pipeline is built: the API's own port is one the outbound policy refuses.
  let app: ReturnType<typeof createApp> | undefined;
  const appFetch = (request: Request, env?: unknown) =>
    app?.fetch(request, env) ?? new Response('starting', { status: 503 });
  const server = serve({
    fetch: options.webDist === false ? appFetch : withWebApp(appFetch, options.webDist ?? WEB_DIST),
    port: options.port ?? 0,
    hostname: '127.0.0.1',
  });
  // Node closes idle keep-alive sockets after 5 s. A busy client (a CLI parsing a large export) may not have
  // read that FIN before it reuses the socket, and its next POST then dies with ECONNRESET; a longer idle
  // timeout (as load balancers use) makes that race rare. Clients learn it from the Keep-Alive header.
  (server as import('node:http').Server).keepAliveTimeout = 65_000;
  await new Promise<void>((ready, fail) => {
    server.once('listening', () => ready());
    server.once('error', fail); // PORT taken: local/main.ts says so in one line
  });
  const apiPort = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${apiPort}`;
  const outbound = new UrlPolicy({
    allowPrivate: options.allowPrivateUrls ?? process.env.VERDICT_ALLOW_PRIVATE_URLS === '1',
    deniedPorts: [...emulatorPorts(emulators.endpoints), apiPort],
  });
  // One store for the data dir's secret file (it is rewritten whole): project secrets and GitHub tokens share it.
  const secretValues = new FileSecretValueStore(dataDir);
  const projectSecrets = new DynamoProjectSecretRepository(repositories.table, secretValues);

  const extensions: StackExtension[] = [];
  const pipeline =
    options.pipeline === false
      ? null
      : await localPipeline({ log, outbound, projectSecrets, ...options.pipeline })(core);
  if (pipeline) extensions.push(pipeline);
  const exportWorker = await startLocalExportWorker(core, log);
  extensions.push(exportWorker);
  for (const extend of options.extensions ?? []) extensions.push(await extend(core));

  const deps: ApiDeps = {
    ...repositories,
    cursors: new CursorCodec(process.env.VERDICT_CURSOR_SECRET ?? fileSecret(dataDir, 'cursor-secret').value),
    outbound,
    projectSecrets,
    authCacheMs: options.authCacheMs,
    authThrottle: options.authThrottle,
    clientAddress: (c) => getConnInfo(c).remote.address,
    launcher: extensions.find((e) => e.launcher)?.launcher ?? pipelineOff,
    github: {
      connections: new DynamoGithubConnectionRepository(repositories.table, secretValues),
      dispatcher: new GithubWorkflowDispatcher(options.githubApiUrl ?? process.env.GITHUB_API_URL),
      apiUrl: process.env.VERDICT_PUBLIC_URL ?? url,
    },
    exportQueue: exportWorker.queue,
    llm: { configured: extensions.some((e) => e.llmConfigured) },
    playground: noPlayground,
    scheduler: noScheduler,
    monitorClock: () => new Date(),
    health: async () => {
      const parts = [await emulators.health(), ...(await Promise.all(extensions.map((e) => e.health?.() ?? {})))];
      return Object.assign({}, ...parts);
    },
  };
  if (pipeline) {
    const system = { ...pipeline.deps.system, chat: pipeline.deps.chat };
    deps.playground = playgroundRunner({ ...deps, system, secretValues: projectSecrets });
  }
  const monitors =
    options.monitors === false
      ? null
      : await startLocalMonitors(deps, { log, executions: pipeline?.executions, ...options.monitors });
  if (monitors) {
    deps.scheduler = monitors.scheduler;
    deps.monitorClock = () => monitors.clock.now();
  }
  app = createApp(
    deps,
    extensions.flatMap((e) => e.routes ?? []),
  );

  let stopped = false;
  return {
    url,
    apiKey,
    app,
    deps,
    outbound,
    projectSecrets,
    core,
    pipeline,
    monitors,
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((done) => server.close(() => done()));
      await monitors?.stop();
      for (const e of extensions.reverse()) await e.stop?.();
      await emulators.stop();
    },
  };
}
export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;
