import { useEffect } from 'react';

/** Every page names itself in the tab (and for screen readers announcing navigation). */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Verdict`;
  }, [title]);
}
