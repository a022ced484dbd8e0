import { distance } from 'fastest-levenshtein';
import type { HeuristicConfig } from '../../schemas/heuristic.js';
import { failed, normalizeText, readOutput, readTarget, toText } from './subject.js';
import type { HeuristicResult, HeuristicSubject } from './types.js';

export const DEFAULT_SIMILARITY_THRESHOLD = 0.8;

/**
 * Edit distance is quadratic: ~2e8 cells is ~100 ms with fastest-levenshtein. Shared prefixes and
 * suffixes are trimmed first, so long but similar texts stay cheap; only long *and* different texts hit this.
 */
export const MAX_DISTANCE_CELLS = 200_000_000;

const ASTRAL = /[\uD800-\uDFFF]/;

/**
 * fastest-levenshtein counts UTF-16 code units, so one emoji would cost two edits. When either text has
 * surrogate pairs, re-encode both so every code point is one BMP character (same alphabet on both sides).
 */
function toCodePointUnits(a: string, b: string): [string, string] {
  if (!ASTRAL.test(a) && !ASTRAL.test(b)) return [a, b];
  const alphabet = new Map<string, string>();
  const encode = (text: string): string => {
    const units: string[] = [];
    for (const codePoint of text) {
      let unit = alphabet.get(codePoint);
      if (unit === undefined) {
        unit = String.fromCharCode(alphabet.size);
        alphabet.set(codePoint, unit);
      }
      units.push(unit);
    }
    return units.join('');
  };
  const encoded: [string, string] = [encode(a), encode(b)];
  // More distinct code points than BMP non-surrogate units: keep code units rather than collide.
  return alphabet.size <= 0xd800 ? encoded : [a, b];
}

function trimSharedAffixes(a: string, b: string): [string, string] {
  let start = 0;
  const shorter = Math.min(a.length, b.length);
  while (start < shorter && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let end = 0;
  while (end < shorter - start && a.charCodeAt(a.length - 1 - end) === b.charCodeAt(b.length - 1 - end)) end++;
  return [a.slice(start, a.length - end), b.slice(start, b.length - end)];
}

/** 1 - distance / longer length, in code points; two empty strings are identical (1). */
export function similarity(left: string, right: string): number | null {
  const [a, b] = toCodePointUnits(left, right);
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 1;
  const [restA, restB] = trimSharedAffixes(a, b);
  if (restA.length * restB.length > MAX_DISTANCE_CELLS) return null;
  return (longest - distance(restA, restB)) / longest;
}

export function levenshtein(subject: HeuristicSubject, config: HeuristicConfig): HeuristicResult {
  const output = readOutput(subject, config);
  if (!output.ok) return failed(output.reasoning);
  const target = readTarget(subject, config);
  if (!target.ok) return failed(target.reasoning);
  const caseSensitive = config.caseSensitive ?? true;
  const actual = normalizeText(toText(output.value), caseSensitive);
  const wanted = normalizeText(toText(target.value), caseSensitive);
  const score = similarity(actual, wanted);
  if (score === null) {
    return {
      score: 0,
      passed: false,
      reasoning:
        `${output.label} (${actual.length} chars) and ${target.label} (${wanted.length} chars) differ too much ` +
        'to compute edit distance within budget; score a shorter field or use another metric',
    };
  }
  const threshold = config.threshold ?? DEFAULT_SIMILARITY_THRESHOLD;
  const passed = score >= threshold;
  const relation = passed ? '>=' : '<';
  const reasoning = `similarity of ${output.label} to ${target.label} is ${score.toFixed(4)} ${relation} ${threshold}`;
  return { score, passed, reasoning };
}
