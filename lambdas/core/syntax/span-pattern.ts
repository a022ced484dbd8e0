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
