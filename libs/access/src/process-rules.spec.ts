import type { AppRule } from './ability';
import { buildAbility } from './ability';
import { processKeyMatches, rulesForProcess } from './process-rules';

describe('processKey in start rules', () => {
  it.each([
    ['quote_approval', 'quote_approval', true],
    ['quote_approval', 'fast_track', false],
    [{ $in: ['a', 'quote_approval'] }, 'quote_approval', true],
    [{ $in: ['a'] }, 'quote_approval', false],
    [{ $nin: ['fast_track'] }, 'quote_approval', true],
    [{ $nin: ['fast_track'] }, 'fast_track', false],
    [{ $ne: 'fast_track' }, 'fast_track', false],
    [{ $gt: 'a' }, 'quote_approval', false],
    [['quote_approval'], 'quote_approval', false],
  ])('%j admits %s: %s', (condition, key, expected) => {
    expect(processKeyMatches(condition, key)).toBe(expected);
  });

  const rules: AppRule[] = [
    // any process on one's own quotes...
    { action: 'start', subject: 'quote', conditions: { owner: '$me' } },
    // ...and the approval on anyone's
    { action: 'start', subject: 'quote', conditions: { processKey: { $in: ['quote_approval'] } } },
    { action: 'start', subject: 'Workflow', conditions: { processKey: 'onboarding' } },
    { action: 'start', subject: 'quote', conditions: { processKey: 'fast_track' }, inverted: true },
  ];

  it('keeps each rule whole: the approval on anyone’s quote, other processes only on one’s own', () => {
    expect(rulesForProcess(rules, 'quote_approval')).toEqual([
      { action: 'start', subject: 'quote', conditions: { owner: '$me' } },
      { action: 'start', subject: 'quote' },
    ]);
    expect(rulesForProcess(rules, 'other')).toEqual([
      { action: 'start', subject: 'quote', conditions: { owner: '$me' } },
    ]);
  });

  it('an inverted rule naming a process denies that process only', () => {
    const fast = buildAbility(rulesForProcess(rules, 'fast_track'));
    expect(fast.can('start', 'quote')).toBe(false);
    expect(buildAbility(rulesForProcess(rules, 'other')).can('start', 'quote')).toBe(true);
    expect(buildAbility(rulesForProcess(rules, 'onboarding')).can('start', 'Workflow')).toBe(true);
    expect(buildAbility(rulesForProcess(rules, 'payroll')).can('start', 'Workflow')).toBe(false);
  });
});
