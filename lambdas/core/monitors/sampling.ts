import { createHash } from 'node:crypto';
import type { Json } from '../schemas/common.js';
import type { MonitorFilter } from '../schemas/monitor.js';
import type { Trace } from '../schemas/trace.js';

/**
 * A trace's place in [0, 1): the first 32 bits of SHA-256(traceId). A monitor with sampleRate r keeps exactly the
 * traces below r, so a trace is always in or always out, every monitor with the same rate keeps the same traces,
 * and raising the rate only adds traces.
 */
export function sampleHash(traceId: string): number {
  return createHash('sha256').update(traceId).digest().readUInt32BE(0) / 2 ** 32;
}

export const isSampled = (traceId: string, sampleRate: number) => sampleHash(traceId) < sampleRate;

/** The monitor's filter as a predicate; an empty filter lets every trace through. */
export function traceMatcher(filter: MonitorFilter): (trace: Trace) => boolean {
  const spanName = filter.spanName ? new RegExp(filter.spanName) : null;
  const search = filter.searchText ? filter.searchText.toLowerCase() : null;
  return (trace) =>
    (!spanName || spanName.test(trace.spanName)) &&
    (!filter.serviceName || trace.serviceName === filter.serviceName) &&
    (!search || searchableText(trace).includes(search));
}

function searchableText(trace: Trace): string {
  const parts: string[] = [];
  const visit = (value: unknown) => {
    if (typeof value === 'string') parts.push(value);
    else if (typeof value === 'number' || typeof value === 'boolean') parts.push(String(value));
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value as Json).forEach(visit);
  };
  visit([trace.inputs, trace.outputs, trace.metadata]);
  return parts.join('\n').toLowerCase();
}

/**
 * Why a span-name pattern is refused, or null. The pattern runs in our process on every trace of a window, so
 * besides being valid it must not nest quantifiers (`(a+)+`, `(\w*)*`): those backtrack exponentially on a
 * near-miss and would stall the tick (the classic ReDoS shape; star height above 1).
 */
export function spanPatternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
  const quantified: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') quantified.push(false);
    else if (c === ')') {
      const inner = quantified.pop() ?? false;
      const next = pattern[i + 1];
      const repeated = next === '*' || next === '+' || (next === '{' && /^\{\d*,/.test(pattern.slice(i + 1)));
      if (inner && repeated) return 'nests quantifiers such as (a+)+, which can take exponential time; rewrite it';
      if ((inner || repeated) && quantified.length > 0) quantified[quantified.length - 1] = true;
    } else if ((c === '*' || c === '+' || c === '{') && quantified.length > 0) {
      quantified[quantified.length - 1] = true;
    }
  }
  return null;
}
