import { VerdictSdkError } from './errors.js';
import type { Page } from './types.js';

/**
 * Every list of the API as an async iterator over its items, fetching the next page only when the loop gets
 * there: `for await (const run of client.runs.list(projectId)) …`. `pages()` walks whole pages instead.
 */
export class PageIterator<T> implements AsyncIterable<T> {
  constructor(private readonly fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {}

  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.fetchPage(cursor);
      yield page;
      if (!page.hasMore || !page.nextCursor) return;
      // A server that hands back a cursor twice would loop forever; stop loudly instead.
      if (seen.has(page.nextCursor)) throw new VerdictSdkError('the API repeated a page cursor; stopping');
      seen.add(page.nextCursor);
      cursor = page.nextCursor;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** One page: the first without a cursor, else the one `cursor` (a page's nextCursor) points at. */
  async page(cursor?: string): Promise<Page<T>> {
    return this.fetchPage(cursor || undefined);
  }

  /** The first page alone (with `total` when the list reports it). */
  async firstPage(): Promise<Page<T>> {
    return this.fetchPage(undefined);
  }

  /** Collects items, stopping after `max` of them. */
  async toArray(max = Number.POSITIVE_INFINITY): Promise<T[]> {
    const out: T[] = [];
    if (max <= 0) return out;
    for await (const item of this) {
      out.push(item);
      if (out.length >= max) break;
    }
    return out;
  }
}
