import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../lambdas/core/group-commit.js';

/** A flush that records what it was given and finishes when the test says so. */
function controlledFlush() {
  const flushes: Array<{ group: string; items: number[]; finish: () => void }> = [];
  const flush = (group: string, items: number[]) =>
    new Promise<Array<string | Error>>((resolve, reject) => {
      flushes.push({
        group,
        items,
        finish: () =>
          items.includes(-1)
            ? reject(new Error('store down'))
            : resolve(items.map((n) => (n === 13 ? new Error('unlucky') : `ok ${n}`))),
      });
    });
  return { flushes, flush };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('groupCommit', () => {
  it('flushes calls of one turn together, queues the rest behind the flush, in arrival order', async () => {
    const { flushes, flush } = controlledFlush();
    const post = groupCommit(flush, { maxItems: 3 });
    const first = [1, 2].map((n) => post('run-a', n));
    await turn();
    expect(flushes.map((f) => f.items)).toEqual([[1, 2]]);
    // While that flush is out, arrivals wait and then go together, at most maxItems a flush.
    const later = [3, 4, 5, 6].map((n) => post('run-a', n));
    const other = post('run-b', 7);
    await turn();
    expect(flushes.map((f) => [f.group, f.items])).toEqual([
      ['run-a', [1, 2]],
      ['run-b', [7]],
    ]);
    flushes[0]!.finish();
    expect(await Promise.all(first)).toEqual(['ok 1', 'ok 2']);
    await turn();
    expect(flushes.at(-1)!.items).toEqual([3, 4, 5]);
    flushes.at(-1)!.finish();
    await turn();
    expect(flushes.at(-1)!.items).toEqual([6]);
    flushes.at(-1)!.finish();
    flushes[1]!.finish();
    expect(await Promise.all([...later, other])).toEqual(['ok 3', 'ok 4', 'ok 5', 'ok 6', 'ok 7']);
  });

  it('settles each call with its own error, and fails a whole flush only when the flush throws', async () => {
    const { flushes, flush } = controlledFlush();
    const post = groupCommit(flush, { maxItems: 10 });
    const calls = [12, 13, 14].map((n) => post('r', n).catch((e: Error) => e.message));
    await turn();
    flushes[0]!.finish();
    expect(await Promise.all(calls)).toEqual(['ok 12', 'unlucky', 'ok 14']);
    const broken = [1, -1].map((n) => post('r', n).catch((e: Error) => e.message));
    await turn();
    flushes[1]!.finish();
    expect(await Promise.all(broken)).toEqual(['store down', 'store down']);
    // The group recovers: the next call gets a flush of its own.
    const next = post('r', 2);
    await turn();
    flushes[2]!.finish();
    expect(await next).toBe('ok 2');
  });

  it('runs up to maxInFlight flushes of a group at once', async () => {
    const { flushes, flush } = controlledFlush();
    const post = groupCommit(flush, { maxItems: 1, maxInFlight: 2 });
    const calls = [1, 2, 3].map((n) => post('r', n));
    await turn();
    expect(flushes.map((f) => f.items)).toEqual([[1], [2]]);
    flushes[1]!.finish();
    await turn();
    expect(flushes.map((f) => f.items)).toEqual([[1], [2], [3]]);
    flushes[0]!.finish();
    flushes[2]!.finish();
    expect(await Promise.all(calls)).toEqual(['ok 1', 'ok 2', 'ok 3']);
  });
});
