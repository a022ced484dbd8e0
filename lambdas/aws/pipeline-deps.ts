import { createLimiter, limitedChatModel } from '../core/llm/limiter.js';
import { OpenAIChatModel } from '../core/llm/openai-chat-model.js';
import type { RetryOptions } from '../core/llm/retry.js';
import { PipelineCaches } from '../core/pipeline/caches.js';
import { type PipelineDeps, type PipelineHooks, RunLimiters } from '../core/pipeline/deps.js';
import { loadPriceTable } from '../core/systems/index.js';
import type { Repositories } from './repositories.js';

export interface PipelineSettings {
  /** The default LLM key and endpoint (OPENAI_API_KEY / OPENAI_BASE_URL, or the LLM secret in AWS). */
  openaiApiKey?: string;
  openaiBaseURL?: string;
  /** Resolves named secrets used by systems (http header secrets, apiKeySecret). */
  secrets: (name: string) => Promise<string | undefined>;
  /** VERDICT_MODEL_PRICES: JSON laid over the default price table. */
  modelPrices?: string;
  /** Process-wide cap on concurrent LLM calls, across runs. */
  maxLlmConcurrency?: number;
  retry?: RetryOptions;
  hooks?: PipelineHooks;
}

/** The pipeline's collaborators over the DynamoDB/S3 repositories and the real openai client. */
export function createPipelineDeps(repositories: Repositories, settings: PipelineSettings): PipelineDeps {
  const chat = limitedChatModel(
    new OpenAIChatModel({ apiKey: settings.openaiApiKey, baseURL: settings.openaiBaseURL }),
    createLimiter(settings.maxLlmConcurrency ?? 256),
  );
  return {
    ...repositories,
    caches: new PipelineCaches(repositories),
    chat,
    system: { secrets: settings.secrets, prices: loadPriceTable(settings.modelPrices) },
    retry: settings.retry,
    runLimiters: new RunLimiters(),
    hooks: settings.hooks,
  };
}
