import * as path from 'node:path';
// view filters are checked by the records layer's parser, as in the server and the CLI
import '../../../records/src/view-filter';
import { loadMetadataDir } from '../loader';
import type { EntityDocument } from '../types';
import { validateDocuments } from '../validate';
import { formDocuments, formSections } from './form.kind';
import { viewDocuments } from './view.kind';

const dir = path.join(__dirname, '../../../../metadata');

/**
 * The shipped CRM lays out every entity: a new entity without its form and view (or a field its
 * form forgets) fails here, so the one who adds it writes both (metadata/forms, metadata/views).
 */
describe('shipped forms and views', () => {
  const loaded = loadMetadataDir(dir, null);
  const docs = loaded.documents.map((d) => d.doc);
  const entities = docs.filter((d): d is EntityDocument => d.kind === 'entity');

  it('validate (unknown fields, bad widgets, kanban fields and filters included)', () => {
    expect(loaded.errors).toEqual([]);
    expect(validateDocuments(loaded.documents)).toEqual([]);
  });

  it('give every entity its form and its view', () => {
    const forms = new Set(formDocuments(docs).map((f) => f.name));
    const views = new Set(viewDocuments(docs).map((v) => v.name));
    const missing = entities.flatMap((e) => [
      ...(forms.has(e.name) ? [] : [`metadata/forms/${e.name}.yaml`]),
      ...(views.has(e.name) ? [] : [`metadata/views/${e.name}.yaml`]),
    ]);
    expect(missing).toEqual([]);
    expect(entities.length).toBeGreaterThan(20);
  });

  it('place every field of an entity in its form, or hide it on purpose', () => {
    const unplaced = formDocuments(docs).flatMap((f) => {
      const entity = entities.find((e) => e.name === (f.entity ?? f.name))!;
      const placed = new Set([
        ...formSections(f).flatMap((s) => s.section.fields),
        ...(f.hidden ?? []),
      ]);
      return Object.entries(entity.fields)
        .filter(([n, def]) => def.type !== 'json' && !placed.has(n))
        .map(([n]) => `${entity.name}.${n}`);
    });
    expect(unplaced).toEqual([]);
  });

  it("a client's overlay replaces the form's tabs and keeps the rest (acme)", () => {
    const acme = loadMetadataDir(dir, 'acme');
    expect(acme.errors).toEqual([]);
    expect(validateDocuments(acme.documents)).toEqual([]);
    const form = formDocuments(acme.documents.map((d) => d.doc)).find(
      (f) => f.name === 'customer',
    )!;
    const fields = formSections(form).flatMap((s) => s.section.fields);
    expect(fields).toEqual(expect.arrayContaining(['erpCode', 'territory', 'name']));
    expect(acme.documents.find((d) => d.doc === form)!.files).toEqual([
      expect.stringMatching(/metadata\/forms\/customer\.yaml$/),
      expect.stringMatching(/clients\/acme\/forms\/customer\.yaml$/),
    ]);
  });
});
