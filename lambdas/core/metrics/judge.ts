import { NonRetryableError } from '../errors.js';
import type { ChatMessage, ChatModel } from '../llm/port.js';
import {
  DEFAULT_EVAL_MODEL,
  DEFAULT_PROMPT_TEMPLATE,
  type MetricDefinition,
  type OutputType,
} from '../schemas/metric.js';
import type { ScoreValue, Usage } from '../schemas/record.js';
import { renderTemplate } from '../systems/template.js';
import { runHeuristic } from './heuristics/registry.js';
import type { HeuristicResult, HeuristicSubject } from './heuristics/types.js';
import { cutText, JudgeReplyError, MAX_RAW_REPLY_CHARS, parseJudgeReply } from './judge-reply.js';
import { isPassing } from './passing.js';

export { JudgeReplyError, MAX_RAW_REPLY_CHARS, parseJudgeReply } from './judge-reply.js';

export interface JudgeSubject {
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface JudgeDeps {
  chat: ChatModel;
  signal?: AbortSignal;
}

export interface JudgeResult {
  value: ScoreValue;
  passed: boolean | null;
  usage: Usage | null;
  latencyMs: number;
  rawReply: string;
}

/** What one metric made of one record; `usage`, `latencyMs` and `rawReply` are null for heuristics. */
export interface MetricScore {
  value: ScoreValue;
  passed: boolean | null;
  usage: Usage | null;
  latencyMs: number | null;
  rawReply: string | null;
}

const SCORE_RULES: Record<OutputType, string> = {
  boolean: '"score" is true if the outputs meet the criteria and false if they do not',
  int: '"score" is an integer from 1 (worst) to 5 (best)',
  float: '"score" is a number from 0 (worst) to 1 (best)',
};

/** Kept out of the user's template so every metric gets a parsable reply whatever its prompt says. */
export function judgeInstruction(outputType: OutputType): string {
  return (
    'Reply with a single JSON object and nothing else, of the form {"reasoning": string, "score": ...}. ' +
    `"reasoning" briefly explains the score; ${SCORE_RULES[outputType]}.`
  );
}

/** The messages sent to the judge: our format instruction, then the metric's rendered prompt. */
export function buildJudgeMessages(definition: MetricDefinition, record: JudgeSubject): ChatMessage[] {
  const guidelines = definition.guidelines;
  const { inputs, outputs, expected } = record;
  const context = { inputs, outputs, expected, guidelines, gradingInstructionsAndExamples: guidelines };
  const prompt = renderTemplate(definition.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE, context, 'the promptTemplate');
  return [
    { role: 'system', content: judgeInstruction(definition.outputType) },
    { role: 'user', content: prompt },
  ];
}

/**
 * Asks the metric's judge model to score one record. Throws JudgeReplyError (with the raw reply) when the
 * reply is unusable, and the ChatModel's TransientError / NonRetryableError when the call itself fails.
 */
export async function judgeRecord(
  definition: MetricDefinition,
  record: JudgeSubject,
  deps: JudgeDeps,
): Promise<JudgeResult> {
  const reply = await deps.chat.complete({
    model: definition.evalModelName ?? DEFAULT_EVAL_MODEL,
    messages: buildJudgeMessages(definition, record),
    temperature: definition.temperature ?? 0,
    responseFormat: 'json_object',
    signal: deps.signal,
  });
  let value: ScoreValue;
  try {
    value = parseJudgeReply(reply.text, definition.outputType);
  } catch (error) {
    if (!(error instanceof JudgeReplyError)) throw error;
    throw new JudgeReplyError(error.message, reply.text, reply);
  }
  const passed = isPassing(definition, value);
  return {
    value,
    passed,
    usage: reply.usage,
    latencyMs: reply.latencyMs,
    rawReply: cutText(reply.text, MAX_RAW_REPLY_CHARS),
  };
}

/**
 * A heuristic's native result (boolean → binaryScore, number → floatScore), plus the field of the metric's
 * declared output type when it can be derived, because aggregates read that field.
 */
function heuristicValue(outputType: OutputType, result: HeuristicResult): ScoreValue {
  const value: ScoreValue = { reasoning: result.reasoning };
  if (typeof result.score === 'boolean') value.binaryScore = result.score;
  else value.floatScore = result.score;
  if (outputType === 'boolean') value.binaryScore = result.passed;
  if (outputType === 'float' && value.floatScore === undefined) value.floatScore = result.passed ? 1 : 0;
  return value;
}

/**
 * Scores one record with one metric version: heuristics in-process, AI metrics through the judge. Human
 * metrics return null: they are not auto-scored, the run waits for their scores to be PUT.
 */
export async function scoreRecordWithMetric(
  definition: MetricDefinition,
  subject: HeuristicSubject,
  deps: JudgeDeps,
): Promise<MetricScore | null> {
  switch (definition.evalType) {
    case 'human':
      return null;
    case 'heuristic': {
      if (!definition.heuristic) {
        throw new NonRetryableError(`heuristic metric "${definition.name}" has no heuristic configuration`);
      }
      const result = runHeuristic(definition.heuristic, subject);
      const value = heuristicValue(definition.outputType, result);
      return { value, passed: result.passed, usage: null, latencyMs: null, rawReply: null };
    }
    case 'ai':
      return judgeRecord(definition, subject, deps);
  }
}
