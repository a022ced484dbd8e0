/**
 * Writes results as they finish rather than all at the end of a batch: a worker that dies (or runs out of time)
 * mid-batch keeps what it finished, so a redelivery does not call the LLM again for it. Items are written in
 * chunks of `chunkSize` (DynamoDB's BatchWrite takes 25) while the batch goes on; `close` writes the rest and
 * rethrows the first failed write.
 */
export function createStreamingWriter<T>(write: (items: T[]) => Promise<void>, chunkSize = 25) {
  let buffer: T[] = [];
  const writes = new Set<Promise<void>>();
  let failure: unknown = null;
  let added = 0;

  const flush = () => {
    if (buffer.length === 0) return;
    const chunk = buffer;
    buffer = [];
    const pending = write(chunk)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => writes.delete(pending));
    writes.add(pending);
  };

  return {
    /** How many items were handed to the writer. */
    get added() {
      return added;
    },
    add(...items: T[]) {
      buffer.push(...items);
      added += items.length;
      if (buffer.length >= chunkSize) flush();
    },
    async close() {
      flush();
      while (writes.size > 0) await Promise.all([...writes]);
      if (failure) throw failure;
    },
  };
}
