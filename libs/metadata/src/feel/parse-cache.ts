import { normalizeContextKey, parser } from 'lezer-feel';

/**
 * A cache of feelin's parse trees. feelin parses the expression on every evaluation (about three
 * quarters of an evaluation's time), and its evaluate() offers no way to pass a parsed tree. It
 * parses through lezer-feel's one `parser` object (`parser.configure({...}).parse(text)`), so
 * evaluateFeel announces the key of the parse it is about to cause and the configure() below
 * answers the parse from the cache. The tree is immutable; feelin still builds its closures and
 * its warning list afresh on each call, so values and warnings are those of an uncached run.
 *
 * What a parse depends on besides the text, the grammar (expression or unary tests) and the
 * dialect: the context's names. lezer-feel's tokenizer looks a name up in the context only as it
 * reads it from the text — a run of the text's identifiers joined by single spaces, compared with
 * the normalised key (normalizeContextKey) — at the top level and inside nested contexts (`a.b c`).
 * A key can only change the parse if the first word of its normalised form is one of those
 * identifiers, so a key whose first word does not occur in the text cannot. The cache key is the
 * text plus the path of every key, at any depth, whose first word does; other names (a record's
 * fields, unrelated variables) do not split the cache.
 */

type Top = 'Expression' | 'UnaryTests';
type Tree = ReturnType<ReturnType<typeof parser.configure>['parse']>;

const CACHE_MAX = 5000;
/** Walking a context is cheap next to a parse, but a huge one is not worth a key: parse it. */
const WALK_MAX = 2000;

const trees = new Map<string, Tree>();
let pending: { key: string; top: Top; dialect: string | undefined } | null = null;

const configure = parser.configure.bind(parser);
// feelin calls configure() and parse() once per evaluation: the announced parse is answered from
// the cache (or parsed and kept); every other parse (feelin's own, other callers) passes through.
parser.configure = ((config: Parameters<typeof configure>[0]) => {
  const want = pending;
  pending = null;
  if (!want || config.top !== want.top || config.dialect !== want.dialect) return configure(config);
  const hit = trees.get(want.key);
  if (hit) return { parse: () => hit } as unknown as ReturnType<typeof configure>;
  const configured = configure(config);
  return {
    parse(input: string) {
      const tree = configured.parse(input);
      if (trees.size >= CACHE_MAX) trees.clear();
      trees.set(want.key, tree);
      return tree;
    },
  } as unknown as ReturnType<typeof configure>;
}) as typeof parser.configure;

/** The first word of a key as the tokenizer compares it (normalised), kept per key. */
const words = new Map<string, string>();
function firstWord(key: string): string {
  let w = words.get(key);
  if (w === undefined) {
    // a plain name normalises to itself; the regular expressions cost more than the lookup
    const n = /[\s./\-'+*]/.test(key) ? normalizeContextKey(key) : key;
    const at = n.indexOf(' ');
    w = at < 0 ? n : n.slice(0, at);
    if (words.size >= CACHE_MAX) words.clear();
    words.set(key, w);
  }
  return w;
}

/**
 * The cache key of parsing `text` with `context`, or null when the context is too large to walk
 * (then it is parsed as before). Keys are written with their path so that `a.x y` (nested) and
 * `x y` (top) differ; objects that are not plain (dates...) are marked by their class, since
 * feelin turns them into its own values whose fields the parser sees.
 */
export function parseKey(
  text: string,
  top: Top,
  dialect: string | undefined,
  context: Record<string, unknown>,
): string | null {
  const parts: string[] = [];
  let budget = WALK_MAX;
  // a substring test: sound (a name the tokenizer reads is in the text), if not the tightest
  const walk = (value: unknown, path: string): boolean => {
    if (value === null || typeof value !== 'object') return true;
    const proto = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
      parts.push(`${path}<${(proto as { constructor?: { name?: string } })?.constructor?.name}>`);
      return true;
    }
    for (const k of Object.keys(value)) {
      if (--budget < 0) return false;
      const here = `${path}\u0001${k}`;
      if (text.includes(firstWord(k))) parts.push(here);
      if (!walk((value as Record<string, unknown>)[k], here)) return false;
    }
    return true;
  };
  if (!walk(context, '')) return null;
  return `${top}\u0000${dialect ?? ''}\u0000${text}\u0000${parts.join('\u0000')}`;
}

/**
 * Runs `evaluate` (one feelin evaluate()/unaryTest() of `text`) with its parse answered from the
 * cache under `key`; `key` null runs it uncached.
 */
export function withParseCache<T>(
  key: string | null,
  top: Top,
  dialect: string | undefined,
  evaluate: () => T,
): T {
  pending = key === null ? null : { key, top, dialect };
  try {
    return evaluate();
  } finally {
    // consumed by the parse; cleared also when evaluate() failed before parsing
    pending = null;
  }
}

/** How many trees are kept (tests). */
export function parseCacheSize(): number {
  return trees.size;
}
