import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** Time-ordered ids: lists sorted by id are sorted by creation, which keeps cursor pages stable. */
export const newId = (): string => nextUlid().toLowerCase();

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

const base32 = (value: number, width: number) => {
  let out = '';
  let v = value;
  for (let i = 0; i < width; i++) {
    out = CROCKFORD[v % 32] + out;
    v = Math.floor(v / 32);
  }
  return out;
};

/**
 * A record id that is a pure function of (run creation time, position[, salt]): re-running PrepareRun after a
 * crash writes the same ids, and records list in testcase order. The salt (six characters of the run id) keeps
 * two runs created in the same millisecond from sharing ids: time(10) + salt(6) + position(10).
 */
export function positionalId(createdAtMs: number, position: number, salt?: string): string {
  if (salt === undefined) return base32(createdAtMs, 10) + base32(position, 16);
  return base32(createdAtMs, 10) + salt.padEnd(6, '0').slice(0, 6) + base32(position, 10);
}

/** The creation time encoded in an id (ULID or positional): ISO text, so `createdAt` and id order agree. */
export function idCreatedAt(id: string): string {
  let ms = 0;
  for (const ch of id.slice(0, 10).toLowerCase()) ms = ms * 32 + CROCKFORD.indexOf(ch);
  return new Date(ms).toISOString();
}
