import { RE2JS } from 're2js';

/**
 * Regular expressions that come from metadata (a field's `pattern`) run on every record write,
 * on the one event loop every user shares. JavaScript's engine backtracks: `^(a+)+$` against
 * "aaaa…b" takes seconds per 25 characters. These run on RE2JS instead, a pure-JavaScript port of
 * RE2 that matches in time linear in the input, whatever the pattern. Its syntax is RE2's: no
 * backreferences and no lookaround (the constructs that need backtracking), which validation
 * refuses with the pattern's pointer. (The native `re2` binding would be faster, but its install
 * downloads a prebuilt binary (not reachable here) or compiles RE2 and abseil with node-gyp: over
 * 5 minutes on the 2-core development machine without finishing, on every clean `npm ci`.)
 */
export interface SafePattern {
  test(input: string): boolean;
  toString(): string;
}

const cache = new Map<string, SafePattern>();

/** The pattern compiled for linear-time matching (search semantics, like RegExp#test); throws on RE2-unsupported syntax. */
export function safePattern(source: string): SafePattern {
  let p = cache.get(source);
  if (!p) {
    const re = RE2JS.compile(source);
    // ajv keys its compiled patterns by toString(): it must name the pattern, like RegExp's does
    p = { test: (input: string) => re.matcher(input).find(), toString: () => `/${source}/` };
    // patterns come from a handful of metadata documents: the cache stays small
    if (cache.size > 10_000) cache.clear();
    cache.set(source, p);
  }
  return p;
}

/** Why RE2 cannot run this pattern, or null when it can. */
export function unsafePatternReason(source: string): string | null {
  try {
    safePattern(source);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * ajv's `code.regExp` hook: every `pattern` ajv compiles (metadata ones included) matches through
 * RE2. ajv passes the "u" flag; RE2 works on code points already.
 */
export const ajvRegExp = Object.assign((source: string) => safePattern(source), {
  code: 'require("re2js")',
});
