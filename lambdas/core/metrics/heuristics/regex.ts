import type { HeuristicConfig } from '../../schemas/heuristic.js';
import { compileRegex } from '../../syntax/compile-cache.js';
import { patternWithinTime } from '../../syntax/time-bound.js';
import { failed, normalizeText, preview, readOutput, toText, verdict } from './subject.js';
import type { HeuristicResult, HeuristicSubject } from './types.js';

/**
 * Passes when `pattern` matches somewhere in the (NFC-normalised) output text. A match that runs past
 * PATTERN_TIME_LIMIT_MS is stopped and the score errored (never a fail: the output was not judged).
 */
export function regex(subject: HeuristicSubject, config: HeuristicConfig): HeuristicResult {
  if (config.pattern === undefined) return failed('regex needs "pattern"; none configured');
  const compiled = compileRegex(config.pattern, config.flags);
  if (!compiled.ok) return failed(`"pattern" does not compile: ${compiled.error}`);
  const output = readOutput(subject, config);
  if (!output.ok) return failed(output.reasoning);
  const text = normalizeText(toText(output.value), true);
  const pattern = compiled.value;
  // The RegExp is shared through the cache; g/y flags make exec stateful, so always start from 0.
  pattern.lastIndex = 0;
  const match = patternWithinTime(
    () => pattern.exec(text),
    (stopped) =>
      `"pattern" ${String(pattern)} ${stopped} on ${output.label} (${text.length} characters): ` +
      'nested quantifiers such as (a+)+ backtrack exponentially on a near miss; rewrite it',
  );
  if (match === null) return verdict(false, `${output.label} ${preview(text)} does not match ${String(pattern)}`);
  return verdict(true, `${output.label} matches ${String(pattern)}: ${preview(match[0])} at index ${match.index}`);
}
