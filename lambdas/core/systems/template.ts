import nunjucks from 'nunjucks';
import { NonRetryableError } from '../errors.js';

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

/** Renders `source` over `context`; `what` names the template in errors ("message 2 of the system"). */
export function renderTemplate(source: string, context: Record<string, unknown>, what = 'template'): string {
  const template = compile(source, what);
  try {
    return template.render(context);
  } catch (error) {
    throw new NonRetryableError(`${what} failed to render: ${errorMessage(error)}`);
  }
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}
