import {
  type AppConfig,
  CrmError,
  type Db,
  deadlineTerm,
  ErrorCode,
  type SqlParam,
  q,
} from '@crm/common';
import {
  type CompiledEntity,
  type FieldDef,
  type MetaService,
  RESERVED_FIELD_NAMES,
  junctionTableName,
} from '@crm/metadata';
import { type RecordData, fromRow, selectColumns } from './codec';
import { type RelatedAlias, type SqlFragment, translateFilter } from './filter';
import {
  type AccessAction,
  ALL_ROWS,
  DEFAULT_LIMIT,
  type ListQuery,
  type ListResult,
  MAX_LIMIT,
  NO_ROWS,
  type RecordAccess,
} from './record-types';
import { inChunks } from './references';
import { decodeCursor, encodeCursor, keysetCondition, orderBySql, parseSort } from './sort-cursor';

export const isM2M = (f: FieldDef): boolean => f.type === 'relation' && f.relation === 'manyToMany';

/** Options of one record's read. */
export interface GetOptions {
  fields?: string[];
  include?: string[];
  withDeleted?: boolean;
  access?: RecordAccess;
  /** The access action the row must allow (default read). */
  action?: AccessAction;
}

export function notFoundError(e: CompiledEntity, id: number): CrmError {
  return new CrmError(ErrorCode.RecordNotFound, `${e.name} ${id} not found`, [
    { path: 'id', message: `no live ${e.name} with id ${id}` },
  ]);
}

/**
 * The read side of the records service: one record, pages of a list (filter, sort, keyset cursor,
 * count) and everything a read adds to rows — many-to-many links, included relations and the
 * masking of fields the user may not read. The user's row conditions are always part of the SQL,
 * so nothing the user may not see is read and then dropped.
 */
export class RecordReader {
  constructor(
    private readonly db: Db,
    private readonly meta: MetaService,
    private readonly config: AppConfig,
    /** The entity by name, checked available (RecordsService.entity). */
    private readonly entity: (name: string) => CompiledEntity,
  ) {}

  async get(
    entityName: string,
    id: number,
    opts: {
      fields?: string[];
      include?: string[];
      withDeleted?: boolean;
      access?: RecordAccess;
      /** The access action the row must allow (default read). */
      action?: AccessAction;
    } = {},
    db: Db = this.db,
  ): Promise<RecordData> {
    const e = this.entity(entityName);
    const only = this.parseFields(e, opts.fields, opts.access);
    // A record outside the user's conditions answers exactly like a missing one: ids cannot be
    // enumerated to learn which exist.
    const allowed = opts.access ? await opts.access.rows(e, opts.action ?? 'read') : ALL_ROWS;
    const rows = await db.query(
      `SELECT ${selectColumns(e, only)
        .map((c) => `t.${q(c)}`)
        .join(
          ', ',
        )} FROM ${q(e.table)} t WHERE t.${q('id')} = ?${opts.withDeleted ? '' : ' AND t.deleted_at IS NULL'} AND ${allowed.sql}`,
      [id, ...allowed.params],
    );
    if (!rows.length) {
      // the answer stays a 404; the audit trail still learns that someone probed a hidden record
      if (opts.access) {
        const [exists] = await db.query(`SELECT t.id FROM ${q(e.table)} t WHERE t.id = ?`, [id]);
        if (exists)
          opts.access.deny(
            opts.action ?? 'read',
            `${e.name}/${id}`,
            'outside the records you may see (answered as not found)',
          );
      }
      throw notFoundError(e, id);
    }
    const [rec] = await this.hydrate(e, rows, only, opts.include ?? [], db, opts.access);
    return rec;
  }

  async list(entityName: string, query: ListQuery, access?: RecordAccess): Promise<ListResult> {
    return this.listWhere(this.entity(entityName), query, access, ALL_ROWS);
  }

  /**
   * Every record matching the query that the user may read and also `action` (export), page by
   * page along the keyset cursor: memory holds one page, however many rows match. The first page
   * is read on the first `next()`, so a refused query fails before anything is sent.
   */
  async *pages(
    entityName: string,
    query: Pick<ListQuery, 'filter' | 'sort' | 'fields'>,
    access: RecordAccess | undefined,
    action: 'export',
    pageSize = MAX_LIMIT,
  ): AsyncGenerator<RecordData[], void, undefined> {
    const e = this.entity(entityName);
    const also = access ? await access.rows(e, action) : ALL_ROWS;
    let cursor: string | undefined;
    do {
      const page = await this.listWhere(e, { ...query, limit: pageSize, cursor }, access, also);
      if (page.data.length) yield page.data;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  private async listWhere(
    e: CompiledEntity,
    query: ListQuery,
    access: RecordAccess | undefined,
    also: SqlFragment,
  ): Promise<ListResult> {
    const only = this.parseFields(e, query.fields, access);
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new CrmError(ErrorCode.QueryInvalid, `limit must be 1..${MAX_LIMIT}`, [
        { path: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` },
      ]);
    }
    const readable = access
      ? (entity: string, field: string) => access.canRead(this.entity(entity), field)
      : undefined;
    const related = access ? await this.relatedReadConditions(e, access) : undefined;
    const where = translateFilter(this.meta.model, e, query.filter, readable, (name, alias) =>
      related ? (related.get(`${alias}:${name}`) ?? NO_ROWS) : undefined,
    );
    const keys = parseSort(e, query.sort, readable);
    // The user's conditions are part of the WHERE clause, so pages, cursors and counts only ever
    // see rows the user may read; nothing is filtered in memory after the query.
    const allowed = access ? await access.rows(e, 'read') : ALL_ROWS;
    const extra = also === ALL_ROWS ? '' : ` AND (${also.sql})`;
    // a user shapes this query (filter, sort, count): it runs under the statement timeout
    const timed = { timeoutMs: this.config.queryTimeoutMs };
    const base = `${deadlineTerm(this.db.dialect)} AND t.deleted_at IS ${query.deleted === 'only' ? 'NOT ' : ''}NULL AND ${allowed.sql}${extra} AND ${where.sql}`;
    const baseParams: SqlParam[] = [...allowed.params, ...also.params, ...where.params];
    const params: SqlParam[] = [...baseParams];
    let sql = base;
    if (query.cursor) {
      const ks = keysetCondition(keys, decodeCursor(keys, query.cursor));
      sql += ` AND ${ks.sql}`;
      params.push(...ks.params);
    }
    const cols = new Set(selectColumns(e, only));
    for (const k of keys) cols.add(k.column);
    const rows = await this.db.query(
      `SELECT ${[...cols].map((c) => `t.${q(c)}`).join(', ')} FROM ${q(e.table)} t WHERE ${sql} ORDER BY ${orderBySql(keys)} LIMIT ${limit + 1}`,
      params,
      timed,
    );
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const data = await this.hydrate(e, page, only, query.include ?? [], this.db, access);
    const out: ListResult = {
      data,
      nextCursor: more ? encodeCursor(keys, page[page.length - 1]) : null,
    };
    if (query.count) {
      const [c] = await this.db.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM ${q(e.table)} t WHERE ${base}`,
        baseParams,
        timed,
      );
      out.count = Number(c.n);
    }
    return out;
  }

  /**
   * The user's read condition on every entity a filter of `e` can reach through a relation, keyed
   * `alias:entity`: `r` for a many-to-one hop, `m` for the target of a many-to-many link (also one
   * hop away). A related record the user may not read never makes a filter match.
   */
  private async relatedReadConditions(
    e: CompiledEntity,
    access: RecordAccess,
  ): Promise<Map<string, SqlFragment>> {
    const out = new Map<string, SqlFragment>();
    const add = async (targetName: string, alias: RelatedAlias) => {
      const target = this.meta.model.entities.get(targetName);
      if (!target || out.has(`${alias}:${target.name}`)) return;
      out.set(`${alias}:${target.name}`, (await access.readableRows(target, alias)) ?? NO_ROWS);
    };
    for (const f of Object.values(e.fields)) {
      if (f.type !== 'relation') continue;
      if (f.relation === 'manyToMany') {
        await add(f.target!, 'm');
        continue;
      }
      await add(f.target!, 'r');
      for (const g of Object.values(this.meta.model.entities.get(f.target!)?.fields ?? {}))
        if (isM2M(g)) await add(g.target!, 'm');
    }
    return out;
  }

  private parseFields(
    e: CompiledEntity,
    fields?: string[],
    access?: RecordAccess,
  ): Set<string> | undefined {
    if (!fields || fields.length === 0) return undefined;
    // a field the user may not read is as unknown as one that does not exist; system fields
    // (id, owner, version...) are always returned, so naming them is fine and changes nothing
    const bad = fields.filter(
      (f) =>
        (!e.fields[f] && !RESERVED_FIELD_NAMES.includes(f)) || (access && !access.canRead(e, f)),
    );
    if (bad.length) {
      throw new CrmError(
        ErrorCode.FieldUnknown,
        `unknown field(s): ${bad.join(', ')}`,
        bad.map((f) => ({ path: 'fields', message: `unknown field "${f}" on ${e.name}` })),
      );
    }
    return new Set(fields);
  }

  /** Rows → API records, with manyToMany values and the included related records. */
  async hydrate(
    e: CompiledEntity,
    rows: Array<Record<string, unknown>>,
    only: Set<string> | undefined,
    include: string[],
    db: Db,
    access?: RecordAccess,
  ): Promise<RecordData[]> {
    const records = rows.map((r) => fromRow(e, r, only));
    if (!records.length) return records;
    const ids = records.map((r) => r.id as number);
    for (const [name, f] of Object.entries(e.fields)) {
      if (!isM2M(f) || (only && !only.has(name))) continue;
      if (access && !access.canRead(e, name)) continue;
      const target = this.entity(f.target!);
      // linked ids the user may not read are left out: an id alone says the record exists
      // (asking, not acting: no denial is logged for a target the user reads none of)
      const visible = access
        ? ((await access.readableRows(target, 't')) ?? { sql: '1=0', params: [] })
        : null;
      const links = await this.links(db, junctionTableName(e.name, name), ids, target, visible);
      for (const r of records) r[name] = links.get(r.id as number) ?? [];
    }
    if (include.length) await this.includeRelated(e, records, include, db, access);
    if (access) for (const r of records) this.mask(e, r, access);
    return records;
  }

  /** Removes the fields the user may not read (id stays: it is how the record is addressed). */
  private mask(e: CompiledEntity, r: RecordData, access: RecordAccess): void {
    for (const key of Object.keys(r)) {
      if (key !== 'id' && key !== '_related' && !access.canRead(e, key)) delete r[key];
    }
  }

  private async links(
    db: Db,
    table: string,
    ids: number[],
    target?: CompiledEntity,
    visible?: SqlFragment | null,
  ): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    for (const chunk of inChunks(ids)) {
      const inList = chunk.map(() => '?').join(', ');
      const rows = await db.query<{ source_id: number; target_id: number }>(
        target && visible
          ? `SELECT j.source_id, j.target_id FROM ${q(table)} j JOIN ${q(target.table)} t ON t.id = j.target_id WHERE j.source_id IN (${inList}) AND (${visible.sql}) ORDER BY j.target_id`
          : `SELECT source_id, target_id FROM ${q(table)} WHERE source_id IN (${inList}) ORDER BY target_id`,
        target && visible ? [...chunk, ...visible.params] : chunk,
      );
      for (const r of rows) {
        const list = out.get(Number(r.source_id)) ?? [];
        list.push(Number(r.target_id));
        out.set(Number(r.source_id), list);
      }
    }
    return out;
  }

  private async includeRelated(
    e: CompiledEntity,
    records: RecordData[],
    include: string[],
    db: Db,
    access?: RecordAccess,
  ): Promise<void> {
    // Related records obey the user's read conditions and field masks on their own entity: an
    // include never shows a record the user could not fetch directly.
    const fetch = async (target: CompiledEntity, where: string, params: SqlParam[]) => {
      const allowed = access ? await access.rows(target, 'read') : ALL_ROWS;
      const found = (
        await db.query(
          `SELECT ${selectColumns(target)
            .map((c) => `t.${q(c)}`)
            .join(
              ', ',
            )} FROM ${q(target.table)} t WHERE t.deleted_at IS NULL AND ${allowed.sql} AND ${where}`,
          [...allowed.params, ...params],
        )
      ).map((r) => fromRow(target, r));
      if (access) for (const r of found) this.mask(target, r, access);
      return found;
    };
    // the linked ids of a page grow with the stored links: one IN list per chunk
    const fetchIds = async (target: CompiledEntity, ids: number[]) => {
      const found: RecordData[] = [];
      for (const chunk of inChunks(ids))
        found.push(...(await fetch(target, `t.id IN (${chunk.map(() => '?').join(', ')})`, chunk)));
      return found;
    };
    for (const r of records) r._related = {};
    for (const name of include) {
      const f = e.fields[name];
      const inverse = e.inverses.find((i) => i.name === name);
      const hidden =
        access &&
        ((f && !access.canRead(e, name)) ||
          (inverse && !access.canRead(this.entity(inverse.sourceEntity), inverse.sourceField)));
      if (hidden) {
        throw new CrmError(ErrorCode.FieldUnknown, `cannot include "${name}"`, [
          { path: 'include', message: `"${name}" is not a relation of ${e.name}` },
        ]);
      }
      if (f?.type === 'relation') {
        const target = this.entity(f.target!);
        if (f.relation === 'manyToOne') {
          const ids = [
            ...new Set(
              records.map((r) => r[name]).filter((v): v is number => typeof v === 'number'),
            ),
          ];
          const found = await fetchIds(target, ids);
          const byId = new Map(found.map((x) => [x.id, x]));
          for (const r of records)
            (r._related as RecordData)[name] = byId.get(r[name] as number) ?? null;
        } else {
          const links = await this.links(
            db,
            junctionTableName(e.name, name),
            records.map((r) => r.id as number),
          );
          const ids = [...new Set([...links.values()].flat())];
          const found = await fetchIds(target, ids);
          const byId = new Map(found.map((x) => [x.id, x]));
          for (const r of records) {
            (r._related as RecordData)[name] = (links.get(r.id as number) ?? [])
              .map((id) => byId.get(id))
              .filter(Boolean);
          }
        }
      } else if (inverse) {
        const source = this.entity(inverse.sourceEntity);
        const ids = records.map((r) => r.id as number);
        const found = await fetch(
          source,
          `t.${q(inverse.sourceField)} IN (${ids.map(() => '?').join(', ')}) ORDER BY t.id LIMIT 1000`,
          ids,
        );
        for (const r of records)
          (r._related as RecordData)[name] = found.filter((x) => x[inverse.sourceField] === r.id);
      } else {
        throw new CrmError(ErrorCode.FieldUnknown, `cannot include "${name}"`, [
          { path: 'include', message: `"${name}" is not a relation of ${e.name}` },
        ]);
      }
    }
  }
}
