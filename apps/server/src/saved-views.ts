import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  CrmError,
  DB,
  type Db,
  type ErrorDetail,
  ErrorCode,
  fromDbTimestamp,
  isUniqueViolation,
  toDbTimestamp,
} from '@crm/common';

/** A user's own saved list view of one entity: what the web app's list restores. */
export interface SavedView {
  id: number;
  entity: string;
  name: string;
  /** filter rows, sort, columns, mode (table / kanban), group field: the app's own shape */
  definition: Record<string, unknown>;
  createdAt: string | null;
  updatedAt: string | null;
}

export const MAX_VIEW_NAME = 100;
export const MAX_VIEW_BYTES = 65_536;

/** Checks a create / update body; every problem at once, each with its pointer. */
export function parseSavedViewBody(body: unknown): {
  name: string;
  definition: Record<string, unknown>;
} {
  const errors: ErrorDetail[] = [];
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<
    string,
    unknown
  >;
  if (!body || typeof body !== 'object' || Array.isArray(body))
    errors.push({ path: '/', message: 'the body must be an object { name, definition }' });
  const name = typeof b.name === 'string' ? b.name.trim() : '';
  if (typeof b.name !== 'string' || !name)
    errors.push({ path: '/name', message: 'a non-empty string is required' });
  else if (name.length > MAX_VIEW_NAME)
    errors.push({ path: '/name', message: `at most ${MAX_VIEW_NAME} characters` });
  const def = b.definition;
  if (!def || typeof def !== 'object' || Array.isArray(def))
    errors.push({ path: '/definition', message: 'an object is required' });
  else if (Buffer.byteLength(JSON.stringify(def)) > MAX_VIEW_BYTES)
    errors.push({ path: '/definition', message: `at most ${MAX_VIEW_BYTES} bytes as JSON` });
  if (errors.length) throw new CrmError(ErrorCode.BadRequest, 'invalid saved view', errors);
  return { name, definition: def as Record<string, unknown> };
}

interface Row {
  id: number | string;
  entity: string;
  name: string;
  definition: string;
  created_at: unknown;
  updated_at: unknown;
}

const toView = (r: Row): SavedView => ({
  id: Number(r.id),
  entity: r.entity,
  name: r.name,
  definition: JSON.parse(r.definition) as Record<string, unknown>,
  createdAt: fromDbTimestamp(r.created_at),
  updatedAt: fromDbTimestamp(r.updated_at),
});

const notFound = (id: number) =>
  new CrmError(ErrorCode.SavedViewNotFound, `no saved view ${id} of yours`, [
    { path: 'id', message: 'not found' },
  ]);
const taken = (name: string) =>
  new CrmError(ErrorCode.UniqueViolation, `you already have a view named "${name}"`, [
    { path: '/name', message: 'already used for this entity' },
  ]);

/** crm_saved_view: each user sees and changes only their own views. */
@Injectable()
export class SavedViewsService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(owner: string, entity: string): Promise<SavedView[]> {
    const rows = await this.db.query<Row>(
      'SELECT id, entity, name, definition, created_at, updated_at FROM crm_saved_view WHERE owner = ? AND entity = ? ORDER BY name',
      [owner, entity],
    );
    return rows.map(toView);
  }

  private async one(owner: string, entity: string, id: number, db: Db = this.db) {
    const [row] = await db.query<Row>(
      'SELECT id, entity, name, definition, created_at, updated_at FROM crm_saved_view WHERE id = ? AND owner = ? AND entity = ?',
      [id, owner, entity],
    );
    if (!row) throw notFound(id);
    return toView(row);
  }

  async create(owner: string, entity: string, body: unknown): Promise<SavedView> {
    const { name, definition } = parseSavedViewBody(body);
    const now = toDbTimestamp(this.clock.now());
    try {
      const r = await this.db.execute(
        'INSERT INTO crm_saved_view (owner, entity, name, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        [owner, entity, name, JSON.stringify(definition), now, now],
      );
      return await this.one(owner, entity, r.insertId);
    } catch (e) {
      throw isUniqueViolation(e) ? taken(name) : e;
    }
  }

  async update(owner: string, entity: string, id: number, body: unknown): Promise<SavedView> {
    const { name, definition } = parseSavedViewBody(body);
    await this.one(owner, entity, id);
    try {
      await this.db.execute(
        'UPDATE crm_saved_view SET name = ?, definition = ?, updated_at = ? WHERE id = ? AND owner = ?',
        [name, JSON.stringify(definition), toDbTimestamp(this.clock.now()), id, owner],
      );
    } catch (e) {
      throw isUniqueViolation(e) ? taken(name) : e;
    }
    return this.one(owner, entity, id);
  }

  async remove(owner: string, entity: string, id: number): Promise<void> {
    await this.one(owner, entity, id);
    await this.db.execute('DELETE FROM crm_saved_view WHERE id = ? AND owner = ?', [id, owner]);
  }
}
