/**
 * Yields the same items as `source`, but asks for the next one as soon as the current one is handed out, so the
 * next page is being read while this one is turned into CSV. At most one item waits beyond the current one.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = iterator.next();
      yield current.value;
    }
  } finally {
    // Stopped early (a failed upload): let the source release what it holds, and don't leave a read unobserved.
    next.catch(() => {});
    await iterator.return?.();
  }
}
