import { type Faker, Faker as FakerClass, base, en, zh_CN } from '@faker-js/faker';
import { CrmError, ErrorCode, type ErrorDetail } from '@crm/common';
import { type FeelOptions, type FieldDef, evaluateFeel } from '@crm/metadata';
import { type Dataset, type DatasetEntity, type Generator, generatorKind } from './dataset';

/** What the planner needs to know of a field: how a generated value is shaped for it. */
export type FieldInfo = Pick<FieldDef, 'type' | 'currency' | 'length' | 'target' | 'relation'>;

export interface PlanInput {
  dataset: Dataset;
  /** How many root records (customers): the first start's demo size, or `crm seed --size N`. */
  size: number;
  /** Dates and datetimes are relative to this instant (its UTC date is "today"). */
  now: Date;
  /** Field definitions of every entity the dataset names. */
  fields: ReadonlyMap<string, Record<string, FieldInfo>>;
  /** Logins that exist: owners the dataset lists but the database lacks are skipped. */
  users: readonly string[];
  /** Owner when none of an entity's listed owners exists. */
  fallbackOwner: string;
  /** Values of unique fields already stored, by `entity.field`: a generated one avoids them. */
  taken?: ReadonlyMap<string, Iterable<string>>;
  /** today() and friends in `feel` generators (clock and CRM_TIMEZONE). */
  feel?: FeelOptions;
}

/** One record to write. Relations to other planned records are keys, resolved to ids on write. */
export interface PlannedRecord {
  /** Unique within one plan; the writer maps it to the id the database gave the record. */
  key: number;
  entity: string;
  owner: string;
  /** Field values as the records API takes them (currency as { amount, currency }). */
  data: Record<string, unknown>;
  /** Relation field → key of the planned record it points at. */
  refs: Record<string, number>;
  /** A button trigger to press on the record once written, as its owner. */
  start?: string;
}

const DAY = 86_400_000;
const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

/** A faker over the zh-CN locale (falling back to English, then locale-free data), seeded. */
export function seededFaker(seed: number): Faker {
  const f = new FakerClass({ locale: [zh_CN, en, base] });
  f.seed(seed);
  return f;
}

/**
 * The demo data generator: pure, deterministic for a seed. `fixed()` gives the fixed-count
 * records (products...), then `chunks(n)` gives the root records n at a time, each chunk with all
 * its descendants, in the dataset's order (parents before children), so a writer can stream a
 * million rows without holding them. Counts are proportional: `per` children per parent record.
 */
export class DemoPlanner {
  private readonly faker: Faker;
  private nextKey = 1;
  private readonly fixedKeys = new Map<string, number[]>();
  private readonly seen = new Map<string, Set<string>>();
  private readonly counters = new Map<string, number>();
  private readonly fakerFns = new Map<string, () => unknown>();
  private readonly root: DatasetEntity;
  private rootDone = 0;
  private fixedDone = false;

  constructor(private readonly input: PlanInput) {
    this.faker = seededFaker(input.dataset.seed);
    this.root = input.dataset.entities.find((e) => e.root)!;
    for (const [k, values] of input.taken ?? []) this.seen.set(k, new Set(values));
    const errors: ErrorDetail[] = [];
    input.dataset.entities.forEach((de, i) => {
      for (const [name, g] of Object.entries(de.fields)) {
        if (generatorKind(g) !== 'faker') continue;
        const method = (g as { faker: string }).faker;
        const [mod, fn] = method.split('.');
        const m = (this.faker as unknown as Record<string, Record<string, unknown>>)[mod];
        if (!m || typeof m[fn] !== 'function')
          errors.push({
            path: `/entities/${i}/fields/${name}/faker`,
            message: `faker has no method ${method}`,
          });
        else this.fakerFns.set(method, (m[fn] as () => unknown).bind(m));
      }
    });
    if (errors.length)
      throw new CrmError(
        ErrorCode.MetadataInvalid,
        'the demo data set names unknown generators',
        errors,
      );
  }

  /** Expected record counts per entity for `size` roots (averages of `per`), for progress bars. */
  expectedCounts(): Map<string, number> {
    const out = new Map<string, number>();
    const entities = this.input.dataset.entities;
    for (const de of entities) {
      if (de.count !== undefined) out.set(de.entity, de.count);
      else if (de.root) out.set(de.entity, this.input.size);
      else {
        const target = this.input.fields.get(de.entity)![de.parent!.field].target!;
        const per = de.parent!.per;
        const avg = Array.isArray(per) ? (per[0] + per[1]) / 2 : per;
        out.set(de.entity, Math.round((out.get(target) ?? 0) * avg));
      }
    }
    return out;
  }

  /** The fixed-count entities' records; call once, before `chunks`. */
  fixed(): PlannedRecord[] {
    if (this.fixedDone) throw new Error('fixed() was already planned');
    this.fixedDone = true;
    const out: PlannedRecord[] = [];
    for (const de of this.input.dataset.entities) {
      if (de.count === undefined) continue;
      const keys: number[] = [];
      const owners = this.ownersOf(de, [this.input.fallbackOwner]);
      for (let i = 0; i < de.count; i++) {
        const r = this.make(de, owners[i % owners.length], null);
        keys.push(r.key);
        out.push(r);
      }
      this.fixedKeys.set(de.entity, keys);
    }
    return out;
  }

  /** The next up to `n` root records with all their descendants; null when all are planned. */
  nextChunk(n: number): PlannedRecord[] | null {
    if (!this.fixedDone) this.fixed();
    if (this.rootDone >= this.input.size) return null;
    const take = Math.min(n, this.input.size - this.rootDone);
    const byEntity = new Map<string, PlannedRecord[]>();
    const out: PlannedRecord[] = [];
    const rootOwners = this.ownersOf(this.root, [this.input.fallbackOwner]);
    const roots: PlannedRecord[] = [];
    for (let i = 0; i < take; i++) {
      const idx = this.rootDone + i;
      roots.push(this.make(this.root, rootOwners[idx % rootOwners.length], null));
    }
    this.rootDone += take;
    byEntity.set(this.root.entity, roots);
    out.push(...roots);
    for (const de of this.input.dataset.entities) {
      if (!de.parent) continue;
      const target = this.input.fields.get(de.entity)![de.parent.field].target!;
      const parents = byEntity.get(target) ?? [];
      const own = de.owners ? this.ownersOf(de, []) : [];
      const made: PlannedRecord[] = [];
      for (const p of parents) {
        const count = this.count(de.parent.per);
        for (let j = 0; j < count; j++) {
          const owner = own.length ? own[this.int(0, own.length - 1)] : p.owner;
          const r = this.make(de, owner, p);
          r.refs[de.parent.field] = p.key;
          made.push(r);
        }
      }
      byEntity.set(de.entity, made);
      out.push(...made);
    }
    return out;
  }

  private ownersOf(de: DatasetEntity, fallback: string[]): string[] {
    const ok = (de.owners ?? []).filter((o) => this.input.users.includes(o));
    return ok.length ? ok : fallback;
  }

  private rnd(): number {
    return this.faker.number.float({ min: 0, max: 1 });
  }

  private int(min: number, max: number): number {
    return this.faker.number.int({ min, max });
  }

  /** `per: 1.5` gives 1 or 2 (2 half the time), so the average is what the dataset says. */
  private count(per: number | [number, number]): number {
    if (Array.isArray(per)) return this.int(per[0], per[1]);
    const whole = Math.floor(per);
    return whole + (this.rnd() < per - whole ? 1 : 0);
  }

  private make(de: DatasetEntity, owner: string, parent: PlannedRecord | null): PlannedRecord {
    const fields = this.input.fields.get(de.entity)!;
    const plain: Record<string, unknown> = {};
    const refs: Record<string, number> = {};
    const parentPlain = parent ? plainOf(parent.data) : null;
    for (const [name, g] of Object.entries(de.fields)) {
      if (g.optional !== undefined && this.rnd() < g.optional) continue;
      const kind = generatorKind(g);
      if (kind === 'ref') {
        const keys = this.fixedKeys.get((g as { ref: string }).ref) ?? [];
        if (keys.length) refs[name] = keys[this.int(0, keys.length - 1)];
        continue;
      }
      if (kind === 'fromParent') {
        const k = parent?.refs[(g as { fromParent: string }).fromParent];
        if (k !== undefined) refs[name] = k;
        continue;
      }
      let v = this.value(de, name, g, plain, parentPlain, fields[name]);
      if (v === null || v === undefined) continue;
      if (typeof v === 'string' && fields[name]?.length) v = v.slice(0, fields[name].length);
      if (g.unique) v = this.uniqueOf(`${de.entity}.${name}`, v, fields[name]?.length);
      plain[name] = v;
    }
    const data: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(plain)) {
      const f = fields[name];
      data[name] =
        f?.type === 'currency' && typeof v === 'number'
          ? { amount: v, currency: f.currency ?? 'CNY' }
          : v;
    }
    const r: PlannedRecord = { key: this.nextKey++, entity: de.entity, owner, data, refs };
    if (
      de.start &&
      (!de.start.owners || de.start.owners.includes(owner)) &&
      this.rnd() < de.start.share
    )
      r.start = de.start.trigger;
    return r;
  }

  private value(
    de: DatasetEntity,
    name: string,
    g: Generator,
    record: Record<string, unknown>,
    parent: Record<string, unknown> | null,
    f: FieldInfo | undefined,
  ): unknown {
    const now = this.input.now.getTime();
    const g2 = g as Record<string, unknown>;
    switch (generatorKind(g)) {
      case 'faker':
        return this.fakerFns.get(g2.faker as string)!();
      case 'pick': {
        const p = g2.pick as unknown[] | Record<string, number>;
        if (Array.isArray(p)) return p[this.int(0, p.length - 1)];
        // a mapping's keys are text: a number or boolean field gets them as numbers / booleans
        const entries = Object.entries(p);
        const total = entries.reduce((s, [, w]) => s + w, 0);
        let x = this.rnd() * total;
        let v = entries[entries.length - 1][0];
        for (const [k, w] of entries)
          if ((x -= w) < 0) {
            v = k;
            break;
          }
        return coerceKey(v, f);
      }
      case 'int': {
        const [a, b] = g2.int as [number, number];
        return this.int(a, b);
      }
      case 'decimal': {
        const [a, b, scale = 2] = g2.decimal as number[];
        const m = 10 ** scale;
        return Math.round((a + this.rnd() * (b - a)) * m) / m;
      }
      case 'date': {
        const [a, b] = g2.date as [number, number];
        return isoDate(new Date(now + this.int(a, b) * DAY));
      }
      case 'datetime': {
        const [a, b] = g2.datetime as [number, number];
        // whole minutes: what a person would have typed
        const t = now + Math.round((a + this.rnd() * (b - a)) * 1440) * 60_000;
        return new Date(Math.floor(t / 60_000) * 60_000).toISOString();
      }
      case 'after': {
        const base = record[g2.after as string];
        if (typeof base !== 'string') return null;
        const [a, b] = g2.days as [number, number];
        const d = new Date(Date.parse(base) + this.int(a, b) * DAY);
        return f?.type === 'date' ? isoDate(d) : d.toISOString();
      }
      case 'feel': {
        const v = evaluateFeel(
          g2.feel as string,
          { ...record, parent, owner: record.owner },
          this.input.feel ?? {},
        );
        // dates and durations come back as temporal values: their JSON form is the ISO text
        return v === null || typeof v !== 'object' ? v : (JSON.parse(JSON.stringify(v)) as unknown);
      }
      // arithmetic a FEEL expression could do, without its per-call parse (~1-2 ms): a million
      // records would spend most of their time there
      case 'times': {
        const [field, a, b] = g2.times as [string, number, number];
        const base = record[field];
        if (typeof base !== 'number') return null;
        return Math.round(base * (a + this.rnd() * (b - a)) * 100) / 100;
      }
      case 'minus':
      case 'product': {
        const [x, y] = g2[generatorKind(g)] as [string, string];
        const a = record[x];
        const b = record[y];
        if (typeof a !== 'number' || typeof b !== 'number') return null;
        return Math.round((generatorKind(g) === 'minus' ? a - b : a * b) * 100) / 100;
      }
      case 'template':
        return (g2.template as string).replace(
          /\{(parent\.)?(\w+)\}/g,
          (_m, p?: string, k?: string) => String((p ? parent?.[k!] : record[k!]) ?? ''),
        );
      case 'value':
        return structuredClone(g2.value);
      case 'sequence': {
        const key = `${de.entity}.${name}`;
        const n = (this.counters.get(key) ?? 0) + 1;
        this.counters.set(key, n);
        return (g2.sequence as string).replace(/\{n(?::(\d+))?\}/, (_m, w?: string) =>
          String(n).padStart(Number(w ?? 0), '0'),
        );
      }
      case 'ref':
      case 'fromParent':
        return null; // handled by make()
    }
  }

  private uniqueOf(key: string, v: unknown, max?: number): unknown {
    let seen = this.seen.get(key);
    if (!seen) this.seen.set(key, (seen = new Set()));
    const s = String(v);
    let out = s;
    for (let i = 2; seen.has(out); i++) {
      const suffix = `-${i}`;
      out = (max ? s.slice(0, max - suffix.length) : s) + suffix;
    }
    seen.add(out);
    return typeof v === 'string' ? out : v;
  }
}

function coerceKey(v: string, f: FieldInfo | undefined): unknown {
  switch (f?.type) {
    case 'integer':
    case 'decimal':
    case 'percent':
    case 'currency':
      return Number(v);
    case 'boolean':
      return v === 'true';
    default:
      return v;
  }
}

/** A record's values as FEEL sees them: a currency is its amount. */
function plainOf(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data))
    out[k] = v && typeof v === 'object' && 'amount' in v ? (v as { amount: unknown }).amount : v;
  return out;
}
