import { startTransition, useCallback, useLayoutEffect, useOptimistic, useRef } from 'react';
import { useSearchParams } from 'react-router';

type Changes = Record<string, string | undefined | null>;
interface Change {
  changes: Changes;
  keepCursor?: boolean;
}

function applied(current: URLSearchParams, { changes, keepCursor }: Change): URLSearchParams {
  const next = new URLSearchParams(current);
  if (!keepCursor) next.delete('cursor');
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === null || v === '') next.delete(k);
    else next.set(k, v);
  }
  return next;
}

/**
 * Page state kept in the URL (filters, cursor, chosen metrics) so every view can be bookmarked and shared.
 * `set` drops empty values and, unless told otherwise, the cursor: a new filter starts at page one.
 *
 * The router applies a URL change in a transition. Until it commits, React would put every control bound to
 * the URL (a checkbox, a select) back as it was, so a click seemed not to take. The state read here is the
 * optimistic one: a change shows at once, and the committed URL takes over when it lands.
 *
 * Each change builds on the newest URL asked for, not the router's: react-router's functional update reads the
 * search params of its last render, so a second change made before the first landed (a metric, then "Failed")
 * dropped the first.
 */
export function useUrlState() {
  const [committed, setParams] = useSearchParams();
  const [params, show] = useOptimistic(committed, applied);
  const newest = useRef(params);
  useLayoutEffect(() => {
    newest.current = params;
  }, [params]);
  const set = useCallback(
    (changes: Changes, options: { keepCursor?: boolean } = {}) => {
      const change = { changes, keepCursor: options.keepCursor };
      const next = applied(newest.current, change);
      newest.current = next;
      startTransition(() => {
        show(change);
        setParams(next, { replace: false });
      });
    },
    [setParams, show],
  );
  return { params, get: (k: string) => params.get(k) ?? undefined, set };
}
