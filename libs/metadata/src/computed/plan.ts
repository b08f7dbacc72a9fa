import type { EntityDocument, FieldDef, RollupFunction } from '../types';
import { feelRefs } from './refs';

/**
 * The dependency graph of computed fields, as a pure function of the entity documents: for each
 * entity, its formulas in the order they must run, its rollups, the rollups of other entities its
 * records feed, and the formulas of other entities that read its fields across a relation. The
 * records library walks it on every write; nothing here touches a database.
 */

/** One `rel.field` a formula or rule reads: the relation field, its target and the target's field. */
export interface RelationRead {
  relation: string;
  target: string;
  field: string;
}

export interface FormulaPlan {
  field: string;
  expression: string;
  /** Own fields it reads (bare names, and the relation fields it follows). */
  own: string[];
  reads: RelationRead[];
}

export interface RollupPlan {
  /** The entity holding the rollup field, and the field. */
  entity: string;
  field: string;
  /** The child entity and its manyToOne field pointing at `entity`. */
  child: string;
  via: string;
  function: RollupFunction;
  /** The child's aggregated field (none for count). */
  source?: string;
  filter?: string;
  /** Child fields the filter reads. */
  filterFields: string[];
}

/** Formulas of `entity` that read fields of this entity through their relation `via`. */
export interface FormulaDependents {
  entity: string;
  via: string;
  /** The fields of this entity they read. */
  fields: string[];
}

export interface EntityComputedPlan {
  /** Every computed field (formula or rollup) of the entity. */
  computed: Set<string>;
  /** Formulas in dependency order: each runs after the formulas it reads. */
  formulas: FormulaPlan[];
  rollups: RollupPlan[];
  /** Rollups on other entities that this entity's records feed. */
  feeds: RollupPlan[];
  dependents: FormulaDependents[];
  /** Relation fields whose target record a formula or a rule reads (`rel.field`). */
  followed: Map<string, string>;
  /** Rules that need the stored record: they read a computed field or follow a relation. */
  deepRules: Set<string>;
}

export const isFormula = (f: FieldDef | undefined): boolean => typeof f?.formula === 'string';
export const isRollup = (f: FieldDef | undefined): boolean => !!f?.rollup;
export const isComputed = (f: FieldDef | undefined): boolean => isFormula(f) || isRollup(f);

const isManyToOne = (f: FieldDef | undefined): boolean =>
  f?.type === 'relation' && f.relation === 'manyToOne';

/** The entity and field whose manyToOne with this inverse name points at `target`. */
export function inverseSource(
  entities: Map<string, EntityDocument>,
  target: string,
  inverse: string,
): { entity: string; field: string } | undefined {
  for (const e of entities.values())
    for (const [name, f] of Object.entries(e.fields))
      if (isManyToOne(f) && f.target === target && f.inverse?.name === inverse)
        return { entity: e.name, field: name };
  return undefined;
}

function relationReads(
  e: EntityDocument,
  expression: string,
): { own: string[]; reads: RelationRead[] } {
  const refs = feelRefs(expression);
  if (!refs) return { own: [], reads: [] };
  const own = new Set(refs.bare);
  const reads: RelationRead[] = [];
  for (const p of refs.paths) {
    const f = Object.hasOwn(e.fields, p.head) ? e.fields[p.head] : undefined;
    own.add(p.head);
    if (isManyToOne(f)) reads.push({ relation: p.head, target: f!.target!, field: p.field });
  }
  return { own: [...own], reads };
}

/** Formulas ordered so that each follows the formulas of the same record it reads. */
function orderFormulas(formulas: FormulaPlan[]): FormulaPlan[] {
  const byName = new Map(formulas.map((f) => [f.field, f]));
  const out: FormulaPlan[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (f: FormulaPlan) => {
    if (state.get(f.field)) return; // a cycle is reported by computedCycles; stop here
    state.set(f.field, 'visiting');
    for (const d of f.own) {
      const g = byName.get(d);
      if (g) visit(g);
    }
    state.set(f.field, 'done');
    out.push(f);
  };
  formulas.forEach(visit);
  return out;
}

export function buildComputedPlan(docs: Iterable<EntityDocument>): Map<string, EntityComputedPlan> {
  const entities = new Map([...docs].map((d) => [d.name, d]));
  const plans = new Map<string, EntityComputedPlan>();
  for (const e of entities.values())
    plans.set(e.name, {
      computed: new Set(),
      formulas: [],
      rollups: [],
      feeds: [],
      dependents: [],
      followed: new Map(),
      deepRules: new Set(),
    });
  for (const e of entities.values()) {
    const plan = plans.get(e.name)!;
    const formulas: FormulaPlan[] = [];
    for (const [name, f] of Object.entries(e.fields)) {
      if (isFormula(f)) {
        plan.computed.add(name);
        const { own, reads } = relationReads(e, f.formula!);
        formulas.push({ field: name, expression: f.formula!, own, reads });
        for (const r of reads) {
          plan.followed.set(r.relation, r.target);
          const target = plans.get(r.target);
          if (!target) continue;
          let dep = target.dependents.find((d) => d.entity === e.name && d.via === r.relation);
          if (!dep) target.dependents.push((dep = { entity: e.name, via: r.relation, fields: [] }));
          if (!dep.fields.includes(r.field)) dep.fields.push(r.field);
        }
      } else if (f.rollup) {
        plan.computed.add(name);
        const src = inverseSource(entities, e.name, f.rollup.relation);
        if (!src) continue; // reported by validation
        const refs = f.rollup.filter ? feelRefs(f.rollup.filter) : null;
        const r: RollupPlan = {
          entity: e.name,
          field: name,
          child: src.entity,
          via: src.field,
          function: f.rollup.function,
          ...(f.rollup.field && f.rollup.function !== 'count' && { source: f.rollup.field }),
          ...(f.rollup.filter && { filter: f.rollup.filter }),
          filterFields: refs ? [...refs.bare, ...refs.paths.map((p) => p.head)] : [],
        };
        plan.rollups.push(r);
        plans.get(src.entity)?.feeds.push(r);
      }
    }
    plan.formulas = orderFormulas(formulas);
    for (const rule of e.rules ?? []) {
      const { own, reads } = relationReads(e, rule.expression);
      for (const r of reads) plan.followed.set(r.relation, r.target);
      if (reads.length || own.some((n) => plan.computed.has(n))) plan.deepRules.add(rule.name);
    }
  }
  return plans;
}

/** Edges `entity.field` → the computed fields it feeds, over the whole document set. */
function dependencyEdges(entities: Map<string, EntityDocument>): Map<string, string[]> {
  const deps = new Map<string, string[]>(); // computed node → nodes it reads
  for (const e of entities.values()) {
    for (const [name, f] of Object.entries(e.fields)) {
      const node = `${e.name}.${name}`;
      if (isFormula(f)) {
        const { own, reads } = relationReads(e, f.formula!);
        deps.set(node, [
          ...own.map((o) => `${e.name}.${o}`),
          ...reads.map((r) => `${r.target}.${r.field}`),
        ]);
      } else if (f.rollup) {
        const src = inverseSource(entities, e.name, f.rollup.relation);
        if (!src) continue;
        const refs = f.rollup.filter ? feelRefs(f.rollup.filter) : null;
        deps.set(node, [
          `${src.entity}.${src.field}`,
          ...(f.rollup.field ? [`${src.entity}.${f.rollup.field}`] : []),
          ...(refs?.bare ?? []).map((b) => `${src.entity}.${b}`),
        ]);
      }
    }
  }
  return deps;
}

/**
 * Cycles among formulas and rollups, each as the list of `entity.field` nodes around it (the
 * first repeated at the end): `order.total → order_line.amount → order.total`.
 */
export function computedCycles(docs: Iterable<EntityDocument>): string[][] {
  const entities = new Map([...docs].map((d) => [d.name, d]));
  const deps = dependencyEdges(entities);
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string) => {
    const s = state.get(n);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(n)), n];
      const key = [...cycle.slice(0, -1)].sort().join(' ');
      if (!seen.has(key)) {
        seen.add(key);
        cycles.push(cycle);
      }
      return;
    }
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of deps.get(n) ?? []) if (deps.has(d)) visit(d);
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of deps.keys()) visit(n);
  return cycles;
}
