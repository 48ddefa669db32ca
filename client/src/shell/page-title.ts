import { useEffect } from 'react';

/** Sets the window's title, so a tab, a window list or a screen reader names the page (WCAG 2.4.2). */
export function usePageTitle(name: string): void {
  useEffect(() => {
    document.title = `${name} · Frontline`;
  }, [name]);
}
