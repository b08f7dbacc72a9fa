import type { Db } from '@crm/common';
import type { CompiledEntity } from '@crm/metadata';
import type { RecordData } from './codec';
import type { Actor } from './records.service';

/**
 * What other libraries hook into record writes, without the records library knowing them: the
 * workflow engine starts processes on writes (triggers) and locks records while an approval runs.
 * Both run inside the write's transaction, so what they do commits or rolls back with the write.
 */

export type RecordWriteKind = 'create' | 'update' | 'delete' | 'restore';

/**
 * A write the workflow engine makes for a process instance (a built-in task, an outcome written
 * back, values restored on cancel): it passes the record lock, and triggers it fires know how deep
 * in trigger starts they are.
 */
export interface EngineOrigin {
  /** The instance whose step writes. */
  instanceId: number | null;
  /** How many trigger starts led to this write (0: a user's request, a timer, a job). */
  depth: number;
  /** A built-in task's write (crm:update-record...): the engine keeps the old values to restore. */
  task?: boolean;
}

/** One committed-with-the-transaction record write, after its row, links and history are written. */
export interface RecordWriteEvent {
  entity: CompiledEntity;
  id: number;
  kind: RecordWriteKind;
  /** The record before the write (null for a create). */
  old: RecordData | null;
  /** The record after it (null for a delete). */
  new: RecordData | null;
  /** Fields the write set (an update's patch; every field given to a create). */
  fields: string[];
  actor: Actor;
}

export interface RecordWriteHooks {
  /** Runs in the write's transaction; throwing rolls the write back and answers with the error. */
  afterWrite(tx: Db, event: RecordWriteEvent): Promise<void>;
}

/** An update or delete about to be committed (its row is written and locked already). */
export interface GuardedWrite {
  entity: CompiledEntity;
  id: number;
  kind: 'update' | 'delete';
  /** The fields an update changes ([] for a delete). */
  fields: string[];
  actor: Actor;
}

export interface RecordGuard {
  /**
   * Throws to refuse the write (e.g. 409 RECORD_LOCKED). Called after the row's UPDATE, in the
   * write's transaction: the row lock is held, so a process starting on the record meanwhile
   * (which locks the row first) is either committed and seen here, or waits for this write.
   */
  beforeWrite(tx: Db, write: GuardedWrite): Promise<void>;
}

/**
 * The hooks registered with the records service. Engine writes (`actor.engine`) pass the guard:
 * a process changes the record it locks.
 */
export class RecordHookSet {
  private readonly listeners: RecordWriteHooks[] = [];
  private readonly guards: RecordGuard[] = [];

  listen(hooks: RecordWriteHooks): void {
    this.listeners.push(hooks);
  }

  guard(guard: RecordGuard): void {
    this.guards.push(guard);
  }

  async afterWrite(tx: Db, event: RecordWriteEvent): Promise<void> {
    for (const l of this.listeners) await l.afterWrite(tx, event);
  }

  async check(tx: Db, write: GuardedWrite): Promise<void> {
    if (write.actor.engine) return;
    for (const g of this.guards) await g.beforeWrite(tx, write);
  }
}
