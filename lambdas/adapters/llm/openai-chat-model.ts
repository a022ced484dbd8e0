import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { NonRetryableError, TransientError } from '../../core/errors.js';
import {
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  httpStatusError,
  noLlmConfigured,
  snippet,
} from '../../core/llm/port.js';
import { UrlPolicy } from '../../core/net/url-policy.js';
import { createGuardedFetch } from '../net/guarded-fetch.js';
import { createNodeHttpFetch } from './node-http-fetch.js';

export interface OpenAIChatModelOptions {
  /** Default key (the caller reads OPENAI_API_KEY); a request's own apiKey wins. */
  apiKey?: string;
  /** Default endpoint (the caller reads OPENAI_BASE_URL), trusted; a request's own baseURL wins. */
  baseURL?: string;
  /** Where a request's own baseURL (a tenant's) may point; public addresses only unless given. */
  policy?: UrlPolicy;
  /** Per attempt. Judges with long prompts can take a while; SQS visibility must exceed attempts × this. */
  timeoutMs?: number;
}

const OPENAI_BASE_URL = 'https://api.openai.com/v1';
const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_CACHED_CLIENTS = 32;

/**
 * o-series and gpt-5 reasoning models reject `max_tokens` and any temperature but the default, so a metric
 * left at temperature 0 would fail on every record; for them we send max_completion_tokens and no temperature.
 */
function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)(?!-chat)/.test(model.slice(model.lastIndexOf('/') + 1));
}

function toParams(request: ChatRequest): ChatCompletionCreateParamsNonStreaming {
  const reasoning = isReasoningModel(request.model);
  const params: ChatCompletionCreateParamsNonStreaming = { model: request.model, messages: request.messages };
  if (request.temperature !== undefined && !reasoning) params.temperature = request.temperature;
  if (request.maxTokens !== undefined) {
    if (reasoning) params.max_completion_tokens = request.maxTokens;
    else params.max_tokens = request.maxTokens;
  }
  const format = request.responseFormat;
  if (format === 'json_object') params.response_format = { type: 'json_object' };
  else if (format !== undefined) {
    const { name, schema, strict } = format.jsonSchema;
    params.response_format = { type: 'json_schema', json_schema: { name, schema, strict: strict ?? true } };
  }
  return params;
}

/** Maps the SDK's error classes onto our taxonomy; anything unknown is rethrown untouched. */
function classify(error: unknown): unknown {
  if (error instanceof APIUserAbortError) return new NonRetryableError('LLM call was cancelled');
  // The guarded fetch refused the address or a redirect: the SDK wraps that as a connection error.
  if (error instanceof APIConnectionError && error.cause instanceof NonRetryableError) return error.cause;
  // Includes APIConnectionTimeoutError: a slow or unreachable endpoint may answer next time.
  if (error instanceof APIConnectionError) return new TransientError(`LLM endpoint unreachable: ${error.message}`);
  if (error instanceof APIError && typeof error.status === 'number') {
    return httpStatusError('LLM endpoint', error.status, error.headers ?? new Headers(), snippet(error.message));
  }
  return error;
}

/**
 * ChatModel over the official `openai` SDK. The SDK's own retries are off (maxRetries: 0): `withRetries`
 * retries instead, so Retry-After is honoured and each attempt is visible to the caller.
 */
export class OpenAIChatModel implements ChatModel {
  private readonly clients = new Map<string, OpenAI>();
  /** node:http keep-alive (see createNodeHttpFetch), shared by every client of the configured endpoint. */
  private readonly fetch = createNodeHttpFetch();
  /** The same, under the outbound URL policy, for clients of a request's own baseURL. */
  private readonly guardedFetch: typeof fetch;

  constructor(private readonly options: OpenAIChatModelOptions = {}) {
    this.guardedFetch = createGuardedFetch(options.policy ?? new UrlPolicy());
  }

  async complete(request: ChatRequest): Promise<ChatResult> {
    const client = this.client(request);
    const started = performance.now();
    try {
      const completion = await client.chat.completions.create(toParams(request), { signal: request.signal });
      const latencyMs = Math.round(performance.now() - started);
      const message = completion.choices[0]?.message;
      if (!message) throw new NonRetryableError(`LLM reply for model "${request.model}" has no choices`);
      // A refusal is kept as the text so the caller can show (and the judge parser can reject) it.
      const text = message.content ?? message.refusal ?? '';
      const usage = completion.usage
        ? { promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens }
        : null;
      return { text, usage, latencyMs };
    } catch (error) {
      throw classify(error);
    }
  }

  /** One client per (endpoint, key): building one per call would throw away its connection pool. */
  private client(request: ChatRequest): OpenAI {
    const own = request.baseURL !== undefined;
    // The server's key is for the server's endpoint only: sent to a tenant's URL it would be theirs.
    if (own && !request.apiKey) {
      throw new NonRetryableError(
        "a system with its own baseURL must name its own key with apiKeySecret: the server's LLM key is sent only to the server's LLM endpoint",
      );
    }
    const apiKey = request.apiKey ?? this.options.apiKey;
    if (!apiKey) throw noLlmConfigured();
    const baseURL = request.baseURL ?? this.options.baseURL ?? OPENAI_BASE_URL;
    const key = `${own ? 'own' : 'server'}\u0000${baseURL}\u0000${apiKey}`;
    const cached = this.clients.get(key);
    if (cached) return cached;
    if (this.clients.size >= MAX_CACHED_CLIENTS) {
      const oldest = this.clients.keys().next().value;
      if (oldest !== undefined) this.clients.delete(oldest);
    }
    const timeout = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // We retry ourselves (to honour Retry-After and count attempts) and report errors ourselves, so the SDK's
    // retries and per-request log formatting are pure overhead on a hot path.
    const fetch = own ? this.guardedFetch : this.fetch;
    const client = new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout, logLevel: 'off', fetch });
    this.clients.set(key, client);
    return client;
  }
}
