import type { EntityDocument } from '../types';
import { entityTables } from './entity-tables';

const label = { 'zh-CN': 'x', en: 'x' };
const entity = (indexes: EntityDocument['indexes']): EntityDocument => ({
  kind: 'entity',
  name: 'child',
  label,
  displayField: 'status',
  fields: {
    status: { type: 'text', label },
    parent: { type: 'relation', relation: 'manyToOne', target: 'child', label },
  },
  indexes,
});

describe('entityTables indexes', () => {
  it('indexes every manyToOne column and does not make a declared identical index twice', () => {
    const [t] = entityTables(entity([{ fields: ['parent'] }]));
    expect(t.indexes).toEqual([
      { name: 'ix_e_child_owner', columns: ['owner'], unique: false },
      { name: 'ix_e_child_parent', columns: ['parent'], unique: false },
    ]);
  });

  it('keeps a different declared index whose generated name clashes with the relation index', () => {
    const [t] = entityTables(entity([{ name: 'parent', fields: ['status', 'parent'] }]));
    expect(t.indexes).toEqual([
      { name: 'ix_e_child_owner', columns: ['owner'], unique: false },
      { name: 'ix_e_child_parent', columns: ['parent'], unique: false },
      { name: 'ix_e_child_parent_declared', columns: ['status', 'parent'], unique: false },
    ]);
  });

  it('indexes owner on every entity table: each "own records" role condition filters on it', () => {
    const [t] = entityTables(entity([]));
    expect(t.indexes).toContainEqual({
      name: 'ix_e_child_owner',
      columns: ['owner'],
      unique: false,
    });
  });
});
