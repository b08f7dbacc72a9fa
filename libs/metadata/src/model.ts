import { type JsonSchema, compileEntitySchema, tableName } from './compile-schema';
import type { EntityDocument, FieldDef, MetadataDocument, RoleDocument } from './types';

export interface InverseRelation {
  /** Name of the one-to-many on the target entity. */
  name: string;
  /** The entity and manyToOne field that point at the target. */
  sourceEntity: string;
  sourceField: string;
}

export interface CompiledEntity {
  name: string;
  doc: EntityDocument;
  schema: JsonSchema;
  table: string;
  fields: Record<string, FieldDef>;
  inverses: InverseRelation[];
}

/** The live, compiled model the records API serves: one entry per entity of the applied revision. */
export interface MetadataModel {
  revision: number;
  documents: MetadataDocument[];
  entities: Map<string, CompiledEntity>;
  /** Role documents by name (the access layer turns them into CASL rules). */
  roles: Map<string, RoleDocument>;
}

export function buildModel(documents: MetadataDocument[], revision: number): MetadataModel {
  const entities = new Map<string, CompiledEntity>();
  const docs = documents.filter((d): d is EntityDocument => d.kind === 'entity');
  for (const doc of docs) {
    entities.set(doc.name, {
      name: doc.name,
      doc,
      schema: compileEntitySchema(doc),
      table: tableName(doc.name),
      // null prototype: a field lookup by user input ("constructor", "__proto__") finds nothing
      fields: Object.assign(Object.create(null) as Record<string, FieldDef>, doc.fields),
      inverses: [],
    });
  }
  for (const doc of docs) {
    for (const [field, f] of Object.entries(doc.fields)) {
      if (f.type === 'relation' && f.relation === 'manyToOne' && f.inverse && f.target) {
        entities
          .get(f.target)
          ?.inverses.push({ name: f.inverse.name, sourceEntity: doc.name, sourceField: field });
      }
    }
  }
  const roles = new Map(
    documents.filter((d): d is RoleDocument => d.kind === 'role').map((r) => [r.name, r]),
  );
  return { revision, documents, entities, roles };
}
