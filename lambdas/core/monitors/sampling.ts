import { createHash } from 'node:crypto';
import type { Json } from '../schemas/common.js';
import type { MonitorFilter } from '../schemas/monitor.js';
import type { Trace } from '../schemas/trace.js';
import { patternWithinTime } from '../syntax/time-bound.js';

/**
 * A trace's place in [0, 1): the first 32 bits of SHA-256(traceId). A monitor with sampleRate r keeps exactly the
 * traces below r, so a trace is always in or always out, every monitor with the same rate keeps the same traces,
 * and raising the rate only adds traces.
 */
export function sampleHash(traceId: string): number {
  return createHash('sha256').update(traceId).digest().readUInt32BE(0) / 2 ** 32;
}

export const isSampled = (traceId: string, sampleRate: number) => sampleHash(traceId) < sampleRate;

/**
 * The monitor's filter as a predicate; an empty filter lets every trace through. The span-name pattern was
 * refused at creation if it nests quantifiers, but other shapes (`(a|aa)+`) backtrack too, on the monitor
 * thread every organization shares: a match past PATTERN_TIME_LIMIT_MS fails the tick, saying why.
 */
export function traceMatcher(filter: MonitorFilter): (trace: Trace) => boolean {
  const spanName = filter.spanName ? new RegExp(filter.spanName) : null;
  const search = filter.searchText ? filter.searchText.toLowerCase() : null;
  const spanMatches = (pattern: RegExp, name: string) =>
    patternWithinTime(
      () => pattern.test(name),
      (stopped) =>
        `the spanName pattern ${String(pattern)} ${stopped} on a span name of ${name.length} characters; rewrite it`,
    );
  return (trace) =>
    (!spanName || spanMatches(spanName, trace.spanName)) &&
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
