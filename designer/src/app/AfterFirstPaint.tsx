import { type ReactNode, useEffect, useState } from 'react';

/** Once the first screen has painted, later pages render everything at once. */
let painted = false;

/**
 * Renders its children only after the first screen has painted, in a render of their own: the
 * controls around a page's rows (a list's filter, saved views and import/export, the inbox's
 * search and bulk bar, the header's bell) then neither delay the rows nor compute their antd
 * styles before them. Once the first screen is up, it renders its children at once.
 */
export function AfterFirstPaint({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState(painted);
  useEffect(() => {
    if (shown) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // the frame with the rows first, then a task of their own for these
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => {
        painted = true;
        setShown(true);
      });
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [shown]);
  return shown ? children : null;
}
