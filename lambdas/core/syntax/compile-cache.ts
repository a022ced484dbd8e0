import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** Insertion-ordered Map used as an LRU: a hit moves the entry to the back, overflow drops the front. */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  getOrCreate(key: string, create: () => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const created = create();
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, created);
    return created;
  }

  clear(): void {
    this.entries.clear();
  }
}

export type Compiled<T> = { ok: true; value: T } | { ok: false; error: string };

export const MAX_COMPILED_ENTRIES = 500;

// Failures are cached too, so a broken config scored over a large dataset doesn't recompile per record.
const regexCache = new BoundedCache<Compiled<RegExp>>(MAX_COMPILED_ENTRIES);
const schemaCache = new BoundedCache<Compiled<ValidateFunction>>(MAX_COMPILED_ENTRIES);

// strict: false so schemas written for other tools (OpenAPI `example`, `nullable`, vendor keys) still compile.
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function compileRegex(pattern: string, flags = ''): Compiled<RegExp> {
  return regexCache.getOrCreate(`${flags}/${pattern}`, () => {
    try {
      return { ok: true, value: new RegExp(pattern.normalize('NFC'), flags) };
    } catch (error) {
      return { ok: false, error: errorMessage(error) };
    }
  });
}

export function compileJsonSchema(schema: Record<string, unknown>): Compiled<ValidateFunction> {
  let key: string;
  try {
    key = JSON.stringify(schema);
  } catch (error) {
    return { ok: false, error: `schema is not JSON-serializable: ${errorMessage(error)}` };
  }
  return schemaCache.getOrCreate(key, () => {
    try {
      const validate = ajv.compile(schema);
      return { ok: true, value: validate };
    } catch (error) {
      return { ok: false, error: errorMessage(error) };
    } finally {
      // Ajv keeps its own unbounded cache keyed by schema object (and rejects a reused $id);
      // our bounded cache owns the compiled function, so drop Ajv's copy.
      ajv.removeSchema(schema);
    }
  });
}

export function describeSchemaErrors(validate: ValidateFunction): string {
  return ajv.errorsText(validate.errors, { dataVar: 'output' });
}

export function compileCacheSizes(): { regex: number; jsonSchema: number } {
  return { regex: regexCache.size, jsonSchema: schemaCache.size };
}

export function clearCompileCaches(): void {
  regexCache.clear();
  schemaCache.clear();
}
