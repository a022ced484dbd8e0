import { noLlmConfigured } from '../llm/port.js';
import type { SystemConfig } from '../schemas/system.js';
import { costUsd } from './pricing.js';
import { renderTemplate } from './template.js';
import { DEFAULT_OUTPUT_FIELD, type SystemDeps, type SystemResult } from './types.js';

type OpenAIChatConfig = Extract<SystemConfig, { type: 'openai_chat' }>;

/** A system's own key, when it names one; undefined means the chat model's default key. */
async function resolveApiKey(config: OpenAIChatConfig, deps: SystemDeps): Promise<string | undefined> {
  if (config.apiKeySecret === undefined) return undefined;
  const key = await deps.secrets(config.apiKeySecret);
  if (!key) {
    throw noLlmConfigured(`secret "${config.apiKeySecret}" named by apiKeySecret is not registered for this project`);
  }
  return key;
}

/**
 * One chat completion. Message templates see the inputs both by name (`{{ question }}`) and under
 * `inputs` (`{{ inputs.question }}`), so prompts written either way work.
 */
export async function runOpenAIChat(
  config: OpenAIChatConfig,
  inputs: Record<string, unknown>,
  deps: SystemDeps,
): Promise<SystemResult> {
  const context = { ...inputs, inputs };
  const messages = config.messages.map((message, index) => ({
    role: message.role,
    content: renderTemplate(message.content, context, `message ${index + 1} of the system`),
  }));
  const apiKey = await resolveApiKey(config, deps);
  const reply = await deps.chat.complete({
    model: config.model,
    messages,
    temperature: config.temperature,
    maxTokens: config.maxTokens,
    baseURL: config.baseURL,
    apiKey,
    signal: deps.signal,
  });
  return {
    outputs: { [config.outputField ?? DEFAULT_OUTPUT_FIELD]: reply.text },
    latencyMs: reply.latencyMs,
    usage: reply.usage,
    costUsd: costUsd(config.model, reply.usage, deps.prices),
  };
}
