import type { HeuristicConfig } from '../../schemas/heuristic.js';
import { failed, normalizeText, readOutput, toText, verdict } from './subject.js';
import type { HeuristicResult, HeuristicSubject } from './types.js';

function describeBounds(config: HeuristicConfig): string {
  if (config.min !== undefined && config.max !== undefined) return `within [${config.min}, ${config.max}]`;
  if (config.min !== undefined) return `>= ${config.min}`;
  return `<= ${config.max}`;
}

function checkBounds(measured: number, what: string, config: HeuristicConfig): HeuristicResult {
  if (config.min === undefined && config.max === undefined)
    return failed(`${what} needs "min" or "max"; none configured`);
  const aboveMin = config.min === undefined || measured >= config.min;
  const belowMax = config.max === undefined || measured <= config.max;
  const passed = aboveMin && belowMax;
  return verdict(passed, `${what} ${measured} is ${passed ? '' : 'not '}${describeBounds(config)}`);
}

/** Counts code points, so an emoji is one character, not two UTF-16 units. */
function countCodePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function length(subject: HeuristicSubject, config: HeuristicConfig): HeuristicResult {
  const output = readOutput(subject, config);
  if (!output.ok) return failed(output.reasoning);
  const characters = countCodePoints(normalizeText(toText(output.value), true));
  return checkBounds(characters, `length of ${output.label} (characters)`, config);
}

function checkMeasurement(value: number | null | undefined, name: string, config: HeuristicConfig): HeuristicResult {
  if (value === undefined || value === null) return failed(`${name} is missing; the run did not record it`);
  if (!Number.isFinite(value)) return failed(`${name} is ${value}, not a finite number`);
  return checkBounds(value, name, config);
}

export function latency(subject: HeuristicSubject, config: HeuristicConfig): HeuristicResult {
  return checkMeasurement(subject.latencyMs, 'latencyMs', config);
}

export function cost(subject: HeuristicSubject, config: HeuristicConfig): HeuristicResult {
  return checkMeasurement(subject.costUsd, 'costUsd', config);
}
