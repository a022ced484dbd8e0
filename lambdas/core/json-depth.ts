/**
 * How deeply JSON may nest: request bodies, and the documents systems and judges hand us at run time. Deeper
 * values would overflow the stack of whatever recursive code meets them next (JSON.stringify gives up
 * somewhere past 4,000 levels, templates and JSONPath sooner); no real evaluation needs more than a handful.
 * Both checks below are loops over an explicit stack, so they cannot overflow themselves.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;

/**
 * Whether JSON text nests objects and arrays deeper than `max` (the outermost one is level 1), read without
 * parsing: brackets inside strings do not count. Invalid JSON is not this function's business; it answers
 * for the brackets it sees.
 */
export function jsonTextExceedsDepth(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string: find its closing quote, one not escaped by an odd run of backslashes.
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        if (end < 0) return false;
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
        if (slashes % 2 === 0) break;
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

interface Frame {
  value: object;
  depth: number;
  parent: Frame | null;
  key: string | number;
}

/**
 * The path (keys and array indexes) to the first object or array, in document order, nested deeper than
 * `max`; null when the value is within the limit.
 */
export function pathTooDeep(value: unknown, max = MAX_JSON_DEPTH): string[] | null {
  if (!isContainer(value)) return null;
  const stack: Frame[] = [{ value, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > max) return pathOf(frame);
    const v = frame.value;
    // Pushed last-first, so the first child is looked at first and the path found is the first in the text.
    const push = (child: unknown, key: string | number) => {
      if (isContainer(child)) stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    };
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) push(v[i], i);
    else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) push((v as Record<string, unknown>)[keys[i]!], keys[i]!);
    }
  }
  return null;
}

const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null;

function pathOf(frame: Frame): string[] {
  const keys: string[] = [];
  for (let f: Frame | null = frame; f?.parent; f = f.parent) keys.push(String(f.key));
  return keys.reverse();
}

const SEGMENT_CHARS = 40;
const HEAD_SEGMENTS = 6;
const TAIL_SEGMENTS = 2;

/** A path short enough for an error message: its first few keys, an ellipsis, its last keys. */
export function describePath(segments: string[], prefix?: string): string {
  const all = [...(prefix ? [prefix] : []), ...segments].map((s) =>
    s.length > SEGMENT_CHARS ? `${s.slice(0, SEGMENT_CHARS)}…` : s,
  );
  if (all.length <= HEAD_SEGMENTS + TAIL_SEGMENTS + 1) return all.join('.') || '(body)';
  return `${all.slice(0, HEAD_SEGMENTS).join('.')}.….${all.slice(-TAIL_SEGMENTS).join('.')}`;
}

/** Why a document is too deep to keep ("nests deeper than 64 levels at outputs.a.a.….a.a"), or null. */
export function depthProblem(value: unknown, prefix: string, max = MAX_JSON_DEPTH): string | null {
  const path = pathTooDeep(value, max);
  return path ? `nests objects and arrays deeper than ${max} levels (at ${describePath(path, prefix)})` : null;
}
