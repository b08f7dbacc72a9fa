/** All time comes from one injectable clock so tests move time instead of sleeping. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  constructor(private current: Date = new Date('2026-01-01T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(d: Date): void {
    this.current = new Date(d.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const lastStamp = { ms: NaN, text: '' };

/** Storage form of an instant on both dialects: UTC `YYYY-MM-DD HH:MM:SS.mmm`, sortable as text. */
export function toDbTimestamp(d: Date): string {
  // a workflow step stamps every history row, task and notification with the same instant: the
  // last one is kept (an invalid date is NaN, never equal, and throws in toISOString as before)
  const ms = d.getTime();
  if (ms !== lastStamp.ms) {
    lastStamp.text = d.toISOString().replace('T', ' ').replace('Z', '');
    lastStamp.ms = ms;
  }
  return lastStamp.text;
}

export function fromDbTimestamp(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = v instanceof Date ? v.toISOString() : String(v);
  if (s.includes('T')) return s.endsWith('Z') ? s : `${s}Z`;
  const [date, time = '00:00:00'] = s.split(' ');
  const [hms, ms = '0'] = time.split('.');
  return `${date}T${hms}.${ms.padEnd(3, '0').slice(0, 3)}Z`;
}
