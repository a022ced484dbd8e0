import { describe, expect, it } from 'vitest';
import { csvLines, FieldCollector, headerOf, rowOf } from '../../lambdas/core/exports/csv.js';
import { readAhead } from '../../lambdas/core/exports/read-ahead.js';
import { newId, positionalId } from '../../lambdas/core/ids.js';
import { idRange, idTime, idTimePrefix } from '../../lambdas/core/records/id-time.js';
import type { RecordWithScores } from '../../lambdas/core/schemas/record.js';
import { parseCsv } from '../support/csv.js';

describe('Excel-safe CSV cells', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', '"\'\rx"'],
    ['＝1+1', "'＝1+1"],
    ['a\nb', '"a\nb"'],
    ['a\rb', '"a\rb"'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['', ''],
    ['1=1', '1=1'],
    ['héllo 🌍', 'héllo 🌍'],
  ])('text %j is written as %j', (text, cell) => {
    expect(csvLines([[text]])).toBe(`${cell}\r\n`);
  });

  it.each([
    [-1.5, '-1.5'],
    [0, '0'],
    [true, 'true'],
    [false, 'false'],
    [null, ''],
  ])('value %j stays a value: %j', (value, cell) => {
    expect(csvLines([[value]])).toBe(`${cell}\r\n`);
  });

  it('round-trips through an RFC 4180 reader', () => {
    const rows = [
      ['a', 'b\r\nc', 'd "e"', ''],
      ['x,y', '\n', ' lead', 'trail '],
    ];
    expect(parseCsv(csvLines(rows)).rows).toEqual(rows);
  });
});

describe('export columns', () => {
  const record: RecordWithScores = {
    id: 'r1',
    runId: 'run',
    testcaseId: 't1',
    inputs: { q: '-x', n: -2, obj: { a: 1 } },
    expected: { answer: 'yes' },
    outputs: { response: 'ok' },
    status: 'completed',
    error: null,
    latencyMs: 12,
    usage: { promptTokens: 3, completionTokens: 4 },
    costUsd: 0.5,
    trial: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    scores: [
      {
        recordId: 'r1',
        metricConfigId: 'v1',
        metricId: 'm1',
        score: { intScore: 4, reasoning: 'good' },
        passed: true,
        status: 'completed',
        error: null,
        usage: null,
        latencyMs: null,
        updatedAt: '',
      },
    ],
  };
  const plan = {
    inputs: ['q', 'n', 'obj'],
    expected: ['answer'],
    outputs: ['response'],
    metrics: [
      { metricId: 'm1', name: 'tone' },
      { metricId: 'm2', name: 'tone' },
    ],
  };

  it('names every column once, in the documented order', () => {
    expect(headerOf(plan)).toEqual([
      'recordId',
      'testcaseId',
      'status',
      'trial',
      'inputs.q',
      'inputs.n',
      'inputs.obj',
      'expected.answer',
      'outputs.response',
      'tone (m1)',
      'tone (m1) passed',
      'tone (m1) reasoning',
      'tone (m2)',
      'tone (m2) passed',
      'tone (m2) reasoning',
      'latencyMs',
      'tokens',
      'costUsd',
      'error',
    ]);
  });

  it('fills a row by the run’s metric version, leaving metrics the run did not use empty', () => {
    const row = rowOf(plan, record, (metricId) => (metricId === 'm1' ? 'v1' : undefined));
    expect(parseCsv(csvLines([row])).rows[0]).toEqual([
      'r1',
      't1',
      'completed',
      '1',
      "'-x",
      '-2',
      '{"a":1}',
      'yes',
      'ok',
      '4',
      'true',
      'good',
      '',
      '',
      '',
      '12',
      '7',
      '0.5',
      '',
    ]);
  });

  it('orders fields by schema first, then as first seen', () => {
    const fields = new FieldCollector();
    fields.add({ inputs: { z: 1, b: 2 }, expected: {}, outputs: { extra: 1 } });
    fields.add({ inputs: { a: 1, question: 2 }, expected: { answer: 1 }, outputs: { response: 1 } });
    expect(fields.fields({ inputs: ['question', 'missing'], outputs: ['response'] })).toEqual({
      inputs: ['question', 'z', 'b', 'a'],
      expected: ['answer'],
      outputs: ['response', 'extra'],
    });
  });
});

describe('id time ranges', () => {
  it('turns a creation-time range into inclusive id bounds', () => {
    const t = Date.parse('2026-03-01T12:00:00.000Z');
    const { min, max } = idRange(new Date(t).toISOString(), new Date(t + 10).toISOString());
    for (const [ms, inside] of [
      [t - 1, false],
      [t, true],
      [t + 9, true],
      [t + 10, false],
    ] as const) {
      const id = positionalId(ms, 123);
      expect(id >= min! && id <= max!).toBe(inside);
    }
    expect(idTime(positionalId(t, 5))).toBe(t);
    expect(idTimePrefix(t)).toBe(positionalId(t, 0).slice(0, 10));
    expect(Math.abs(idTime(newId()) - Date.now())).toBeLessThan(5_000);
  });
});

describe('readAhead', () => {
  it('asks for the next page while the current one is being used, and keeps order', async () => {
    const log: string[] = [];
    async function* pages() {
      for (let i = 0; i < 3; i++) {
        log.push(`read ${i}`);
        yield i;
      }
    }
    const seen: number[] = [];
    for await (const page of readAhead(pages())) {
      log.push(`use ${page}`);
      seen.push(page);
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(log.indexOf('read 1')).toBeLessThan(log.indexOf('use 0'));
  });
});
