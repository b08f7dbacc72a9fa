/**
 * The browser knows the user's login but not their department tree, reports or shares, so a
 * rule's conditions are resolved as far as it can: `$me` becomes the login, and a condition on any
 * other placeholder cannot be checked. An allowing rule then counts it as matching, a denying
 * (inverted) rule is left out, so a button is hidden only when the server would certainly refuse;
 * the server decides the rest.
 */
export interface ClientRule {
  inverted?: boolean;
  conditions?: Record<string, unknown>;
  [k: string]: unknown;
}

const isPlaceholder = (v: unknown) => typeof v === 'string' && v.startsWith('$');

/** The conditions with `$me` resolved, and whether every condition could be kept. */
export function resolvePlaceholders(
  conditions: Record<string, unknown>,
  login: string,
): { conditions: Record<string, unknown>; exact: boolean } {
  const out: Record<string, unknown> = {};
  let exact = true;
  for (const [k, v] of Object.entries(conditions)) {
    if (v === '$me') {
      out[k] = login;
      continue;
    }
    const list =
      v && typeof v === 'object' && !Array.isArray(v)
        ? ((v as Record<string, unknown>).$in ?? (v as Record<string, unknown>).$nin)
        : undefined;
    if (k.startsWith('$') || isPlaceholder(v) || (Array.isArray(list) && list.some(isPlaceholder)))
      exact = false; // $sharedWithMe, $myDepartmentTree...
    else out[k] = v;
  }
  return { conditions: out, exact };
}

/** The rules to judge one record with in the browser (see above). */
export function rulesForRecords<R extends ClientRule>(rules: R[], login: string): R[] {
  const out: R[] = [];
  for (const r of rules) {
    if (!r.conditions) {
      out.push(r);
      continue;
    }
    const { conditions, exact } = resolvePlaceholders(r.conditions, login);
    if (r.inverted && !exact) continue;
    out.push({ ...r, conditions });
  }
  return out;
}
