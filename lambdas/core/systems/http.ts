import { JSONPath } from 'jsonpath-plus';
import { NonRetryableError, TransientError } from '../errors.js';
import { depthProblem } from '../json-depth.js';
import { httpStatusError, snippet } from '../llm/port.js';
import type { SystemConfig } from '../schemas/system.js';
import { secretNamesIn, substituteSecrets } from '../secrets/references.js';
import { renderTemplate } from './template.js';
import { DEFAULT_OUTPUT_FIELD, type SystemDeps, type SystemResult } from './types.js';

type HttpConfig = Extract<SystemConfig, { type: 'http' }>;

export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

/** Header values with their `{{ secrets.NAME }}` references replaced by the run's project secrets. */
async function resolveHeaders(config: HttpConfig, deps: SystemDeps): Promise<Record<string, string>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  for (const [header, template] of Object.entries(config.headers ?? {})) {
    const values = new Map<string, string>();
    for (const name of secretNamesIn(template)) {
      const value = await deps.secrets(name);
      if (value === undefined) {
        throw new NonRetryableError(
          `header "${header}" uses secret "${name}", which is not registered for this project (PUT /projects/{projectId}/secrets/${name})`,
        );
      }
      values.set(name, value);
    }
    headers[header.toLowerCase()] = values.size > 0 ? substituteSecrets(template, values) : template;
  }
  return headers;
}

function renderBody(config: HttpConfig, inputs: Record<string, unknown>): string | undefined {
  if (config.method === 'GET') return undefined;
  if (config.body === undefined) return JSON.stringify({ inputs });
  const rendered = renderTemplate(config.body, { ...inputs, inputs }, 'the body template');
  try {
    JSON.parse(rendered);
  } catch {
    throw new NonRetryableError(
      `the body template did not render to valid JSON (insert values with | dump, e.g. {"q": {{ inputs.q | dump }}}): ${snippet(rendered)}`,
    );
  }
  return rendered;
}

/** The reply's JSON at outputPath (first match), the whole JSON without a path, or the text if not JSON. */
function extractOutput(text: string, outputPath: string | undefined, where: string): unknown {
  let json: unknown;
  let isJson = true;
  try {
    json = JSON.parse(text);
  } catch {
    isJson = false;
  }
  // Checked before JSONPath walks it (recursively) and before it becomes a record's output.
  const deep = isJson ? depthProblem(json, '') : null;
  if (deep) throw new NonRetryableError(`the reply of ${where} ${deep}`);
  if (!outputPath) return isJson ? json : text;
  if (!isJson)
    throw new NonRetryableError(`${where} did not reply with JSON, so outputPath cannot apply: ${snippet(text)}`);
  const matches: unknown = JSONPath({ path: outputPath, json: json as object, wrap: true, eval: 'safe' });
  if (!Array.isArray(matches) || matches.length === 0) {
    throw new NonRetryableError(
      `outputPath "${outputPath}" matched nothing in the reply of ${where}: ${snippet(text)}`,
    );
  }
  return matches[0];
}

function networkError(error: unknown, where: string, timeoutMs: number, signal?: AbortSignal): Error {
  if (signal?.aborted) return new NonRetryableError(`call to ${where} was cancelled`);
  // The outbound URL policy refused the address, or the agent redirected: the same call would fail again.
  if (error instanceof NonRetryableError) return error;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new TransientError(`${where} did not answer within ${timeoutMs} ms`);
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  const message = error instanceof Error ? error.message : String(error);
  return new TransientError(`could not reach ${where}: ${cause || message}`);
}

/** Calls the team's own agent over HTTP. */
export async function runHttp(
  config: HttpConfig,
  inputs: Record<string, unknown>,
  deps: SystemDeps,
): Promise<SystemResult> {
  const url = new URL(config.url);
  // Names the endpoint in messages without its query string, which may carry a token.
  const where = `agent at ${url.origin}${url.pathname}`;
  const timeoutMs = config.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const headers = await resolveHeaders(config, deps);
  const body = renderBody(config, inputs);
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = deps.signal ? AbortSignal.any([deps.signal, timeout]) : timeout;
  const now = deps.now ?? (() => performance.now());
  const started = now();
  let response: Response;
  let text: string;
  try {
    response = await deps.fetch(url, { method: config.method, headers, body, signal });
    text = await response.text();
  } catch (error) {
    throw networkError(error, where, timeoutMs, deps.signal);
  }
  const latencyMs = Math.round(now() - started);
  if (!response.ok) throw httpStatusError(where, response.status, response.headers, snippet(text));
  const output = extractOutput(text, config.outputPath, where);
  return { outputs: { [config.outputField ?? DEFAULT_OUTPUT_FIELD]: output }, latencyMs, usage: null, costUsd: null };
}
