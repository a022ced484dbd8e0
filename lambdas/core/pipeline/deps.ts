import type { PermitStore } from '../concurrency/ports.js';
import { createSharedLimiter, type SharedLimiter } from '../concurrency/shared-limiter.js';
import type { CoreDeps } from '../deps.js';
import { OutOfTimeError } from '../errors.js';
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

export interface RunLimitersOptions {
  /** The pool of permits every worker leases from (the table). */
  permits: PermitStore;
  /** This worker process (a Lambda container, the local worker thread): its leases are its own. */
  holder: string;
  /** The most concurrent system and judge calls of one organization, across all its runs and workers. */
  orgLimit: number;
  /** How long a lease outlives a worker that stopped renewing it (died, or froze between invocations). */
  leaseMs?: number;
}

/** A lease outlives a dead worker by this much; renewed every third of it while held. */
export const PERMIT_LEASE_MS = 30_000;

/**
 * The concurrency budget of each run (its maxConcurrency), enforced across every worker: system calls and judge
 * calls of a run draw permits from its pool, and from its organization's pool, leased in the table. Within this
 * process the batches of a run share one limiter, so they lease together and hand permits to each other.
 */
export class RunLimiters {
  private readonly limiters = new Map<string, { limit: number; limiter: SharedLimiter }>();

  constructor(private readonly options: RunLimitersOptions) {}

  for(orgId: string, runId: string, limit: number): SharedLimiter {
    const existing = this.limiters.get(runId);
    if (existing && existing.limit === limit) return existing.limiter;
    const budget = Math.max(1, Math.min(limit, this.options.orgLimit));
    const limiter = createSharedLimiter({
      limit: budget,
      leaseMs: this.options.leaseMs ?? PERMIT_LEASE_MS,
      hold: (want) => this.hold(orgId, runId, budget, want),
    });
    this.limiters.set(runId, { limit, limiter });
    if (this.limiters.size > 1000) this.limiters.delete(this.limiters.keys().next().value!);
    return limiter;
  }

  /** The organization's permits first, then the run's within them; what the run refused goes back to the org. */
  private async hold(orgId: string, runId: string, limit: number, want: number) {
    const { permits, holder, orgLimit } = this.options;
    const leaseMs = this.options.leaseMs ?? PERMIT_LEASE_MS;
    const now = Date.now();
    const orgHolder = `${holder}/${runId}`;
    const fromOrg = await permits.hold(`org#${orgId}`, orgHolder, want, orgLimit, leaseMs, now);
    const fromRun = await permits.hold(`run#${runId}`, holder, Math.min(want, fromOrg), limit, leaseMs, now);
    if (fromRun < fromOrg) await permits.hold(`org#${orgId}`, orgHolder, fromRun, orgLimit, leaseMs, now);
    return fromRun;
  }
}

/**
 * How long the worker's invocation has left (Lambda's getRemainingTimeInMillis); unbounded where nothing cuts
 * a worker off (the local worker thread).
 */
export type RemainingTime = () => number;

/** A worker stops taking records with this much time left: enough to finish the calls under way and write. */
export const DEADLINE_MARGIN_MS = 60_000;

/** Throws OutOfTimeError once the invocation has less than the margin left. */
export function checkDeadline(remainingMs?: RemainingTime) {
  const left = remainingMs?.() ?? Number.POSITIVE_INFINITY;
  if (left < DEADLINE_MARGIN_MS) throw new OutOfTimeError(left);
}

/** What a worker message for one batch carries. */
export interface BatchTask {
  orgId: string;
  runId: string;
  batch: number;
}
