import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OtlpTraceRequest, tracesFromOtlp } from '../../lambdas/core/monitors/otlp.js';
import { isSampled, sampleHash, traceMatcher } from '../../lambdas/core/monitors/sampling.js';
import { traceRecordId } from '../../lambdas/core/monitors/tick.js';
import { tickWindow } from '../../lambdas/core/monitors/window.js';
import type { Monitor } from '../../lambdas/core/schemas/monitor.js';
import type { Trace } from '../../lambdas/core/schemas/trace.js';
import { latestFireTime, nextFireTime, parseSchedule, scheduleProblem } from '../../lambdas/core/syntax/schedule.js';
import { spanPatternProblem } from '../../lambdas/core/syntax/span-pattern.js';
import { PATTERN_TIME_LIMIT_MS } from '../../lambdas/core/syntax/time-bound.js';

const at = (iso: string) => new Date(iso);
const next = (expression: string, after: string) => nextFireTime(parseSchedule(expression), at(after))?.toISOString();

describe('schedule expressions (EventBridge Scheduler syntax)', () => {
  it.each([
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(1 day)',
    'rate(7 days)',
    'cron(0 10 * * ? *)',
    'cron(15 12 * * ? *)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0/10 * ? * MON-FRI *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 12 L * ? *)',
    'cron(0 9 ? * 6L *)',
    'cron(0 12 15W * ? *)',
    'cron(30 9 ? * SUN,SAT 2030-2040)',
  ])('accepts %s', (expression) => {
    expect(scheduleProblem(expression)).toBeNull();
  });

  it.each([
    ['rate(1 minutes)', /singular/],
    ['rate(5 minute)', /plural/],
    ['rate(0 minutes)', /at least 1/],
    ['rate(5 seconds)', /must be "rate/],
    ['every hour', /must be "rate/],
    ['cron(0 10 * * *)', /6 fields/],
    ['cron(0 10 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 10 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(60 * * * ? *)', /minutes must be between 0 and 59/],
    ['cron(0 24 * * ? *)', /hours must be between 0 and 23/],
    ['cron(0 9 32 * ? *)', /day-of-month must be between 1 and 31/],
    ['cron(0 9 ? * 8 *)', /day-of-week must be between 1 and 7/],
    ['cron(0 9 ? * FOO *)', /day-of-week has an invalid value/],
    ['cron(0 9 * 13 ? *)', /month must be between 1 and 12/],
    ['cron(0 9 * * ? 1969)', /year must be between 1970 and 2199/],
    ['cron(0 9 * * ? 2020)', /never fires again/],
  ])('rejects %s', (expression, message) => {
    expect(scheduleProblem(expression)).toMatch(message);
  });

  it.each([
    ['rate(1 minute)', '2030-01-01T10:00:30Z', '2030-01-01T10:01:00.000Z'],
    ['rate(1 minute)', '2030-01-01T10:01:00Z', '2030-01-01T10:02:00.000Z'],
    ['rate(5 minutes)', '2030-01-01T10:03:00Z', '2030-01-01T10:05:00.000Z'],
    ['rate(1 day)', '2030-01-01T10:03:00Z', '2030-01-02T00:00:00.000Z'],
    // AWS numbers weekdays from 1 = Sunday: 2 is Monday. 2030-01-04 is a Friday.
    ['cron(0 9 ? * 2 *)', '2030-01-04T12:00:00Z', '2030-01-07T09:00:00.000Z'],
    ['cron(0 18 ? * MON-FRI *)', '2030-01-04T19:00:00Z', '2030-01-07T18:00:00.000Z'],
    ['cron(0/15 * * * ? *)', '2030-01-01T10:07:00Z', '2030-01-01T10:15:00.000Z'],
    ['cron(0 12 L * ? *)', '2030-02-03T00:00:00Z', '2030-02-28T12:00:00.000Z'],
  ])('%s after %s fires at %s (UTC)', (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });

  it('maps any moment to the latest fire time at or before it', () => {
    const hourly = parseSchedule('rate(1 hour)');
    expect(latestFireTime(hourly, at('2030-01-01T10:00:00Z'))?.toISOString()).toBe('2030-01-01T10:00:00.000Z');
    expect(latestFireTime(hourly, at('2030-01-01T10:59:59Z'))?.toISOString()).toBe('2030-01-01T10:00:00.000Z');
    const weekdays = parseSchedule('cron(0 18 ? * MON-FRI *)');
    expect(latestFireTime(weekdays, at('2030-01-05T12:00:00Z'))?.toISOString()).toBe('2030-01-04T18:00:00.000Z');
    expect(latestFireTime(weekdays, at('2030-01-04T18:00:00Z'))?.toISOString()).toBe('2030-01-04T18:00:00.000Z');
  });
});

const monitor = (overrides: Partial<Monitor> = {}): Monitor => ({
  id: 'm1',
  projectId: 'p1',
  name: 'm',
  schedule: 'rate(1 hour)',
  active: true,
  metricIds: [],
  sampleRate: 1,
  filter: {},
  lookback: null,
  target: 'traces',
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
  lastTickEnd: null,
  lastTickAt: null,
  lastRunId: null,
  ...overrides,
});

describe('tick windows', () => {
  const iso = (w: { start: Date; end: Date }) => [w.start.toISOString(), w.end.toISOString()];

  it('end on the schedule boundary, so every trigger within one period is the same window', () => {
    const a = tickWindow(monitor(), at('2030-01-01T10:00:00Z'));
    const b = tickWindow(monitor(), at('2030-01-01T10:42:17Z'));
    expect(iso(a)).toEqual(['2030-01-01T09:00:00.000Z', '2030-01-01T10:00:00.000Z']);
    expect(b.key).toBe(a.key);
  });

  it('start where the last window ended (catching up missed ticks), or one lookback back', () => {
    const behind = monitor({ lastTickEnd: '2030-01-01T07:00:00.000Z' });
    expect(iso(tickWindow(behind, at('2030-01-01T10:05:00Z')))[0]).toBe('2030-01-01T07:00:00.000Z');
    const covered = tickWindow(monitor({ lastTickEnd: '2030-01-01T10:00:00.000Z' }), at('2030-01-01T10:05:00Z'));
    expect(covered.start.getTime()).toBe(covered.end.getTime());
    const cron = monitor({ schedule: 'cron(0 18 ? * MON-FRI *)' });
    expect(iso(tickWindow(cron, at('2030-01-07T18:00:00Z')))[0]).toBe('2030-01-04T18:00:00.000Z');
    expect(iso(tickWindow(monitor({ lookback: '3 hours' }), at('2030-01-01T10:05:00Z')))[0]).toBe(
      '2030-01-01T07:00:00.000Z',
    );
  });

  it('with a custom lookback end at the current minute and leave the cursor alone', () => {
    const window = tickWindow(monitor(), at('2030-01-01T10:42:17Z'), { lookbackMs: 30 * 60_000 });
    expect(iso(window)).toEqual(['2030-01-01T10:12:00.000Z', '2030-01-01T10:42:00.000Z']);
    expect(window.advancesCursor).toBe(false);
    expect(window.key).not.toBe(tickWindow(monitor(), at('2030-01-01T10:42:17Z')).key);
  });

  it('for a manual trigger end now, start at the cursor, and move it, so the next scheduled window follows on', () => {
    const now = at('2030-01-01T10:42:17.250Z');
    const fresh = tickWindow(monitor(), now, { manual: true });
    expect(iso(fresh)).toEqual(['2030-01-01T09:42:17.250Z', '2030-01-01T10:42:17.250Z']);
    expect(fresh.advancesCursor).toBe(true);
    const after = tickWindow(monitor({ lastTickEnd: '2030-01-01T10:00:00.000Z' }), now, { manual: true });
    expect(iso(after)).toEqual(['2030-01-01T10:00:00.000Z', '2030-01-01T10:42:17.250Z']);
    const next = tickWindow(monitor({ lastTickEnd: after.end.toISOString() }), at('2030-01-01T11:00:00Z'));
    expect(iso(next)).toEqual(['2030-01-01T10:42:17.250Z', '2030-01-01T11:00:00.000Z']);
    // A firing of 10:00 delivered late, after the manual trigger moved the cursor, has nothing left to evaluate.
    const late = tickWindow(monitor({ lastTickEnd: after.end.toISOString() }), at('2030-01-01T10:00:00Z'));
    expect(late.start.getTime()).toBe(late.end.getTime());
  });
});

describe('sampling', () => {
  it('is the first 32 bits of SHA-256(traceId), so the same trace is always in or out', () => {
    const expected = createHash('sha256').update('trace-42').digest().readUInt32BE(0) / 2 ** 32;
    expect(sampleHash('trace-42')).toBe(expected);
    const ids = Array.from({ length: 10_000 }, (_, i) => `t${i}`);
    const half = ids.filter((id) => isSampled(id, 0.5));
    expect(half.length / ids.length).toBeGreaterThan(0.47);
    expect(half.length / ids.length).toBeLessThan(0.53);
    // Raising the rate only adds traces.
    const tenth = ids.filter((id) => isSampled(id, 0.1));
    expect(tenth.every((id) => half.includes(id))).toBe(true);
    expect(ids.filter((id) => isSampled(id, 0))).toEqual([]);
    expect(ids.filter((id) => isSampled(id, 1))).toHaveLength(ids.length);
  });

  const trace = (overrides: Partial<Trace>): Trace => ({
    projectId: 'p',
    traceId: 't',
    spanId: '-',
    spanName: 'chat.completions',
    serviceName: 'checkout',
    inputs: { prompt: 'Where is my refund?' },
    outputs: { response: 'On its way' },
    metadata: {},
    timestamp: '2030-01-01T00:00:00.000Z',
    latencyMs: null,
    usage: null,
    costUsd: null,
    expiresAt: 0,
    ...overrides,
  });

  it.each([
    [{ spanName: '^chat\\.' }, trace({}), true],
    [{ spanName: '^chat\\.' }, trace({ spanName: 'tool.search' }), false],
    [{ serviceName: 'checkout' }, trace({ serviceName: 'search' }), false],
    [{ searchText: 'REFUND' }, trace({}), true],
    [{ searchText: 'refund' }, trace({ inputs: { prompt: 'hello' } }), false],
    [{ spanName: 'chat', serviceName: 'checkout', searchText: 'way' }, trace({}), true],
  ])('filter %j on %j → %s', (filter, t, expected) => {
    expect(traceMatcher(filter)(t)).toBe(expected);
  });

  it('stops a span-name pattern that backtracks catastrophically, failing with the reason', () => {
    // (a|aa)+ passes the nested-quantifier check at creation; 40 a's and a "!" take ~30 s unstopped here.
    const accept = traceMatcher({ spanName: '^(a|aa)+$' });

    expect(accept(trace({ spanName: 'aaaa' }))).toBe(true);
    expect(() => accept(trace({ spanName: `${'a'.repeat(40)}!` }))).toThrow(
      `the spanName pattern /^(a|aa)+$/ ran for over ${PATTERN_TIME_LIMIT_MS} ms and was stopped`,
    );
  });
});

describe('span-name patterns', () => {
  it.each([
    ['^chat\\.comp', null],
    ['(chat|llm)\\..*', null],
    ['[(]+x', null],
    ['(a+)?', null],
    ['(a+){3}', null],
    ['(a+)+', /nests quantifiers/],
    ['(\\w*)*$', /nests quantifiers/],
    ['((ab)*c)+', /nests quantifiers/],
    ['(a+){2,}', /nests quantifiers/],
    ['(unclosed', /not a valid regular expression/],
  ])('%s → %s', (pattern, problem) => {
    const found = spanPatternProblem(pattern);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });
});

describe('record ids of a monitor run', () => {
  it('are a pure function of (run, trace), distinct per trace and per run, and sort by trace time', () => {
    const t = { traceId: 'a', spanId: '-', timestamp: '2030-01-01T00:00:00.000Z' };
    const later = { ...t, traceId: 'b', timestamp: '2030-01-01T00:00:01.000Z' };
    const run = '01jd3k8m0f4q2w6e8r0t2y4u6a';
    expect(traceRecordId(run, t)).toBe(traceRecordId(run, t));
    expect(traceRecordId(run, t)).not.toBe(traceRecordId(run, { ...t, spanId: 's2' }));
    expect(traceRecordId(run, t)).not.toBe(traceRecordId('01jd3k8m0f4q2w6e8r0t2y4u6b', t));
    expect(traceRecordId(run, t) < traceRecordId(run, later)).toBe(true);
    expect(traceRecordId(run, t).length).toBeLessThanOrEqual(64);
  });
});

describe('OTLP/HTTP JSON → traces', () => {
  const kv = (key: string, value: unknown) => ({
    key,
    value:
      typeof value === 'number'
        ? { intValue: String(value) }
        : typeof value === 'string'
          ? { stringValue: value }
          : { boolValue: value },
  });
  const span = (name: string, attributes: Array<ReturnType<typeof kv>>, extra: Record<string, unknown> = {}) => ({
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    name,
    startTimeUnixNano: '1893456000000000000',
    endTimeUnixNano: '1893456001250000000',
    attributes,
    ...extra,
  });
  const request = (spans: unknown[], resource: Array<ReturnType<typeof kv>> = [kv('service.name', 'checkout')]) =>
    OtlpTraceRequest.parse({ resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ spans }] }] });

  it('maps gen_ai.input.messages / gen_ai.output.messages with the request model and token usage', () => {
    const input = JSON.stringify([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Where is my order?' }] },
    ]);
    const output = JSON.stringify([
      { role: 'assistant', parts: [{ type: 'text', content: 'It ships today.' }], finish_reason: 'stop' },
    ]);
    const out = tracesFromOtlp(
      request([
        span('chat gpt-4o', [
          kv('gen_ai.input.messages', input),
          kv('gen_ai.output.messages', output),
          kv('gen_ai.request.model', 'gpt-4o'),
          kv('gen_ai.usage.input_tokens', 12),
          kv('gen_ai.usage.output_tokens', 5),
        ]),
      ]),
      'p1',
    );
    const [trace] = out.byProject.get('p1')!;
    expect(trace).toMatchObject({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      spanName: 'chat gpt-4o',
      serviceName: 'checkout',
      inputs: { prompt: 'Where is my order?', model: 'gpt-4o' },
      outputs: { response: 'It ships today.' },
      timestamp: '2030-01-01T00:00:00.000Z',
      latencyMs: 1250,
      usage: { promptTokens: 12, completionTokens: 5 },
    });
    expect(trace!.inputs.messages).toHaveLength(2);
    expect(trace!.metadata).toMatchObject({ 'gen_ai.request.model': 'gpt-4o', spanId: 'eee19b7ec3c1b174' });
    expect(trace!.metadata).not.toHaveProperty('gen_ai.input.messages');
  });

  it('maps gen_ai.prompt / gen_ai.completion as text, as JSON messages and in the indexed form', () => {
    const out = tracesFromOtlp(
      request([
        span('a', [kv('gen_ai.prompt', 'Hi?'), kv('gen_ai.completion', 'Hello!')]),
        span('b', [
          kv('gen_ai.prompt', JSON.stringify([{ role: 'user', content: 'Refund?' }])),
          kv('gen_ai.completion', JSON.stringify([{ role: 'assistant', content: 'Yes.' }])),
        ]),
        span('c', [
          kv('gen_ai.prompt.0.role', 'user'),
          kv('gen_ai.prompt.0.content', 'Ping'),
          kv('gen_ai.completion.0.role', 'assistant'),
          kv('gen_ai.completion.0.content', 'Pong'),
        ]),
        span('d', [], {
          events: [
            { name: 'gen_ai.content.prompt', attributes: [kv('gen_ai.prompt', 'From an event')] },
            { name: 'gen_ai.content.completion', attributes: [kv('gen_ai.completion', 'Event reply')] },
          ],
        }),
        span('http GET', [kv('http.method', 'GET')]),
      ]),
      'p1',
    );
    const traces = out.byProject.get('p1')!;
    expect(traces.map((t) => [t.spanName, t.inputs.prompt, t.outputs.response])).toEqual([
      ['a', 'Hi?', 'Hello!'],
      ['b', 'Refund?', 'Yes.'],
      ['c', 'Ping', 'Pong'],
      ['d', 'From an event', 'Event reply'],
    ]);
    expect(out.ignored).toBe(1);
  });

  it('takes the project from the resource attribute before the header, and reports spans with neither', () => {
    const genai = span('chat', [kv('gen_ai.prompt', 'q'), kv('gen_ai.completion', 'a')]);
    const named = tracesFromOtlp(request([genai], [kv('verdict.project.id', 'p2')]), 'p1');
    expect([...named.byProject.keys()]).toEqual(['p2']);
    expect(tracesFromOtlp(request([genai]), undefined).withoutProject).toBe(1);
  });

  it('accepts base64 ids and rejects spans whose trace id is not one', () => {
    const base64 = span('chat', [kv('gen_ai.prompt', 'q')], {
      traceId: Buffer.from('5b8efff798038103d269b633813fc60c', 'hex').toString('base64'),
    });
    const broken = span('chat', [kv('gen_ai.prompt', 'q')], { traceId: 'not-an-id' });
    const out = tracesFromOtlp(request([base64, broken]), 'p1');
    expect(out.byProject.get('p1')!.map((t) => t.traceId)).toEqual(['5b8efff798038103d269b633813fc60c']);
    expect(out.rejected).toBe(1);
    expect(out.firstError).toMatch(/traceId/);
  });
});
