import { stableJson } from './document-changes';
import { type MetadataDocument, docKey } from './types';

export interface FilesMerge {
  /** The documents to make live. */
  documents: MetadataDocument[];
  /**
   * Documents edited outside the files (API, designer) since the files were last applied, that
   * the files would now change too: the edit is kept, and the caller says so.
   */
  conflicts: string[];
  /** Documents edited outside the files that the files leave as they were: kept, silently right. */
  keptEdits: string[];
}

const same = (a: MetadataDocument | undefined, b: MetadataDocument | undefined): boolean =>
  (a === undefined) === (b === undefined) && (a === undefined || stableJson(a) === stableJson(b));

/**
 * A three-way merge of metadata/ files into the live documents at start-up. `base` is what the
 * files said when they were last applied, `live` what is live now (files + edits made through the
 * API since), `files` what they say now. A document the files did not change keeps its live
 * version, so switching CRM_CLIENT or editing another file never reverts an admin's role edit;
 * one only the files changed takes the files' version; one both changed keeps the live edit and is
 * reported (`crm apply` applies the files as they are, on purpose).
 */
export function mergeFiles(
  base: MetadataDocument[],
  live: MetadataDocument[],
  files: MetadataDocument[],
): FilesMerge {
  const index = (docs: MetadataDocument[]) => new Map(docs.map((d) => [docKey(d), d]));
  const b = index(base);
  const l = index(live);
  const f = index(files);
  const out: MetadataDocument[] = [];
  const conflicts: string[] = [];
  const keptEdits: string[] = [];
  for (const key of [...new Set([...l.keys(), ...f.keys(), ...b.keys()])].sort()) {
    const was = b.get(key);
    const now = l.get(key);
    const want = f.get(key);
    let pick: MetadataDocument | undefined;
    if (same(want, was)) {
      pick = now; // the files did not change it: what is live stays, edits included
      if (!same(now, was)) keptEdits.push(key);
    } else if (same(now, was) || same(now, want)) {
      pick = want; // only the files changed it (or both the same way)
    } else {
      pick = now;
      conflicts.push(key);
    }
    if (pick) out.push(pick);
  }
  return { documents: out, conflicts, keptEdits };
}
