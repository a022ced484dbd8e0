import { depthProblem } from '../json-depth.js';
import { snippet } from '../llm/port.js';
import { isStorableNumber, STORED_NUMBER_RANGE } from '../schemas/common.js';
import type { OutputType } from '../schemas/metric.js';
import type { ScoreValue, Usage } from '../schemas/record.js';

/**
 * A score's raw reply and reasoning are cut to this many characters, whatever the judge says: a score item then
 * stays far under DynamoDB's 400 KB, and a record's scores (up to 50 metrics) under a Lambda response.
 */
export const MAX_RAW_REPLY_CHARS = 20_000;
const MAX_REASONING_CHARS = 20_000;

/** `text` within `max` characters; a cut one says so at its end, so no reader takes it for the whole. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = ` [cut at ${max.toLocaleString('en-US')} characters]`;
  return text.slice(0, max - marker.length) + marker;
}

/**
 * The judge answered, but not with a usable score. The caller stores an errored score with `rawReply`
 * (never a silent 0); retrying is pointless at temperature 0, so this is not a TransientError.
 */
export class JudgeReplyError extends Error {
  readonly rawReply: string;
  readonly usage: Usage | null;
  readonly latencyMs: number | null;

  constructor(message: string, rawReply: string, call: { usage?: Usage | null; latencyMs?: number | null } = {}) {
    super(message);
    this.name = 'JudgeReplyError';
    this.rawReply = cutText(rawReply, MAX_RAW_REPLY_CHARS);
    this.usage = call.usage ?? null;
    this.latencyMs = call.latencyMs ?? null;
  }
}

// The whole reply wrapped in a Markdown fence, as chat models often do despite being told not to.
const FENCED = /^```(?:[a-zA-Z]+\b)?\s*([\s\S]*?)\s*```$/;
const NUMERIC = /^-?\d+(\.\d+)?$/;

type Read = { ok: true; value: number | boolean } | { ok: false; problem: string };

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** A number, or a string holding nothing but a decimal number (unambiguous, so accepted). */
function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
  return undefined;
}

function readScore(score: unknown, outputType: OutputType): Read {
  if (outputType === 'boolean') {
    if (typeof score === 'boolean') return { ok: true, value: score };
    const text = typeof score === 'string' ? score.trim().toLowerCase() : '';
    if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
    return { ok: false, problem: `"score" must be true or false, got ${describe(score)}` };
  }
  const value = asNumber(score);
  if (outputType === 'int') {
    if (value === undefined || !Number.isInteger(value)) {
      return { ok: false, problem: `"score" must be an integer from 1 to 5, got ${describe(score)}` };
    }
    if (value < 1 || value > 5) return { ok: false, problem: `"score" ${value} is outside 1 to 5` };
    return { ok: true, value };
  }
  if (value === undefined || !Number.isFinite(value)) {
    return { ok: false, problem: `"score" must be a number from 0 to 1, got ${describe(score)}` };
  }
  if (value < 0 || value > 1) return { ok: false, problem: `"score" ${value} is outside 0 to 1` };
  if (!isStorableNumber(value)) return { ok: false, problem: `"score" ${value} ${STORED_NUMBER_RANGE}` };
  return { ok: true, value };
}

function readReasoning(reasoning: unknown): string | undefined {
  if (reasoning === undefined || reasoning === null) return undefined;
  const text = typeof reasoning === 'string' ? reasoning : describe(reasoning);
  return cutText(text, MAX_REASONING_CHARS);
}

/** Strictly parses a judge's `{"reasoning", "score"}` reply for the metric's output type. */
export function parseJudgeReply(rawReply: string, outputType: OutputType): ScoreValue {
  const fail = (problem: string) => new JudgeReplyError(`judge reply ${problem}: ${snippet(rawReply, 120)}`, rawReply);
  const trimmed = rawReply.trim();
  const body = FENCED.exec(trimmed)?.[1] ?? trimmed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw fail('is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fail('is not a JSON object');
  const deep = depthProblem(parsed, '');
  if (deep) throw fail(`is unusable: it ${deep}`);
  const fields = parsed as Record<string, unknown>;
  if (!Object.hasOwn(fields, 'score')) throw fail('has no "score"');
  const score = readScore(fields.score, outputType);
  if (!score.ok) throw fail(`is unusable: ${score.problem}`);
  const value: ScoreValue = {};
  if (outputType === 'boolean') value.binaryScore = score.value === true;
  else if (outputType === 'int') value.intScore = Number(score.value);
  else value.floatScore = Number(score.value);
  const reasoning = readReasoning(fields.reasoning);
  if (reasoning !== undefined) value.reasoning = reasoning;
  return value;
}
