import { NonRetryableError, TransientError } from '../errors.js';
import type { Usage } from '../schemas/record.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'developer';
  content: string;
}

/** `json_object` works on most OpenAI-compatible servers; a JSON schema only on those with structured outputs. */
export type ResponseFormat =
  | 'json_object'
  | { jsonSchema: { name: string; schema: Record<string, unknown>; strict?: boolean } };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  responseFormat?: ResponseFormat;
  /** Per-call endpoint and key (a system's own); absent means the model's configured defaults. */
  baseURL?: string;
  apiKey?: string;
  signal?: AbortSignal;
}

export interface ChatResult {
  text: string;
  usage: Usage | null;
  latencyMs: number;
}

/**
 * The one port through which core talks to an LLM. Implementations make exactly one attempt and classify
 * failures: TransientError (429, 408, 409, 5xx, timeouts, connection resets; carries Retry-After) or
 * NonRetryableError (other 4xx, no key). Retrying is the caller's job (`withRetries`) so the delays honour
 * Retry-After and every attempt can be counted.
 */
export interface ChatModel {
  complete(request: ChatRequest): Promise<ChatResult>;
}

export const NO_LLM_CONFIGURED = "no LLM configured: set OPENAI_API_KEY or the system's apiKeySecret";

export function noLlmConfigured(detail?: string): NonRetryableError {
  return new NonRetryableError(detail ? `${NO_LLM_CONFIGURED} (${detail})` : NO_LLM_CONFIGURED);
}

/** Statuses where the same request may succeed later, as the OpenAI SDK itself treats them. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * How long the server asked us to wait: `retry-after-ms` (OpenAI's, milliseconds), else `retry-after` in
 * seconds or as an HTTP date. Undefined when absent or unparsable, so the caller falls back to backoff.
 */
export function retryAfterMs(headers: Headers | undefined, nowMs: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers.get('retry-after')?.trim();
  if (!after) return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Turns an HTTP failure status into the taxonomy above; `what` names the callee for the message. */
export function httpStatusError(what: string, status: number, headers: Headers, snippet: string): Error {
  const detail = snippet ? `: ${snippet}` : '';
  // A server that says explicitly whether a retry can help overrides the status (OpenAI sends x-should-retry).
  const hint = headers.get('x-should-retry');
  const retryable = hint === 'true' ? true : hint === 'false' ? false : isRetryableStatus(status);
  if (retryable) return new TransientError(`${what} answered HTTP ${status}${detail}`, retryAfterMs(headers));
  return new NonRetryableError(`${what} answered HTTP ${status}${detail}`, status);
}

/** The first `max` characters of a reply body, on one line, for error messages. */
export function snippet(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max)}… (${flat.length} chars)`;
}
