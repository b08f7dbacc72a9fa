import type { Clock } from '@crm/common';
import { type FeelOptions, evaluateFeel } from '@crm/metadata';
import type { RecordData, RecordsService } from '@crm/records';
import type { TaskContext, TaskType } from '../task-types';
import { TaskTypeError } from '../task-types';

/** What a find may return at most (the variables of an instance are bounded in bytes too). */
export const FIND_MAX_LIMIT = 1000;
const PAGE = 200;

/**
 * `crm:find-records`: reads the records of header `entity` into a list variable — what a
 * multi-instance activity then goes over (a greeting per contact, a reminder per receivable).
 *
 * Headers (`=FEEL` or literal):
 * - `entity` (required);
 * - `filter`: the records API filter (JSON text, or FEEL giving a context:
 *   `={status: "open", "amountDue": {"$gt": 1000}}`), run in SQL;
 * - `where`: FEEL over `item` (each record the filter left) and the token's variables, kept when
 *   true: for what the filter syntax cannot say (`substring(item.birthday, 6) = …`). It runs in
 *   memory over the filter's rows, so narrow with `filter` first;
 * - `fields`: comma list of the fields to keep (default all); `sort` as the records API;
 * - `limit` (default 100, at most 1000); `resultVariable` (default `records`).
 *
 * It runs on the job executor (mode `job`), outside the step's transaction: a large read never
 * holds the instance's locks, and a failure (unknown entity, bad filter) retries, then becomes an
 * incident naming the header.
 */
export class FindRecords implements TaskType {
  readonly type = 'crm:find-records';
  readonly mode = 'job';
  constructor(
    private readonly records: RecordsService,
    private readonly feelOptions: () => FeelOptions,
  ) {}

  async run(ctx: TaskContext): Promise<Record<string, unknown>> {
    const entity = ctx.header('entity');
    if (typeof entity !== 'string' || !entity)
      throw new TaskTypeError('crm:find-records needs an entity header');
    const limit = limitOf(ctx.header('limit'));
    const filter = filterOf(ctx.header('filter'));
    const fieldsHeader = ctx.header('fields');
    const fields =
      typeof fieldsHeader === 'string' && fieldsHeader.trim()
        ? fieldsHeader.split(',').map((f) => f.trim())
        : undefined;
    const sort = ctx.header('sort');
    const where = whereOf(ctx.headers.where);
    const found: RecordData[] = [];
    let cursor: string | undefined;
    try {
      do {
        const page = await this.records.list(entity, {
          filter,
          fields,
          sort: typeof sort === 'string' ? sort : undefined,
          limit: where ? PAGE : Math.min(PAGE, limit - found.length),
          cursor,
        });
        for (const item of page.data) {
          if (where && !this.keep(where, item, ctx.variables)) continue;
          found.push(item);
          if (found.length >= limit) break;
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor && found.length < limit);
    } catch (e) {
      if (e instanceof TaskTypeError) throw e;
      throw new TaskTypeError(`crm:find-records on ${entity}: ${(e as Error).message}`);
    }
    const result = String(ctx.header('resultVariable') ?? 'records');
    return { [result]: found };
  }

  private keep(where: string, item: RecordData, variables: Record<string, unknown>): boolean {
    try {
      return evaluateFeel(where, { ...variables, item }, this.feelOptions()) === true;
    } catch (e) {
      throw new TaskTypeError(`crm:find-records where "${where}": ${(e as Error).message}`);
    }
  }
}

function limitOf(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > FIND_MAX_LIMIT)
    throw new TaskTypeError(
      `crm:find-records limit must be 1..${FIND_MAX_LIMIT}, not ${String(raw)}`,
    );
  return n;
}

/** The filter header: a context from FEEL, or JSON text as the records API takes it. */
export function filterOf(raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new TaskTypeError(`crm:find-records filter is neither JSON nor a FEEL context: ${raw}`);
  }
}

/** The `where` header's FEEL text (written with or without the leading `=`). */
function whereOf(raw: string | undefined): string | null {
  if (!raw || !raw.trim()) return null;
  const t = raw.trim();
  return t.startsWith('=') ? t.slice(1) : t;
}

/** FEEL options of a task type that evaluates outside a step (the engine's clock and zone). */
export const taskFeelOptions = (
  clock: Clock,
  timeZone: string,
  functions: FeelOptions['functions'],
): FeelOptions => ({ clock: { now: () => clock.now() }, timeZone, functions });
