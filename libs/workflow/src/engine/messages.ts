import { CrmError, type Db, ErrorCode, toDbTimestamp } from '@crm/common';
import { trigger } from './behaviors/events';
import { INSTANCE_CONFLICT } from './instance-view';
import type { GraphNode } from './process-graph';
import type { Exec, InstanceStep } from './step';
import type { StepContext } from './step-context';

/**
 * Message publication and correlation, as Zeebe does it:
 *
 * - a published message goes to the waiting subscriptions with its name and correlation key —
 *   at most one per process (the oldest subscription of each process id) — and starts every other
 *   process that has a message start event of that name;
 * - with `timeToLive` (ms) it is also kept until then: a subscription opened later (an instance
 *   reaching a catch event) takes it, again at most once per process;
 * - a `messageId` makes publishing idempotent: while a message with that id is buffered, another
 *   one is refused (409 MESSAGE_ALREADY_PUBLISHED);
 * - a message that correlates to nothing and is not buffered is a 404 MESSAGE_NOT_CORRELATED.
 */

export interface PublishInput {
  name: string;
  correlationKey: string | null;
  variables?: Record<string, unknown>;
  /** Milliseconds the message stays buffered for subscriptions opened later (0 = not at all). */
  timeToLive?: number;
  messageId?: string | null;
}

export interface Correlation {
  instanceId: number;
  processKey: string;
  started: boolean;
}

export interface PublishResult {
  /** The first correlation (kept for callers of the single-correlation API). */
  instanceId: number | null;
  started: boolean;
  correlations: Correlation[];
  /** The buffered message's key, when it was kept for its time to live. */
  messageKey: number | null;
}

const keyCond = (key: string | null, col = 'correlation_key') =>
  key === null ? `${col} IS NULL` : `${col} = ?`;

export async function publishMessage(
  ctx: StepContext,
  msg: PublishInput,
  now: Date,
): Promise<PublishResult> {
  const tx = ctx.tx;
  const at = toDbTimestamp(now);
  const key = msg.correlationKey;
  const args = (...head: unknown[]) => (key === null ? head : [...head, key]) as string[];
  await tx.execute('DELETE FROM crm_wf_message WHERE expires_at <= ?', [at]);
  if (msg.messageId) {
    const [dup] = await tx.query<{ id: number }>(
      'SELECT id FROM crm_wf_message WHERE message_id = ? AND message_name = ?',
      [msg.messageId, msg.name],
    );
    if (dup)
      throw new CrmError(
        ErrorCode.MessageAlreadyPublished,
        `a message "${msg.name}" with id "${msg.messageId}" is already buffered`,
        [{ path: '/messageId', message: 'already published' }],
      );
  }
  const taken = new Set<string>();
  const correlations: Correlation[] = [];
  const subs = await tx.query<Record<string, unknown>>(
    `SELECT s.id, s.instance_id, s.execution_id, s.element_id, i.process_key FROM crm_wf_subscription s JOIN crm_wf_instance i ON i.id = s.instance_id WHERE s.message_name = ? AND s.instance_id IS NOT NULL AND s.kind IS NULL AND ${keyCond(key, 's.correlation_key')} ORDER BY s.id`,
    args(msg.name),
  );
  for (const sub of subs) {
    const processKey = String(sub.process_key);
    if (taken.has(processKey)) continue;
    const step = await ctx.load(Number(sub.instance_id));
    // re-read under the instance lock: a concurrent message may have taken it
    const [still] = await tx.query<{ id: number }>(
      'SELECT id FROM crm_wf_subscription WHERE id = ?',
      [Number(sub.id)],
    );
    const exec = step.execs.get(Number(sub.execution_id));
    if (!still || !exec) throw new CrmError(ErrorCode.TaskConflict, INSTANCE_CONFLICT, []);
    await deliver(step, exec, String(sub.element_id), Number(sub.id), msg, key);
    taken.add(processKey);
    correlations.push({ instanceId: step.id, processKey, started: false });
  }
  const starts = await tx.query<Record<string, unknown>>(
    `SELECT s.element_id, d.id AS definition_id, d.process_key, d.version FROM crm_wf_subscription s JOIN crm_wf_definition d ON d.id = s.definition_id WHERE s.message_name = ? AND s.instance_id IS NULL AND s.kind IS NULL ORDER BY s.id`,
    [msg.name],
  );
  for (const start of starts) {
    const processKey = String(start.process_key);
    if (taken.has(processKey)) continue;
    taken.add(processKey);
    const step = await ctx.startInstance({
      definitionId: Number(start.definition_id),
      processKey,
      version: Number(start.version),
      variables: msg.variables ?? {},
      businessKey: key,
      startNode: String(start.element_id),
    });
    correlations.push({ instanceId: step.id, processKey, started: true });
  }
  let messageKey: number | null = null;
  if (msg.timeToLive && msg.timeToLive > 0) {
    const r = await tx.execute(
      'INSERT INTO crm_wf_message (message_name, correlation_key, message_id, variables, correlated, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [
        msg.name,
        key,
        msg.messageId ?? null,
        JSON.stringify(msg.variables ?? {}),
        JSON.stringify([...taken]),
        toDbTimestamp(new Date(now.getTime() + msg.timeToLive)),
        at,
      ],
    );
    messageKey = r.insertId;
  }
  if (!correlations.length && messageKey === null)
    throw new CrmError(
      ErrorCode.MessageNotCorrelated,
      `no instance waits for message "${msg.name}"${key === null ? '' : ` with correlation key "${key}"`} and no process starts on it`,
      [{ path: '/name', message: 'not correlated' }],
    );
  return {
    instanceId: correlations[0]?.instanceId ?? null,
    started: correlations[0]?.started ?? false,
    correlations,
    messageKey,
  };
}

/** A non-interrupting boundary event or event subprocess start stays subscribed after it fires. */
export function keepsListening(node: GraphNode): boolean {
  return (
    (node.type === 'BoundaryEvent' && !node.cancelActivity) ||
    (node.type === 'StartEvent' && node.interrupting === false)
  );
}

/** Hands a message to the token waiting on `elementId` (the subscription row goes, but a
 * non-interrupting boundary or event subprocess start keeps listening). */
async function deliver(
  step: InstanceStep,
  exec: Exec,
  elementId: string,
  subscriptionId: number,
  msg: { name: string; variables?: Record<string, unknown> },
  key: string | null,
): Promise<void> {
  const node = step.node(elementId);
  if (!keepsListening(node))
    await step.tx.execute('DELETE FROM crm_wf_subscription WHERE id = ?', [subscriptionId]);
  step.hist(node.id, node.type, 'message', { name: msg.name, correlationKey: key });
  await trigger(step, exec, node.id, msg.variables ?? {});
}

/** A subscription just opened: a buffered message for it, delivered once the step settles. */
export interface PendingDelivery {
  exec: Exec;
  elementId: string;
  subscriptionId: number;
  name: string;
  key: string | null;
}

interface BufferedRow {
  id: number;
  variables: string | null;
  correlated: string | null;
}

async function bufferedFor(
  tx: Db,
  name: string,
  key: string | null,
  processKey: string,
  now: Date,
): Promise<BufferedRow | undefined> {
  const rows = await tx.query<BufferedRow>(
    `SELECT id, variables, correlated FROM crm_wf_message WHERE message_name = ? AND ${keyCond(key)} AND expires_at > ? ORDER BY id`,
    key === null ? [name, toDbTimestamp(now)] : [name, key, toDbTimestamp(now)],
  );
  return rows.find((r) => !(JSON.parse(r.correlated ?? '[]') as string[]).includes(processKey));
}

/** Whether any buffered message might match (one cheap query when a subscription opens). */
export async function hasBuffered(
  s: InstanceStep,
  name: string,
  key: string | null,
): Promise<boolean> {
  return (await bufferedFor(s.tx, name, key, s.row.process_key, s.deps.now())) !== undefined;
}

/**
 * Delivers a buffered message to a subscription opened in this step, if the token still waits on
 * it and the message has not gone to this process meanwhile.
 */
export async function deliverBuffered(s: InstanceStep, d: PendingDelivery): Promise<void> {
  if (!s.execs.has(d.exec.id) || !['waiting', 'listening'].includes(d.exec.state)) return;
  const [still] = await s.tx.query<{ id: number }>(
    'SELECT id FROM crm_wf_subscription WHERE id = ?',
    [d.subscriptionId],
  );
  if (!still) return;
  const m = await bufferedFor(s.tx, d.name, d.key, s.row.process_key, s.deps.now());
  if (!m) return;
  const correlated = [...(JSON.parse(m.correlated ?? '[]') as string[]), s.row.process_key];
  await s.tx.execute('UPDATE crm_wf_message SET correlated = ? WHERE id = ?', [
    JSON.stringify(correlated),
    m.id,
  ]);
  await deliver(
    s,
    d.exec,
    d.elementId,
    d.subscriptionId,
    { name: d.name, variables: JSON.parse(m.variables ?? '{}') },
    d.key,
  );
}
