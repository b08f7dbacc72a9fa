import { type Db, toDbTimestamp, withNamedLock } from '@crm/common';
import type { Exec } from './step';

/**
 * An instance's tokens live in its own row (`crm_wf_instance.tokens`, JSON), written by the UPDATE
 * every step makes of that row anyway: starting, moving, forking or ending a token costs no
 * statement of its own (a separate token table cost an INSERT, an UPDATE or a DELETE per token
 * and step — a quarter of a simple approval's statements).
 *
 * Token ids stay unique across instances, because tasks, jobs, subscriptions, incidents and child
 * instances name a token by its id alone. They come in blocks of TOKEN_BLOCK from
 * crm_wf_token_block: one INSERT hands out a thousand ids.
 */

export const TOKEN_BLOCK = 1000;

/** A token as its instance row stores it. */
type StoredToken = Pick<Exec, 'id' | 'parentId' | 'elementId' | 'state' | 'vars' | 'loop'>;

/** The tokens of an instance row, in id order (null: an instance without any). */
export function parseTokens(text: string | null | undefined): Exec[] {
  if (!text) return [];
  return (JSON.parse(text) as StoredToken[]).map((t) => ({
    id: Number(t.id),
    parentId: t.parentId === null ? null : Number(t.parentId),
    elementId: String(t.elementId),
    state: t.state,
    vars: t.vars ?? null,
    loop: t.loop ?? null,
  }));
}

/** The `tokens` column of a set of tokens with real ids, in id order. */
export function serializeTokens(execs: Iterable<Exec>): string {
  const stored: StoredToken[] = [...execs]
    .sort((a, b) => a.id - b.id)
    .map((e) => ({
      id: e.id,
      parentId: e.parentId,
      elementId: e.elementId,
      state: e.state,
      vars: e.vars,
      loop: e.loop,
    }));
  return JSON.stringify(stored);
}

/** Where an instance's tokens are, for the API (event subprocesses still listening aside). */
export function activeTokens(text: string | null | undefined): Array<{ elementId: string }> {
  return parseTokens(text)
    .filter((t) => t.state !== 'listening')
    .map((t) => ({ elementId: t.elementId }));
}

interface Block {
  next: number;
  end: number;
  /** SQLite: the transaction's savepoint rollbacks when the block was taken (see take). */
  rollbacks?: number;
}

/**
 * Hands out token ids. On MySQL a block serves every step of this process: AUTO_INCREMENT values
 * are never given out twice, even when the transaction that took one rolls back. On SQLite the
 * sequence rolls back with its transaction, so a block serves only the transaction that took it,
 * and only until a savepoint of it rolls back (the block's row may have gone with it).
 */
export class TokenIds {
  private shared: Block | null = null;
  private pending: Promise<Block> | null = null;
  private readonly perTx = new WeakMap<Db, Block>();

  constructor(private readonly now: () => Date) {}

  async take(tx: Db): Promise<number> {
    if (tx.dialect === 'sqlite') {
      const rollbacks = savepointRollbacks(tx);
      let b = this.perTx.get(tx);
      if (!b || b.next >= b.end || b.rollbacks !== rollbacks) {
        b = { ...(await this.fetch(tx)), rollbacks };
        this.perTx.set(tx, b);
      }
      return b.next++;
    }
    while (!this.shared || this.shared.next >= this.shared.end) {
      // concurrent steps wait for one fetch instead of each taking a block
      this.pending ??= this.fetch(tx).finally(() => (this.pending = null));
      const fetched = await this.pending;
      if (!this.shared || this.shared.next >= this.shared.end) this.shared = fetched;
    }
    return this.shared.next++;
  }

  private async fetch(tx: Db): Promise<Block> {
    const r = await tx.execute('INSERT INTO crm_wf_token_block (created_at) VALUES (?)', [
      toDbTimestamp(this.now()),
    ]);
    return { next: r.insertId * TOKEN_BLOCK, end: (r.insertId + 1) * TOKEN_BLOCK };
  }
}

/** How many savepoints of a transaction rolled back so far (TxDb counts them; 0 otherwise). */
function savepointRollbacks(tx: Db): number {
  return (tx as { savepointRollbacks?: number }).savepointRollbacks ?? 0;
}

interface LegacyToken {
  id: number;
  instance_id: number;
  parent_id: number | null;
  element_id: string;
  state: string;
  variables: string | null;
  loop_state: string | null;
}

/**
 * Moves the tokens of a database written before `crm_wf_instance.tokens` existed (the
 * crm_wf_execution table) into their instance rows, keeping their ids, and makes the token id
 * blocks start above every id that table ever gave out — tasks, jobs, subscriptions, incidents
 * and child instances keep naming their tokens, and no new token takes an old one's id. Runs at
 * boot before any step; the table is dropped once empty. Returns the instances migrated.
 */
export async function migrateLegacyTokens(db: Db, now: Date): Promise<number> {
  if (!(await tableExists(db, 'crm_wf_execution'))) return 0;
  return withNamedLock(db, 'crm_wf_tokens_migration', async () => {
    // another node may have migrated while this one waited for the lock
    if (!(await tableExists(db, 'crm_wf_execution'))) return 0;
    const migrated = await moveLegacyTokens(db, now);
    await db.execute('DROP TABLE crm_wf_execution');
    return migrated;
  });
}

function moveLegacyTokens(db: Db, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<LegacyToken>(
      'SELECT id, instance_id, parent_id, element_id, state, variables, loop_state FROM crm_wf_execution ORDER BY instance_id, id',
    );
    const byInstance = new Map<number, Exec[]>();
    for (const r of rows) {
      const list = byInstance.get(Number(r.instance_id)) ?? [];
      list.push({
        id: Number(r.id),
        parentId: r.parent_id === null ? null : Number(r.parent_id),
        elementId: r.element_id,
        state: r.state as Exec['state'],
        vars: r.variables ? (JSON.parse(r.variables) as Record<string, unknown>) : null,
        loop: r.loop_state ? (JSON.parse(r.loop_state) as Exec['loop']) : null,
      });
      byInstance.set(Number(r.instance_id), list);
    }
    for (const [instanceId, tokens] of byInstance)
      await tx.execute('UPDATE crm_wf_instance SET tokens = ? WHERE id = ?', [
        serializeTokens(tokens),
        instanceId,
      ]);
    // the first block starts above the highest token id ever given out or still referenced
    const [max] = await tx.query<{ n: number | string | null }>(
      `SELECT MAX(n) AS n FROM (SELECT MAX(id) AS n FROM crm_wf_execution UNION ALL SELECT MAX(execution_id) FROM crm_wf_task UNION ALL SELECT MAX(execution_id) FROM crm_wf_job UNION ALL SELECT MAX(execution_id) FROM crm_wf_subscription UNION ALL SELECT MAX(execution_id) FROM crm_wf_incident UNION ALL SELECT MAX(parent_execution_id) FROM crm_wf_instance) m`,
    );
    let highest = Number(max?.n ?? 0);
    if (db.dialect === 'mysql') {
      const [t] = await tx.query<{ n: number | string | null }>(
        `SELECT AUTO_INCREMENT AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'crm_wf_execution'`,
      );
      highest = Math.max(highest, Number(t?.n ?? 0));
    }
    const [block] = await tx.query<{ n: number | string | null }>(
      'SELECT MAX(id) AS n FROM crm_wf_token_block',
    );
    const first = Math.floor(highest / TOKEN_BLOCK) + 1;
    if (Number(block?.n ?? 0) < first)
      await tx.execute('INSERT INTO crm_wf_token_block (id, created_at) VALUES (?, ?)', [
        first,
        toDbTimestamp(now),
      ]);
    await tx.execute('DELETE FROM crm_wf_execution');
    return byInstance.size;
  });
}

async function tableExists(db: Db, name: string): Promise<boolean> {
  const rows =
    db.dialect === 'mysql'
      ? await db.query(
          'SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
          [name],
        )
      : await db.query(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, [name]);
  return rows.length > 0;
}
