import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** Time-ordered ids: lists sorted by id are sorted by creation, which keeps cursor pages stable. */
export const newId = (): string => nextUlid().toLowerCase();

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A record id that is a pure function of (run creation time, position): re-running PrepareRun after a crash
 * writes the same ids, so conditional puts make it idempotent, and records list in testcase order.
 */
export function positionalId(createdAtMs: number, position: number): string {
  let time = '';
  let t = createdAtMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let pos = '';
  let p = position;
  for (let i = 0; i < 16; i++) {
    pos = CROCKFORD[p % 32] + pos;
    p = Math.floor(p / 32);
  }
  return time + pos;
}
