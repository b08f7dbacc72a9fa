import type { GraphNode, ProcessGraph } from '../engine/process-graph';

/**
 * An approval node's settings, read from its zeebe:taskHeaders (the table in
 * libs/workflow/README.md, "Approvals"). Pure: the visual designer writes exactly these headers.
 */
export const APPROVAL_ACTIONS = [
  'approve',
  'reject',
  'return',
  'delegate',
  'transfer',
  'addSigner',
  'cc',
  'comment',
] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];

/** Every action the task route takes: the node's actions plus the initiator's resubmission. */
export const TASK_ACTIONS = [...APPROVAL_ACTIONS, 'resubmit'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

export const APPROVAL_MODES = ['single', 'any', 'all', 'vote', 'sequential'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

export interface ApprovalSettings {
  /** The node is an approval node: its decisions have the approval semantics below. */
  approval: boolean;
  mode: ApprovalMode;
  passRatio: number;
  actions: ReadonlySet<ApprovalAction>;
  /** Element ids a return may target; null = any passed user task or the initiator. */
  returnTo: string[] | null;
  resubmit: 'rerun' | 'jump';
  editableFields: string[];
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function approvalSettings(node: GraphNode): ApprovalSettings {
  const h = node.headers;
  const declared = h.approvalMode as ApprovalMode | undefined;
  const mode: ApprovalMode =
    declared && APPROVAL_MODES.includes(declared)
      ? declared
      : node.loop
        ? node.loop.sequential
          ? 'sequential'
          : 'all'
        : 'single';
  const ratio = Number(h.passRatio);
  const actions = list(h.actions).filter((a): a is ApprovalAction =>
    (APPROVAL_ACTIONS as readonly string[]).includes(a),
  );
  return {
    approval: declared !== undefined,
    mode,
    passRatio: Number.isFinite(ratio) && ratio > 0 && ratio <= 1 ? ratio : 0.5,
    // comments are always allowed
    actions: new Set<ApprovalAction>(
      actions.length ? [...actions, 'comment'] : [...APPROVAL_ACTIONS],
    ),
    returnTo: h.returnTo ? list(h.returnTo) : null,
    resubmit: h.resubmit === 'jump' ? 'jump' : 'rerun',
    editableFields: list(h.editableFields),
  };
}

/** Process-level settings from zeebe:properties on the process (README, "Approvals"). */
export interface ProcessApprovalSettings {
  withdraw: 'beforeFirstAction' | 'never';
}

export function processApprovalSettings(
  props: Record<string, string> | undefined,
): ProcessApprovalSettings {
  return { withdraw: props?.withdraw === 'never' ? 'never' : 'beforeFirstAction' };
}

/** Problems with approval headers, for deploy-time validation (element id → message). */
export function approvalHeaderProblems(node: GraphNode): string[] {
  const h = node.headers;
  const out: string[] = [];
  if (h.approvalMode !== undefined) {
    if (!(APPROVAL_MODES as readonly string[]).includes(h.approvalMode))
      out.push(`header approvalMode must be one of ${APPROVAL_MODES.join(', ')}`);
    else if (h.approvalMode === 'single' && node.loop)
      out.push('approvalMode single is for a task without multi-instance');
    else if (h.approvalMode !== 'single' && !node.loop)
      out.push(`approvalMode ${h.approvalMode} needs multi-instance loop characteristics`);
    else if (h.approvalMode === 'sequential' && !node.loop?.sequential)
      out.push('approvalMode sequential needs isSequential="true"');
    else if (['any', 'all', 'vote'].includes(h.approvalMode) && node.loop?.sequential)
      out.push(`approvalMode ${h.approvalMode} needs a parallel multi-instance`);
  }
  if (h.passRatio !== undefined) {
    const r = Number(h.passRatio);
    if (!(Number.isFinite(r) && r > 0 && r <= 1)) out.push('header passRatio must be in (0, 1]');
  }
  for (const a of list(h.actions))
    if (!(APPROVAL_ACTIONS as readonly string[]).includes(a))
      out.push(`header actions: unknown action "${a}"`);
  if (h.resubmit !== undefined && !['rerun', 'jump'].includes(h.resubmit))
    out.push('header resubmit must be rerun or jump');
  if (h.variablesSchema !== undefined) {
    try {
      const s = JSON.parse(h.variablesSchema) as unknown;
      if (!s || typeof s !== 'object' || Array.isArray(s)) throw new Error('not an object');
    } catch (e) {
      out.push(`header variablesSchema is not a JSON Schema object (${(e as Error).message})`);
    }
  }
  return out;
}

/** The user tasks a token may have passed before `node` (candidates for a return target). */
export function userTasksBefore(g: ProcessGraph, nodeId: string): string[] {
  const out: string[] = [];
  for (const [id, n] of g.nodes)
    if (n.type === 'UserTask' && id !== nodeId && g.reach.get(id)?.has(nodeId)) out.push(id);
  return out;
}
