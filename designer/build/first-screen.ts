import * as path from 'node:path';
import { build } from 'esbuild';
import type { Plugin } from 'vite';
import { CHUNKS } from '../src/boot/pages';

type Bundle = Record<string, { type: string; fileName: string; imports?: string[] }>;
interface Chunk {
  type: 'chunk';
  fileName: string;
  imports: string[];
  isEntry: boolean;
  isDynamicEntry: boolean;
  facadeModuleId: string | null;
}
const isChunk = (c: Bundle[string]): c is Chunk & Bundle[string] => c.type === 'chunk';

/** A chunk's file and the files it imports statically, transitively. */
function closure(bundle: Bundle, file: string, into = new Set<string>()): Set<string> {
  const c = bundle[file];
  if (!c || !isChunk(c) || into.has(file)) return into;
  into.add(file);
  for (const i of c.imports) closure(bundle, i, into);
  return into;
}

/**
 * Each lazy chunk's JS files beyond the entry's: what the early script preloads for the page the
 * address opens (and for the language). A module of boot/pages.ts that is no lazy chunk fails the
 * build (its preload would silently be lost).
 */
export function pageChunks(bundle: Bundle, root: string, base: string): Record<string, string[]> {
  const chunks = Object.values(bundle).filter(isChunk);
  const entry = chunks.find((c) => c.isEntry);
  const loaded = entry ? closure(bundle, entry.fileName) : new Set<string>();
  const out: Record<string, string[]> = {};
  for (const [page, module] of Object.entries(CHUNKS)) {
    const id = path.resolve(root, module);
    const chunk = chunks.find((c) => c.isDynamicEntry && c.facadeModuleId === id);
    if (!chunk) throw new Error(`first-screen: ${module} (${page}) is not a lazy chunk`);
    out[page] = [...closure(bundle, chunk.fileName)]
      .filter((f) => !loaded.has(f))
      .map((f) => base + f);
  }
  return out;
}

/** boot/early.ts as one small classic script (it must run before any module loads). */
async function earlyScript(root: string, minify: boolean): Promise<string> {
  const out = await build({
    entryPoints: [path.join(root, 'src/boot/early.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify,
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0].text.trim();
}

/**
 * Writes the early script (src/boot/early.ts) into index.html's <head>, first of all, with the
 * map of each page's chunk files: the first screen's data and code are asked for at once, not
 * one after another as the app discovers it needs them.
 */
export function firstScreen(): Plugin {
  let root = '';
  let base = '/';
  let minify = true;
  return {
    name: 'crm-first-screen',
    configResolved(c) {
      root = c.root;
      base = c.base;
      minify = c.command === 'build';
    },
    transformIndexHtml: {
      order: 'post',
      async handler(html, ctx) {
        // the dev server has no bundle: its modules load on demand, nothing to preload
        const chunks = ctx.bundle ? pageChunks(ctx.bundle as Bundle, root, base) : {};
        const code = await earlyScript(root, minify);
        const tag = `<script>window.__crmChunks=${JSON.stringify(chunks)};\n${code}</script>\n`;
        // before the app's own script (after <meta charset>, which must come first)
        const at = html.search(/<script type="module"|<\/head>/);
        return html.slice(0, at) + tag + '    ' + html.slice(at);
      },
    },
  };
}
