import type { TriggerDocument } from '@crm/metadata';
import { evaluateTrigger, triggerContext, triggersFor } from './triggers';

const t = (over: Partial<TriggerDocument> = {}): TriggerDocument => ({
  kind: 'trigger',
  name: 'on_discount',
  entity: 'offer',
  on: 'updated',
  process: 'watch',
  condition: 'old.discount != new.discount and new.discount >= 30',
  variables: { from: 'old.discount', to: 'new.discount', by: 'actor' },
  ...over,
});
const options = { clock: { now: () => new Date('2026-03-15T08:00:00Z') }, timeZone: 'UTC' };
const updated = (old: number | null, now: number | null) =>
  triggerContext('updated', { discount: old }, { discount: now }, 'rep');

describe('triggers', () => {
  it('fire when the condition is true, with their variables', () => {
    expect(evaluateTrigger(t(), updated(10, 35), options)).toEqual({
      fires: true,
      variables: { from: 10, to: 35, by: 'rep' },
    });
  });

  it.each([
    { title: 'false', old: 35, now: 35 },
    { title: 'null (a field left empty)', old: 10, now: null },
  ])('do not fire when the condition is $title', ({ old, now }) => {
    expect(evaluateTrigger(t(), updated(old, now), options)).toEqual({ fires: false });
  });

  it('fire without a condition, and see the record as `record` (old for a deletion)', () => {
    const gone = triggerContext('deleted', { name: 'x' }, null, 'rep');
    expect(
      evaluateTrigger(
        t({ on: 'deleted', condition: undefined, variables: { name: 'record.name' } }),
        gone,
        options,
      ),
    ).toEqual({ fires: true, variables: { name: 'x' } });
  });

  it('answer a condition that cannot be evaluated with the trigger and pointer', () => {
    expect(() =>
      evaluateTrigger(t({ condition: 'assert(false, "no")' }), updated(1, 2), options),
    ).toThrow(expect.objectContaining({ code: 'METADATA_INVALID' }));
  });

  it('of an entity and event, in name order', () => {
    const docs = [
      t({ name: 'b' }),
      t({ name: 'a' }),
      t({ name: 'c', on: 'created' }),
      t({ name: 'd', entity: 'quote' }),
      { kind: 'entity', name: 'offer' },
    ];
    expect(triggersFor(docs, 'offer', 'updated').map((x) => x.name)).toEqual(['a', 'b']);
  });
});
