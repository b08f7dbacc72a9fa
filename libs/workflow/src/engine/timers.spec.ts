import {
  TimerSpecError,
  addDuration,
  nextCron,
  nextInCycle,
  parseCron,
  planCycle,
  planTimer,
} from './timers';

const at = (iso: string) => new Date(iso);

describe('ISO 8601 timers', () => {
  it.each([
    ['PT15M', '2026-03-15T08:15:00.000Z'],
    ['PT1H30M', '2026-03-15T09:30:00.000Z'],
    ['P1D', '2026-03-16T08:00:00.000Z'],
    ['P1DT2H', '2026-03-16T10:00:00.000Z'],
    ['P1W', '2026-03-22T08:00:00.000Z'],
    ['P1M', '2026-04-15T08:00:00.000Z'],
    ['PT0.5S', '2026-03-15T08:00:00.500Z'],
  ])('adds %s', (d, expected) => {
    expect(addDuration(at('2026-03-15T08:00:00Z'), d).toISOString()).toBe(expected);
  });

  it.each(['P', 'PT', '1H', 'PT1X', 'every hour', ''])('rejects duration %j', (d) => {
    expect(() => addDuration(new Date(), d)).toThrow(TimerSpecError);
  });

  it('plans dates with a zone and refuses zoneless ones', () => {
    expect(planTimer('date', '2026-05-01T09:00:00+08:00', new Date()).due.toISOString()).toBe(
      '2026-05-01T01:00:00.000Z',
    );
    expect(() => planTimer('date', '2026-05-01T09:00:00', new Date())).toThrow(/zone/);
    expect(() => planTimer('date', 'tomorrow', new Date())).toThrow(TimerSpecError);
  });

  it('plans repeating intervals, bounded and unbounded, and catches up a past start', () => {
    const now = at('2026-03-15T08:00:00Z');
    const r3 = planCycle('R3/PT10M', now);
    expect(r3).toEqual({ due: at('2026-03-15T08:10:00Z'), cycle: { left: 2, spec: 'R/PT10M' } });
    const second = nextInCycle(r3.cycle!, r3.due, r3.due)!;
    expect(second.due.toISOString()).toBe('2026-03-15T08:20:00.000Z');
    const third = nextInCycle(second.cycle!, second.due, second.due)!;
    expect(third.cycle!.left).toBe(0);
    expect(nextInCycle(third.cycle!, third.due, third.due)).toBeNull();
    expect(planCycle('R/PT1H', now).cycle!.left).toBe(-1);
    const past = planCycle('R/2026-03-14T00:00:00Z/P1D', now);
    expect(past.due.toISOString()).toBe('2026-03-16T00:00:00.000Z');
    expect(() => planCycle('R0/PT1H', now)).toThrow(/zero/);
    expect(() => planCycle('R/x/y/z', now)).toThrow(TimerSpecError);
  });
});

describe('cron cycles', () => {
  const sundayMorning = at('2026-03-15T08:00:00Z'); // a Sunday

  it('fires every working day at 9:00', () => {
    let t = sundayMorning;
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      t = nextCron('0 9 * * MON-FRI', t);
      seen.push(t.toISOString());
    }
    expect(seen).toEqual([
      '2026-03-16T09:00:00.000Z',
      '2026-03-17T09:00:00.000Z',
      '2026-03-18T09:00:00.000Z',
      '2026-03-19T09:00:00.000Z',
      '2026-03-20T09:00:00.000Z',
      '2026-03-23T09:00:00.000Z',
    ]);
  });

  it('works in a time zone: 9:00 in Shanghai is 01:00 UTC', () => {
    expect(nextCron('0 9 * * 1-5', sundayMorning, 'Asia/Shanghai').toISOString()).toBe(
      '2026-03-16T01:00:00.000Z',
    );
  });

  it('crosses a daylight-saving change at the wall-clock time', () => {
    // Berlin moves to summer time on 2026-03-29: 9:00 is 08:00 UTC before, 07:00 UTC after
    const before = nextCron('0 9 * * *', at('2026-03-28T00:00:00Z'), 'Europe/Berlin');
    const after = nextCron('0 9 * * *', before, 'Europe/Berlin');
    expect([before.toISOString(), after.toISOString()]).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
    ]);
  });

  it.each([
    ['*/15 * * * *', '2026-03-15T08:15:00.000Z'],
    ['30 8 * * *', '2026-03-15T08:30:00.000Z'],
    ['0 0 1 * *', '2026-04-01T00:00:00.000Z'],
    ['0 12 29 2 *', '2028-02-29T12:00:00.000Z'],
    ['0 0 9 ? * SUN', '2026-03-15T09:00:00.000Z'],
    ['0 9 * JAN,JUN MON', '2026-06-01T09:00:00.000Z'],
    ['0 0 13 * FRI', '2026-03-20T00:00:00.000Z'],
    ['0 0 * * 7', '2026-03-22T00:00:00.000Z'],
  ])('%s after Sunday 08:00 → %s', (expr, expected) => {
    expect(nextCron(expr, sundayMorning).toISOString()).toBe(expected);
  });

  it.each(['* * *', '61 * * * *', '0 25 * * *', '0 9 * * FUNDAY', '*/0 * * * *', '0 9 31 2 *'])(
    'rejects %j',
    (expr) => {
      expect(() => nextCron(expr, sundayMorning)).toThrow(TimerSpecError);
    },
  );

  it('parses six fields with seconds', () => {
    expect(parseCron('30 0 9 * * *').second.values).toEqual(new Set([30]));
  });
});
