/** One working period of a day, in minutes after local midnight (end may be 1440 = 24:00). */
export interface WorkingPeriod {
  start: number;
  end: number;
}

const RANGE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

/** `HH:mm-HH:mm` as minutes, or why it is not a period of one day. */
export function parsePeriod(raw: unknown): WorkingPeriod | { message: string } {
  const m = typeof raw === 'string' ? RANGE.exec(raw) : null;
  if (!m) return { message: 'must be a period HH:mm-HH:mm, e.g. 09:00-12:00' };
  const [h1, m1, h2, m2] = m.slice(1).map(Number);
  if (h1 > 23 || m1 > 59 || h2 > 24 || m2 > 59 || (h2 === 24 && m2 > 0))
    return { message: `"${String(raw)}" is not a time of day (00:00 to 24:00)` };
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  if (end <= start) return { message: `"${String(raw)}" ends before it starts` };
  return { start, end };
}

/**
 * The periods of a day in order; each problem names its index. Touching periods (12:00-13:00
 * after 09:00-12:00) are allowed; overlapping or unordered ones are a mistake worth saying.
 */
export function parsePeriods(list: unknown[]): {
  periods: WorkingPeriod[];
  errors: Array<{ index: number; message: string }>;
} {
  const periods: WorkingPeriod[] = [];
  const errors: Array<{ index: number; message: string }> = [];
  let prev: { p: WorkingPeriod; raw: unknown } | null = null;
  list.forEach((raw, index) => {
    const p = parsePeriod(raw);
    if ('message' in p) return errors.push({ index, message: p.message });
    if (prev && p.start < prev.p.end)
      errors.push({
        index,
        message:
          p.start < prev.p.start
            ? `is not in order: it starts before "${String(prev.raw)}"`
            : `overlaps "${String(prev.raw)}"`,
      });
    else periods.push(p);
    prev = { p, raw };
  });
  return { periods, errors };
}
