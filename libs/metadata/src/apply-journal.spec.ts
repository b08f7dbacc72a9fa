import { type UnfinishedApply, unavailableEntities } from './apply-journal';
import { entityTables } from './storage/entity-tables';
import type { LiveTable } from './storage/planner';
import type { EntityDocument } from './types';

const l = { 'zh-CN': 'x', en: 'x' };
const lead: EntityDocument = {
  kind: 'entity',
  name: 'lead',
  label: l,
  displayField: 'name',
  fields: { name: { type: 'text', label: l }, city: { type: 'text', label: l } },
};
const stopped: UnfinishedApply = {
  id: 7,
  actor: 'alice',
  startedAt: null,
  state: 'running',
  entities: ['lead'],
  done: 1,
  total: 3,
  next: null,
  error: null,
};
const liveWith = (columns: string[]): LiveTable[] => {
  const [t] = entityTables(lead);
  const extra = columns.filter((c) => !t.columns.some((x) => x.name === c));
  return [
    {
      ...t,
      columns: [
        ...t.columns.filter((c) => c.field === undefined || columns.includes(c.name)),
        ...extra.map((name) => ({
          name,
          type: { base: 'varchar' as const, length: 255 },
          nullable: true,
        })),
      ],
      rowCount: 50_000,
    },
  ];
};

describe('entities a half-done apply leaves', () => {
  it('serves an entity whose table still has every column its model reads (a column was added)', () => {
    expect(unavailableEntities([stopped], [lead], liveWith(['name', 'city', 'score']))).toEqual(
      new Map(),
    );
  });

  it('refuses one whose table lost a column its model reads (a rename ran), naming the apply', () => {
    const out = unavailableEntities([stopped], [lead], liveWith(['name', 'town']));
    expect(out.get('lead')).toContain('metadata apply #7 by alice stopped after 1 of 3');
    expect(out.get('lead')).toContain('e_lead.city');
  });
});
