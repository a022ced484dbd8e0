import { randomUUID } from 'node:crypto';
import { OpenAIChatModel } from '../adapters/llm/openai-chat-model.js';
import { createGuardedFetch } from '../adapters/net/guarded-fetch.js';
import { createLimiter, limitedChatModel } from '../core/llm/limiter.js';
import type { RetryOptions } from '../core/llm/retry.js';
import type { UrlPolicy } from '../core/net/url-policy.js';
import { PipelineCaches } from '../core/pipeline/caches.js';
import { type PipelineDeps, type PipelineHooks, RunLimiters } from '../core/pipeline/deps.js';
import type { ProjectSecretReader } from '../core/secrets/ports.js';
import { cachedSecretReader } from '../core/secrets/reader.js';
import { loadPriceTable } from '../core/systems/index.js';
import type { Repositories } from './repositories.js';

export interface PipelineSettings {
  /** The default LLM key and endpoint (OPENAI_API_KEY / OPENAI_BASE_URL, or the LLM secret in AWS): trusted. */
  openaiApiKey?: string;
  openaiBaseURL?: string;
  /** Where requests on a tenant's behalf may go: the same policy the API checks system configs against. */
  outbound: UrlPolicy;
  /** Secrets systems name (http header secrets, apiKeySecret), read from the run's own project. */
  projectSecrets: ProjectSecretReader;
  /** VERDICT_MODEL_PRICES: JSON laid over the default price table. */
  modelPrices?: string;
  /** Process-wide cap on concurrent LLM calls, across runs. */
  maxLlmConcurrency?: number;
  /** An organization's cap on concurrent system and judge calls, across its runs and every worker (default 100). */
  orgMaxConcurrency?: number;
  retry?: RetryOptions;
  hooks?: PipelineHooks;
  /**
   * Whose permit leases this process holds (default: a fresh id, as every Lambda container is new). The local
   * stack names its worker threads: its data dir belongs to one process at a time, so a restart after a crash
   * takes over the leases the dead process left instead of waiting out their 30 s.
   */
  permitHolder?: string;
}

export const DEFAULT_ORG_MAX_CONCURRENCY = 100;

/** The pipeline's collaborators over the DynamoDB/S3 repositories and the real openai client. */
export function createPipelineDeps(repositories: Repositories, settings: PipelineSettings): PipelineDeps {
  const chat = limitedChatModel(
    new OpenAIChatModel({ apiKey: settings.openaiApiKey, baseURL: settings.openaiBaseURL, policy: settings.outbound }),
    createLimiter(settings.maxLlmConcurrency ?? 256),
  );
  return {
    ...repositories,
    caches: new PipelineCaches(repositories),
    chat,
    system: { fetch: createGuardedFetch(settings.outbound), prices: loadPriceTable(settings.modelPrices) },
    projectSecrets: cachedSecretReader(settings.projectSecrets),
    retry: settings.retry,
    runLimiters: new RunLimiters({
      permits: repositories.permits,
      holder: settings.permitHolder ?? randomUUID(),
      orgLimit: settings.orgMaxConcurrency ?? DEFAULT_ORG_MAX_CONCURRENCY,
    }),
    hooks: settings.hooks,
  };
}
