import type { ErrorDetail } from '@crm/common';
import type { EntityDocument, FieldDef, SelectOption, SourcedDocument } from './types';

/** What a client overlay may change on a field the base already defines. */
const OVERRIDABLE_FIELD_KEYS = new Set(['label', 'description', 'options', 'default']);
const OVERRIDABLE_ENTITY_KEYS = new Set(['label', 'description', 'displayField']);

function mergeOptions(base: SelectOption[] = [], over: SelectOption[] = []): SelectOption[] {
  const out = base.map((o) => ({ ...o }));
  for (const o of over) {
    const i = out.findIndex((b) => b.value === o.value);
    if (i >= 0) out[i] = { ...out[i], ...o };
    else out.push({ ...o });
  }
  return out;
}

/**
 * Applies a client overlay to a base entity: new fields, indexes and rules are added; labels,
 * options and defaults of existing fields are overridden; anything else that differs from the
 * base (a field's type, a relation's target...) contradicts it and is an error.
 */
export function applyEntityOverlay(
  base: SourcedDocument,
  overlay: Partial<EntityDocument>,
  overlayFile: string,
): { merged: SourcedDocument<EntityDocument>; errors: ErrorDetail[] } {
  const errors: ErrorDetail[] = [];
  const doc = structuredClone(base.doc) as EntityDocument;
  const fieldFiles: Record<string, string> = { ...(base.fieldFiles ?? {}) };
  const document = `entity/${doc.name}`;
  const err = (path: string, message: string): void => {
    errors.push({ path, message, document, file: overlayFile });
  };
  for (const [key, value] of Object.entries(overlay)) {
    if (key === 'kind' || key === 'name' || key === 'fields') continue;
    if (key === 'indexes')
      doc.indexes = [...(doc.indexes ?? []), ...(value as EntityDocument['indexes'])!];
    else if (key === 'rules')
      doc.rules = [...(doc.rules ?? []), ...(value as EntityDocument['rules'])!];
    else if (OVERRIDABLE_ENTITY_KEYS.has(key))
      (doc as unknown as Record<string, unknown>)[key] = value;
    else err(`/${key}`, `an overlay cannot change "${key}" of the base entity`);
  }
  for (const [name, over] of Object.entries(overlay.fields ?? {})) {
    const existing = doc.fields[name];
    if (!existing) {
      doc.fields[name] = over as unknown as FieldDef;
      fieldFiles[name] = overlayFile;
      continue;
    }
    const merged: FieldDef = { ...existing };
    for (const [key, value] of Object.entries(over as unknown as Record<string, unknown>)) {
      const baseValue = (existing as unknown as Record<string, unknown>)[key];
      if (key === 'options')
        merged.options = mergeOptions(existing.options, value as SelectOption[]);
      else if (OVERRIDABLE_FIELD_KEYS.has(key))
        (merged as unknown as Record<string, unknown>)[key] = value;
      else if (JSON.stringify(baseValue) !== JSON.stringify(value)) {
        err(
          `/fields/${name}/${key}`,
          key === 'type'
            ? `an overlay cannot change the type of ${doc.name}.${name} (base: ${existing.type}, overlay: ${String(value)})`
            : `an overlay cannot change "${key}" of ${doc.name}.${name}`,
        );
      }
    }
    doc.fields[name] = merged;
  }
  return {
    merged: { doc, files: [...base.files, overlayFile], fieldFiles },
    errors,
  };
}

/**
 * Applies a client overlay to a base form or view: each top-level key the overlay gives replaces
 * the base's (a client re-lays out a form by giving `sections`, keeps the rest). A form's
 * `sections` and `tabs` replace each other: an overlay giving tabs drops the base's sections.
 */
export function applyLayoutOverlay(
  base: SourcedDocument,
  overlay: Record<string, unknown>,
  overlayFile: string,
): { merged: SourcedDocument; errors: ErrorDetail[] } {
  const doc = { ...(base.doc as unknown as Record<string, unknown>) };
  if ('sections' in overlay) delete doc.tabs;
  if ('tabs' in overlay) delete doc.sections;
  Object.assign(doc, overlay);
  return {
    merged: { doc: doc as unknown as SourcedDocument['doc'], files: [...base.files, overlayFile] },
    errors: [],
  };
}

/** Kinds a client overlay replaces key by key (see applyLayoutOverlay). */
export const LAYOUT_KINDS: readonly string[] = ['form', 'view'];
