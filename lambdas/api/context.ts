import type { CoreDeps } from '../core/deps.js';
import type { ExportFileStore, ExportQueue, ExportRepository } from '../core/exports/ports.js';
import type { GithubDeps } from '../core/github/ports.js';
import type { MonitorRepository, Scheduler, TraceRepository } from '../core/monitors/ports.js';
import type { UrlPolicy } from '../core/net/url-policy.js';
import type { CursorCodec } from '../core/pagination.js';
import type { PlaygroundRunner } from '../core/playground/run-once.js';
import type { ApiKeyRepository, IdempotencyStore, Scope } from '../core/ports.js';
import type { RecordSearchRepository } from '../core/records/ports.js';
import type { RunLauncher } from '../core/runs/ports.js';
import type { ProjectSecretReader, ProjectSecretRepository } from '../core/secrets/ports.js';
import type { AuthThrottleOptions, ClientAddress } from './middleware/auth-throttle.js';

export interface ApiDeps extends CoreDeps {
  apiKeys: ApiKeyRepository;
  idempotency: IdempotencyStore;
  cursors: CursorCodec;
  /** The outbound URL policy, the very one the executor applies: system configs are checked against it. */
  outbound: UrlPolicy;
  /** Project secrets (write-only here); `noProjectSecrets` where a deployment keeps none. */
  projectSecrets: ProjectSecretRepository & ProjectSecretReader;
  /** Starts and scores runs; `pipelineOff` in an API-only stack. */
  launcher: RunLauncher;
  /** GitHub-triggered runs: connections, the workflow dispatcher and the API's public URL (githubNotConfigured() without). */
  github: GithubDeps;
  /** Whether a default LLM is configured: a rescore of an AI metric without one is refused up front. */
  llm: { configured: boolean };
  /** How long a verified API key is trusted without another lookup (revocation delay). */
  authCacheMs?: number;
  /** The failed-authentication throttle's limits (tests shorten them). */
  authThrottle?: AuthThrottleOptions;
  /** The client's address, which the throttle counts failures by. */
  clientAddress: ClientAddress;
  /** Extra health probes (emulators locally). */
  health: () => Promise<Record<string, string>>;
  /** The records page and exports. */
  recordSearch: RecordSearchRepository;
  exports: ExportRepository;
  exportFiles: ExportFileStore;
  /** Where export jobs go (the export worker's queue); `EXPORT_QUEUE_NOT_CONFIGURED` answers 503 without one. */
  exportQueue: ExportQueue;
  /** Monitors and the production traces they sample. */
  monitors: MonitorRepository;
  traces: TraceRepository;
  /** Fires active monitors (EventBridge Scheduler in AWS, croner locally); `noScheduler` refuses active monitors. */
  scheduler: Scheduler;
  /** The time monitor ticks and trace ingestion see (a test's manual clock, or the system clock). */
  monitorClock: () => Date;
  /** Runs a system once for the Playground; `noPlayground` answers 503. */
  playground: PlaygroundRunner;
}

export interface ApiEnv {
  Variables: { scope: Scope; keyId: string };
}
