import type { ChatModel } from '../llm/port.js';
import type { Usage } from '../schemas/record.js';
import type { PriceTable } from './pricing.js';

/** Collaborators a system run needs; the executor wires real ones, tests wire fakes. */
export interface SystemDeps {
  chat: ChatModel;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Resolves a secret by name (Secrets Manager in AWS, env or a file locally); undefined when absent. */
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
