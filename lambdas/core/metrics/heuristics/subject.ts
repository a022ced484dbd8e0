import type { HeuristicConfig } from '../../schemas/heuristic.js';
import type { HeuristicResult, HeuristicSubject } from './types.js';

/** A field read from the subject, or the reason it could not be read (which becomes the metric's reasoning). */
export type FieldRead = { ok: true; value: unknown; label: string } | { ok: false; reasoning: string };

const PREVIEW_CHARS = 80;

function lookup(record: Record<string, unknown>, path: string): unknown {
  // Own properties only, so a field named "constructor" or "__proto__" never reaches the prototype.
  if (Object.hasOwn(record, path)) return record[path];
  let current: unknown = record;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function readField(record: Record<string, unknown>, path: string, label: string): FieldRead {
  const value = lookup(record, path);
  const name = `${label}.${path}`;
  if (value === undefined) return { ok: false, reasoning: `${name} is missing` };
  if (value === null) return { ok: false, reasoning: `${name} is null` };
  return { ok: true, value, label: name };
}

export function readOutput(subject: HeuristicSubject, config: HeuristicConfig): FieldRead {
  return readField(subject.outputs, config.field, 'outputs');
}

/** The comparison target: the literal `value` when configured, otherwise the expected field. */
export function readTarget(subject: HeuristicSubject, config: HeuristicConfig): FieldRead {
  if (config.value !== undefined) return { ok: true, value: config.value, label: 'value' };
  const read = readField(subject.expected, config.expectedField ?? config.field, 'expected');
  if (read.ok) return read;
  return { ok: false, reasoning: `${read.reasoning}; set "value" or provide it in expected` };
}

/** Strings as-is, scalars via String(), everything else as JSON text. Never throws. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** JSON text with object keys sorted, so structured values compare equal regardless of key order. */
export function canonicalJson(value: unknown): string {
  try {
    const sorted = JSON.stringify(value, (_key, inner: unknown) =>
      typeof inner === 'object' && inner !== null && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : inner,
    );
    return sorted ?? String(value);
  } catch {
    return String(value);
  }
}

/** NFC so composed and decomposed forms of the same text compare equal; optionally case-folded. */
export function normalizeText(text: string, caseSensitive: boolean): string {
  const nfc = text.normalize('NFC');
  return caseSensitive ? nfc : nfc.toLowerCase().normalize('NFC');
}

export function preview(text: string): string {
  if (text.length <= PREVIEW_CHARS) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, PREVIEW_CHARS))}… (${text.length} chars)`;
}

export function isNaNNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isNaN(value);
}

export function verdict(passed: boolean, reasoning: string): HeuristicResult {
  return { score: passed, passed, reasoning };
}

export function failed(reasoning: string): HeuristicResult {
  return verdict(false, reasoning);
}
