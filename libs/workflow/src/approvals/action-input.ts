import { CrmError, ErrorCode } from '@crm/common';
import { TASK_ACTIONS, type TaskAction } from './settings';

/** `POST /api/tasks/:id/actions` as checked: everything a handler needs, nothing unknown. */
export interface ActionInput {
  action: TaskAction;
  comment: string | null;
  /** File ids (POST /api/files). */
  attachments: string[];
  targetElementId: string | null;
  userIds: string[];
  position: 'before' | 'after' | 'alongside' | null;
  variables: Record<string, unknown>;
}

export const MAX_COMMENT = 2000;
const MAX_LIST = 20;
const KEYS = [
  'action',
  'comment',
  'attachments',
  'targetElementId',
  'userIds',
  'position',
  'variables',
];
/** Actions that name the users they hand work to. */
const NEEDS_USERS: Partial<Record<TaskAction, 'one' | 'many'>> = {
  delegate: 'one',
  transfer: 'one',
  addSigner: 'many',
  cc: 'many',
};

const bad = (path: string, message: string) =>
  new CrmError(ErrorCode.BadRequest, `${path.slice(1)} ${message}`, [{ path, message }]);

/** Parses and checks an action body (a 400 naming the property otherwise). Pure. */
export function parseActionInput(body: unknown): ActionInput {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw bad('/', 'the body must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!KEYS.includes(k)) throw bad(`/${k}`, 'is not a property');
  if (!(TASK_ACTIONS as readonly unknown[]).includes(b.action))
    throw bad('/action', `must be one of ${TASK_ACTIONS.join(', ')}`);
  const action = b.action as TaskAction;
  let comment: string | null = null;
  if (b.comment !== undefined && b.comment !== null) {
    if (typeof b.comment !== 'string') throw bad('/comment', 'must be a string');
    if (b.comment.length > MAX_COMMENT) throw bad('/comment', `is longer than ${MAX_COMMENT}`);
    comment = b.comment.trim() || null;
  }
  const attachments = b.attachments ?? [];
  if (!Array.isArray(attachments) || attachments.length > MAX_LIST)
    throw bad('/attachments', `must be a list of at most ${MAX_LIST} file ids`);
  // the ids POST /api/files answers (crm_file.id: a UUID, 36 characters)
  const notId = attachments.findIndex((a) => typeof a !== 'string' || !a || a.length > 36);
  if (notId >= 0) throw bad(`/attachments/${notId}`, 'must be a file id from POST /api/files');
  const userIds = b.userIds ?? [];
  if (
    !Array.isArray(userIds) ||
    userIds.length > MAX_LIST ||
    !userIds.every((u) => typeof u === 'string' && u.length > 0 && u.length <= 64)
  )
    throw bad('/userIds', `must be a list of at most ${MAX_LIST} logins`);
  const need = NEEDS_USERS[action];
  if (need && !userIds.length) throw bad('/userIds', `${action} needs the users to hand it to`);
  if (need === 'one' && userIds.length > 1)
    throw bad('/userIds', `${action} takes exactly one user`);
  if (!need && userIds.length) throw bad('/userIds', `is not used by ${action}`);
  if (new Set(userIds).size !== userIds.length) throw bad('/userIds', 'lists a user twice');
  let position: ActionInput['position'] = null;
  if (action === 'addSigner') {
    if (!['before', 'after', 'alongside'].includes(b.position as string))
      throw bad('/position', 'must be before, after or alongside');
    position = b.position as ActionInput['position'];
  } else if (b.position !== undefined) throw bad('/position', `is not used by ${action}`);
  let targetElementId: string | null = null;
  if (b.targetElementId !== undefined && b.targetElementId !== null) {
    if (action !== 'return') throw bad('/targetElementId', `is not used by ${action}`);
    if (typeof b.targetElementId !== 'string' || !b.targetElementId)
      throw bad('/targetElementId', 'must be an element id');
    targetElementId = b.targetElementId;
  }
  const variables = b.variables ?? {};
  if (!variables || typeof variables !== 'object' || Array.isArray(variables))
    throw bad('/variables', 'must be an object');
  if (Object.keys(variables).length && !['approve', 'reject', 'resubmit'].includes(action))
    throw bad('/variables', `are not taken by ${action}`);
  if ('decision' in variables)
    throw bad('/variables/decision', 'is set by the action (approve or reject)');
  return {
    action,
    comment,
    attachments: attachments as string[],
    targetElementId,
    userIds: userIds as string[],
    position,
    variables: variables as Record<string, unknown>,
  };
}
