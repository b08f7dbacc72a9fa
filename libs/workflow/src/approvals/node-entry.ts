import { joinList } from '../engine/expressions';
import type { GraphNode } from '../engine/process-graph';
import type { Exec, InstanceStep } from '../engine/step';
import { ccUsers } from './signers';

/**
 * What an approval node does as its task is created, besides assignment: header `cc` (a login, a
 * comma list or a FEEL list) CCs those users on the instance.
 */
export async function onApprovalTaskCreated(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
): Promise<void> {
  if (!node.headers.cc) return;
  // a multi-instance node CCs once, from its first inner instance
  if (s.isInner(exec) && exec.loop?.index !== 0) return;
  const raw = s.attr(node.headers.cc, s.scopeVars(exec), node.id);
  const logins = (joinList(raw) ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (logins.length) await ccUsers(s, logins, node.id, { via: 'node' });
}
