import { positionalId } from '../ids.js';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_CHARS = 10;

/**
 * The first 10 characters of every id created at `ms` (ULIDs and positional ids share this time prefix), so a
 * time range is a key range: ids created at or after t sort at or after `idTimePrefix(t)`.
 */
export const idTimePrefix = (ms: number) => positionalId(Math.max(0, ms), 0).slice(0, TIME_CHARS);

/** Inclusive id bounds for records created in [from, to): a key condition, no filter needed. */
export function idRange(from?: string, to?: string): { min?: string; max?: string } {
  return {
    min: from ? idTimePrefix(Date.parse(from)) : undefined,
    // '~' sorts after every id character, so prefix(to - 1 ms) + '~' is the last id created before `to`.
    max: to ? `${idTimePrefix(Date.parse(to) - 1)}~` : undefined,
  };
}

/** Milliseconds since the epoch encoded in an id's time prefix. */
export function idTime(id: string): number {
  let ms = 0;
  for (const ch of id.slice(0, TIME_CHARS).toLowerCase()) ms = ms * 32 + CROCKFORD.indexOf(ch);
  return ms;
}
