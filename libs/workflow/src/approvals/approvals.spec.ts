import { approvalOutcome, approvalSettled, votesNeeded } from '../engine/behaviors/approval';
import type { GraphNode } from '../engine/process-graph';
import type { LoopState } from '../engine/step';
import { parseActionInput } from './action-input';
import { parseModifyInput } from './modify';
import { approvalHeaderProblems, approvalSettings } from './settings';
import { camundaFormSchema } from './task-form';

const node = (headers: Record<string, string>, loop?: { sequential: boolean }): GraphNode =>
  ({
    id: 'n',
    type: 'UserTask',
    headers,
    loop: loop ? { ...loop, inputCollection: '=xs' } : undefined,
  }) as unknown as GraphNode;
const loop = (decisions: Array<'approve' | 'reject' | null>): LoopState => ({
  items: decisions.map((_, i) => i),
  decisions,
});

describe('approval node outcomes', () => {
  const par = { sequential: false };
  it('any-one: the first decision settles it, and is the outcome', () => {
    const n = node({ approvalMode: 'any' }, par);
    expect(approvalSettled(n, loop([null, null]))).toBe(false);
    expect(approvalSettled(n, loop([null, 'reject']))).toBe(true);
    expect(approvalOutcome(n, loop([null, 'reject']))).toBe('reject');
    expect(approvalOutcome(n, loop(['approve', null]))).toBe('approve');
  });
  it('countersign and sequential: the first rejection settles it; all approvals pass', () => {
    for (const n of [
      node({ approvalMode: 'all' }, par),
      node({ approvalMode: 'sequential' }, { sequential: true }),
    ]) {
      expect(approvalSettled(n, loop(['approve', null]))).toBe(false);
      expect(approvalSettled(n, loop(['approve', 'reject', null]))).toBe(true);
      expect(approvalOutcome(n, loop(['approve', 'reject', null]))).toBe('reject');
      expect(approvalOutcome(n, loop(['approve', 'approve']))).toBe('approve');
    }
  });
  it('vote: settles once the ratio is reached or out of reach', () => {
    const n = node({ approvalMode: 'vote', passRatio: '0.6' }, par);
    expect(votesNeeded(5, 0.6)).toBe(3);
    expect(votesNeeded(3, 0.6)).toBe(2);
    expect(votesNeeded(2, 0.5)).toBe(1);
    expect(approvalSettled(n, loop(['approve', 'approve', null, null, null]))).toBe(false);
    expect(approvalSettled(n, loop(['approve', 'approve', 'approve', null, null]))).toBe(true);
    expect(approvalOutcome(n, loop(['approve', 'approve', 'approve', null, null]))).toBe('approve');
    expect(approvalSettled(n, loop(['reject', 'reject', 'approve', null, null]))).toBe(false);
    expect(approvalSettled(n, loop(['reject', 'reject', 'reject', null, null]))).toBe(true);
    expect(approvalOutcome(n, loop(['reject', 'reject', 'reject', null, null]))).toBe('reject');
  });
});

describe('approval settings', () => {
  it('reads the headers with their defaults', () => {
    const st = approvalSettings(node({ approvalMode: 'single', actions: 'approve,reject' }));
    expect(st).toMatchObject({ approval: true, mode: 'single', resubmit: 'rerun' });
    expect([...st.actions].sort()).toEqual(['approve', 'comment', 'reject']);
    expect(approvalSettings(node({})).approval).toBe(false);
    expect(approvalSettings(node({}, { sequential: true })).mode).toBe('sequential');
  });
  it('names every bad header', () => {
    expect(approvalHeaderProblems(node({ approvalMode: 'sometimes' }))).toEqual([
      'header approvalMode must be one of single, any, all, vote, sequential',
    ]);
    expect(approvalHeaderProblems(node({ approvalMode: 'all' }))).toEqual([
      'approvalMode all needs multi-instance loop characteristics',
    ]);
    expect(
      approvalHeaderProblems(node({ approvalMode: 'sequential' }, { sequential: false })),
    ).toEqual(['approvalMode sequential needs isSequential="true"']);
    expect(
      approvalHeaderProblems(
        node({ passRatio: '2', actions: 'approve,fly', resubmit: 'maybe', variablesSchema: '{' }),
      ),
    ).toHaveLength(4);
    expect(
      approvalHeaderProblems(
        node({ approvalMode: 'vote', passRatio: '0.5' }, { sequential: false }),
      ),
    ).toEqual([]);
  });
});

describe('action bodies', () => {
  it('takes a full body', () => {
    expect(
      parseActionInput({
        action: 'addSigner',
        position: 'before',
        userIds: ['a', 'b'],
        comment: ' ok ',
      }),
    ).toMatchObject({
      action: 'addSigner',
      position: 'before',
      userIds: ['a', 'b'],
      comment: 'ok',
    });
  });
  it.each([
    [{}, '/action'],
    [{ action: 'approve', nope: 1 }, '/nope'],
    [{ action: 'transfer', userIds: ['a', 'b'] }, '/userIds'],
    [{ action: 'approve', userIds: ['a'] }, '/userIds'],
    [{ action: 'cc', userIds: ['a', 'a'] }, '/userIds'],
    [{ action: 'approve', position: 'before' }, '/position'],
    [{ action: 'approve', targetElementId: 'x' }, '/targetElementId'],
    [{ action: 'approve', variables: { decision: 'approve' } }, '/variables/decision'],
    [{ action: 'comment', variables: { a: 1 } }, '/variables'],
    [{ action: 'approve', attachments: [0] }, '/attachments/0'],
  ])('refuses %j at %s', (body, path) => {
    expect(() => parseActionInput(body)).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ path })] }),
    );
  });
  it('checks modification bodies', () => {
    expect(
      parseModifyInput({ cancel: [{ elementId: 'a' }], startBefore: [{ elementId: 'b' }] }),
    ).toMatchObject({
      cancel: [{ elementId: 'a' }],
    });
    expect(() => parseModifyInput({})).toThrow(/nothing to modify/);
    expect(() => parseModifyInput({ cancel: [{ elementId: 'a', executionId: 3 }] })).toThrow(
      /elementId or executionId/,
    );
  });
});

describe('Camunda forms as JSON Schema', () => {
  it('maps input components, nested groups and required fields', () => {
    expect(
      camundaFormSchema({
        components: [
          { type: 'number', key: 'amount', validate: { required: true, min: 1 } },
          {
            type: 'group',
            components: [
              { type: 'select', key: 'level', values: [{ value: 'a' }, { value: 'b' }] },
            ],
          },
          { type: 'checkbox', key: 'ok' },
          { type: 'text', text: 'heading only' },
        ],
      } as never),
    ).toEqual({
      type: 'object',
      properties: {
        amount: { type: 'number', minimum: 1 },
        level: { enum: ['a', 'b'] },
        ok: { type: 'boolean' },
      },
      required: ['amount'],
    });
  });
});
