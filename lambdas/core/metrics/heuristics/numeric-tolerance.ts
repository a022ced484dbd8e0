import type { HeuristicConfig } from '../../schemas/heuristic.js';
import { failed, preview, readOutput, readTarget, toText, verdict } from './subject.js';
import type { HeuristicResult, HeuristicSubject } from './types.js';

type NumberRead = { ok: true; value: number } | { ok: false; reasoning: string };

/** Accepts numbers and numeric strings ("3.5", " 1e3 "); blanks, NaN and infinities are data problems. */
function toFiniteNumber(value: unknown, label: string): NumberRead {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof parsed === 'number' && Number.isFinite(parsed)) return { ok: true, value: parsed };
  return { ok: false, reasoning: `${label} ${preview(toText(value))} is not a finite number` };
}

/**
 * |actual - expected| <= threshold. With `relative`, the difference is divided by |expected|; when
 * expected is 0 a relative difference is undefined, so only an exact 0 passes.
 */
export function numericTolerance(subject: HeuristicSubject, config: HeuristicConfig): HeuristicResult {
  if (config.threshold === undefined) return failed('numeric_tolerance needs "threshold"; none configured');
  const output = readOutput(subject, config);
  if (!output.ok) return failed(output.reasoning);
  const target = readTarget(subject, config);
  if (!target.ok) return failed(target.reasoning);
  const actual = toFiniteNumber(output.value, output.label);
  if (!actual.ok) return failed(actual.reasoning);
  const wanted = toFiniteNumber(target.value, target.label);
  if (!wanted.ok) return failed(wanted.reasoning);
  const absolute = Math.abs(actual.value - wanted.value);
  const relative = config.relative === true;
  if (relative && wanted.value === 0) {
    return verdict(
      absolute === 0,
      `${target.label} is 0, so only an exact 0 passes a relative check (got ${actual.value})`,
    );
  }
  const difference = relative ? absolute / Math.abs(wanted.value) : absolute;
  const passed = difference <= config.threshold;
  const kind = relative ? 'relative difference' : 'difference';
  return verdict(
    passed,
    `${kind} between ${output.label} ${actual.value} and ${target.label} ${wanted.value} is ${difference} ` +
      `${passed ? '<=' : '>'} ${config.threshold}`,
  );
}
