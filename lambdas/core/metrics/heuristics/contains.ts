import type { HeuristicConfig } from '../../schemas/heuristic.js';
import { failed, normalizeText, preview, readOutput, readTarget, toText, verdict } from './subject.js';
import type { HeuristicResult, HeuristicSubject } from './types.js';

type Needles = { ok: true; needles: string[]; label: string } | { ok: false; reasoning: string };

function readNeedles(subject: HeuristicSubject, config: HeuristicConfig): Needles {
  if (config.values !== undefined) return { ok: true, needles: config.values, label: 'values' };
  const target = readTarget(subject, config);
  if (!target.ok) return target;
  const needle = toText(target.value);
  // Every string contains "", so an empty target would pass vacuously.
  if (needle === '') return { ok: false, reasoning: `${target.label} is an empty string; nothing to look for` };
  return { ok: true, needles: [needle], label: target.label };
}

/** Substring check against `values` (any/all), `value`, or the expected field; case-insensitive by default. */
export function contains(subject: HeuristicSubject, config: HeuristicConfig): HeuristicResult {
  const output = readOutput(subject, config);
  if (!output.ok) return failed(output.reasoning);
  const read = readNeedles(subject, config);
  if (!read.ok) return failed(read.reasoning);
  const caseSensitive = config.caseSensitive ?? false;
  const haystack = normalizeText(toText(output.value), caseSensitive);
  const needles = read.needles.map((needle) => normalizeText(needle, caseSensitive));
  const missing = needles.filter((needle) => !haystack.includes(needle));
  const foundCount = needles.length - missing.length;
  const passed = config.mode === 'all' ? missing.length === 0 : foundCount > 0;
  const summary = `${output.label} contains ${foundCount} of ${needles.length} from ${read.label} (mode ${config.mode})`;
  if (missing.length === 0) return verdict(passed, summary);
  return verdict(passed, `${summary}; missing ${missing.slice(0, 5).map(preview).join(', ')}`);
}
