import * as z from 'zod';
import { compileJsonSchema, compileRegex } from '../syntax/compile-cache.js';
import { StoredNumber } from './common.js';

export const HEURISTIC_KINDS = [
  'exact_match',
  'contains',
  'regex',
  'json_valid',
  'json_schema',
  'levenshtein',
  'numeric_tolerance',
  'length',
  'latency',
  'cost',
] as const;

export const HeuristicKind = z.enum(HEURISTIC_KINDS).describe('Which deterministic check to run.');
export type HeuristicKind = z.infer<typeof HeuristicKind>;

const BOUNDED_KINDS: ReadonlySet<HeuristicKind> = new Set(['length', 'latency', 'cost']);

// Strict so a misspelt parameter (`treshold`) is rejected instead of silently falling back to a default.
const HeuristicConfigFields = z.strictObject({
  kind: HeuristicKind,
  field: z
    .string()
    .min(1)
    .default('response')
    .describe('Output field to score; a dotted path reaches nested fields. Defaults to "response".'),
  expectedField: z
    .string()
    .min(1)
    .optional()
    .describe('Field of the expected values to compare against. Defaults to the same name as `field`.'),
  value: z.unknown().optional().describe('Literal comparison target; when given it replaces the expected field.'),
  values: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('contains: substrings to look for; combined according to `mode`.'),
  mode: z
    .enum(['any', 'all'])
    .default('any')
    .describe('contains: pass when any (default) or all of `values` occur in the output.'),
  caseSensitive: z
    .boolean()
    .optional()
    .describe('Case-sensitive comparison. Defaults to true for exact_match and levenshtein, false for contains.'),
  pattern: z.string().optional().describe('regex: JavaScript regular expression source, without slashes.'),
  flags: z
    .string()
    .regex(/^[dgimsuyv]*$/, 'flags may only contain d, g, i, m, s, u, y, v')
    .optional()
    .describe('regex: RegExp flags such as "i" or "su".'),
  schema: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('json_schema: JSON Schema (draft-07 dialect, as accepted by Ajv 8) the parsed output must satisfy.'),
  threshold: StoredNumber.min(0)
    .optional()
    .describe(
      'levenshtein: minimum similarity 0..1 to pass (default 0.8). ' +
        'numeric_tolerance: largest allowed difference (a fraction of the expected value when `relative`).',
    ),
  relative: z
    .boolean()
    .optional()
    .describe('numeric_tolerance: compare |actual - expected| / |expected| instead of the absolute difference.'),
  min: StoredNumber.optional().describe('length (characters), latency (ms), cost (USD): inclusive lower bound.'),
  max: StoredNumber.optional().describe('length (characters), latency (ms), cost (USD): inclusive upper bound.'),
});

type Fields = z.infer<typeof HeuristicConfigFields>;
type Issue = { path: keyof Fields; message: string };

function kindIssues(config: Fields): Issue[] {
  const { kind } = config;
  const issues: Issue[] = [];
  if (kind === 'regex') {
    if (config.pattern === undefined) {
      issues.push({ path: 'pattern', message: 'regex needs "pattern" (a regular expression source)' });
    } else {
      const compiled = compileRegex(config.pattern, config.flags);
      const badFlags = !compiled.ok && /flags/i.test(compiled.error);
      if (!compiled.ok) {
        const path = badFlags ? 'flags' : 'pattern';
        issues.push({ path, message: `"${path}" does not compile: ${compiled.error}` });
      }
    }
  }
  if (kind === 'json_schema') {
    if (config.schema === undefined) {
      issues.push({ path: 'schema', message: 'json_schema needs "schema" (a JSON Schema object)' });
    } else {
      const compiled = compileJsonSchema(config.schema);
      if (!compiled.ok)
        issues.push({ path: 'schema', message: `"schema" is not a valid JSON Schema: ${compiled.error}` });
    }
  }
  if (kind === 'levenshtein' && config.threshold !== undefined && config.threshold > 1) {
    issues.push({ path: 'threshold', message: 'levenshtein "threshold" is a similarity between 0 and 1' });
  }
  if (kind === 'numeric_tolerance' && config.threshold === undefined) {
    issues.push({ path: 'threshold', message: 'numeric_tolerance needs "threshold" (allowed difference, >= 0)' });
  }
  if (BOUNDED_KINDS.has(kind)) {
    if (config.min === undefined && config.max === undefined) {
      issues.push({ path: 'min', message: `${kind} needs "min" or "max" (inclusive bounds)` });
    } else if (config.min !== undefined && config.max !== undefined && config.min > config.max) {
      issues.push({ path: 'max', message: `"max" (${config.max}) must be >= "min" (${config.min})` });
    }
  }
  return issues;
}

export const HeuristicConfig = HeuristicConfigFields.superRefine((config, ctx) => {
  for (const issue of kindIssues(config)) {
    ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  }
}).describe('Parameters of a deterministic heuristic metric.');

export type HeuristicConfig = z.infer<typeof HeuristicConfig>;
export type HeuristicConfigInput = z.input<typeof HeuristicConfig>;
