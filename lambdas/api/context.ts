import type { ExportFileStore, ExportRepository } from '../core/exports/ports.js';
import type { MonitorRepository, Scheduler, TraceRepository } from '../core/monitors/ports.js';
import type { CursorCodec } from '../core/pagination.js';
import type { ApiKeyRepository, IdempotencyStore, Scope } from '../core/ports.js';
import type { RecordSearchRepository } from '../core/records/ports.js';
import type { CoreDeps } from '../core/services/deps.js';

/** Things the API starts in the background; the pipeline issue wires real ones, tests may leave them out. */
export interface RunLauncher {
  /** Starts the evaluation of a run that has a testset and a runnable system version. */
  start(scope: Scope, runId: string, mode: 'execute' | 'rescore'): Promise<void>;
  /** Queues scoring for records posted through the API. */
  scoreRecords(scope: Scope, runId: string, recordIds: string[]): Promise<void>;
}

export interface ApiDeps extends CoreDeps {
  apiKeys: ApiKeyRepository;
  idempotency: IdempotencyStore;
  cursors: CursorCodec;
  launcher?: RunLauncher;
  /** How long a verified API key is trusted without another lookup (revocation delay). */
  authCacheMs?: number;
  /** Extra health probes (emulators locally). */
  health?: () => Promise<Record<string, string>>;
  /** The records page and exports (issue 5); routes answer 503 where a deployment leaves them out. */
  recordSearch?: RecordSearchRepository;
  exports?: ExportRepository;
  exportFiles?: ExportFileStore;
  /** Monitors and the production traces they sample (issue 6); without them those routes answer 503. */
  monitors?: MonitorRepository;
  traces?: TraceRepository;
  /** Fires active monitors (EventBridge Scheduler in AWS, croner locally); without it monitors stay inactive. */
  scheduler?: Scheduler;
  /** The time monitor ticks and trace ingestion see (a test's manual clock); the system clock otherwise. */
  monitorClock?: () => Date;
}

export interface ApiEnv {
  Variables: { scope: Scope; keyId: string };
}
