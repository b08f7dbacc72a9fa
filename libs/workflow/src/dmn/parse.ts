import { DmnModdle } from 'dmn-moddle';
import { checkFeel, checkFeelUnaryTests } from '@crm/metadata';

/**
 * Reads a DMN file (DMN 1.3, as Camunda Modeler 5 writes it; 1.4 and 1.5 files are read as 1.3,
 * their elements being the same for what is supported) into plain decisions, and says everything
 * the engine cannot evaluate, at the element it concerns. Camunda 8's subset: decision tables and
 * literal expressions in FEEL, required decisions of the same file.
 */

export type HitPolicy =
  'UNIQUE' | 'FIRST' | 'PRIORITY' | 'ANY' | 'COLLECT' | 'RULE ORDER' | 'OUTPUT ORDER';
export type Aggregation = 'SUM' | 'MIN' | 'MAX' | 'COUNT';

export interface DecisionTable {
  kind: 'table';
  id: string;
  hitPolicy: HitPolicy;
  aggregation: Aggregation | null;
  inputs: Array<{ id: string; label: string | null; expression: string }>;
  outputs: Array<{
    id: string;
    name: string | null;
    /** Output values in priority order (PRIORITY / OUTPUT ORDER), as FEEL unary tests text. */
    values: string | null;
    defaultEntry: string | null;
  }>;
  rules: Array<{ id: string; inputEntries: string[]; outputEntries: string[] }>;
}

export interface LiteralDecision {
  kind: 'literal';
  id: string;
  text: string;
}

export interface Decision {
  id: string;
  name: string | null;
  /** The name its result is known by in the decisions that require it. */
  resultName: string;
  /** Ids of the decisions it requires (same file). */
  requires: string[];
  logic: DecisionTable | LiteralDecision;
}

export interface DmnModel {
  /** The decision requirements graph: the file's `definitions` id and name. */
  id: string;
  name: string | null;
  decisions: Decision[];
}

export interface DmnProblem {
  elementId: string | null;
  elementType: string;
  message: string;
}

export interface ParsedDmn {
  model?: DmnModel;
  problems: DmnProblem[];
}

interface El {
  $type: string;
  id?: string;
  name?: string;
  [key: string]: unknown;
}

const DMN13 = 'https://www.omg.org/spec/DMN/20191111/MODEL/';
const DMN_LATER = [
  'https://www.omg.org/spec/DMN/20211108/MODEL/', // 1.4
  'https://www.omg.org/spec/DMN/20230324/MODEL/', // 1.5
];
const DMN_OLDER = [
  'http://www.omg.org/spec/DMN/20151101/dmn.xsd',
  'http://www.omg.org/spec/DMN/20180521/MODEL/',
];
const HIT_POLICIES = new Set([
  'UNIQUE',
  'FIRST',
  'PRIORITY',
  'ANY',
  'COLLECT',
  'RULE ORDER',
  'OUTPUT ORDER',
]);
const FEEL_LANGUAGES = new Set([
  'https://www.omg.org/spec/DMN/20191111/FEEL/',
  'http://www.omg.org/spec/FEEL/20140401',
  'feel',
  'FEEL',
]);

/** Whether XML is a DMN file: its root element is in a DMN namespace. */
export function isDmnXml(xml: string): boolean {
  const root = /<(?:([\w.-]+):)?definitions\b[^>]*>/.exec(xml);
  if (!root) return false;
  const ns = new RegExp(`xmlns${root[1] ? `:${root[1]}` : ''}\\s*=\\s*"([^"]*)"`).exec(root[0]);
  return !!ns && /\/spec\/DMN\//i.test(ns[1]);
}

const list = (v: unknown): El[] => (Array.isArray(v) ? (v as El[]) : []);
const text = (v: unknown): string =>
  String((v as { text?: unknown } | undefined)?.text ?? '').trim();
const short = (t: string) => t.replace(/^dmn:/, '');

const moddle = new DmnModdle();

export async function parseDmn(xml: string): Promise<ParsedDmn> {
  const problems: DmnProblem[] = [];
  const add = (el: El | null, message: string) =>
    problems.push({
      elementId: el?.id ?? null,
      elementType: el ? short(el.$type) : 'Definitions',
      message,
    });
  if (DMN_OLDER.some((ns) => xml.includes(ns))) {
    add(
      null,
      'DMN 1.1/1.2 (Camunda 7) files are not supported: open and save the file in Camunda Modeler 5+ (DMN 1.3)',
    );
    return { problems };
  }
  let definitions: El;
  try {
    const source = DMN_LATER.reduce((x, ns) => x.split(ns).join(DMN13), xml);
    const r = (await moddle.fromXML(source, 'dmn:Definitions')) as { rootElement: El };
    definitions = r.rootElement;
  } catch (e) {
    add(null, `not readable DMN XML: ${(e as Error).message.split('\n')[0]}`);
    return { problems };
  }
  const drg = list(definitions.drgElement);
  const decisions: Decision[] = [];
  const byId = new Map(drg.filter((e) => e.$type === 'dmn:Decision').map((d) => [d.id, d]));
  for (const el of drg) {
    if (el.$type !== 'dmn:Decision') continue; // input data, knowledge sources: documentation only
    if (!el.id) {
      add(el, 'a decision needs an id');
      continue;
    }
    const requires: string[] = [];
    for (const req of list(el.informationRequirement)) {
      const href = (req.requiredDecision as { href?: string } | undefined)?.href;
      if (!href) continue; // a required input is a variable the caller supplies
      const id = href.replace(/^#/, '');
      if (!byId.has(id)) add(el, `requires decision "${id}", which is not in this file`);
      else requires.push(id);
    }
    if (list(el.knowledgeRequirement).length)
      add(
        el,
        'business knowledge models are not supported (decision tables and literal expressions are)',
      );
    const logic = el.decisionLogic as El | undefined;
    let parsed: DecisionTable | LiteralDecision | null = null;
    if (logic?.$type === 'dmn:DecisionTable') parsed = table(logic, add);
    else if (logic?.$type === 'dmn:LiteralExpression') {
      parsed = { kind: 'literal', id: logic.id ?? el.id, text: text(logic) };
      language(logic, add);
      feel(logic, parsed.text, 'literal expression', add);
    } else
      add(
        el,
        logic
          ? `${short(logic.$type)} is not supported (decision tables and literal expressions are)`
          : 'a decision needs a decision table or a literal expression',
      );
    if (!parsed) continue;
    const variable = (el.variable as El | undefined)?.name;
    decisions.push({
      id: el.id,
      name: el.name ?? null,
      resultName: variable || el.id,
      requires,
      logic: parsed,
    });
  }
  if (!drg.some((e) => e.$type === 'dmn:Decision')) add(definitions, 'the file has no decision');
  cycles(decisions, byId, add);
  if (problems.length) return { problems };
  return {
    model: { id: definitions.id ?? '', name: definitions.name ?? null, decisions },
    problems,
  };
}

type Add = (el: El | null, message: string) => void;

function language(el: El, add: Add): void {
  const lang = el.expressionLanguage as string | undefined;
  if (lang && !FEEL_LANGUAGES.has(lang))
    add(el, `expression language "${lang}" is not supported: Camunda 8 decisions are FEEL`);
}

function feel(el: El, expr: string, what: string, add: Add, unary = false): void {
  if (!expr) {
    if (!unary && what !== 'output entry') add(el, `an empty ${what}`);
    return;
  }
  const check = unary ? checkFeelUnaryTests(expr) : checkFeel(expr);
  if (check.ok) return;
  if (check.unknownFunctions.length)
    for (const f of check.unknownFunctions)
      add(el, `unknown FEEL function ${f} in ${what} ${JSON.stringify(expr)}`);
  else add(el, `invalid FEEL in ${what} ${JSON.stringify(expr)}: ${check.message}`);
}

function table(t: El, add: Add): DecisionTable | null {
  const hitPolicy = String(t.hitPolicy ?? 'UNIQUE') as HitPolicy;
  const aggregation = (t.aggregation as Aggregation | undefined) ?? null;
  if (!HIT_POLICIES.has(hitPolicy)) add(t, `hit policy ${hitPolicy} is not supported`);
  if (aggregation && hitPolicy !== 'COLLECT')
    add(t, `an aggregation (${aggregation}) needs the COLLECT hit policy`);
  const inputs = list(t.input).map((i) => {
    const e = i.inputExpression as El | undefined;
    const expression = text(e);
    if (e) language(e, add);
    feel(i, expression, 'input expression', add);
    return { id: i.id ?? '', label: (i.label as string) ?? null, expression };
  });
  const outputs = list(t.output).map((o) => {
    const values = text(o.outputValues) || null;
    if (values) feel(o, values, 'output values', add, true);
    const dflt = text(o.defaultOutputEntry) || null;
    if (dflt) feel(o, dflt, 'default output entry', add);
    return { id: o.id ?? '', name: (o.name as string) || null, values, defaultEntry: dflt };
  });
  if (!outputs.length) add(t, 'a decision table needs an output');
  if (outputs.length > 1 && outputs.some((o) => !o.name))
    add(t, 'with several outputs, each output needs a name (the keys of the result)');
  if (aggregation && outputs.length > 1)
    add(t, `an aggregation (${aggregation}) needs a single output`);
  if ((hitPolicy === 'PRIORITY' || hitPolicy === 'OUTPUT ORDER') && !outputs.some((o) => o.values))
    add(t, `hit policy ${hitPolicy} needs output values (the priority order)`);
  const rules = list(t.rule).map((r) => {
    const inEntries = list(r.inputEntry);
    const outEntries = list(r.outputEntry);
    if (inEntries.length !== inputs.length)
      add(r, `has ${inEntries.length} input entries for ${inputs.length} inputs`);
    if (outEntries.length !== outputs.length)
      add(r, `has ${outEntries.length} output entries for ${outputs.length} outputs`);
    const inputEntries = inEntries.map((e) => {
      const tests = text(e);
      language(e, add);
      if (tests) feel(r, tests, 'input entry', add, true);
      return tests || '-';
    });
    const outputEntries = outEntries.map((e) => {
      const expr = text(e);
      language(e, add);
      feel(r, expr, 'output entry', add);
      return expr;
    });
    return { id: r.id ?? '', inputEntries, outputEntries };
  });
  return { kind: 'table', id: t.id ?? '', hitPolicy, aggregation, inputs, outputs, rules };
}

function cycles(decisions: Decision[], byId: Map<string | undefined, El>, add: Add): void {
  const requires = new Map(decisions.map((d) => [d.id, d.requires]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      add(byId.get(id) ?? null, `required decisions form a cycle: ${[...path, id].join(' → ')}`);
      return;
    }
    state.set(id, 'visiting');
    for (const r of requires.get(id) ?? []) visit(r, [...path, id]);
    state.set(id, 'done');
  };
  for (const d of decisions) visit(d.id, []);
}
