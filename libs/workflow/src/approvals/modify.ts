import { CrmError, ErrorCode } from '@crm/common';
import type { Exec, InstanceStep } from '../engine/step';

/**
 * Process instance modification, as Camunda's: cancel active element instances, start tokens
 * before elements. Returns (退回) and resubmissions are built on it, and admins call it directly
 * (`POST /api/workflow/instances/:id/modify`, audited). Tokens started here run when the step
 * drains.
 */
export interface ModifyInput {
  cancel: Array<{ elementId?: string; executionId?: number }>;
  startBefore: Array<{ elementId: string; variables?: Record<string, unknown> }>;
}

const bad = (path: string, message: string) =>
  new CrmError(ErrorCode.BadRequest, message, [{ path, message }]);

/** Checks a modification body. Pure. */
export function parseModifyInput(body: unknown): ModifyInput & { comment: string | null } {
  const b = (body ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(b))
    if (!['cancel', 'startBefore', 'comment'].includes(k))
      throw bad(`/${k}`, `${k} is not a property`);
  const cancel = b.cancel ?? [];
  const start = b.startBefore ?? [];
  if (!Array.isArray(cancel) || !Array.isArray(start))
    throw bad('/', 'cancel and startBefore must be lists');
  if (!cancel.length && !start.length)
    throw bad('/', 'nothing to modify: give cancel or startBefore');
  cancel.forEach((c: unknown, i) => {
    const o = (c ?? {}) as Record<string, unknown>;
    const byElement = typeof o.elementId === 'string' && o.elementId.length > 0;
    const byExec = Number.isSafeInteger(o.executionId) && Number(o.executionId) > 0;
    if (byElement === byExec) throw bad(`/cancel/${i}`, 'give elementId or executionId');
  });
  start.forEach((c: unknown, i) => {
    const o = (c ?? {}) as Record<string, unknown>;
    if (typeof o.elementId !== 'string' || !o.elementId)
      throw bad(`/startBefore/${i}/elementId`, 'is required');
    if (
      o.variables !== undefined &&
      (typeof o.variables !== 'object' || Array.isArray(o.variables) || !o.variables)
    )
      throw bad(`/startBefore/${i}/variables`, 'must be an object');
  });
  if (b.comment !== undefined && typeof b.comment !== 'string')
    throw bad('/comment', 'must be a string');
  return {
    cancel: cancel as ModifyInput['cancel'],
    startBefore: start as ModifyInput['startBefore'],
    comment: (b.comment as string | undefined)?.slice(0, 2000) ?? null,
  };
}

/** Cancels the active tokens an entry names (all tokens at an element, or one execution). */
export async function cancelElementInstances(
  s: InstanceStep,
  entry: ModifyInput['cancel'][number],
  path: string,
): Promise<void> {
  const hits = [...s.execs.values()].filter(
    (e) =>
      e.state !== 'listening' &&
      (entry.executionId !== undefined
        ? e.id === entry.executionId
        : e.elementId === entry.elementId) &&
      // an inner instance's body is cancelled as a whole when its element is named
      !(entry.elementId !== undefined && s.isInner(e)),
  );
  if (!hits.length)
    throw new CrmError(
      ErrorCode.BadRequest,
      `nothing active at ${entry.elementId ?? `execution ${entry.executionId}`}`,
      [{ path, message: 'no active element instance' }],
    );
  for (const e of hits) if (s.execs.has(e.id)) await s.cancelExec(e);
}

/**
 * A new token before `elementId`, in its flow scope: the process, or the one active instance of
 * its embedded subprocess.
 */
export async function startBeforeElement(
  s: InstanceStep,
  elementId: string,
  vars: Record<string, unknown> | null,
  path: string,
): Promise<Exec> {
  const node = s.graph.nodes.get(elementId);
  if (!node) throw bad(path, `no element ${elementId} in process ${s.graph.id}`);
  if (node.type === 'BoundaryEvent' || (node.type === 'StartEvent' && node.scope !== null))
    throw bad(path, `${node.type} ${elementId} is entered by its event, not started before`);
  let parentId: number | null = null;
  if (node.scope !== null) {
    const scopes = [...s.execs.values()].filter(
      (e) => e.elementId === node.scope && e.state === 'scope',
    );
    if (scopes.length !== 1)
      throw bad(
        path,
        `${elementId} is inside ${node.scope}, which has ${scopes.length} active instances (need exactly one)`,
      );
    parentId = scopes[0].id;
  }
  const exec = await s.createExec(parentId, elementId, 'ready', vars);
  s.queue.push(exec);
  return exec;
}

/** The modification as one step: cancellations first, then the new tokens. */
export async function modifyInstance(
  s: InstanceStep,
  input: ModifyInput & { comment: string | null },
): Promise<void> {
  s.assertActive();
  for (const [i, c] of input.cancel.entries()) await cancelElementInstances(s, c, `/cancel/${i}`);
  for (const [i, st] of input.startBefore.entries())
    await startBeforeElement(s, st.elementId, st.variables ?? null, `/startBefore/${i}/elementId`);
  s.hist(null, 'Process', 'modify', {
    cancel: input.cancel,
    startBefore: input.startBefore.map((x) => x.elementId),
    ...(input.comment && { comment: input.comment }),
  });
}
