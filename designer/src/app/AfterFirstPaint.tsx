import { type ReactNode, startTransition, useEffect, useState } from 'react';

/** Once the first screen has painted, later pages render everything at once. */
let painted = false;

/** At the latest this long after the first frame, the deferred controls render anyway. */
const IDLE_TIMEOUT_MS = 300;

/**
 * False on the first screen's first render, true once it has painted and the browser is idle (a
 * render of its own, at most 300 ms after the first frame); true at once on later pages. For
 * what the first screen can draw more cheaply at first (app/AfterFirstPaint, the list's
 * selection checkboxes).
 */
export function useFirstPaintDone(): boolean {
  const [shown, setShown] = useState(painted);
  useEffect(() => {
    if (shown) return;
    const show = () => {
      painted = true;
      // a transition: React renders what was deferred in slices, yielding to input and to
      // anything else waiting, rather than in one long task right after the rows have painted
      startTransition(() => setShown(true));
    };
    let idle: number | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // the frame with the rows first, then these when nothing else waits
    const frame = requestAnimationFrame(() => {
      if ('requestIdleCallback' in window)
        idle = requestIdleCallback(show, { timeout: IDLE_TIMEOUT_MS });
      else timer = setTimeout(show);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (idle !== undefined) cancelIdleCallback(idle);
      clearTimeout(timer);
    };
  }, [shown]);
  return shown;
}

/**
 * Renders its children only after the first screen has painted, once the browser is idle, in a
 * render of their own: the controls around a page's rows (a list's filter, saved views and
 * import/export, the inbox's search and bulk bar, the header's bell) then neither delay the rows
 * nor compute their antd styles before them, and input and the page's own follow-up work go
 * first. Once the first screen is up, it renders its children at once.
 */
export function AfterFirstPaint({ children }: { children: ReactNode }) {
  return useFirstPaintDone() ? children : null;
}
