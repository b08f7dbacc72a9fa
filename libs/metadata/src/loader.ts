import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import type { ErrorDetail } from '@crm/common';
import { LAYOUT_KINDS, applyEntityOverlay, applyLayoutOverlay } from './overlay';
import { type EntityDocument, type MetadataDocument, type SourcedDocument, docKey } from './types';

function yamlFiles(dir: string, skip?: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (full !== skip) out.push(...yamlFiles(full, skip));
    } else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out;
}

export interface ParsedFile {
  file: string;
  body: unknown;
}

/** Parses YAML text; syntax errors name the file, line and column. */
export function parseYamlFile(
  file: string,
  text: string,
): { parsed?: ParsedFile; errors: ErrorDetail[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      errors: doc.errors.map((e) => ({
        path: '',
        file,
        message: `YAML: ${e.message.split('\n')[0]}${e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : ''}`,
        reason: 'yaml',
      })),
    };
  }
  return { parsed: { file, body: doc.toJS() }, errors: [] };
}

export interface LoadResult {
  documents: SourcedDocument[];
  errors: ErrorDetail[];
  /** Content hash of every file read, so start-up knows whether the files changed. */
  files: Array<{ file: string; text: string }>;
}

/**
 * Reads metadata/ (every *.yaml outside clients/) and, when a client is selected, the overlay in
 * metadata/clients/<client>/: documents there with the name of a base document overlay it, others
 * are added.
 */
export function loadMetadataDir(dir: string, client: string | null): LoadResult {
  const errors: ErrorDetail[] = [];
  const files: LoadResult['files'] = [];
  const clientsDir = path.join(dir, 'clients');
  const rel = (f: string): string => path.relative(process.cwd(), f) || f;
  const read = (paths: string[]): ParsedFile[] =>
    paths.flatMap((f) => {
      const text = fs.readFileSync(f, 'utf8');
      files.push({ file: rel(f), text });
      const r = parseYamlFile(rel(f), text);
      errors.push(...r.errors);
      return r.parsed ? [r.parsed] : [];
    });
  const base = read(yamlFiles(dir, clientsDir));
  const byKey = new Map<string, SourcedDocument>();
  const documents: SourcedDocument[] = [];
  for (const p of base) {
    const s: SourcedDocument = { doc: p.body as MetadataDocument, files: [p.file] };
    documents.push(s);
    if (p.body && typeof p.body === 'object') byKey.set(docKey(s.doc), s);
  }
  if (client) {
    const overlayDir = path.join(clientsDir, client);
    if (!fs.existsSync(overlayDir)) {
      errors.push({
        path: '',
        file: rel(overlayDir),
        message: `client overlay "${client}" does not exist`,
      });
    }
    for (const p of read(yamlFiles(overlayDir))) {
      const body = p.body as Partial<EntityDocument>;
      const key = docKey({ kind: String(body?.kind), name: String(body?.name) });
      const target = byKey.get(key);
      if (!target) {
        documents.push({ doc: body as MetadataDocument, files: [p.file] });
        continue;
      }
      const { merged, errors: e } = LAYOUT_KINDS.includes(target.doc.kind)
        ? applyLayoutOverlay(target, body as Record<string, unknown>, p.file)
        : applyEntityOverlay(target, body, p.file);
      errors.push(...e);
      documents[documents.indexOf(target)] = merged;
      byKey.set(key, merged);
    }
  }
  return { documents, errors, files };
}
