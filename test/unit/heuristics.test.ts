import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { NonRetryableError } from '../../lambdas/core/errors.js';
import {
  clearCompileCaches,
  compileCacheSizes,
  HEURISTIC_KINDS,
  HEURISTICS,
  HeuristicConfig,
  type HeuristicConfigInput,
  type HeuristicSubject,
  MAX_COMPILED_ENTRIES,
  runHeuristic,
  similarity,
} from '../../lambdas/core/metrics/heuristics/index.js';
import { PATTERN_TIME_LIMIT_MS } from '../../lambdas/core/syntax/time-bound.js';

type Row = { name: string; config: HeuristicConfigInput; subject: HeuristicSubject; passed: boolean; reason: string };

function subject(partial: Partial<HeuristicSubject> = {}): HeuristicSubject {
  return { outputs: {}, expected: {}, inputs: {}, ...partial };
}

/** Subject with outputs.response (and expected.response when given). */
function respond(response: unknown, expected?: unknown): HeuristicSubject {
  return subject({ outputs: { response }, expected: expected === undefined ? {} : { response: expected } });
}

function score(config: HeuristicConfigInput, target: HeuristicSubject) {
  return runHeuristic(HeuristicConfig.parse(config), target);
}

function expectRow({ config, subject: target, passed, reason }: Row): void {
  const result = score(config, target);

  expect(result.passed).toBe(passed);
  expect(result.reasoning).toContain(reason);
  if (typeof result.score === 'boolean') expect(result.score).toBe(passed);
}

const HUGE = 'lorem ipsum '.repeat(100_000);
const DECOMPOSED_E = 'e\u0301';
const COMPOSED_E = '\u00e9';

describe('exact_match', () => {
  const kind = 'exact_match';
  // biome-ignore format: one case per line reads as a table
  it.each<Row>([
    { name: 'equal strings pass', config: { kind }, subject: respond('Paris', 'Paris'), passed: true, reason: 'equals' },
    { name: 'case differs fails by default', config: { kind }, subject: respond('paris', 'Paris'), passed: false, reason: 'differs from expected.response' },
    { name: 'caseSensitive false ignores case', config: { kind, caseSensitive: false }, subject: respond('PARIS', 'paris'), passed: true, reason: 'equals' },
    { name: 'value overrides expected', config: { kind, value: 'Rome' }, subject: respond('Rome', 'Paris'), passed: true, reason: 'equals value' },
    { name: 'expectedField reads another expected key', config: { kind, field: 'answer', expectedField: 'gold' }, subject: subject({ outputs: { answer: 'x' }, expected: { gold: 'x' } }), passed: true, reason: 'outputs.answer equals expected.gold' },
    { name: 'dotted field reaches nested output', config: { kind, field: 'result.city', value: 'Oslo' }, subject: subject({ outputs: { result: { city: 'Oslo' } } }), passed: true, reason: 'outputs.result.city' },
    { name: 'missing output names the field', config: { kind }, subject: subject({ expected: { response: 'a' } }), passed: false, reason: 'outputs.response is missing' },
    { name: 'missing expected names the field', config: { kind }, subject: respond('a'), passed: false, reason: 'expected.response is missing' },
    { name: 'null output is reported', config: { kind }, subject: respond(null, 'a'), passed: false, reason: 'outputs.response is null' },
    { name: 'prototype keys are not fields', config: { kind, field: 'constructor', value: 'x' }, subject: subject(), passed: false, reason: 'outputs.constructor is missing' },
    { name: 'empty equals empty', config: { kind }, subject: respond('', ''), passed: true, reason: 'equals' },
    { name: 'empty differs from text', config: { kind }, subject: respond('', 'a'), passed: false, reason: 'differs' },
    { name: 'unicode compares NFC', config: { kind }, subject: respond(`caf${DECOMPOSED_E}`, `caf${COMPOSED_E}`), passed: true, reason: 'equals' },
    { name: 'NaN never matches', config: { kind }, subject: respond(Number.NaN, Number.NaN), passed: false, reason: 'NaN never matches' },
    { name: 'numbers compare as text', config: { kind }, subject: respond(42, '42'), passed: true, reason: 'equals' },
    { name: 'objects ignore key order', config: { kind }, subject: respond({ a: 1, b: [2] }, { b: [2], a: 1 }), passed: true, reason: 'equals' },
    { name: 'huge equal strings pass', config: { kind }, subject: respond(HUGE, `${HUGE}`), passed: true, reason: 'chars)' },
    { name: 'huge strings differing at the end fail', config: { kind }, subject: respond(`${HUGE}a`, `${HUGE}b`), passed: false, reason: 'differs' },
  ])('$name', expectRow);
});

describe('contains', () => {
  const kind = 'contains';
  // biome-ignore format: one case per line reads as a table
  it.each<Row>([
    { name: 'case-insensitive by default', config: { kind, values: ['paris'] }, subject: respond('The capital is Paris.'), passed: true, reason: '1 of 1' },
    { name: 'caseSensitive true fails on case', config: { kind, values: ['paris'], caseSensitive: true }, subject: respond('Paris'), passed: false, reason: 'missing "paris"' },
    { name: 'mode any passes on one hit', config: { kind, values: ['cat', 'dog'] }, subject: respond('a dog'), passed: true, reason: '1 of 2' },
    { name: 'mode all fails and lists what is missing', config: { kind, values: ['cat', 'dog'], mode: 'all' }, subject: respond('a dog'), passed: false, reason: 'missing "cat"' },
    { name: 'mode all passes with every value', config: { kind, values: ['cat', 'dog'], mode: 'all' }, subject: respond('cat and dog'), passed: true, reason: '2 of 2' },
    { name: 'expected field is the needle', config: { kind }, subject: respond('answer: 42', '42'), passed: true, reason: 'from expected.response' },
    { name: 'value is the needle', config: { kind, value: 'ok' }, subject: respond('all OK'), passed: true, reason: 'from value' },
    { name: 'missing output', config: { kind, values: ['a'] }, subject: subject(), passed: false, reason: 'outputs.response is missing' },
    { name: 'missing expected', config: { kind }, subject: respond('a'), passed: false, reason: 'expected.response is missing' },
    { name: 'empty target never passes vacuously', config: { kind }, subject: respond('abc', ''), passed: false, reason: 'nothing to look for' },
    { name: 'empty output', config: { kind, values: ['a'] }, subject: respond(''), passed: false, reason: '0 of 1' },
    { name: 'unicode compares NFC', config: { kind, values: [`caf${COMPOSED_E}`] }, subject: respond(`Un caf${DECOMPOSED_E}`), passed: true, reason: '1 of 1' },
    { name: 'NaN output is the text "NaN"', config: { kind, values: ['nan'] }, subject: respond(Number.NaN), passed: true, reason: '1 of 1' },
    { name: 'objects are searched as JSON text', config: { kind, values: ['"status":"ok"'] }, subject: respond({ status: 'ok' }), passed: true, reason: '1 of 1' },
    { name: 'huge output with needle at the end', config: { kind, values: ['needle'] }, subject: respond(`${HUGE}needle`), passed: true, reason: '1 of 1' },
  ])('$name', expectRow);
});

describe('regex', () => {
  const kind = 'regex';
  // biome-ignore format: one case per line reads as a table
  it.each<Row>([
    { name: 'matching pattern passes', config: { kind, pattern: '^\\d{3}-\\d{4}$' }, subject: respond('555-1234'), passed: true, reason: 'at index 0' },
    { name: 'non-matching pattern fails', config: { kind, pattern: '^\\d{3}-\\d{4}$' }, subject: respond('5551234'), passed: false, reason: 'does not match' },
    { name: 'flags apply', config: { kind, pattern: '^yes$', flags: 'i' }, subject: respond('YES'), passed: true, reason: '/^yes$/i' },
    { name: 'missing output', config: { kind, pattern: 'a' }, subject: subject(), passed: false, reason: 'outputs.response is missing' },
    { name: 'empty output can match ^$', config: { kind, pattern: '^$' }, subject: respond(''), passed: true, reason: 'matches' },
    { name: 'empty output fails a content pattern', config: { kind, pattern: '\\w' }, subject: respond(''), passed: false, reason: 'does not match' },
    { name: 'unicode property escapes', config: { kind, pattern: '^\\p{L}+$', flags: 'u' }, subject: respond('Ελληνικά'), passed: true, reason: 'matches' },
    { name: 'unicode pattern and output are NFC', config: { kind, pattern: `^caf${DECOMPOSED_E}$` }, subject: respond(`caf${COMPOSED_E}`), passed: true, reason: 'matches' },
    { name: 'NaN output is the text "NaN"', config: { kind, pattern: '^NaN$' }, subject: respond(Number.NaN), passed: true, reason: 'matches' },
    { name: 'huge output', config: { kind, pattern: 'end$' }, subject: respond(`${HUGE}end`), passed: true, reason: 'matches' },
  ])('$name', expectRow);

  it('gives the same answer on every call even with the stateful g flag', () => {
    const config = HeuristicConfig.parse({ kind, pattern: 'a', flags: 'g' });

    const results = [1, 2, 3].map(() => runHeuristic(config, respond('a')).passed);

    expect(results).toEqual([true, true, true]);
  });

  // `^(a+)+$` backtracks 2^n times on n a's and a "!": each added "a" doubles the time. Unstopped, 28 of them
  // take ~25 s on this 2-core VM (so the test fails rather than hangs if the stop is lost), 40 would take a day.
  it.each(['', 'i', 'u'])(
    'stops a catastrophically backtracking pattern (flags "%s") with an error naming it',
    (flags) => {
      const config = HeuristicConfig.parse({ kind, pattern: '^(a+)+$', flags });

      const run = () => runHeuristic(config, respond(`${'a'.repeat(28)}!`));

      expect(run).toThrow(NonRetryableError);
      expect(run).toThrow(`"pattern" /^(a+)+$/${flags} ran for over ${PATTERN_TIME_LIMIT_MS} ms and was stopped`);
      expect(score({ kind, pattern: '^(a+)+$', flags }, respond('aaaa')).passed).toBe(true);
    },
  );
});

describe('json_valid', () => {
  const kind = 'json_valid';
  // biome-ignore format: one case per line reads as a table
  it.each<Row>([
    { name: 'JSON text passes', config: { kind }, subject: respond('{"a": [1, 2]}'), passed: true, reason: 'parses as JSON' },
    { name: 'JS-ish object text fails with the parser error', config: { kind }, subject: respond('{a: 1}'), passed: false, reason: 'is not valid JSON' },
    { name: 'markdown code fences are not JSON', config: { kind }, subject: respond('```json\n{}\n```'), passed: false, reason: 'not valid JSON' },
    { name: 'structured output is already JSON', config: { kind }, subject: respond({ a: 1 }), passed: true, reason: 'already a structured object' },
    { name: 'missing output', config: { kind }, subject: subject(), passed: false, reason: 'outputs.response is missing' },
    { name: 'empty string', config: { kind }, subject: respond(''), passed: false, reason: 'empty string, not JSON' },
    { name: 'whitespace only', config: { kind }, subject: respond('  \n'), passed: false, reason: 'empty string' },
    { name: 'NaN cannot be JSON', config: { kind }, subject: respond(Number.NaN), passed: false, reason: 'JSON cannot represent' },
    { name: 'unicode JSON string', config: { kind }, subject: respond('"h\u00e9llo 😀"'), passed: true, reason: 'parses' },
    { name: 'huge JSON array', config: { kind }, subject: respond(JSON.stringify(Array.from({ length: 100_000 }, (_, i) => i))), passed: true, reason: 'parses' },
  ])('$name', expectRow);
});

describe('json_schema', () => {
  const kind = 'json_schema';
  const person = {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } },
  };
  // biome-ignore format: one case per line reads as a table
  it.each<Row>([
    { name: 'conforming object passes', config: { kind, schema: person }, subject: respond({ name: 'Ada' }), passed: true, reason: 'conforms' },
    { name: 'JSON text is parsed first', config: { kind, schema: person }, subject: respond('{"name":"Ada"}'), passed: true, reason: 'conforms' },
    { name: 'plain text is not JSON', config: { kind, schema: { type: 'string' } }, subject: respond('Ada'), passed: false, reason: 'not valid JSON' },
    { name: 'missing property is explained', config: { kind, schema: person }, subject: respond({}), passed: false, reason: "must have required property 'name'" },
    { name: 'formats are checked', config: { kind, schema: person }, subject: respond({ name: 'A', email: 'nope' }), passed: false, reason: 'must match format "email"' },
    { name: 'invalid JSON text', config: { kind, schema: person }, subject: respond('{name:'), passed: false, reason: 'not valid JSON' },
    { name: 'missing output', config: { kind, schema: person }, subject: subject(), passed: false, reason: 'outputs.response is missing' },
    { name: 'empty string', config: { kind, schema: person }, subject: respond(''), passed: false, reason: 'empty string' },
    { name: 'NaN', config: { kind, schema: { type: 'number' } }, subject: respond(Number.NaN), passed: false, reason: 'JSON cannot represent' },
    { name: 'unicode length counts code points', config: { kind, schema: { type: 'string', maxLength: 1 } }, subject: respond('"😀"'), passed: true, reason: 'conforms' },
    { name: 'huge array', config: { kind, schema: { type: 'array', items: { type: 'integer' } } }, subject: respond(Array.from({ length: 100_000 }, (_, i) => i)), passed: true, reason: 'conforms' },
  ])('$name', expectRow);

  it('compiles two different schemas that share an $id', () => {
    const first = { kind, schema: { $id: 'https://example.com/s', type: 'string' } } as const;
    const second = { kind, schema: { $id: 'https://example.com/s', type: 'number' } } as const;

    expect(score(first, respond('"a"')).passed).toBe(true);
    expect(score(second, respond(1)).passed).toBe(true);
  });

  it('stops a schema whose pattern backtracks catastrophically, with an error naming the schema', () => {
    const config = HeuristicConfig.parse({ kind, schema: { type: 'string', pattern: '^(a|aa)+$' } });

    // (a|aa)+ backtracks in Fibonacci(n) ways; 40 a's take ~30 s unstopped here.
    const run = () => runHeuristic(config, respond(JSON.stringify(`${'a'.repeat(40)}!`)));

    expect(run).toThrow(NonRetryableError);
    expect(run).toThrow(`"schema" ran for over ${PATTERN_TIME_LIMIT_MS} ms and was stopped on outputs.response`);
    expect(runHeuristic(config, respond('"aaaa"')).passed).toBe(true);
  });
});

describe('levenshtein', () => {
  const kind = 'levenshtein';
  // biome-ignore format: one case per line reads as a table
  it.each<Row & { score: number }>([
    { name: 'identical strings', config: { kind }, subject: respond('kitten', 'kitten'), passed: true, reason: '1.0000 >= 0.8', score: 1 },
    { name: 'kitten/sitting below default threshold', config: { kind }, subject: respond('kitten', 'sitting'), passed: false, reason: '< 0.8', score: 4 / 7 },
    { name: 'kitten/sitting above a lower threshold', config: { kind, threshold: 0.5 }, subject: respond('kitten', 'sitting'), passed: true, reason: '>= 0.5', score: 4 / 7 },
    { name: 'caseSensitive false', config: { kind, caseSensitive: false }, subject: respond('Hello', 'hELLO'), passed: true, reason: '>=', score: 1 },
    { name: 'value as target', config: { kind, value: 'abcd' }, subject: respond('abce'), passed: false, reason: 'to value', score: 0.75 },
    { name: 'missing output scores 0', config: { kind }, subject: subject({ expected: { response: 'a' } }), passed: false, reason: 'outputs.response is missing', score: 0 },
    { name: 'missing expected scores 0', config: { kind }, subject: respond('a'), passed: false, reason: 'expected.response is missing', score: 0 },
    { name: 'two empty strings are identical', config: { kind }, subject: respond('', ''), passed: true, reason: '1.0000', score: 1 },
    { name: 'empty against text', config: { kind }, subject: respond('', 'abc'), passed: false, reason: '0.0000', score: 0 },
    { name: 'emoji is one edit, not two', config: { kind }, subject: respond('ab😀', 'abc'), passed: false, reason: '0.6667', score: 2 / 3 },
    { name: 'NFC before distance', config: { kind }, subject: respond(`caf${DECOMPOSED_E}`, `caf${COMPOSED_E}`), passed: true, reason: '1.0000', score: 1 },
    { name: 'NaN compares as text', config: { kind }, subject: respond(Number.NaN, 'NaN'), passed: true, reason: '1.0000', score: 1 },
  ])('$name', (row) => {
    const result = score(row.config, row.subject);

    expect(result.passed).toBe(row.passed);
    expect(result.reasoning).toContain(row.reason);
    expect(Number(result.score)).toBeCloseTo(row.score, 10);
  });

  it('stays fast on long texts with an edit in the middle', () => {
    const base = 'the quick brown fox jumps over the lazy dog '.repeat(2_000);
    const edited = `${base.slice(0, 40_000)}CAT${base.slice(40_003)}`;

    const started = performance.now();
    const result = score({ kind }, respond(edited, base));

    expect(performance.now() - started).toBeLessThan(500);
    expect(result.passed).toBe(true);
    expect(Number(result.score)).toBeGreaterThan(0.99);
  });

  it('computes exactly on 12,000-char texts that differ throughout', () => {
    const a = 'ab'.repeat(6_000);
    const b = 'ba'.repeat(6_000);

    const result = score({ kind }, respond(a, b));

    expect(Number(result.score)).toBeCloseTo(1 - 2 / 12_000, 10);
  });

  it('declines, quickly and with a reason, when long texts differ beyond the budget', () => {
    const started = performance.now();
    const result = score({ kind }, respond('x'.repeat(100_000), 'y'.repeat(100_000)));

    expect(performance.now() - started).toBeLessThan(500);
    expect(result).toMatchObject({ score: 0, passed: false });
    expect(result.reasoning).toContain('within budget');
  });

  it('is 1 for a string against itself', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => similarity(text, text) === 1));
  });

  it('is symmetric and within [0, 1]', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        const forward = similarity(a, b);
        expect(forward).toBe(similarity(b, a));
        expect(forward).toBeGreaterThanOrEqual(0);
        expect(forward).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('numeric_tolerance', () => {
  const kind = 'numeric_tolerance';
  // biome-ignore format: one case per line reads as a table
  it.each<Row>([
    { name: 'within absolute tolerance', config: { kind, threshold: 0.01 }, subject: respond(2.5, 2.505), passed: true, reason: '<= 0.01' },
    { name: 'outside absolute tolerance', config: { kind, threshold: 0.5 }, subject: respond(3, 4), passed: false, reason: 'difference between outputs.response 3 and expected.response 4 is 1 > 0.5' },
    { name: 'zero tolerance is exact', config: { kind, threshold: 0 }, subject: respond(7, 7), passed: true, reason: 'is 0 <= 0' },
    { name: 'numeric strings are numbers', config: { kind, threshold: 0 }, subject: respond(' 42 ', '4.2e1'), passed: true, reason: '<= 0' },
    { name: 'value as target', config: { kind, threshold: 1, value: 10 }, subject: respond(10.5), passed: true, reason: 'value 10' },
    { name: 'relative within', config: { kind, threshold: 0.05, relative: true }, subject: respond(105, 100), passed: true, reason: 'relative difference' },
    { name: 'relative outside', config: { kind, threshold: 0.05, relative: true }, subject: respond(106, 100), passed: false, reason: '> 0.05' },
    { name: 'relative against 0 needs exact 0', config: { kind, threshold: 0.5, relative: true }, subject: respond(0.001, 0), passed: false, reason: 'only an exact 0 passes' },
    { name: 'missing output', config: { kind, threshold: 1 }, subject: subject({ expected: { response: 1 } }), passed: false, reason: 'outputs.response is missing' },
    { name: 'missing expected', config: { kind, threshold: 1 }, subject: respond(1), passed: false, reason: 'expected.response is missing' },
    { name: 'empty string is not a number', config: { kind, threshold: 1 }, subject: respond('', 1), passed: false, reason: 'outputs.response "" is not a finite number' },
    { name: 'NaN is not a number', config: { kind, threshold: 1 }, subject: respond(Number.NaN, 1), passed: false, reason: 'is not a finite number' },
    { name: 'NaN target', config: { kind, threshold: 1 }, subject: respond(1, Number.NaN), passed: false, reason: 'expected.response "NaN" is not a finite number' },
    { name: 'fullwidth digits are not parsed', config: { kind, threshold: 1 }, subject: respond('４２', 42), passed: false, reason: 'not a finite number' },
    { name: 'huge digit strings overflow to Infinity', config: { kind, threshold: 1 }, subject: respond('9'.repeat(400), 1), passed: false, reason: 'not a finite number' },
  ])('$name', expectRow);
});

describe('length, latency and cost', () => {
  // biome-ignore format: one case per line reads as a table
  it.each<Row>([
    { name: 'length within bounds', config: { kind: 'length', min: 1, max: 10 }, subject: respond('hello'), passed: true, reason: '5 is within [1, 10]' },
    { name: 'length above max', config: { kind: 'length', max: 3 }, subject: respond('hello'), passed: false, reason: '5 is not <= 3' },
    { name: 'length below min', config: { kind: 'length', min: 6 }, subject: respond('hello'), passed: false, reason: 'not >= 6' },
    { name: 'length missing output', config: { kind: 'length', max: 3 }, subject: subject(), passed: false, reason: 'outputs.response is missing' },
    { name: 'length empty with min', config: { kind: 'length', min: 1 }, subject: respond(''), passed: false, reason: '0 is not >= 1' },
    { name: 'length empty with max 0', config: { kind: 'length', max: 0 }, subject: respond(''), passed: true, reason: '0 is <= 0' },
    { name: 'length counts emoji as one', config: { kind: 'length', max: 2 }, subject: respond('😀😀'), passed: true, reason: '2 is <= 2' },
    { name: 'length counts NFC characters', config: { kind: 'length', max: 1 }, subject: respond(DECOMPOSED_E), passed: true, reason: '1 is <= 1' },
    { name: 'length of NaN is its text', config: { kind: 'length', max: 3 }, subject: respond(Number.NaN), passed: true, reason: '3 is <= 3' },
    { name: 'length of huge output', config: { kind: 'length', max: 1_000_000 }, subject: respond(HUGE), passed: false, reason: '1200000 is not <= 1000000' },
    { name: 'latency under max', config: { kind: 'latency', max: 200 }, subject: subject({ latencyMs: 120 }), passed: true, reason: 'latencyMs 120 is <= 200' },
    { name: 'latency over max', config: { kind: 'latency', max: 200 }, subject: subject({ latencyMs: 250 }), passed: false, reason: 'latencyMs 250 is not <= 200' },
    { name: 'latency at min bound', config: { kind: 'latency', min: 0 }, subject: subject({ latencyMs: 0 }), passed: true, reason: 'is >= 0' },
    { name: 'latency missing', config: { kind: 'latency', max: 200 }, subject: subject(), passed: false, reason: 'latencyMs is missing' },
    { name: 'latency null', config: { kind: 'latency', max: 200 }, subject: subject({ latencyMs: null }), passed: false, reason: 'latencyMs is missing' },
    { name: 'latency NaN', config: { kind: 'latency', max: 200 }, subject: subject({ latencyMs: Number.NaN }), passed: false, reason: 'latencyMs is NaN' },
    { name: 'latency huge', config: { kind: 'latency', max: 200 }, subject: subject({ latencyMs: Number.MAX_SAFE_INTEGER }), passed: false, reason: 'not <= 200' },
    { name: 'cost within range', config: { kind: 'cost', min: 0, max: 0.01 }, subject: subject({ costUsd: 0.002 }), passed: true, reason: 'costUsd 0.002 is within [0, 0.01]' },
    { name: 'cost over budget', config: { kind: 'cost', max: 0.01 }, subject: subject({ costUsd: 0.5 }), passed: false, reason: 'not <= 0.01' },
    { name: 'cost missing', config: { kind: 'cost', max: 0.01 }, subject: subject(), passed: false, reason: 'costUsd is missing' },
    { name: 'cost Infinity', config: { kind: 'cost', max: 0.01 }, subject: subject({ costUsd: Number.POSITIVE_INFINITY }), passed: false, reason: 'not a finite number' },
  ])('$name', expectRow);
});

describe('HeuristicConfig', () => {
  it('fills defaults and leaves caseSensitive to each kind', () => {
    const config = HeuristicConfig.parse({ kind: 'contains', values: ['a'] });

    expect(config).toMatchObject({ field: 'response', mode: 'any' });
    expect(config.caseSensitive).toBeUndefined();
  });

  // biome-ignore format: one case per line reads as a table
  it.each<{ input: Record<string, unknown>; path: string; message: string }>([
    { input: { kind: 'regex' }, path: 'pattern', message: 'regex needs "pattern"' },
    { input: { kind: 'regex', pattern: '(' }, path: 'pattern', message: '"pattern" does not compile' },
    { input: { kind: 'regex', pattern: 'a', flags: 'x' }, path: 'flags', message: 'flags may only contain' },
    { input: { kind: 'regex', pattern: 'a', flags: 'ii' }, path: 'flags', message: '"flags" does not compile' },
    { input: { kind: 'json_schema' }, path: 'schema', message: 'json_schema needs "schema"' },
    { input: { kind: 'json_schema', schema: { type: 'nope' } }, path: 'schema', message: '"schema" is not a valid JSON Schema' },
    { input: { kind: 'numeric_tolerance' }, path: 'threshold', message: 'numeric_tolerance needs "threshold"' },
    { input: { kind: 'numeric_tolerance', threshold: -1 }, path: 'threshold', message: '>=0' },
    { input: { kind: 'levenshtein', threshold: 1.5 }, path: 'threshold', message: 'between 0 and 1' },
    { input: { kind: 'latency' }, path: 'min', message: 'latency needs "min" or "max"' },
    { input: { kind: 'length' }, path: 'min', message: 'length needs "min" or "max"' },
    { input: { kind: 'cost', min: 5, max: 1 }, path: 'max', message: '"max" (1) must be >= "min" (5)' },
    { input: { kind: 'contains', values: [] }, path: 'values', message: '>=1' },
    { input: { kind: 'contains', values: [''] }, path: 'values.0', message: '>=1' },
    { input: { kind: 'contains', mode: 'some' }, path: 'mode', message: '"any"' },
    { input: { kind: 'similarity' }, path: 'kind', message: 'exact_match' },
    { input: { kind: 'exact_match', treshold: 0.5 }, path: '', message: 'treshold' },
  ])('rejects $input with an issue at "$path"', ({ input, path, message }) => {
    const result = HeuristicConfig.safeParse(input);

    expect(result.success).toBe(false);
    const issue = result.error?.issues.find((candidate) => candidate.path.join('.') === path);
    expect(issue?.message).toContain(message);
  });
});

describe('runHeuristic', () => {
  beforeEach(() => clearCompileCaches());

  it('has a registered function for every kind', () => {
    expect(Object.keys(HEURISTICS).sort()).toEqual([...HEURISTIC_KINDS].sort());
  });

  const validConfigs: HeuristicConfigInput[] = [
    { kind: 'exact_match' },
    { kind: 'contains' },
    { kind: 'regex', pattern: '\\d' },
    { kind: 'json_valid' },
    { kind: 'json_schema', schema: { type: 'object' } },
    { kind: 'levenshtein' },
    { kind: 'numeric_tolerance', threshold: 1 },
    { kind: 'length', max: 10 },
    { kind: 'latency', max: 10 },
    { kind: 'cost', max: 1 },
  ];

  it.each(validConfigs)('never throws on arbitrary data for $kind', (input) => {
    const config = HeuristicConfig.parse(input);
    const anyRecord = fc.dictionary(fc.constantFrom('response', 'other'), fc.anything());
    const measurement = fc.option(fc.oneof(fc.double(), fc.integer()), { nil: undefined });

    fc.assert(
      fc.property(anyRecord, anyRecord, measurement, (outputs, expected, latencyMs) => {
        const result = runHeuristic(config, { outputs, expected, inputs: {}, latencyMs, costUsd: latencyMs });
        expect(typeof result.passed).toBe('boolean');
        expect(result.reasoning.length).toBeGreaterThan(0);
        if (typeof result.score === 'number') expect(result.score >= 0 && result.score <= 1).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('compiles a regex once however many records it scores', () => {
    const config = HeuristicConfig.parse({ kind: 'regex', pattern: '^ok$' });

    for (let i = 0; i < 1_000; i++) runHeuristic(config, respond('ok'));

    expect(compileCacheSizes().regex).toBe(1);
  });

  it('bounds the compile caches', () => {
    for (let i = 0; i < MAX_COMPILED_ENTRIES + 100; i++) {
      score({ kind: 'regex', pattern: `^${i}$` }, respond(String(i)));
      score({ kind: 'json_schema', schema: { const: i } }, respond(i));
    }

    expect(compileCacheSizes()).toEqual({ regex: MAX_COMPILED_ENTRIES, jsonSchema: MAX_COMPILED_ENTRIES });
  });

  it('reports an unparsed config with a missing parameter instead of throwing', () => {
    const config = { kind: 'regex', field: 'response', mode: 'any' } as const;

    expect(runHeuristic(config, respond('a'))).toMatchObject({
      passed: false,
      reasoning: expect.stringContaining('pattern'),
    });
  });
});
