import {
  type Clock,
  CrmError,
  type Db,
  ErrorCode,
  isUniqueViolation,
  toDbTimestamp,
} from '@crm/common';
import { documentVersion } from './document-changes';
import { type MetadataDocument, docKey } from './types';

/** One pending edit: a document's new body, or null when the draft deletes it. */
export interface DraftRow {
  kind: string;
  name: string;
  body: string | null;
  version: string;
}

/** The draft: live documents with the pending edits laid over them. */
export function overlayDraft(live: MetadataDocument[], rows: DraftRow[]): MetadataDocument[] {
  const byKey = new Map(live.map((d) => [docKey(d), d]));
  for (const r of rows) {
    const key = `${r.kind}/${r.name}`;
    if (r.body === null) byKey.delete(key);
    else byKey.set(key, JSON.parse(r.body) as MetadataDocument);
  }
  return [...byKey.values()];
}

function conflict(
  key: string,
  expected: string | null,
  current: MetadataDocument | null,
  editor?: string | null,
): CrmError {
  const version = documentVersion(current);
  return new CrmError(
    ErrorCode.DraftConflict,
    expected === null
      ? `${key} has a pending edit by ${editor ?? 'someone else'}; read it, merge your edit into version ${version} and save it with If-Match: "${version}"`
      : `${key} was changed by someone else since you read version ${expected}; merge your edit into the current version ${version} and save again`,
    [{ path: 'If-Match', message: `the current version is ${version}`, document: key }],
    { current: { version, document: current } },
  );
}

/**
 * The shared draft every admin edits (crm_meta_draft). Writes are conditional on the version the
 * editor read, so two admins never overwrite each other unknowingly; an apply removes only the
 * edits it applied, so an edit saved while it ran stays in the draft.
 */
export class DraftStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async rows(): Promise<DraftRow[]> {
    const rows = await this.db.query<DraftRow & { version: string | null }>(
      'SELECT kind, name, body, version FROM crm_meta_draft ORDER BY id',
    );
    // rows written before versions existed get theirs from their content
    return rows.map((r) => ({
      ...r,
      version: r.version ?? documentVersion(r.body === null ? null : (JSON.parse(r.body) as never)),
    }));
  }

  /**
   * Saves `doc` (null deletes) if the document is still at `expected` (when given). `live` is the
   * document as the latest revision has it, which is what the draft shows without an edit.
   * Returns the new version.
   */
  async write(
    key: { kind: string; name: string },
    doc: MetadataDocument | null,
    actor: string,
    expected: string | undefined,
    live: MetadataDocument | null,
  ): Promise<string> {
    const version = documentVersion(doc);
    const body = doc === null ? null : JSON.stringify(doc);
    const now = toDbTimestamp(this.clock.now());
    const lock = this.db.dialect === 'mysql' ? ' FOR UPDATE' : '';
    try {
      await this.db.transaction(async (tx) => {
        const [row] = await tx.query<{ body: string | null; updated_by: string | null }>(
          `SELECT body, updated_by FROM crm_meta_draft WHERE kind = ? AND name = ?${lock}`,
          [key.kind, key.name],
        );
        const current = row
          ? row.body === null
            ? null
            : (JSON.parse(row.body) as MetadataDocument)
          : live;
        if (expected !== undefined && documentVersion(current) !== expected)
          throw conflict(docKey(key), expected, current);
        // Without If-Match a save may replace the live version or one's own pending edit, never
        // a colleague's: that needs the version, i.e. having read it.
        const colleague = row?.updated_by ?? null;
        if (
          expected === undefined &&
          row &&
          colleague !== actor &&
          documentVersion(current) !== documentVersion(live)
        )
          throw conflict(docKey(key), null, current, colleague);
        if (row) {
          await tx.execute(
            'UPDATE crm_meta_draft SET body = ?, version = ?, updated_by = ?, updated_at = ? WHERE kind = ? AND name = ?',
            [body, version, actor, now, key.kind, key.name],
          );
        } else {
          await tx.execute(
            'INSERT INTO crm_meta_draft (kind, name, body, version, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
            [key.kind, key.name, body, version, actor, now],
          );
        }
      });
    } catch (e) {
      // two first edits of one document at once: the second insert loses, as a stale write would
      if (!isUniqueViolation(e)) throw e;
      if (expected === undefined) return this.write(key, doc, actor, expected, live);
      {
        const [row] = await this.db.query<{ body: string | null }>(
          'SELECT body FROM crm_meta_draft WHERE kind = ? AND name = ?',
          [key.kind, key.name],
        );
        throw conflict(
          docKey(key),
          expected,
          row?.body ? (JSON.parse(row.body) as MetadataDocument) : null,
        );
      }
    }
    return version;
  }

  /** Removes the edits an apply made live — only while they are still what it applied. */
  async clearApplied(applied: DraftRow[]): Promise<void> {
    for (const r of applied) {
      await this.db.execute(
        'DELETE FROM crm_meta_draft WHERE kind = ? AND name = ? AND (version = ? OR version IS NULL)',
        [r.kind, r.name, r.version],
      );
    }
  }

  async discard(): Promise<void> {
    await this.db.execute('DELETE FROM crm_meta_draft');
  }
}
