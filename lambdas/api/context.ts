import type { CoreDeps } from '../core/deps.js';
import type { ExportFileStore, ExportRepository } from '../core/exports/ports.js';
import type { MonitorRepository, Scheduler, TraceRepository } from '../core/monitors/ports.js';
import type { CursorCodec } from '../core/pagination.js';
import type { ApiKeyRepository, IdempotencyStore, Scope } from '../core/ports.js';
import type { RecordSearchRepository } from '../core/records/ports.js';
import type { RunLauncher } from '../core/runs/ports.js';

export interface ApiDeps extends CoreDeps {
  apiKeys: ApiKeyRepository;
  idempotency: IdempotencyStore;
  cursors: CursorCodec;
  launcher?: RunLauncher;
  /** Whether a default LLM is configured: a rescore of an AI metric without one is refused up front. */
  llm: { configured: boolean };
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
