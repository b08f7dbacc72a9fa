import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

/** One chunk of Vite's build manifest (designer/dist/.vite/manifest.json). */
interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

export interface RouteSize {
  route: string;
  /** files the route loads beyond what is already loaded (the first load for every route but it) */
  files: string[];
  jsGzip: number;
  cssGzip: number;
}

const ROUTES: Array<[string, string]> = [
  ['first load (sign-in, shell)', 'index.html'],
  ['list /records/:entity', 'src/record-list/ListPage.tsx'],
  // the list's parts that load on their own (each beyond the first load, as every route here)
  ['list: kanban board (on use)', 'src/record-list/KanbanBoard.tsx'],
  ['list: filter builder (on use)', 'src/record-list/FilterBuilder.tsx'],
  ['list: import / export menu (after the rows)', 'src/record-list/TransferMenu.tsx'],
  ['record page (forms)', 'src/record-show/RecordPage.tsx'],
  ['task inbox /inbox', 'src/inbox/InboxPage.tsx'],
  ['task panel /inbox/:id', 'src/inbox/TaskPage.tsx'],
  ['approval page /approvals/:id', 'src/approvals/InstancePage.tsx'],
  [
    'task variables form (rjsf, only for nodes that declare variables)',
    'src/approvals/TaskVariablesForm.tsx',
  ],
  ['process diagram (bpmn-js)', 'src/inbox/ProcessDiagram.tsx'],
];

/** The files a manifest entry loads: itself, its static imports (transitively) and their CSS. */
function closure(m: Manifest, key: string, into = new Set<string>()): Set<string> {
  const c = m[key];
  if (!c || into.has(c.file)) return into;
  into.add(c.file);
  for (const css of c.css ?? []) into.add(css);
  for (const i of c.imports ?? []) closure(m, i, into);
  return into;
}

const gz = (dist: string, f: string) =>
  gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;

/** Gzip size of what each route loads, from the production build in `dist`. */
export function routeSizes(dist: string): { routes: RouteSize[]; bpmnChunks: string[] } {
  const m = JSON.parse(fs.readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8')) as Manifest;
  const first = closure(m, 'index.html');
  const routes = ROUTES.map(([route, key]) => {
    const all = closure(m, key);
    const files = [...all].filter((f) => key === 'index.html' || !first.has(f));
    const sum = (ext: string) =>
      files.filter((f) => f.endsWith(ext)).reduce((n, f) => n + gz(dist, f), 0);
    return { route, files, jsGzip: sum('.js'), cssGzip: sum('.css') };
  });
  // where bpmn-js (diagram-js) ended up: it must be the diagram chunk alone
  const bpmnChunks = fs
    .readdirSync(path.join(dist, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .filter((f) => fs.readFileSync(path.join(dist, 'assets', f), 'utf8').includes('djs-container'))
    .map((f) => `assets/${f}`);
  return { routes, bpmnChunks };
}
