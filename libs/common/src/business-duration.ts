/**
 * A deadline or reminder amount as authored in task headers and TASK_DEFAULT_DEADLINE:
 * `<n> hours | <n> workingHours | <n> workingDays` (singular words too). Here, not beside the
 * calendar arithmetic (@crm/metadata calendar/working-time.ts), because configuration checks it
 * at start-up and libs/common depends on no other lib.
 */
export type BusinessUnit = 'hours' | 'workingHours' | 'workingDays';

export interface BusinessDuration {
  amount: number;
  unit: BusinessUnit;
}

/** Largest amount a duration may name (a deadline of 10,000 working days is a typo). */
export const MAX_BUSINESS_AMOUNT = 10_000;

const UNIT_WORDS: Record<string, BusinessUnit> = {
  hour: 'hours',
  hours: 'hours',
  workingHour: 'workingHours',
  workingHours: 'workingHours',
  workingDay: 'workingDays',
  workingDays: 'workingDays',
};

/** `2 workingDays`, `4 workingHours`, `1.5 hours`; else why not. */
export function parseBusinessDuration(raw: unknown): BusinessDuration | { message: string } {
  const m = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$/.exec(raw) : null;
  const unit = m ? UNIT_WORDS[m[2]] : undefined;
  if (!m || !unit)
    return {
      message: `"${String(raw)}" is not <n> hours | <n> workingHours | <n> workingDays (e.g. 2 workingDays)`,
    };
  const amount = Number(m[1]);
  if (!(amount > 0) || amount > MAX_BUSINESS_AMOUNT)
    return {
      message: `"${String(raw)}": the amount must be above 0 and at most ${MAX_BUSINESS_AMOUNT}`,
    };
  return { amount, unit };
}
