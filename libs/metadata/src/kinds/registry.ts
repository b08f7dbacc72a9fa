import type { ErrorDetail } from '@crm/common';
import type { EntityDocument, MetadataDocument } from '../types';

/** What the semantic check of a document sees of the rest of the document set. */
export interface KindCheckContext {
  /** Entity documents that passed their meta-schema, by name. */
  entities: Map<string, EntityDocument>;
  /** Every document of the set (any kind, as authored). */
  documents: MetadataDocument[];
}

/**
 * A document kind beyond `entity` and `role` (which keep their own, older paths): its meta-schema
 * (ajv, pointers in errors) and the checks that look across the document set. Kinds are data for
 * the engine: they create no tables; the draft → plan → apply cycle stores and versions them like
 * every document, and the areas that use them read `model.documents`.
 */
export interface DocumentKindSpec {
  kind: string;
  /** JSON Schema of the document (draft 7, as ajv reads it). */
  schema: object;
  /** Errors with JSON pointers into the document; runs only on documents that passed `schema`. */
  check?(doc: Record<string, unknown>, ctx: KindCheckContext): ErrorDetail[];
}

export const i18nSchema = {
  type: 'object',
  required: ['zh-CN', 'en'],
  properties: {
    'zh-CN': { type: 'string', minLength: 1 },
    en: { type: 'string', minLength: 1 },
  },
  additionalProperties: false,
};

export const docNameSchema = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,47}$' };
