interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

interface Group<I, O> {
  waiting: Array<Waiting<I, O>>;
  inFlight: number;
  scheduled: boolean;
}

/**
 * Group commit: calls of one group that arrive while its flushes are under way wait, and then go together, in
 * arrival order, in one flush of up to `maxItems`. A lone call is flushed on the next turn of the event loop (so
 * calls that arrived in the same turn go with it); under a burst, the cost of a flush (its round trips) is shared
 * by everything queued behind it instead of being paid per call. Up to `maxInFlight` flushes of a group run at
 * once, started in arrival order, so one flush's writes overlap the next one's. Each call settles with its own
 * result: `flush` returns one result or Error per item, or throws to fail the whole flush.
 */
export function groupCommit<I, O>(
  flush: (group: string, items: I[]) => Promise<Array<O | Error>>,
  options: { maxItems: number; maxInFlight?: number },
) {
  const groups = new Map<string, Group<I, O>>();
  const maxInFlight = options.maxInFlight ?? 1;

  async function flushBatch(key: string, batch: Array<Waiting<I, O>>) {
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

  function pump(key: string, group: Group<I, O>) {
    while (group.waiting.length > 0 && group.inFlight < maxInFlight) {
      const batch = group.waiting.splice(0, options.maxItems);
      group.inFlight++;
      void flushBatch(key, batch).finally(() => {
        group.inFlight--;
        pump(key, group);
      });
    }
    if (group.inFlight === 0 && group.waiting.length === 0) groups.delete(key);
  }

  return (key: string, item: I): Promise<O> =>
    new Promise<O>((resolve, reject) => {
      let group = groups.get(key);
      if (!group) {
        group = { waiting: [], inFlight: 0, scheduled: false };
        groups.set(key, group);
      }
      group.waiting.push({ item, resolve, reject });
      if (group.scheduled || group.inFlight >= maxInFlight) return;
      group.scheduled = true;
      const scheduled = group;
      setImmediate(() => {
        scheduled.scheduled = false;
        pump(key, scheduled);
      });
    });
}
