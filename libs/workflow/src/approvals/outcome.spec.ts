import {
  defaultOutcome,
  propertyProblems,
  recordSettings,
  settlementChanges,
  timestampFor,
} from './outcome';

const settings = recordSettings({
  properties: {
    'outcome.field': 'status',
    'outcome.approved': 'approved',
    'outcome.rejected': 'rejected',
    'outcome.withdrawn': 'draft',
    'outcome.decidedBy': 'decidedBy',
    'outcome.decidedAt': 'decidedAt',
  },
});

describe('process properties of a record-bound process', () => {
  it('reads the outcome fields and values; the lock is on unless the process says false', () => {
    expect(settings).toEqual({
      lockRecord: true,
      outcomeField: 'status',
      outcomeValues: { approved: 'approved', rejected: 'rejected', withdrawn: 'draft' },
      decidedBy: 'decidedBy',
      decidedAt: 'decidedAt',
    });
    expect(recordSettings({ properties: { lockRecord: 'False' } }).lockRecord).toBe(false);
    expect(recordSettings({ properties: {} })).toEqual({ lockRecord: true, outcomeValues: {} });
  });

  it.each([
    { props: { lockRecord: 'yes' }, on: 'process', problem: 'lockRecord is true or false' },
    { props: { 'outcome.field': ' ' }, on: 'process', problem: 'outcome.field names no field' },
    {
      props: { 'outcome.much too long an outcome': 'x' },
      on: 'process',
      problem: 'is not an outcome name',
    },
    {
      props: { outcome: 'approved-by-the-board' },
      on: 'endEvent',
      problem: 'is not an outcome name',
    },
  ] as Array<{ props: Record<string, string>; on: 'process' | 'endEvent'; problem: string }>)(
    'refuses $props at deploy',
    ({ props, on, problem }) => {
      expect(propertyProblems(props, on)).toEqual([expect.stringContaining(problem)]);
    },
  );

  it('accepts what the approval model documents', () => {
    expect(propertyProblems({ lockRecord: 'true', 'outcome.field': 'status' }, 'process')).toEqual(
      [],
    );
    expect(propertyProblems({ outcome: 'rejected' }, 'endEvent')).toEqual([]);
  });
});

describe('the outcome of an ending instance', () => {
  it('defaults to approved or cancelled only where a record field tells it', () => {
    expect(defaultOutcome('completed', null, true, settings)).toBe('approved');
    expect(defaultOutcome('cancelled', null, true, settings)).toBe('cancelled');
    expect(defaultOutcome('completed', 'rejected', true, settings)).toBe('rejected');
    expect(defaultOutcome('completed', null, false, settings)).toBeNull();
    expect(defaultOutcome('completed', null, true, recordSettings({ properties: {} }))).toBeNull();
  });

  it('writes the value, the decider and the time on a decision', () => {
    expect(settlementChanges('completed', 'approved', settings, {}, 'wang', 'T')).toEqual({
      status: 'approved',
      decidedBy: 'wang',
      decidedAt: 'T',
    });
  });

  it('puts the replaced values back on a cancel or withdrawal, then the outcome value', () => {
    const restore = { status: 'draft', discount: 5 };
    expect(settlementChanges('cancelled', 'cancelled', settings, restore, 'admin', 'T')).toEqual(
      restore,
    );
    // withdrawn has its own value: it wins over the restored status; nobody decided anything
    expect(settlementChanges('cancelled', 'withdrawn', settings, restore, 'rep', 'T')).toEqual({
      status: 'draft',
      discount: 5,
    });
    // a rejection that ends by cancelling keeps what the process wrote
    expect(settlementChanges('cancelled', 'rejected', settings, restore, 'wang', 'T')).toEqual({
      status: 'rejected',
      decidedBy: 'wang',
      decidedAt: 'T',
    });
  });

  it('stamps a date field with the business day in the company time zone', () => {
    const at = new Date('2026-03-15T23:30:00.000Z');
    expect(timestampFor('date', at, 'Asia/Shanghai')).toBe('2026-03-16');
    expect(timestampFor('datetime', at, 'Asia/Shanghai')).toBe('2026-03-15T23:30:00.000Z');
  });
});
