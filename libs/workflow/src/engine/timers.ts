/**
 * Timer definitions as Camunda 8 writes them, as pure functions of "now" (the engine's clock):
 * timeDate (ISO 8601 date-time), timeDuration (ISO 8601 duration, e.g. PT15M, P1DT2H),
 * timeCycle (ISO repeating interval R[n]/[start/]duration, or a cron expression with 5 fields
 * or 6 with seconds, e.g. `0 9 * * MON-FRI` = every working day at 9:00 in the engine's time zone).
 */

export type TimerKind = 'date' | 'duration' | 'cycle';

export interface TimerPlan {
  /** When the timer fires first. */
  due: Date;
  /** For cycles: repetitions left after this one (-1 = unbounded) and how to compute the next. */
  cycle?: { left: number; spec: string };
}

export class TimerSpecError extends Error {}

const DURATION =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Adds an ISO 8601 duration; years and months are calendar steps (UTC), the rest exact. */
export function addDuration(from: Date, iso: string): Date {
  const m = DURATION.exec(iso.trim());
  if (!m || iso.trim() === 'P' || iso.trim().endsWith('T'))
    throw new TimerSpecError(`"${iso}" is not an ISO 8601 duration (e.g. PT15M, P1DT2H)`);
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((v) => (v ? Number(v) : 0));
  const out = new Date(from.getTime());
  if (y || mo) out.setUTCMonth(out.getUTCMonth() + Math.trunc(y * 12 + mo));
  const ms = (((w * 7 + d) * 24 + h) * 60 + mi) * 60_000 + s * 1000;
  return new Date(out.getTime() + ms);
}

export function parseDate(iso: string): Date {
  const t = iso.trim();
  // a date-time must say its zone or be UTC: a bare local time would depend on the server
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(t))
    throw new TimerSpecError(`"${iso}" is not an ISO 8601 date-time with a zone`);
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) throw new TimerSpecError(`"${iso}" is not a valid date-time`);
  return d;
}

/** Plans a timer from its evaluated definition. */
export function planTimer(kind: TimerKind, spec: string, now: Date, timeZone = 'UTC'): TimerPlan {
  if (kind === 'date') return { due: parseDate(spec) };
  if (kind === 'duration') return { due: addDuration(now, spec) };
  return planCycle(spec, now, timeZone);
}

export function planCycle(spec: string, now: Date, timeZone = 'UTC'): TimerPlan {
  const s = spec.trim();
  if (s.startsWith('R')) {
    const parts = s.split('/');
    const reps = parts[0] === 'R' ? -1 : Number(parts[0].slice(1));
    if (!Number.isInteger(reps) || (parts.length !== 2 && parts.length !== 3))
      throw new TimerSpecError(`"${spec}" is not a repeating interval R[n]/[start/]duration`);
    if (reps === 0) throw new TimerSpecError(`"${spec}" repeats zero times`);
    const duration = parts[parts.length - 1];
    let due = parts.length === 3 ? parseDate(parts[1]) : addDuration(now, duration);
    // a start in the past: catch up to the first occurrence not before now
    for (let i = 0; due < now && i < 100_000; i++) due = addDuration(due, duration);
    const left = reps < 0 ? -1 : reps - 1;
    return { due, cycle: { left, spec: `R/${duration}` } };
  }
  return { due: nextCron(s, now, timeZone), cycle: { left: -1, spec: s } };
}

/**
 * The shortest gap between two firings of a cycle (over its next few occurrences, for cron):
 * `R/PT0.001S` would start hundreds of instances a second, so deploy refuses a cycle below
 * TIMER_MIN_CYCLE_MS.
 */
export function shortestCycleMs(spec: string, now: Date, timeZone = 'UTC'): number {
  const first = planCycle(spec, now, timeZone);
  let prev = first.due;
  let shortest = Infinity;
  let cycle = first.cycle!;
  for (let i = 0; i < 8; i++) {
    // repetitions left do not matter here: the gap is what a bounded cycle runs at too
    const next = nextInCycle({ ...cycle, left: -1 }, prev, prev, timeZone);
    if (!next) break;
    shortest = Math.min(shortest, next.due.getTime() - prev.getTime());
    prev = next.due;
    cycle = next.cycle!;
  }
  return shortest;
}

/** The next occurrence of a cycle after the previous due time. */
export function nextInCycle(
  cycle: { left: number; spec: string },
  previousDue: Date,
  now: Date,
  timeZone = 'UTC',
): TimerPlan | null {
  if (cycle.left === 0) return null;
  const left = cycle.left < 0 ? -1 : cycle.left - 1;
  if (cycle.spec.startsWith('R/')) {
    const duration = cycle.spec.slice(2);
    let due = addDuration(previousDue, duration);
    for (let i = 0; due <= now && i < 100_000; i++) due = addDuration(due, duration);
    return { due, cycle: { left, spec: cycle.spec } };
  }
  const from = previousDue > now ? previousDue : now;
  return { due: nextCron(cycle.spec, from, timeZone), cycle: { left, spec: cycle.spec } };
}

// ---- cron -------------------------------------------------------------------------------------

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface CronField {
  values: Set<number>;
  any: boolean;
}

function field(raw: string, min: number, max: number, names?: string[]): CronField {
  const values = new Set<number>();
  const name = (v: string): number => {
    const i = names ? names.indexOf(v.toUpperCase()) : -1;
    const n = i >= 0 ? i + (names === MONTHS ? 1 : 0) : Number(v);
    if (!Number.isInteger(n)) throw new TimerSpecError(`bad cron value "${v}"`);
    return n;
  };
  for (const part of raw.split(',')) {
    const [range, stepRaw] = part.split('/');
    const step = stepRaw === undefined ? 1 : Number(stepRaw);
    if (!Number.isInteger(step) || step < 1) throw new TimerSpecError(`bad cron step "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') [lo, hi] = [min, max];
    else if (range.includes('-')) [lo, hi] = range.split('-').map(name) as [number, number];
    else [lo, hi] = [name(range), stepRaw === undefined ? name(range) : max];
    // Sunday may be written 7
    if (names === DAYS && hi === 7) hi = lo === 7 ? (lo = 0) : 6;
    if (lo < min || hi > max || lo > hi)
      throw new TimerSpecError(`cron value out of range "${part}"`);
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, any: raw === '*' || raw === '?' };
}

interface Cron {
  second: CronField;
  minute: CronField;
  hour: CronField;
  dom: CronField;
  month: CronField;
  dow: CronField;
}

export function parseCron(expr: string): Cron {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6)
    throw new TimerSpecError(
      `"${expr}" is neither R[n]/duration nor a cron expression of 5 or 6 fields`,
    );
  const [sec, ...rest] = parts.length === 6 ? parts : ['0', ...parts];
  return {
    second: field(sec, 0, 59),
    minute: field(rest[0], 0, 59),
    hour: field(rest[1], 0, 23),
    dom: field(rest[2], 1, 31),
    month: field(rest[3], 1, 12, MONTHS),
    dow: field(rest[4], 0, 6, DAYS),
  };
}

interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  dow: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function wall(t: number, timeZone: string): Wall {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return {
    y: Number(p.year),
    mo: Number(p.month),
    d: Number(p.day),
    h: Number(p.hour),
    mi: Number(p.minute),
    s: Number(p.second),
    dow: DAYS.indexOf(String(p.weekday).toUpperCase().slice(0, 3)),
  };
}

/** The instant a wall-clock time in a zone stands for (two passes settle DST offsets). */
function instant(w: Omit<Wall, 'dow'>, timeZone: string): number {
  const target = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  let t = target;
  for (let i = 0; i < 2; i++) {
    const seen = wall(t, timeZone);
    t += target - Date.UTC(seen.y, seen.mo - 1, seen.d, seen.h, seen.mi, seen.s);
  }
  return t;
}

/** The first instant strictly after `after` that matches the cron expression in the zone. */
export function nextCron(expr: string, after: Date, timeZone = 'UTC'): Date {
  const c = parseCron(expr);
  let t = Math.floor(after.getTime() / 1000) * 1000 + 1000;
  const limit = t + 5 * 366 * 86_400_000;
  while (t < limit) {
    const w = wall(t, timeZone);
    const dayOk =
      c.dom.any && c.dow.any
        ? true
        : c.dom.any
          ? c.dow.values.has(w.dow)
          : c.dow.any
            ? c.dom.values.has(w.d)
            : c.dom.values.has(w.d) || c.dow.values.has(w.dow);
    if (!c.month.values.has(w.mo)) {
      const next = w.mo === 12 ? { y: w.y + 1, mo: 1 } : { y: w.y, mo: w.mo + 1 };
      t = instant({ ...next, d: 1, h: 0, mi: 0, s: 0 }, timeZone);
    } else if (!dayOk) {
      t = instant({ y: w.y, mo: w.mo, d: w.d, h: 0, mi: 0, s: 0 }, timeZone) + 86_400_000;
      // land on midnight again after a DST day
      const x = wall(t, timeZone);
      t = instant({ y: x.y, mo: x.mo, d: x.d, h: 0, mi: 0, s: 0 }, timeZone);
    } else if (!c.hour.values.has(w.h)) {
      t = instant({ ...w, mi: 0, s: 0 }, timeZone) + 3_600_000;
    } else if (!c.minute.values.has(w.mi)) {
      t = instant({ ...w, s: 0 }, timeZone) + 60_000;
    } else if (!c.second.values.has(w.s)) {
      t += 1000;
    } else return new Date(t);
  }
  throw new TimerSpecError(`cron "${expr}" has no occurrence within five years`);
}
