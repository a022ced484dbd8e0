import { groupCommit } from '../group-commit.js';

/**
 * Runs every task and waits for all of them, then rethrows the first failure: work that succeeded beside a
 * failing record is kept (and written) instead of being thrown away with the batch.
 */
export async function settleAll<T, R>(
  items: T[],
  task: (item: T) => Promise<R>,
): Promise<{ results: R[]; failure: unknown }> {
  const settled = await Promise.allSettled(items.map(task));
  const results: R[] = [];
  let failure: unknown;
  for (const outcome of settled) {
    if (outcome.status === 'fulfilled') results.push(outcome.value);
    else failure ??= outcome.reason;
  }
  return { results, failure };
}

/**
 * Writes results as they finish instead of once the whole batch has: results that finish together (or while a
 * write is under way) go in one call, so a batch still costs a few bulk writes, and a crash loses only the work
 * that was in flight, not every result of the batches it interrupted.
 */
export function writeAsFinished<T>(write: (items: T[]) => Promise<void>, maxItems = 25) {
  const commit = groupCommit<T, null>(
    async (_group, items) => {
      await write(items);
      return items.map(() => null);
    },
    { maxItems, maxInFlight: 2 },
  );
  return (item: T): Promise<null> => commit('results', item);
}
