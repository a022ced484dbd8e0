import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { depthProblem, describePath, jsonTextExceedsDepth, pathTooDeep } from '../../lambdas/core/json-depth.js';

/** The depth of a value the plain recursive way, to check the two loops against (fine for small values). */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('JSON depth', () => {
  it('the text scan and the value walk agree with a recursive count, strings with brackets and escapes included', () => {
    const strings = fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', '\\', 'a', ':', ',') });
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        strings,
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(strings, tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, fc.integer({ min: 1, max: 6 }), (value, max) => {
        const deeper = depthOf(value) > max;
        expect(jsonTextExceedsDepth(JSON.stringify(value), max)).toBe(deeper);
        expect(pathTooDeep(value, max) !== null).toBe(deeper);
      }),
      { numRuns: 500 },
    );
  });

  it('names the path to the first too-deep value, in document order', () => {
    const value = { a: [1, { b: 2 }], c: [[[{ d: 1 }]]], e: [[[[]]]] };
    expect(pathTooDeep(value, 3)).toEqual(['c', '0', '0']);
    expect(pathTooDeep(value, 5)).toBeNull();
  });

  it('walks 200,000 levels without overflowing the stack', () => {
    const text = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(jsonTextExceedsDepth(text)).toBe(true);
    const value = JSON.parse(text);
    expect(pathTooDeep(value)).toHaveLength(64);
    expect(depthProblem(value, 'outputs')).toBe(
      'nests objects and arrays deeper than 64 levels (at outputs.0.0.0.0.0.….0.0)',
    );
  });

  it('shortens long paths and long keys', () => {
    expect(describePath(['items', '0', 'jsonData'])).toBe('items.0.jsonData');
    expect(describePath(['k'.repeat(100)])).toBe(`${'k'.repeat(40)}…`);
    expect(describePath(Array.from({ length: 20 }, (_, i) => `s${i}`))).toBe('s0.s1.s2.s3.s4.s5.….s18.s19');
  });
});
