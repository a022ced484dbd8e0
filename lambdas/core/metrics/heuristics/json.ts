import type { ValidateFunction } from 'ajv';
import type { HeuristicConfig } from '../../schemas/heuristic.js';
import { compileJsonSchema, describeSchemaErrors } from '../../syntax/compile-cache.js';
import { patternWithinTime } from '../../syntax/time-bound.js';
import { type FieldRead, failed, readOutput, verdict } from './subject.js';
import type { HeuristicResult, HeuristicSubject } from './types.js';

type Parsed = { ok: true; value: unknown; note: string } | { ok: false; reasoning: string };

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Strings are parsed as JSON text (strictly: no code fences, no trailing commas). Values that are already
 * structured came through JSON, so they are valid as they are; only non-finite numbers cannot be JSON.
 */
function parseOutput(output: Extract<FieldRead, { ok: true }>): Parsed {
  const { value, label } = output;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return { ok: false, reasoning: `${label} is ${value}, which JSON cannot represent` };
  }
  if (typeof value !== 'string') return { ok: true, value, note: `${label} is already a structured ${typeof value}` };
  if (value.trim() === '') return { ok: false, reasoning: `${label} is an empty string, not JSON` };
  try {
    return { ok: true, value: JSON.parse(value), note: `${label} parses as JSON` };
  } catch (error) {
    return { ok: false, reasoning: `${label} is not valid JSON: ${errorMessage(error)}` };
  }
}

export function jsonValid(subject: HeuristicSubject, config: HeuristicConfig): HeuristicResult {
  const output = readOutput(subject, config);
  if (!output.ok) return failed(output.reasoning);
  const parsed = parseOutput(output);
  return parsed.ok ? verdict(true, parsed.note) : failed(parsed.reasoning);
}

/** The schema's verdict, stopped (an errored score) if its `pattern`s backtrack past the pattern time limit. */
function conforms(validate: ValidateFunction, value: unknown, label: string): boolean {
  return patternWithinTime(
    () => validate(value),
    (stopped) =>
      `"schema" ${stopped} on ${label}: a "pattern" in it with nested quantifiers such as (a+)+ ` +
      'backtracks exponentially on a near miss; rewrite it',
  );
}

export function jsonSchema(subject: HeuristicSubject, config: HeuristicConfig): HeuristicResult {
  if (config.schema === undefined) return failed('json_schema needs "schema"; none configured');
  const compiled = compileJsonSchema(config.schema);
  if (!compiled.ok) return failed(`"schema" is not a valid JSON Schema: ${compiled.error}`);
  const output = readOutput(subject, config);
  if (!output.ok) return failed(output.reasoning);
  const parsed = parseOutput(output);
  if (!parsed.ok) return failed(parsed.reasoning);
  const validate = compiled.value;
  if (conforms(validate, parsed.value, output.label)) return verdict(true, `${output.label} conforms to the schema`);
  return failed(`${output.label} violates the schema: ${describeSchemaErrors(validate)}`);
}
