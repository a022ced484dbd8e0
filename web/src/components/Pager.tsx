import { useRef } from 'react';

interface PagerProps {
  /** The cursor of the page shown (undefined: the first page). */
  cursor: string | undefined;
  nextCursor: string | null | undefined;
  hasMore: boolean | undefined;
  onChange: (cursor: string | undefined) => void;
  label: string;
  count?: number;
}

/**
 * Cursor paging as the API does it: forward with nextCursor, back along the cursors this view walked. A page
 * opened from a shared link has no way back but to the first page.
 */
export function Pager({ cursor, nextCursor, hasMore, onChange, label, count }: PagerProps) {
  const trail = useRef<Array<string | undefined>>([]);
  const back = () => {
    const previous = trail.current.pop();
    onChange(previous);
  };
  const forward = () => {
    trail.current.push(cursor);
    onChange(nextCursor ?? undefined);
  };
  const first = () => {
    trail.current = [];
    onChange(undefined);
  };
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      {count !== undefined && <span className="muted">{count} shown</span>}
      <button type="button" onClick={first} disabled={!cursor}>
        First
      </button>
      <button type="button" onClick={back} disabled={!cursor || trail.current.length === 0}>
        Previous
      </button>
      <button type="button" onClick={forward} disabled={!hasMore || !nextCursor}>
        Next
      </button>
    </nav>
  );
}
