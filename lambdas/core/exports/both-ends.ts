import type { CoreDeps } from '../deps.js';
import type { Scope } from '../ports.js';
import type { RecordWithScores } from '../schemas/record.js';
import type { Run } from '../schemas/run.js';
import { readAhead } from './read-ahead.js';

/** Which end of the run's list a page was read from. */
export type ListEnd = 'start' | 'end';

/** Records per page while exporting: big enough to amortise round trips, small enough to keep memory flat. */
export const EXPORT_PAGE = 250;

type Page = { records: RecordWithScores[]; more: boolean };
type ReadDeps = Pick<CoreDeps, 'records'>;

async function* pagesFrom(deps: ReadDeps, scope: Scope, run: Run, end: ListEnd): AsyncGenerator<Page> {
  let after: string | undefined;
  for (;;) {
    const request = { limit: EXPORT_PAGE, after };
    const metrics = run.metricVersionIds.length;
    const page =
      end === 'start'
        ? await deps.records.listByRun(scope, run.id, request, metrics)
        : await deps.records.listByRunFromEnd(scope, run.id, request, metrics);
    yield { records: page.items, more: page.last !== null };
    if (page.last === null) return;
    after = page.last;
  }
}

/**
 * Reads a run's list from both ends at once, meeting in the middle: two Queries in flight instead of one, with no
 * boundaries to find first. Pages reach `onPage` one at a time, in the order they arrive; each holds records in
 * ascending order, and is trimmed where it reaches what the other end already took, so every record is handed
 * out once. Pages from the start come in list order, pages from the end each below the one before (the caller
 * puts those back in order). The second reader starts only once the first page shows there is more to read.
 */
export async function readFromBothEnds(
  deps: ReadDeps,
  scope: Scope,
  run: Run,
  onPage: (end: ListEnd, records: RecordWithScores[]) => Promise<void>,
): Promise<void> {
  const readers: Partial<Record<ListEnd, AsyncGenerator<Page>>> = {
    start: readAhead(pagesFrom(deps, scope, run, 'start')),
  };
  const pending = new Map<ListEnd, Promise<{ end: ListEnd; result: IteratorResult<Page> }>>();
  const ask = (end: ListEnd) =>
    pending.set(
      end,
      readers[end]!.next().then((result) => ({ end, result })),
    );
  /** The last record taken from the start, and the first taken from the end. */
  let top: string | undefined;
  let bottom: string | undefined;
  ask('start');
  try {
    while (pending.size > 0) {
      const { end, result } = await Promise.race(pending.values());
      pending.delete(end);
      if (result.done) break;
      const { records, more } = result.value;
      const taken =
        end === 'start'
          ? records.filter((r) => bottom === undefined || r.id < bottom)
          : records.filter((r) => top === undefined || r.id > top);
      if (taken.length > 0) {
        if (end === 'start') top = taken.at(-1)!.id;
        else bottom = taken[0]!.id;
        await onPage(end, taken);
      }
      // The ends met, or one reached the other's end: every record has been taken.
      if (!more || taken.length < records.length) break;
      if (!readers.end) {
        readers.end = readAhead(pagesFrom(deps, scope, run, 'end'));
        ask('end');
      }
      ask(end);
    }
  } finally {
    // Reads still in flight are let go, not waited for: their pages are not needed, and the CSV can be finished
    // meanwhile. Each reader stops once its read settles.
    for (const read of pending.values()) read.catch(() => {});
    for (const reader of Object.values(readers)) reader.return(undefined).catch(() => {});
  }
}
