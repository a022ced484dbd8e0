import type { HeuristicConfig } from '../../schemas/heuristic.js';
import {
  canonicalJson,
  failed,
  isNaNNumber,
  normalizeText,
  preview,
  readOutput,
  readTarget,
  toText,
  verdict,
} from './subject.js';
import type { HeuristicResult, HeuristicSubject } from './types.js';

function isStructured(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/** Whole-value equality after NFC normalisation; case-sensitive unless `caseSensitive: false`. */
export function exactMatch(subject: HeuristicSubject, config: HeuristicConfig): HeuristicResult {
  const output = readOutput(subject, config);
  if (!output.ok) return failed(output.reasoning);
  const target = readTarget(subject, config);
  if (!target.ok) return failed(target.reasoning);
  // NaN has no meaningful equality, and "NaN" === "NaN" as text would hide a broken numeric output.
  if (isNaNNumber(output.value) || isNaNNumber(target.value)) {
    return failed(
      `NaN never matches (${output.label} is ${String(output.value)}, ${target.label} is ${String(target.value)})`,
    );
  }
  const bothStructured = isStructured(output.value) && isStructured(target.value);
  const render = bothStructured ? canonicalJson : toText;
  const caseSensitive = config.caseSensitive ?? true;
  const actual = normalizeText(render(output.value), caseSensitive);
  const wanted = normalizeText(render(target.value), caseSensitive);
  if (actual === wanted) return verdict(true, `${output.label} equals ${target.label} ${preview(wanted)}`);
  return verdict(false, `${output.label} ${preview(actual)} differs from ${target.label} ${preview(wanted)}`);
}
