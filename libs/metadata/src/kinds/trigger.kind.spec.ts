import type { EntityDocument, MetadataDocument, SourcedDocument } from '../types';
import { validateDocuments } from '../validate';
import { buttonTriggers } from './trigger.kind';

const l = (en: string) => ({ 'zh-CN': `${en}-zh`, en });

const quote: EntityDocument = {
  kind: 'entity',
  name: 'quote',
  label: l('Quote'),
  displayField: 'name',
  fields: {
    name: { type: 'text', label: l('Name') },
    status: {
      type: 'select',
      label: l('Status'),
      options: [
        { value: 'draft', label: l('Draft') },
        { value: 'sent', label: l('Sent') },
      ],
    },
    discount: { type: 'percent', label: l('Discount') },
  },
};

const role = { kind: 'role', name: 'sales_rep', label: l('Rep'), rules: [] } as MetadataDocument;

/** A valid updated trigger; each bad case changes one thing. */
const updated = (): Record<string, unknown> => ({
  kind: 'trigger',
  name: 'on_sent',
  label: l('On sent'),
  entity: 'quote',
  on: 'updated',
  condition: 'old.status != new.status and new.status = "sent"',
  process: 'quote_sent',
  variables: { discount: 'new.discount', by: 'actor' },
});

const button = (): Record<string, unknown> => ({
  kind: 'trigger',
  name: 'submit',
  entity: 'quote',
  on: 'button',
  button: { label: l('Submit for approval') },
  process: 'quote_approval',
  condition: '=record.status = "draft"',
  roles: ['sales_rep'],
});

const check = (...triggers: Array<Record<string, unknown>>) =>
  validateDocuments(
    [quote, role, ...(triggers as unknown as MetadataDocument[])].map((doc): SourcedDocument => ({
      doc,
      files: [`${doc.kind}/${doc.name}.yaml`],
    })),
  );

describe('trigger documents', () => {
  it('accepts record events and buttons', () => {
    const created = { ...updated(), name: 'on_new', on: 'created', condition: 'new.discount > 10' };
    delete (created as { variables?: unknown }).variables;
    const deleted: Record<string, unknown> = {
      ...updated(),
      name: 'on_gone',
      on: 'deleted',
      variables: { name: 'old.name' },
    };
    delete deleted.condition;
    expect(check(updated(), button(), created, deleted)).toEqual([]);
  });

  it.each([
    {
      title: 'an unknown entity',
      change: { entity: 'invoice' },
      path: '/entity',
      message: 'unknown entity "invoice"',
    },
    {
      title: 'an event that does not exist',
      change: { on: 'saved' },
      path: '/on',
      message: 'must be one of: created, updated, deleted, button',
    },
    {
      title: 'no process',
      change: { process: undefined },
      path: '/process',
      message: 'is required',
    },
    {
      title: 'FEEL that does not parse',
      change: { condition: 'new.status = ("sent"' },
      path: '/condition',
      message: 'invalid FEEL',
    },
    {
      title: 'a function FEEL does not have',
      change: { condition: 'roleMembers("x") = []' },
      path: '/condition',
      message: 'unknown FEEL function roleMembers',
    },
    {
      title: 'a field the entity does not have',
      change: { condition: 'new.state = "sent"' },
      path: '/condition',
      message: 'new.state: quote has no field "state"',
    },
    {
      title: 'a variable name FEEL cannot read',
      change: { variables: { 'two words': 'new.name' } },
      path: '/variables/two words',
      message: 'must match pattern',
    },
    {
      title: 'a variable the engine sets',
      change: { variables: { initiator: 'actor' } },
      path: '/variables/initiator',
      message: 'is set by the workflow engine',
    },
    {
      title: 'a name the event does not offer',
      change: { on: 'created', condition: 'old.status = "draft"' },
      path: '/condition',
      message: 'reads "old"; a created trigger offers new, record, actor',
    },
    {
      title: 'a button label on a record event',
      change: { button: { label: l('Press') } },
      path: '/button',
      message: 'a updated trigger has no button',
    },
    {
      title: 'roles on a record event',
      change: { roles: ['sales_rep'] },
      path: '/roles',
      message: 'only a button trigger has roles',
    },
  ])('refuses $title with a pointer', ({ change, path, message }) => {
    const errors = check({ ...updated(), ...change });
    expect(errors).toEqual([
      expect.objectContaining({
        path,
        message: expect.stringContaining(message),
        document: 'trigger/on_sent',
        file: 'trigger/on_sent.yaml',
      }),
    ]);
  });

  it.each([
    { title: 'no label', change: { button: undefined }, path: '/button', message: 'is required' },
    {
      title: 'an unknown role',
      change: { roles: ['boss'] },
      path: '/roles/0',
      message: 'unknown role "boss"',
    },
    {
      title: 'old values (a button has the record as it is)',
      change: { condition: 'old.status = "draft"' },
      path: '/condition',
      message: 'reads "old"',
    },
  ])('refuses a button with $title', ({ change, path, message }) => {
    expect(check({ ...button(), ...change })).toEqual([
      expect.objectContaining({ path, message: expect.stringContaining(message) }),
    ]);
  });

  it('skips string literals when it checks field names', () => {
    expect(check({ ...updated(), condition: 'new.name = "new.nothing"' })).toEqual([]);
  });

  it('lists the buttons of an entity by name', () => {
    const other = { ...button(), name: 'archive' };
    expect(
      buttonTriggers([quote, button(), other, updated()] as MetadataDocument[], 'quote').map(
        (t) => t.name,
      ),
    ).toEqual(['archive', 'submit']);
  });
});
