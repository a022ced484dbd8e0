import type { ChatModel } from '../llm/port.js';
import type { Usage } from '../schemas/record.js';
import type { PriceTable } from './pricing.js';

/** Collaborators a system run needs; the executor wires real ones, tests wire fakes. */
export interface SystemDeps {
  chat: ChatModel;
  /**
   * Every request to a tenant's URL goes through this: the guarded fetch (lambdas/adapters/net), which applies
   * the outbound URL policy to the resolved address and follows no redirect. Never the global fetch.
   */
  fetch: typeof fetch;
  /** A secret of the run's own project by name; undefined when the project has none by that name. */
  secrets: (name: string) => Promise<string | undefined>;
  /** Defaults to DEFAULT_PRICES; the caller merges VERDICT_MODEL_PRICES in with loadPriceTable. */
  prices?: PriceTable;
  /** Milliseconds clock for latency; defaults to performance.now. */
  now?: () => number;
  /** Cancels the call (e.g. the run was cancelled or the Lambda is about to time out). */
  signal?: AbortSignal;
}

export interface SystemResult {
  outputs: Record<string, unknown>;
  latencyMs: number;
  usage: Usage | null;
  costUsd: number | null;
}

export const DEFAULT_OUTPUT_FIELD = 'response';
