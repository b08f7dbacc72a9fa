import type { EntityDocument, MetadataDocument, SourcedDocument } from '../types';
import { validateDocuments } from '../validate';
import { recordActions } from './action.kind';

const l = (en: string) => ({ 'zh-CN': `${en}-zh`, en });
const rel = (target: string, inverse?: string) => ({
  type: 'relation' as const,
  relation: 'manyToOne' as const,
  target,
  label: l(target),
  ...(inverse && { inverse: { name: inverse, label: l(inverse) } }),
});
const entity = (name: string, fields: EntityDocument['fields']): EntityDocument => ({
  kind: 'entity',
  name,
  label: l(name),
  displayField: 'name',
  fields: { name: { type: 'text', label: l('Name') }, ...fields },
});

const ENTITIES = [
  entity('prospect', {
    company: { type: 'text', label: l('Company') },
    status: { type: 'text', label: l('Status') },
    firm: rel('firm'),
  }),
  entity('firm', { code: { type: 'autoNumber', label: l('Code'), codeRule: 'F-{seq:4}' } }),
  entity('person', { firm: rel('firm') }),
  entity('prospect_line', {
    prospect: rel('prospect', 'lines'),
    qty: { type: 'integer', label: l('Q') },
  }),
  entity('firm_line', {
    firm: rel('firm'),
    person: rel('person'),
    qty: { type: 'integer', label: l('Q') },
  }),
];

/** A valid action using every part; each bad case changes one thing. */
const convert = (): Record<string, unknown> => ({
  kind: 'action',
  name: 'convert',
  entity: 'prospect',
  label: l('Convert'),
  confirm: l('Sure?'),
  when: '=record.status = "qualified"',
  create: [
    { as: 'account', entity: 'firm', values: { name: 'record.company', owner: 'actor' } },
    {
      as: 'contact',
      entity: 'person',
      values: { name: 'record.name + " @ " + account.code', firm: 'account.id' },
    },
    {
      as: 'copy',
      entity: 'firm',
      values: { name: '"copy of " + account.name' },
      lines: {
        from: 'lines',
        entity: 'firm_line',
        link: 'firm',
        values: { qty: 'line.qty', name: 'copy.name + record.name', person: 'contact.id' },
      },
    },
  ],
  update: { status: '"converted"', firm: 'account.id' },
  process: { key: 'onboard.v2', on: 'account' },
  open: 'contact',
});

const check = (...actions: Array<Record<string, unknown>>) =>
  validateDocuments(
    [...ENTITIES, ...(actions as unknown as MetadataDocument[])].map((doc): SourcedDocument => ({
      doc,
      files: [`${doc.kind}/${doc.name}.yaml`],
    })),
  );

/** Changes one value at a JSON pointer of a fresh valid action (undefined deletes it). */
function changed(pointer: string, value: unknown): Record<string, unknown> {
  const doc = JSON.parse(JSON.stringify(convert())) as Record<string, unknown>;
  const parts = pointer.split('/').slice(1);
  const last = parts.pop()!;
  let node = doc as Record<string, unknown>;
  for (const p of parts) node = node[p] as Record<string, unknown>;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return doc;
}

describe('action documents', () => {
  it('accepts steps, lines, a write-back, a process and open', () => {
    expect(check(convert())).toEqual([]);
  });

  it.each([
    {
      title: 'an unknown source entity',
      at: '/entity',
      value: 'lead',
      path: '/entity',
      message: 'unknown entity "lead"',
    },
    {
      title: 'an unknown target entity',
      at: '/create/0/entity',
      value: 'company',
      path: '/create/0/entity',
      message: 'unknown entity "company"',
    },
    {
      title: 'a target field the entity lacks',
      at: '/create/0/values',
      value: { title: 'record.name' },
      path: '/create/0/values/title',
      message: 'firm has no field "title"',
    },
    {
      title: 'writing an auto-number',
      at: '/create/0/values',
      value: { code: '"X"' },
      path: '/create/0/values/code',
      message: 'numbered by its code rule',
    },
    {
      title: 'a source field the entity lacks',
      at: '/create/0/values',
      value: { name: 'record.title' },
      path: '/create/0/values/name',
      message: 'record.title: prospect has no field "title"',
    },
    {
      title: 'a field of an earlier step its entity lacks',
      at: '/create/1/values',
      value: { name: 'account.company' },
      path: '/create/1/values/name',
      message: 'account.company: firm has no field "company"',
    },
    {
      title: 'a step read before it is created',
      at: '/create/0/values',
      value: { name: 'contact.name' },
      path: '/create/0/values/name',
      message: 'reads "contact" before the step that creates it',
    },
    {
      title: 'an unknown name',
      at: '/when',
      value: 'status = "qualified"',
      path: '/when',
      message: 'reads "status"; here an action offers record, actor',
    },
    {
      title: 'FEEL that does not parse',
      at: '/when',
      value: 'record.status = ("x"',
      path: '/when',
      message: 'invalid FEEL',
    },
    {
      title: 'a function FEEL does not have',
      at: '/update/status',
      value: 'shout(record.status)',
      path: '/update/status',
      message: 'unknown FEEL function shout',
    },
    {
      title: 'lines from something not an inverse of the source',
      at: '/create/2/lines/from',
      value: 'items',
      path: '/create/2/lines/from',
      message: 'prospect has no inverse relation "items"',
    },
    {
      title: 'a link that is no manyToOne to the step entity',
      at: '/create/2/lines/link',
      value: 'person',
      path: '/create/2/lines/link',
      message: 'firm_line.person is not a manyToOne relation to firm',
    },
    {
      title: 'a line field the line entity lacks',
      at: '/create/2/lines/values',
      value: { qty: 'line.amount' },
      path: '/create/2/lines/values/qty',
      message: 'line.amount: prospect_line has no field "amount"',
    },
    {
      title: 'a line value that sets the link',
      at: '/create/2/lines/values',
      value: { firm: 'account.id' },
      path: '/create/2/lines/values/firm',
      message: 'is set by link',
    },
    {
      title: 'an unknown write-back field',
      at: '/update',
      value: { stage: '"x"' },
      path: '/update/stage',
      message: 'prospect has no field "stage"',
    },
    {
      title: 'a process about an unknown step',
      at: '/process/on',
      value: 'deal',
      path: '/process/on',
      message: '"deal" is neither record nor a step',
    },
    {
      title: 'a bad process key',
      at: '/process/key',
      value: '1 bad',
      path: '/process/key',
      message: 'must match pattern',
    },
    {
      title: 'opening an unknown step',
      at: '/open',
      value: 'deal',
      path: '/open',
      message: '"deal" is neither record nor a step',
    },
    {
      title: 'an empty values map',
      at: '/create/0/values',
      value: {},
      path: '/create/0/values',
      message: 'must NOT have fewer than 1 properties',
    },
  ])('refuses $title with a pointer', ({ at, value, path, message }) => {
    expect(check(changed(at, value))).toEqual([
      expect.objectContaining({
        path,
        message: expect.stringContaining(message),
        document: 'action/convert',
        file: 'action/convert.yaml',
      }),
    ]);
  });

  // a step with a bad name also leaves its readers unresolved: the first error is the name's
  it.each([
    {
      title: 'a duplicate as',
      at: '/create/1/as',
      value: 'account',
      path: '/create/1/as',
      message: 'another step is already called "account"',
    },
    {
      title: 'a reserved as',
      at: '/create/0/as',
      value: 'record',
      path: '/create/0/as',
      message: '"record" is a name every action expression has',
    },
  ])('refuses $title among the errors it causes', ({ at, value, path, message }) => {
    expect(check(changed(at, value))).toContainEqual(
      expect.objectContaining({ path, message: expect.stringContaining(message) }),
    );
  });

  it('refuses an action that does nothing', () => {
    const doc = convert();
    delete doc.create;
    delete doc.update;
    delete doc.process;
    delete doc.open;
    expect(check(doc)).not.toEqual([]);
  });

  it('skips string literals when it checks field names', () => {
    expect(check(changed('/update/status', '"record.nothing"'))).toEqual([]);
  });

  it('lists the actions of an entity by name', () => {
    const other = { ...convert(), name: 'archive' };
    const docs = [...ENTITIES, convert(), other] as MetadataDocument[];
    expect(recordActions(docs, 'prospect').map((a) => a.name)).toEqual(['archive', 'convert']);
    expect(recordActions(docs, 'firm')).toEqual([]);
  });
});
