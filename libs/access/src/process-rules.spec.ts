import type { AppRule } from './ability';
import { buildAbility } from './ability';
import { processKeyMatches, rulesForAction, rulesForProcess } from './process-rules';

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

describe('actionName in run rules', () => {
  const rules: AppRule[] = [
    {
      action: 'run',
      subject: 'lead',
      conditions: { owner: '$me', actionName: { $in: ['convert'] } },
    },
    { action: 'run', subject: 'quote', conditions: { actionName: 'to_contract' } },
    { action: 'run', subject: 'quote', conditions: { actionName: 'to_order' }, inverted: true },
    { action: 'run', subject: 'order' },
  ];

  it('keeps the rules of one action, without the actionName key', () => {
    expect(rulesForAction(rules, 'convert')).toEqual([
      { action: 'run', subject: 'lead', conditions: { owner: '$me' } },
      { action: 'run', subject: 'order' },
    ]);
    const ability = (name: string) => buildAbility(rulesForAction(rules, name));
    expect(ability('convert').can('run', 'lead')).toBe(true);
    expect(ability('archive').can('run', 'lead')).toBe(false);
    expect(ability('to_contract').can('run', 'quote')).toBe(true);
    expect(ability('to_order').can('run', 'quote')).toBe(false);
    expect(ability('anything').can('run', 'order')).toBe(true);
  });
});
