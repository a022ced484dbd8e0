import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

/**
 * Page state kept in the URL (filters, cursor, chosen metrics) so every view can be bookmarked and shared.
 * `set` drops empty values and, unless told otherwise, the cursor: a new filter starts at page one.
 */
export function useUrlState() {
  const [params, setParams] = useSearchParams();
  const set = useCallback(
    (changes: Record<string, string | undefined | null>, options: { keepCursor?: boolean } = {}) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (!options.keepCursor) next.delete('cursor');
          for (const [k, v] of Object.entries(changes)) {
            if (v === undefined || v === null || v === '') next.delete(k);
            else next.set(k, v);
          }
          return next;
        },
        { replace: false },
      );
    },
    [setParams],
  );
  return { params, get: (k: string) => params.get(k) ?? undefined, set };
}
