import { hostedConfig, type SystemConfig } from '../schemas/system.js';
import { runExternal } from './external.js';
import { runHttp } from './http.js';
import { runOpenAIChat } from './openai-chat.js';
import type { SystemDeps, SystemResult } from './types.js';

export { costUsd, DEFAULT_PRICES, loadPriceTable, type ModelPrice, type PriceTable } from './pricing.js';
export { renderTemplate } from './template.js';
export { DEFAULT_OUTPUT_FIELD, type SystemDeps, type SystemResult } from './types.js';

/**
 * Runs one testcase's inputs through a system version, one attempt. Throws TransientError when a retry may
 * help (wrap in withRetries) and NonRetryableError when it cannot.
 */
export function runSystem(
  config: SystemConfig,
  inputs: Record<string, unknown>,
  deps: SystemDeps,
): Promise<SystemResult> {
  const hosted = hostedConfig(config);
  switch (hosted?.type) {
    case 'openai_chat':
      return runOpenAIChat(hosted, inputs, deps);
    case 'http':
      return runHttp(hosted, inputs, deps);
    default:
      // `external` and free-form configs run outside Verdict.
      return Promise.resolve().then(runExternal);
  }
}
