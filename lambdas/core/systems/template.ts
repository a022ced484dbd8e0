import nunjucks from 'nunjucks';
import { NonRetryableError } from '../errors.js';
import { TimeLimitExceeded, withinTime } from '../syntax/time-bound.js';

/**
 * Jinja-compatible rendering shared by system prompts, HTTP bodies and judge prompts. Autoescape is off
 * because the output is a prompt or JSON, not HTML; an undefined variable renders empty, as in Jinja.
 */
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });

function toJson(value: unknown): string {
  return JSON.stringify(value) ?? '';
}

// Jinja spells nunjucks' `dump` as `tojson`; Scorecard-style templates use either.
env.addFilter('tojson', toJson);

// nunjucks' range() builds its whole array before the loop starts, so range(0, 1000000000) took the process to
// 380 MB RSS in the second a render may run; no prompt needs more than this many turns.
const MAX_RANGE_ITEMS = 100_000;
const builtinRange = env.getGlobal('range') as (start: number, stop?: number, step?: number) => number[];
env.addGlobal('range', (start: number, stop?: number, step?: number) => {
  const [from, to, by] = stop === undefined ? [0, start, 1] : [start, stop, step || 1];
  const items = Math.ceil((to - from) / by);
  if (items > MAX_RANGE_ITEMS) throw new Error(`range() of ${items} items is over the limit of ${MAX_RANGE_ITEMS}`);
  return builtinRange(start, stop, step);
});

const MAX_CACHED_TEMPLATES = 500;
const compiled = new Map<string, nunjucks.Template>();

/** Compiling is the expensive part and a run renders the same few templates thousands of times. */
function compile(source: string, what: string): nunjucks.Template {
  const hit = compiled.get(source);
  if (hit) return hit;
  let template: nunjucks.Template;
  try {
    template = new nunjucks.Template(source, env, undefined, true);
  } catch (error) {
    throw new NonRetryableError(`${what} is not a valid Jinja template: ${errorMessage(error)}`);
  }
  if (compiled.size >= MAX_CACHED_TEMPLATES) {
    const oldest = compiled.keys().next().value;
    if (oldest !== undefined) compiled.delete(oldest);
  }
  compiled.set(source, template);
  return template;
}

/**
 * How long one render may take. A prompt renders in microseconds; a tenant's
 * `{% for i in range(0, 1000000000) %}` would hold the executor's (or the API's) thread, which every
 * organization shares, for hours and grow the process past its memory (30 million turns took 111 s and 1.3 GB
 * of RSS on a loaded VM).
 */
export const RENDER_TIME_LIMIT_MS = 1_000;

/** Renders `source` over `context`; `what` names the template in errors ("message 2 of the system"). */
export function renderTemplate(source: string, context: Record<string, unknown>, what = 'template'): string {
  const template = compile(source, what);
  try {
    return withinTime(RENDER_TIME_LIMIT_MS, () => template.render(context));
  } catch (error) {
    if (error instanceof TimeLimitExceeded) {
      throw new NonRetryableError(`${what} ${error.message} while rendering: does it loop over a large range?`);
    }
    throw new NonRetryableError(`${what} failed to render: ${errorMessage(error)}`);
  }
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}
