import type { CrmError } from '@crm/common';
import type { CompiledEntity } from '@crm/metadata';
import type { RecordData } from './codec';
import type { SqlFragment } from './filter';
import type { Locale } from './record-validator';
import type { EngineOrigin } from './write-hooks';

/**
 * `start`: start a process about the record (a workflow action with row conditions); `run`: run a
 * record action (an `action` document) on it.
 */
export type AccessAction =
  'create' | 'read' | 'update' | 'delete' | 'export' | 'import' | 'start' | 'run';

/**
 * What the access layer decides for one user; the records service asks it and never decides
 * itself. Without one (CLI, workflow steps run by the engine) every record is reachable.
 */
export interface RecordAccess {
  /** WHERE fragment over alias `t` of the rows the user may `action`; throws FORBIDDEN if none. */
  rows(entity: CompiledEntity, action: AccessAction, alias?: string): Promise<SqlFragment>;
  /**
   * Like rows(…, 'read') but null instead of a denial when no rule reaches any row: for checks
   * that merely ask (is this linked record readable?) and must not log a denial for it.
   */
  readableRows(entity: CompiledEntity, alias: string): Promise<SqlFragment | null>;
  /** May the user read this field (masking, filters, sorts, includes)? */
  canRead(entity: CompiledEntity, field: string): boolean;
  /** Throws FORBIDDEN naming the first field the user may not write. */
  assertWrite(entity: CompiledEntity, action: 'create' | 'update', fields: string[]): void;
  /** A FORBIDDEN error for this denial, logged with user, action, subject and reason. */
  deny(action: string, subject: string, reason: string, field?: string | string[]): CrmError;
  /** The reason an explicit denial (an inverted rule) gives for this record, if one matches. */
  denialReason?(entity: CompiledEntity, action: string, record: RecordData): string | undefined;
}

export interface Actor {
  /** Login of the user acting; recorded in history and system columns. */
  id: string;
  locale: Locale;
  access?: RecordAccess;
  /** The user's roles (what a write hook may ask, e.g. is this a task's candidate group?). */
  roles?: readonly string[];
  /** Set when the workflow engine writes for a process instance (write-hooks.ts). */
  engine?: EngineOrigin;
}

export const ALL_ROWS: SqlFragment = { sql: '1=1', params: [] };
export const NO_ROWS: SqlFragment = { sql: '1=0', params: [] };

export interface ListQuery {
  filter?: unknown;
  sort?: string;
  limit?: number;
  cursor?: string;
  fields?: string[];
  include?: string[];
  count?: boolean;
  /** `only`: the trash (soft-deleted records); default: live records. */
  deleted?: 'only';
}

export interface ListResult {
  data: RecordData[];
  nextCursor: string | null;
  count?: number;
}

export interface HistoryEntry {
  id: number;
  at: string | null;
  actor: string | null;
  action: string;
  field: string | null;
  old: unknown;
  new: unknown;
}

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 50;
