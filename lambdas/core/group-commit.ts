interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

interface Group<I, O> {
  waiting: Array<Waiting<I, O>>;
  flushing: boolean;
}

/**
 * Group commit: calls of one group that arrive while its previous flush is under way wait for it to end and
 * then go together, in arrival order, in one flush. A lone call is flushed on the next turn of the event loop
 * (so calls that arrived in the same turn go with it); under a burst, the cost of a flush (its round trips) is
 * shared by everything that queued behind it instead of being paid per call. Each call settles with its own
 * result: `flush` returns one result or Error per item, or throws to fail the whole flush.
 */
export function groupCommit<I, O>(
  flush: (group: string, items: I[]) => Promise<Array<O | Error>>,
  options: { maxItems: number },
) {
  const groups = new Map<string, Group<I, O>>();

  async function drain(key: string, group: Group<I, O>) {
    while (group.waiting.length > 0) {
      const batch = group.waiting.splice(0, options.maxItems);
      try {
        const results = await flush(
          key,
          batch.map((w) => w.item),
        );
        batch.forEach((w, i) => {
          const result = results[i];
          if (result instanceof Error) w.reject(result);
          else if (i >= results.length) w.reject(new Error('the flush returned no result for this item'));
          else w.resolve(result as O);
        });
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    groups.delete(key);
  }

  return (key: string, item: I): Promise<O> =>
    new Promise<O>((resolve, reject) => {
      let group = groups.get(key);
      if (!group) {
        group = { waiting: [], flushing: false };
        groups.set(key, group);
      }
      group.waiting.push({ item, resolve, reject });
      if (group.flushing) return;
      group.flushing = true;
      const started = group;
      setImmediate(() => void drain(key, started));
    });
}
