import type { CoreDeps } from '../deps.js';
import { createLimiter, type Limiter } from '../llm/limiter.js';
import type { ChatModel } from '../llm/port.js';
import type { RetryOptions } from '../llm/retry.js';
import type { BatchManifestRepository } from '../ports.js';
import type { RunRecord } from '../schemas/record.js';
import type { ProjectSecretReader } from '../secrets/ports.js';
import type { SystemDeps } from '../systems/types.js';
import type { PipelineCaches } from './caches.js';

/** Test seams for fault injection: a worker that crashes mid-batch is a scenario we must survive. */
export interface PipelineHooks {
  beforeRecord?(phase: 'execute' | 'score', record: RunRecord, attempt: number): void | Promise<void>;
}

/**
 * What the state machine's own Lambdas (PrepareRun, MarkBatchErrored, FinalizeRun) use: storage only, so their
 * bundles carry no LLM client and their cold start reads no LLM secret.
 */
export interface WorkflowDeps extends CoreDeps {
  batches: BatchManifestRepository;
}

/** Collaborators of the run pipeline's workers (executor, scorer), wired by the Lambda or local/. */
export interface PipelineDeps extends WorkflowDeps {
  /** One attempt per call; the pipeline retries with `retry` so it can honour Retry-After and count tries. */
  chat: ChatModel;
  /** `fetch` is the guarded one: every request to a tenant's URL goes through the outbound URL policy. */
  system: Omit<SystemDeps, 'chat' | 'signal' | 'secrets'>;
  /** The secrets a system names, read from the run's own project only. */
  projectSecrets: ProjectSecretReader;
  retry?: RetryOptions;
  runLimiters: RunLimiters;
  caches: PipelineCaches;
  hooks?: PipelineHooks;
}

/**
 * Concurrency budget per run (its maxConcurrency), shared by every batch of that run in this process: system
 * calls and judge calls draw from the same budget.
 */
export class RunLimiters {
  private readonly limiters = new Map<string, { limit: number; limiter: Limiter }>();

  for(runId: string, limit: number): Limiter {
    const existing = this.limiters.get(runId);
    if (existing && existing.limit === limit) return existing.limiter;
    const limiter = createLimiter(Math.max(1, limit));
    this.limiters.set(runId, { limit, limiter });
    if (this.limiters.size > 1000) this.limiters.delete(this.limiters.keys().next().value!);
    return limiter;
  }
}

/** What a worker message for one batch carries. */
export interface BatchTask {
  orgId: string;
  runId: string;
  batch: number;
}
