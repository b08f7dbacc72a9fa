import { useEffect, useRef, useState } from 'react';
import type { PointerEvent as ReactPointerEvent } from 'react';

/** A press that moves less than this (px) stays a click: the card's link opens. */
export const DRAG_THRESHOLD = 6;

/** The attribute a drop target (a board column) carries, with its key. */
export const COLUMN_ATTR = 'data-kanban-column';

/** The key of the column under a point, if any. */
export function columnAt(x: number, y: number, doc: Document = document): string | null {
  const el = doc.elementFromPoint(x, y)?.closest(`[${COLUMN_ATTR}]`);
  return el?.getAttribute(COLUMN_ATTR) ?? null;
}

/** Whether a pointer moved far enough from where it was pressed to be a drag. */
export const isDrag = (dx: number, dy: number): boolean => Math.hypot(dx, dy) >= DRAG_THRESHOLD;

/**
 * Dragging a board card with the pointer — mouse, pen or finger — rather than HTML5 drag and drop,
 * which phones do not have (approvers and reps work from phones) and which headless chromium lost
 * now and then under load. The card follows nothing; the column under the pointer is highlighted
 * and the drop calls `onDrop`. After a drag, the click the browser sends is swallowed, so dropping
 * a card does not also open it.
 */
export function useCardDrag(onDrop: (cardId: number, columnKey: string) => void) {
  const [drag, setDrag] = useState<{ id: number; over: string | null } | null>(null);
  const cleanup = useRef<(() => void) | null>(null);
  useEffect(() => () => cleanup.current?.(), []);

  // the latest onDrop: a drag that started before a re-render drops with the board's current rows
  const latest = useRef(onDrop);
  latest.current = onDrop;

  const start = (id: number) => (e: ReactPointerEvent) => {
    if (e.button !== 0 || !e.isPrimary) return;
    const x0 = e.clientX;
    const y0 = e.clientY;
    let active = false;
    const move = (ev: PointerEvent) => {
      if (!active && !isDrag(ev.clientX - x0, ev.clientY - y0)) return;
      active = true;
      ev.preventDefault(); // no text selection while dragging
      setDrag({ id, over: columnAt(ev.clientX, ev.clientY) });
    };
    const up = (ev: PointerEvent) => {
      stop();
      if (!active) return;
      setDrag(null);
      swallowNextClick();
      const key = columnAt(ev.clientX, ev.clientY);
      if (key !== null) latest.current(id, key);
    };
    const cancel = () => {
      stop();
      setDrag(null);
    };
    const stop = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('pointercancel', cancel);
      cleanup.current = null;
    };
    cleanup.current?.();
    cleanup.current = stop;
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    window.addEventListener('pointercancel', cancel);
  };
  return { drag, start };
}

/** Swallows the click that ends a drag (the browser sends it to the card's link). */
function swallowNextClick(): void {
  const swallow = (e: MouseEvent) => {
    e.preventDefault();
    e.stopPropagation();
  };
  window.addEventListener('click', swallow, { capture: true, once: true });
  // a drop outside the card sends no click: forget it once this turn of events is over
  setTimeout(() => window.removeEventListener('click', swallow, { capture: true }), 0);
}
