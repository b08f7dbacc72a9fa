import { createHash } from 'node:crypto';
import { type MetadataDocument, docKey } from './types';

/** JSON with object keys sorted: the same document always gives the same text (and hash). */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha = (text: string, length = 16): string =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

/**
 * The version of a draft document is a hash of its content (an HTTP entity tag). Content, not a
 * counter, because the draft is the live documents with edits laid over them: after an apply
 * removes an edit from the draft, the document still has the version its editor last saw, and a
 * colleague's applied change gives it a new one — so a stale editor can never overwrite it.
 * `null` (the document does not exist, or the draft deletes it) has a version too.
 */
export function documentVersion(doc: MetadataDocument | null): string {
  return sha(doc === null ? 'absent' : stableJson(doc));
}

export type DocumentChangeKind = 'addDocument' | 'changeDocument' | 'removeDocument';

/**
 * A change to a metadata document that the apply will make live, DDL or not: a role's rules, an
 * entity's labels. Shown in the plan and covered by its hash, so nothing goes live unreviewed.
 */
export interface DocumentChange {
  /** e.g. `changeDocument:role/rep` */
  id: string;
  kind: DocumentChangeKind;
  document: string;
  /** Top-level properties that differ (`rules`, `fields`, `label`...), for a changed document. */
  properties: string[];
  effect: string;
  /** Version of the document this plan applies (null when removed). */
  version: string | null;
}

/** Every document that differs between the live model and the draft, in a stable order. */
export function diffDocuments(
  live: MetadataDocument[],
  draft: MetadataDocument[],
): DocumentChange[] {
  const before = new Map(live.map((d) => [docKey(d), d]));
  const after = new Map(draft.map((d) => [docKey(d), d]));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const out: DocumentChange[] = [];
  for (const key of keys) {
    const was = before.get(key);
    const now = after.get(key);
    const [kind, name] = key.split('/');
    if (!was && now) {
      out.push({
        id: `addDocument:${key}`,
        kind: 'addDocument',
        document: key,
        properties: [],
        effect: `adds ${kind} ${name}`,
        version: documentVersion(now),
      });
    } else if (was && !now) {
      out.push({
        id: `removeDocument:${key}`,
        kind: 'removeDocument',
        document: key,
        properties: [],
        effect: `removes ${kind} ${name}`,
        version: null,
      });
    } else if (was && now && stableJson(was) !== stableJson(now)) {
      const a = was as unknown as Record<string, unknown>;
      const b = now as unknown as Record<string, unknown>;
      const properties = [...new Set([...Object.keys(a), ...Object.keys(b)])]
        .filter((p) => stableJson(a[p]) !== stableJson(b[p]))
        .sort();
      out.push({
        id: `changeDocument:${key}`,
        kind: 'changeDocument',
        document: key,
        properties,
        effect: `changes ${kind} ${name}: ${properties.join(', ')}`,
        version: documentVersion(now),
      });
    }
  }
  return out;
}

/**
 * The plan hash covers the DDL and every document the apply will make live: a role edit, which
 * produces no DDL, changes the hash as surely as a new column does.
 */
export function planHash(
  ddl: Array<{ id: string; ddl: string[] }>,
  documents: MetadataDocument[],
): string {
  const docs = [...documents]
    .sort((a, b) => docKey(a).localeCompare(docKey(b)))
    .map((d) => stableJson(d));
  return sha(stableJson({ ddl: ddl.map((c) => [c.id, c.ddl]), documents: docs }));
}
