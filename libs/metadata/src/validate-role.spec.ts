import type { EntityDocument, SourcedDocument } from './types';
import { validateDocuments } from './validate';

const l = { 'zh-CN': 'x', en: 'x' };
const deal: EntityDocument = {
  kind: 'entity',
  name: 'deal',
  label: l,
  displayField: 'title',
  fields: {
    title: { type: 'text', label: l },
    amount: { type: 'integer', label: l },
  },
};
const role = (rules: unknown[]): SourcedDocument => ({
  doc: { kind: 'role', name: 'r', label: l, rules } as never,
  files: ['roles/r.yaml'],
});
const check = (rules: unknown[]) =>
  validateDocuments([{ doc: deal, files: ['deal.yaml'] }, role(rules)]);

describe('role documents', () => {
  it('accepts the placeholders, operators, inverted rules and system subjects', () => {
    expect(
      check([
        { action: ['read', 'update'], subject: 'deal', conditions: { owner: '$me' } },
        {
          action: 'read',
          subject: 'deal',
          conditions: { createdBy: { $in: ['$mySubordinates', 'li'] } },
        },
        {
          action: 'read',
          subject: 'deal',
          conditions: { owner: '$myDepartmentTree', amount: { $ne: 0 } },
        },
        { action: 'read', subject: 'deal', conditions: { $sharedWithMe: true } },
        {
          action: 'update',
          subject: 'deal',
          fields: ['amount'],
          inverted: true,
          reason: 'finance',
        },
        { action: 'manage', subject: ['User', 'Metadata'] },
        { action: 'manage', subject: 'all' },
        { action: 'start', subject: 'deal', conditions: { owner: '$me' } },
        { action: ['read', 'deploy', 'cancel', 'operate'], subject: 'Workflow' },
        {
          action: 'start',
          subject: 'deal',
          conditions: { owner: '$me', processKey: { $in: ['deal_approval'] } },
        },
        { action: 'start', subject: 'Workflow', conditions: { processKey: 'onboarding' } },
        { action: 'start', subject: 'deal', conditions: { processKey: { $nin: ['fast'] } } },
        { action: 'run', subject: 'deal', conditions: { owner: '$me', actionName: 'convert' } },
        { action: 'run', subject: 'deal', conditions: { actionName: { $in: ['a', 'b'] } } },
      ]),
    ).toEqual([]);
  });

  it.each([
    [
      'unknown entity',
      { action: 'read', subject: 'nosuch' },
      '/rules/0/subject',
      'unknown entity "nosuch"',
    ],
    [
      'unknown entity in a list',
      { action: 'read', subject: ['deal', 'x'] },
      '/rules/0/subject/1',
      'unknown entity "x"',
    ],
    [
      'unknown field',
      { action: 'read', subject: 'deal', fields: ['nope'] },
      '/rules/0/fields/0',
      'unknown field "nope" on deal',
    ],
    [
      'unknown condition field',
      { action: 'read', subject: 'deal', conditions: { nope: 1 } },
      '/rules/0/conditions/nope',
      'unknown field "nope" on deal',
    ],
    [
      'unknown placeholder',
      { action: 'read', subject: 'deal', conditions: { owner: '$boss' } },
      '/rules/0/conditions/owner',
      'unknown placeholder "$boss"',
    ],
    [
      'placeholder on a number field',
      { action: 'read', subject: 'deal', conditions: { amount: '$me' } },
      '/rules/0/conditions/amount',
      'needs a field holding a login',
    ],
    [
      'placeholder inside $in',
      { action: 'read', subject: 'deal', conditions: { owner: { $in: ['$nope'] } } },
      '/rules/0/conditions/owner/$in/0',
      'unknown placeholder',
    ],
    [
      'unknown operator',
      { action: 'read', subject: 'deal', conditions: { amount: { $gt: 1 } } },
      '/rules/0/conditions/amount/$gt',
      'unknown operator',
    ],
    [
      'conditions on a system subject',
      { action: 'manage', subject: 'User', conditions: { owner: '$me' } },
      '/rules/0/conditions',
      'entities only',
    ],
    ['unknown action', { action: 'approve', subject: 'deal' }, '/rules/0/action', ''],
    [
      'workflow action on an entity',
      { action: ['read', 'deploy'], subject: 'deal' },
      '/rules/0/action/1',
      'deploy does not apply to deal',
    ],
    [
      'entity action on Workflow',
      { action: 'export', subject: ['Workflow'] },
      '/rules/0/action',
      'export does not apply to Workflow',
    ],
    [
      'processKey on a rule that is not only about start',
      { action: ['read', 'start'], subject: 'deal', conditions: { processKey: 'p' } },
      '/rules/0/conditions/processKey',
      'processKey narrows start only',
    ],
    [
      'processKey on a system subject',
      { action: 'start', subject: 'all', conditions: { processKey: 'p' } },
      '/rules/0/conditions/processKey',
      'not all',
    ],
    [
      'processKey list that is empty',
      { action: 'start', subject: 'Workflow', conditions: { processKey: { $in: [] } } },
      '/rules/0/conditions/processKey/$in',
      'non-empty list of process keys',
    ],
    [
      'processKey that is a number',
      { action: 'start', subject: 'deal', conditions: { processKey: 3 } },
      '/rules/0/conditions/processKey',
      'must be a process key',
    ],
    [
      'actionName on a rule that is not only about run',
      { action: ['read', 'run'], subject: 'deal', conditions: { actionName: 'a' } },
      '/rules/0/conditions/actionName',
      'actionName narrows run only',
    ],
    [
      'actionName on a system subject',
      { action: 'run', subject: 'all', conditions: { actionName: 'a' } },
      '/rules/0/conditions/actionName',
      'actionName applies to entities only',
    ],
    [
      'actionName list that is empty',
      { action: 'run', subject: 'deal', conditions: { actionName: { $nin: [] } } },
      '/rules/0/conditions/actionName/$nin',
      'non-empty list of action names',
    ],
    [
      'run on Workflow',
      { action: 'run', subject: 'Workflow' },
      '/rules/0/action',
      'run does not apply to Workflow',
    ],
    [
      '$sharedWithMe not true',
      { action: 'read', subject: 'deal', conditions: { $sharedWithMe: 1 } },
      '/rules/0/conditions/$sharedWithMe',
      'must be true',
    ],
  ])('refuses a rule with an %s, naming its pointer', (_name, rule, path, message) => {
    const errors = check([rule]);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path,
          document: 'role/r',
          file: 'roles/r.yaml',
          message: expect.stringContaining(message),
        }),
      ]),
    );
  });
});
