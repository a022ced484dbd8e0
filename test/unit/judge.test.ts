import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAIChatModel } from '../../lambdas/adapters/llm/openai-chat-model.js';
import { NonRetryableError } from '../../lambdas/core/errors.js';
import {
  JudgeReplyError,
  judgeRecord,
  MAX_RAW_REPLY_CHARS,
  scoreRecordWithMetric,
} from '../../lambdas/core/metrics/judge.js';
import {
  CreateMetric,
  defineMetric,
  type MetricDefinition,
  type OutputType,
} from '../../lambdas/core/schemas/metric.js';
import { type FakeLLM, startFakeLLM } from '../support/fake-llm.js';

let llm: FakeLLM;
let chat: OpenAIChatModel;

beforeAll(async () => {
  llm = await startFakeLLM();
  chat = new OpenAIChatModel({ apiKey: 'sk-judge', baseURL: `${llm.url}/v1` });
});
afterAll(() => llm.close());
beforeEach(() => {
  llm.requests.length = 0;
});

function metric(fields: Record<string, unknown>): MetricDefinition {
  return defineMetric(CreateMetric.parse({ name: 'm', evalType: 'ai', outputType: 'boolean', ...fields }));
}

const record = {
  inputs: { question: 'What is 2 + 2?' },
  expected: { answer: '4' },
  outputs: { response: 'four' },
};

function replyWith(content: string): void {
  llm.respond(() => ({ content, usage: { prompt_tokens: 120, completion_tokens: 30 } }));
}

type Valid = { outputType: OutputType; reply: string; score: boolean | number; passed: boolean; threshold?: number };

const VALID: Valid[] = [
  { outputType: 'boolean', reply: '{"reasoning":"r","score":true}', score: true, passed: true },
  { outputType: 'boolean', reply: '{"reasoning":"r","score":false}', score: false, passed: false },
  { outputType: 'boolean', reply: '{"reasoning":"r","score":" True "}', score: true, passed: true },
  { outputType: 'boolean', reply: '```json\n{"reasoning":"r","score":false}\n```', score: false, passed: false },
  { outputType: 'int', reply: '{"reasoning":"r","score":4}', score: 4, passed: true },
  { outputType: 'int', reply: '{"reasoning":"r","score":3}', score: 3, passed: false },
  { outputType: 'int', reply: '{"reasoning":"r","score":3}', score: 3, passed: true, threshold: 3 },
  { outputType: 'int', reply: '{"score":"5","reasoning":"r"}', score: 5, passed: true },
  { outputType: 'int', reply: '```\n{"reasoning":"r","score":1}\n```', score: 1, passed: false },
  { outputType: 'int', reply: '```json {"reasoning":"r","score":2} ```', score: 2, passed: false },
  { outputType: 'float', reply: '{"reasoning":"r","score":0.95}', score: 0.95, passed: true },
  { outputType: 'float', reply: '{"reasoning":"r","score":0.5}', score: 0.5, passed: false },
  { outputType: 'float', reply: '{"reasoning":"r","score":0.5}', score: 0.5, passed: true, threshold: 0.5 },
  { outputType: 'float', reply: '{"reasoning":"r","score":"1"}', score: 1, passed: true },
  { outputType: 'float', reply: '{"reasoning":"r","score":0}', score: 0, passed: false },
];

const FIELD = { boolean: 'binaryScore', int: 'intScore', float: 'floatScore' } as const;

const INVALID: Array<{ outputType: OutputType; reply: string; error: RegExp }> = [
  { outputType: 'boolean', reply: '{"reasoning":"r","score":1}', error: /must be true or false, got 1/ },
  { outputType: 'boolean', reply: '{"reasoning":"r","score":"yes"}', error: /must be true or false/ },
  { outputType: 'int', reply: '{"reasoning":"r","score":6}', error: /6 is outside 1 to 5/ },
  { outputType: 'int', reply: '{"reasoning":"r","score":0}', error: /0 is outside 1 to 5/ },
  { outputType: 'int', reply: '{"reasoning":"r","score":4.5}', error: /must be an integer from 1 to 5, got 4.5/ },
  { outputType: 'int', reply: '{"reasoning":"r","score":"four"}', error: /must be an integer/ },
  { outputType: 'int', reply: '{"reasoning":"r","score":true}', error: /must be an integer/ },
  { outputType: 'float', reply: '{"reasoning":"r","score":1.2}', error: /1.2 is outside 0 to 1/ },
  { outputType: 'float', reply: '{"reasoning":"r","score":-0.1}', error: /-0.1 is outside 0 to 1/ },
  { outputType: 'float', reply: '{"reasoning":"r","score":null}', error: /must be a number from 0 to 1, got null/ },
  { outputType: 'boolean', reply: 'The answer is correct.', error: /is not JSON/ },
  { outputType: 'int', reply: '', error: /is not JSON/ },
  { outputType: 'float', reply: '{"reasoning":"r","score":0.5', error: /is not JSON/ },
  { outputType: 'boolean', reply: '{"reasoning":"no score here"}', error: /has no "score"/ },
  { outputType: 'int', reply: '[4]', error: /is not a JSON object/ },
  { outputType: 'float', reply: 'Sure! ```json\n{"score":0.5}\n```', error: /is not JSON/ },
];

describe('judgeRecord', () => {
  it.each(VALID)('$outputType reply $reply → $score (passed $passed)', async (row) => {
    replyWith(row.reply);
    const definition = metric({ outputType: row.outputType, passingThreshold: row.threshold });

    const result = await judgeRecord(definition, record, { chat });

    expect(result.value[FIELD[row.outputType]]).toBe(row.score);
    expect(result.value.reasoning).toBe('r');
    expect(result.passed).toBe(row.passed);
    expect(result.rawReply).toBe(row.reply);
    expect(result.usage).toEqual({ promptTokens: 120, completionTokens: 30 });
  });

  it.each(INVALID)('$outputType reply $reply → JudgeReplyError', async ({ outputType, reply, error }) => {
    replyWith(reply);

    const failure = await judgeRecord(metric({ outputType }), record, { chat }).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(JudgeReplyError);
    expect(String(failure)).toMatch(error);
    expect(failure).toMatchObject({ rawReply: reply, usage: { promptTokens: 120, completionTokens: 30 } });
  });

  it('caps the raw reply it keeps', async () => {
    replyWith('x'.repeat(MAX_RAW_REPLY_CHARS + 10));

    const failure = await judgeRecord(metric({}), record, { chat }).catch((e: unknown) => e);

    expect((failure as JudgeReplyError).rawReply).toHaveLength(MAX_RAW_REPLY_CHARS);
  });

  it('renders inputs, outputs, expected and guidelines into the prompt and asks for JSON', async () => {
    replyWith('{"reasoning":"r","score":5}');
    const definition = metric({
      outputType: 'int',
      guidelines: 'Be strict.',
      evalModelName: 'gpt-4.1-mini',
      temperature: 0.2,
      promptTemplate:
        'G={{ guidelines }} GI={{ gradingInstructionsAndExamples }} Q={{ inputs.question }} ' +
        'A={{ outputs.response }} E={{ expected.answer }} M=[{{ inputs.missing }}] J={{ inputs | tojson }}',
    });

    await judgeRecord(definition, record, { chat });

    const body = llm.requests[0]?.body;
    expect(body).toMatchObject({ model: 'gpt-4.1-mini', temperature: 0.2, response_format: { type: 'json_object' } });
    expect(body?.messages[0]?.role).toBe('system');
    expect(body?.messages[0]?.content).toMatch(/JSON object.*"reasoning".*"score".*integer from 1 \(worst\) to 5/);
    expect(body?.messages[1]).toEqual({
      role: 'user',
      content: 'G=Be strict. GI=Be strict. Q=What is 2 + 2? A=four E=4 M=[] J={"question":"What is 2 + 2?"}',
    });
  });

  it('fills the default template with the record as JSON', async () => {
    replyWith('{"reasoning":"r","score":true}');

    await judgeRecord(metric({ guidelines: 'Answer must be numeric.' }), record, { chat });

    const prompt = llm.requests[0]?.body.messages[1]?.content ?? '';
    expect(prompt).toContain('Answer must be numeric.');
    expect(prompt).toContain('{"question":"What is 2 + 2?"}');
    expect(prompt).toContain('{"answer":"4"}');
    expect(prompt).toContain('{"response":"four"}');
  });
});

describe('scoreRecordWithMetric', () => {
  const subject = { ...record, outputs: { response: 'fuor' }, latencyMs: 120, costUsd: 0.001 };

  it.each([
    { outputType: 'boolean', kind: 'exact_match', expected: { binaryScore: false }, passed: false },
    { outputType: 'float', kind: 'levenshtein', expected: { floatScore: 0.5 }, passed: false },
    { outputType: 'boolean', kind: 'levenshtein', expected: { binaryScore: false, floatScore: 0.5 }, passed: false },
    { outputType: 'float', kind: 'contains', expected: { binaryScore: true, floatScore: 1 }, passed: true },
  ] as const)('maps a $kind heuristic onto a $outputType score', async ({ outputType, kind, expected, passed }) => {
    const config = kind === 'contains' ? { kind, values: ['FU'] } : { kind, value: 'four' };
    const definition = defineMetric(
      CreateMetric.parse({ name: 'h', evalType: 'heuristic', outputType, heuristic: config }),
    );

    const result = await scoreRecordWithMetric(definition, subject, { chat });

    expect(result?.value).toMatchObject(expected);
    expect(result?.value.reasoning).toEqual(expect.any(String));
    expect(result).toMatchObject({ passed, usage: null, latencyMs: null, rawReply: null });
    expect(llm.requests).toHaveLength(0);
  });

  it('does not auto-score human metrics', async () => {
    const definition = defineMetric(CreateMetric.parse({ name: 'h', evalType: 'human', outputType: 'int' }));

    expect(await scoreRecordWithMetric(definition, subject, { chat })).toBeNull();
  });

  it('sends ai metrics to the judge', async () => {
    replyWith('{"reasoning":"typo","score":false}');

    const result = await scoreRecordWithMetric(metric({}), subject, { chat });

    expect(result).toMatchObject({ value: { binaryScore: false, reasoning: 'typo' }, passed: false });
    expect(result?.rawReply).toBe('{"reasoning":"typo","score":false}');
  });

  it('reports a missing key as "no LLM configured"', async () => {
    const keyless = new OpenAIChatModel({ baseURL: `${llm.url}/v1` });

    const run = scoreRecordWithMetric(metric({}), subject, { chat: keyless });

    await expect(run).rejects.toBeInstanceOf(NonRetryableError);
    await expect(run).rejects.toThrow('no LLM configured');
  });
});
