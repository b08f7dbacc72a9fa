import { CrmError, type ErrorDetail, ErrorCode } from '@crm/common';
import { type FeelOptions, evaluateFeel } from '@crm/metadata';
import { type ProcessGraph, stripEq } from '../engine/process-graph';
import { type OrgIndex, loginsOf, orgFunctions, pickAllowed } from './org';

/**
 * Approvers the initiator picks at submission (发起人自选): `picked("approvers", "finance")` at a
 * node reads the start variable `approvers`, limited to a role or a list. A pick outside the limit
 * is refused when the process starts (400 naming the variable), not when the token reaches the
 * node days later. Each expression that calls picked() is evaluated once with the start
 * variables, its picked() checking instead of filtering; whatever else fails in it is left for
 * the node to report when it runs.
 */
export function checkPicks(
  g: ProcessGraph,
  variables: Record<string, unknown>,
  org: OrgIndex,
  at: { initiator: string; record: Record<string, unknown> | null; feel: FeelOptions },
): void {
  const problems = new Map<string, ErrorDetail>();
  const base = orgFunctions(org, { record: () => at.record, variable: (n) => variables[n] });
  const checking = Object.assign(
    (variable: unknown, allowed: unknown) => {
      const name = typeof variable === 'string' ? variable : null;
      if (!name || !(name in variables)) return [];
      const v = variables[name];
      const picks = loginsOf(v);
      const shapeOk =
        typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
      const may = pickAllowed(org, allowed);
      const refused = picks.filter((p) => !may(p));
      if (!shapeOk)
        problems.set(name, {
          path: `/variables/${name}`,
          message: 'must be a login or a list of logins',
        });
      else if (refused.length)
        problems.set(name, {
          path: `/variables/${name}`,
          message: `${refused.join(', ')} may not be picked here (${
            typeof allowed === 'string'
              ? `only active users with the role ${allowed}`
              : allowed === null || allowed === undefined
                ? 'only active users'
                : `only ${loginsOf(allowed).join(', ')}`
          })`,
        });
      return picks.filter(may);
    },
    { $args: ['variable', 'allowed'] },
  );
  const context = {
    ...variables,
    initiator: at.initiator,
    ...(at.record ? { record: at.record } : {}),
  };
  for (const text of pickExpressions(g)) {
    try {
      evaluateFeel(text, context, { ...at.feel, functions: { ...base, picked: checking } });
    } catch {
      // not this check's business: the node reports it as an incident when it runs
    }
  }
  if (problems.size)
    throw new CrmError(
      ErrorCode.VariablesInvalid,
      `picked approvers not allowed: ${[...problems.values()].map((p) => `${p.path.slice(11)} ${p.message}`).join('; ')}`,
      [...problems.values()],
    );
}

/** The FEEL expressions of the process that call picked(). */
function pickExpressions(g: ProcessGraph): string[] {
  const out = new Set<string>();
  for (const n of g.nodes.values()) {
    const raws = [
      n.assignee,
      n.candidateUsers,
      n.candidateGroups,
      n.loop ? `=${n.loop.inputCollection}` : undefined,
      ...Object.values(n.headers),
    ];
    for (const raw of raws)
      if (raw && raw.trim().startsWith('=') && /\bpicked\s*\(/.test(raw)) out.add(stripEq(raw));
  }
  return [...out];
}
