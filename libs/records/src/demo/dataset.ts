import { CrmError, type ErrorDetail, ErrorCode } from '@crm/common';
import type { CompiledEntity } from '@crm/metadata';

/**
 * The demo data set format (demo/dataset.yaml): which records to make, how many per parent, and
 * how each field's value is generated. It names the shipped entities, so it lives beside the
 * metadata as data, never in engine code; the generator (plan.ts) knows only this format.
 *
 * Not a metadata document kind: it is never applied, revisioned or served, so it sits outside
 * metadata/ (whose loader treats every YAML file as a document) in a top-level demo/ folder.
 */
export interface Dataset {
  /** faker seed: the same seed and size give the same records. */
  seed: number;
  /** Entities in write order: a parent before its children, a `ref` target before its users. */
  entities: DatasetEntity[];
}

export interface DatasetEntity {
  entity: string;
  /** A fixed number of records, whatever the size (products, groups...). */
  count?: number;
  /** The root: `size` records (`crm seed --size N`, or the first start's demo size). */
  root?: boolean;
  /** Children: this many per record of the parent named by `field` (a manyToOne to it). */
  parent?: { field: string; per: number | [number, number] };
  /** Logins the records are owned by (round-robin over the root; children take their parent's). */
  owners?: string[];
  fields: Record<string, Generator>;
  /** Processes to start on some of the records (first start only): a button trigger. */
  start?: { trigger: string; share: number; owners?: string[] };
}

/**
 * One field's generator; exactly one kind key, plus `optional` (share of nulls) and `unique`
 * (a value seen before gets a numeric suffix).
 */
export type Generator = GeneratorKind & { optional?: number; unique?: boolean };
export type GeneratorKind =
  | { faker: string }
  | { pick: unknown[] | Record<string, number> }
  | { int: [number, number] }
  | { decimal: [number, number, number?] }
  | { date: [number, number] }
  | { datetime: [number, number] }
  | { after: string; days: [number, number] }
  | { ref: string }
  | { fromParent: string }
  | { feel: string }
  | { times: [string, number, number] }
  | { minus: [string, string] }
  | { product: [string, string] }
  | { template: string }
  | { value: unknown }
  | { sequence: string };

const KINDS = [
  'faker',
  'pick',
  'int',
  'decimal',
  'date',
  'datetime',
  'after',
  'ref',
  'fromParent',
  'feel',
  'times',
  'minus',
  'product',
  'template',
  'value',
  'sequence',
] as const;
export type GeneratorName = (typeof KINDS)[number];

export function generatorKind(g: Generator): GeneratorName {
  return KINDS.find((k) => Object.hasOwn(g, k))!;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);
const isRange = (v: unknown, len = 2): v is number[] =>
  Array.isArray(v) &&
  v.length >= 2 &&
  v.length <= len &&
  v.every((n) => typeof n === 'number' && Number.isFinite(n)) &&
  v[0] <= v[1];

/** Checks a parsed dataset.yaml's shape; every problem names its JSON pointer. */
export function datasetShapeErrors(raw: unknown): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });
  if (!isObj(raw)) return [{ path: '', message: 'must be a mapping with seed and entities' }];
  if (!Number.isInteger(raw.seed)) err('/seed', 'must be an integer');
  if (!Array.isArray(raw.entities) || !raw.entities.length) {
    err('/entities', 'must be a non-empty list');
    return errors;
  }
  raw.entities.forEach((e: unknown, i) => {
    const at = `/entities/${i}`;
    if (!isObj(e)) return err(at, 'must be a mapping');
    if (typeof e.entity !== 'string') err(`${at}/entity`, 'must be an entity name');
    const modes = ['count', 'root', 'parent'].filter((k) => e[k] !== undefined);
    if (modes.length !== 1) err(at, 'needs exactly one of count, root, parent');
    if (e.count !== undefined && (!Number.isInteger(e.count) || (e.count as number) < 0))
      err(`${at}/count`, 'must be an integer >= 0');
    if (e.root !== undefined && e.root !== true) err(`${at}/root`, 'must be true');
    if (e.parent !== undefined) {
      const p = e.parent;
      if (!isObj(p) || typeof p.field !== 'string') err(`${at}/parent`, 'must be { field, per }');
      else if (!(typeof p.per === 'number' && p.per >= 0) && !isRange(p.per))
        err(`${at}/parent/per`, 'must be a number >= 0 or a range [min, max]');
    }
    if (
      e.owners !== undefined &&
      (!Array.isArray(e.owners) || !e.owners.every((o) => typeof o === 'string'))
    )
      err(`${at}/owners`, 'must be a list of logins');
    if (e.start !== undefined) {
      const s = e.start;
      if (!isObj(s) || typeof s.trigger !== 'string')
        err(`${at}/start`, 'must be { trigger, share }');
      else if (typeof s.share !== 'number' || s.share < 0 || s.share > 1)
        err(`${at}/start/share`, 'must be a number from 0 to 1');
    }
    if (!isObj(e.fields)) return err(`${at}/fields`, 'must be a mapping of field generators');
    for (const [name, g] of Object.entries(e.fields)) {
      const fat = `${at}/fields/${name}`;
      if (!isObj(g)) {
        err(fat, 'must be a generator mapping, e.g. { faker: company.name }');
        continue;
      }
      const kinds = KINDS.filter((k) => Object.hasOwn(g, k));
      if (kinds.length !== 1) {
        err(fat, `needs exactly one of ${KINDS.join(', ')}`);
        continue;
      }
      const k = kinds[0];
      const v = g[k];
      const bad = (m: string) => err(`${fat}/${k}`, m);
      switch (k) {
        case 'faker':
          if (typeof v !== 'string' || !/^[a-z]+\.[a-zA-Z]+$/.test(v))
            bad('must be a faker method such as company.name');
          break;
        case 'pick':
          if (
            !(Array.isArray(v) && v.length) &&
            !(
              isObj(v) &&
              Object.keys(v).length &&
              Object.values(v).every((w) => typeof w === 'number' && w >= 0)
            )
          )
            bad('must be a non-empty list, or a mapping of value → weight');
          break;
        case 'int':
        case 'date':
        case 'datetime':
          if (!isRange(v)) bad('must be a range [min, max]');
          break;
        case 'decimal':
          if (!isRange(v, 3)) bad('must be [min, max] or [min, max, scale]');
          break;
        case 'after':
          if (typeof v !== 'string') bad('must name an earlier date field');
          if (!isRange(g.days)) err(`${fat}/days`, 'must be a range [min, max] of days');
          break;
        case 'ref':
        case 'fromParent':
        case 'feel':
        case 'sequence':
          if (typeof v !== 'string' || !v) bad('must be a non-empty string');
          break;
        case 'times':
          if (!Array.isArray(v) || typeof v[0] !== 'string' || !isRange(v.slice(1)))
            bad('must be [field, min factor, max factor]');
          break;
        case 'minus':
        case 'product':
          if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'string'))
            bad('must be [field, field]');
          break;
        case 'template':
          if (typeof v !== 'string') bad('must be text with {field} or {parent.field} parts');
          break;
        case 'value':
          break;
      }
      if (
        g.optional !== undefined &&
        !(typeof g.optional === 'number' && g.optional >= 0 && g.optional <= 1)
      )
        err(`${fat}/optional`, 'must be a share from 0 to 1');
      if (g.unique !== undefined && typeof g.unique !== 'boolean')
        err(`${fat}/unique`, 'must be true or false');
    }
  });
  const roots = raw.entities.filter((e) => isObj(e) && e.root === true).length;
  if (roots !== 1) err('/entities', `needs exactly one root entity, found ${roots}`);
  return errors;
}

/**
 * Checks the dataset against the live model: entities and fields exist, parents are manyToOne
 * relations to an entity listed earlier, refs point at earlier fixed-count entities.
 */
export function datasetModelErrors(
  ds: Dataset,
  entities: ReadonlyMap<string, Pick<CompiledEntity, 'fields'>>,
): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const seen = new Map<string, DatasetEntity>();
  ds.entities.forEach((de, i) => {
    const at = `/entities/${i}`;
    const e = entities.get(de.entity);
    if (!e) {
      errors.push({ path: `${at}/entity`, message: `no entity "${de.entity}"` });
      return;
    }
    if (seen.has(de.entity))
      errors.push({ path: `${at}/entity`, message: `"${de.entity}" is listed twice` });
    if (de.parent) {
      const f = e.fields[de.parent.field];
      if (!f || f.type !== 'relation' || f.relation !== 'manyToOne')
        errors.push({
          path: `${at}/parent/field`,
          message: `"${de.parent.field}" is not a manyToOne relation of ${de.entity}`,
        });
      else if (!seen.has(f.target!) || seen.get(f.target!)!.count !== undefined)
        errors.push({
          path: `${at}/parent/field`,
          message: `its target ${f.target} must be the root or a child listed earlier`,
        });
    }
    for (const [name, g] of Object.entries(de.fields)) {
      const fat = `${at}/fields/${name}`;
      const f = e.fields[name];
      if (!f) {
        errors.push({ path: fat, message: `${de.entity} has no field "${name}"` });
        continue;
      }
      if (f.type === 'autoNumber' || f.relation === 'manyToMany')
        errors.push({ path: fat, message: `${f.type} fields are not generated` });
      if (f.formula !== undefined || f.rollup !== undefined)
        errors.push({
          path: fat,
          message: `${name} is computed by the server (${f.formula !== undefined ? 'formula' : 'rollup'}): leave it out`,
        });
      if (de.parent && name === de.parent.field)
        errors.push({ path: fat, message: 'the parent field is set by the generator' });
      const kind = generatorKind(g);
      if (kind === 'ref' || kind === 'fromParent') {
        if (f.type !== 'relation') errors.push({ path: fat, message: `${name} is not a relation` });
      }
      if (kind === 'ref') {
        const target = (g as { ref: string }).ref;
        const src = seen.get(target);
        if (!src || src.count === undefined)
          errors.push({
            path: `${fat}/ref`,
            message: `"${target}" must be a fixed-count entity listed earlier`,
          });
        else if (f.type === 'relation' && f.target !== target)
          errors.push({
            path: `${fat}/ref`,
            message: `${name} points at ${f.target}, not ${target}`,
          });
      }
      if (kind === 'fromParent') {
        const pf = (g as { fromParent: string }).fromParent;
        const parentEntity = de.parent && e.fields[de.parent.field]?.target;
        const pe = parentEntity ? entities.get(parentEntity) : undefined;
        if (!pe || !pe.fields[pf] || pe.fields[pf].type !== 'relation')
          errors.push({
            path: `${fat}/fromParent`,
            message: `the parent has no relation field "${pf}"`,
          });
      }
      if (kind === 'after' && !de.fields[(g as { after: string }).after])
        errors.push({ path: `${fat}/after`, message: 'must name a date field generated before' });
    }
    // a required field nobody generates and without a default would fail every write
    for (const [name, f] of Object.entries(e.fields))
      if (
        f.required &&
        f.default === undefined &&
        f.type !== 'autoNumber' &&
        !de.fields[name] &&
        de.parent?.field !== name
      )
        errors.push({ path: `${at}/fields`, message: `required field "${name}" has no generator` });
    seen.set(de.entity, de);
  });
  return errors;
}

/** Parses and checks a dataset; a bad one is a METADATA_INVALID error naming the file. */
export function assertDataset(
  raw: unknown,
  file: string,
  entities?: ReadonlyMap<string, Pick<CompiledEntity, 'fields'>>,
): Dataset {
  let errors = datasetShapeErrors(raw);
  if (!errors.length && entities) errors = datasetModelErrors(raw as Dataset, entities);
  if (errors.length)
    throw new CrmError(
      ErrorCode.MetadataInvalid,
      `${file}: ${errors.length} problem(s) in the demo data set`,
      errors.map((e) => ({ ...e, file })),
    );
  return raw as Dataset;
}
