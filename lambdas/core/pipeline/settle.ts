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
