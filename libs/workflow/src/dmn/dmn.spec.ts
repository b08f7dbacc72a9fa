import * as fs from 'node:fs';
import * as path from 'node:path';
import { DmnEvaluationError, evaluateDecision } from './evaluate';
import { type DmnModel, isDmnXml, parseDmn } from './parse';

/**
 * DMN as Camunda 8 evaluates it: decision tables (every hit policy) and literal expressions in
 * FEEL, required decisions first, Camunda's result shapes. Given a DMN file, when a decision is
 * evaluated with variables, then the value is what Zeebe's business rule task would store.
 */
const fixture = (f: string) => fs.readFileSync(path.join(__dirname, 'fixtures', f), 'utf8');

const DMN = (body: string, ns = 'https://www.omg.org/spec/DMN/20191111/MODEL/') =>
  `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="${ns}" id="defs" name="Test" namespace="http://camunda.org/schema/1.0/dmn">${body}</definitions>`;

/** A one-decision table: inputs are FEEL expressions, rules are [input entries, output entries]. */
function table(
  opts: { hitPolicy?: string; aggregation?: string; outputs?: string[]; values?: string },
  inputs: string[],
  rules: Array<[string[], string[]]>,
): string {
  const outputs = opts.outputs ?? ['result'];
  return DMN(`<decision id="d" name="D"><decisionTable id="t"${opts.hitPolicy ? ` hitPolicy="${opts.hitPolicy}"` : ''}${opts.aggregation ? ` aggregation="${opts.aggregation}"` : ''}>
  ${inputs.map((e, i) => `<input id="i${i}"><inputExpression id="ie${i}"><text>${e}</text></inputExpression></input>`).join('')}
  ${outputs.map((o, i) => `<output id="o${i}" name="${o}">${opts.values && i === 0 ? `<outputValues><text>${opts.values}</text></outputValues>` : ''}</output>`).join('')}
  ${rules
    .map(
      ([ins, outs], r) =>
        `<rule id="r${r + 1}">${ins.map((t, i) => `<inputEntry id="r${r + 1}i${i}"><text>${t}</text></inputEntry>`).join('')}${outs.map((t, i) => `<outputEntry id="r${r + 1}o${i}"><text>${t}</text></outputEntry>`).join('')}</rule>`,
    )
    .join('')}
</decisionTable></decision>`);
}

async function model(xml: string): Promise<DmnModel> {
  const parsed = await parseDmn(xml);
  expect(parsed.problems).toEqual([]);
  return parsed.model!;
}

describe('a DMN file laid out as Camunda Modeler writes it: discount approval routing', () => {
  it.each([
    [5, 'manager'],
    [10, 'manager'],
    [10.5, 'director'],
    [25, 'director'],
    [40, 'ceo'],
    [null, 'ceo'],
  ])(
    'discount %j → approver %j (required decision "discount_band" first)',
    async (discount, who) => {
      const m = await model(fixture('discount-approval.dmn'));
      expect(evaluateDecision(m, 'approver', { discount })).toBe(who);
    },
  );

  it('reads the decision requirements graph', async () => {
    const m = await model(fixture('discount-approval.dmn'));
    expect(m).toMatchObject({ id: 'discount_approval', name: 'Discount approval' });
    expect(m.decisions.map((d) => [d.id, d.resultName, d.requires])).toEqual([
      ['approver', 'approver', ['discount_band']],
      ['discount_band', 'discount_band', []],
    ]);
    expect(evaluateDecision(m, 'discount_band', { discount: 12 })).toBe('medium');
  });

  it('is told from BPMN by its root element', () => {
    expect(isDmnXml(fixture('discount-approval.dmn'))).toBe(true);
    expect(isDmnXml(DMN('', 'https://www.omg.org/spec/DMN/20211108/MODEL/'))).toBe(true);
    expect(
      isDmnXml(
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:dmn="https://www.omg.org/spec/DMN/20191111/MODEL/"/>',
      ),
    ).toBe(false);
  });
});

describe('hit policies', () => {
  const scores: Array<[string[], string[]]> = [
    [['&gt;= 0'], ['10']],
    [['&gt;= 5'], ['20']],
    [['&gt;= 10'], ['5']],
  ];

  it.each([
    ['UNIQUE', undefined, 3, 10],
    ['UNIQUE', undefined, -1, null],
    ['FIRST', undefined, 12, 10],
    ['RULE ORDER', undefined, 12, [10, 20, 5]],
    ['RULE ORDER', undefined, -1, []],
    ['COLLECT', undefined, 7, [10, 20]],
    ['COLLECT', 'SUM', 12, 35],
    ['COLLECT', 'SUM', -1, null],
    ['COLLECT', 'MIN', 12, 5],
    ['COLLECT', 'MAX', 12, 20],
    ['COLLECT', 'COUNT', 12, 3],
    ['COLLECT', 'COUNT', -1, 0],
  ])('%s %s with x = %j → %j', async (hitPolicy, aggregation, x, expected) => {
    const m = await model(table({ hitPolicy, aggregation }, ['x'], scores));
    expect(evaluateDecision(m, 'd', { x })).toEqual(expected);
  });

  it('UNIQUE with two matching rules is an error naming them', async () => {
    const m = await model(table({}, ['x'], scores));
    expect(() => evaluateDecision(m, 'd', { x: 6 })).toThrow(
      new DmnEvaluationError(
        'd',
        't',
        'decision "d": hit policy UNIQUE, but rules r1, r2 all match',
      ),
    );
  });

  it('ANY accepts matching rules that agree and refuses ones that do not', async () => {
    const m = await model(
      table(
        { hitPolicy: 'ANY' },
        ['days', 'probation'],
        [
          [['0', '-'], ['"refused"']],
          [['-', 'true'], ['"refused"']],
          [['&gt; 0', 'false'], ['"applied"']],
          [['&gt; 30', '-'], ['"applied"']],
        ],
      ),
    );
    expect(evaluateDecision(m, 'd', { days: 0, probation: true })).toBe('refused');
    expect(evaluateDecision(m, 'd', { days: 3, probation: false })).toBe('applied');
    expect(() => evaluateDecision(m, 'd', { days: 40, probation: true })).toThrow(
      DmnEvaluationError,
    );
  });

  it('PRIORITY and OUTPUT ORDER rank by the output values', async () => {
    const rules: Array<[string[], string[]]> = [
      [['&gt; 0'], ['"low"']],
      [['&gt; 100'], ['"high"']],
      [['&gt; 50'], ['"medium"']],
    ];
    const values = '"high","medium","low"';
    const p = await model(table({ hitPolicy: 'PRIORITY', values }, ['amount'], rules));
    expect(evaluateDecision(p, 'd', { amount: 120 })).toBe('high');
    expect(evaluateDecision(p, 'd', { amount: 60 })).toBe('medium');
    const o = await model(table({ hitPolicy: 'OUTPUT ORDER', values }, ['amount'], rules));
    expect(evaluateDecision(o, 'd', { amount: 120 })).toEqual(['high', 'medium', 'low']);
  });
});

describe('result shapes and FEEL in cells', () => {
  it('several outputs give a context by output name; COLLECT a list of contexts', async () => {
    const rules: Array<[string[], string[]]> = [
      [['"gold"'], ['"priority"', '0.2']],
      [['"gold","silver"'], ['"standard"', 'base * 0.1']],
    ];
    const first = await model(
      table({ hitPolicy: 'FIRST', outputs: ['queue', 'rebate'] }, ['tier'], rules),
    );
    expect(evaluateDecision(first, 'd', { tier: 'silver', base: 50 })).toEqual({
      queue: 'standard',
      rebate: 5,
    });
    const all = await model(
      table({ hitPolicy: 'COLLECT', outputs: ['queue', 'rebate'] }, ['tier'], rules),
    );
    expect(evaluateDecision(all, 'd', { tier: 'gold', base: 10 })).toEqual([
      { queue: 'priority', rebate: 0.2 },
      { queue: 'standard', rebate: 1 },
    ]);
  });

  it("input expressions, unary tests over '?' and Camunda built-ins work in cells", async () => {
    const m = await model(
      table(
        { hitPolicy: 'FIRST' },
        ['upper case(customer.country)', 'count(items)'],
        [
          [['"DE","AT"', '? &gt; 2'], ['"bulk-eu"']],
          [['not("US")', '-'], ['string join(["intl", lower case(customer.country)], "-")']],
          [['-', '-'], ['get or else(fallback, "default")']],
        ],
      ),
    );
    expect(evaluateDecision(m, 'd', { customer: { country: 'de' }, items: [1, 2, 3] })).toBe(
      'bulk-eu',
    );
    expect(evaluateDecision(m, 'd', { customer: { country: 'fr' }, items: [] })).toBe('intl-fr');
    expect(evaluateDecision(m, 'd', { customer: { country: 'US' }, items: [] })).toBe('default');
  });

  it('a literal expression decision gives its value; required results go by variable name', async () => {
    const m = await model(
      DMN(`<decision id="total" name="Total">
        <variable name="total" />
        <informationRequirement><requiredDecision href="#net" /></informationRequirement>
        <literalExpression id="le_total"><text>net_amount * (1 + rate)</text></literalExpression>
      </decision>
      <decision id="net"><variable name="net_amount" />
        <literalExpression id="le_net"><text>sum(for l in lines return l.qty * l.price)</text></literalExpression>
      </decision>`),
    );
    expect(
      evaluateDecision(m, 'total', {
        rate: 0.5,
        lines: [
          { qty: 2, price: 10 },
          { qty: 1, price: 20 },
        ],
      }),
    ).toBe(60);
  });

  it('no matching rule gives the default output entry when one is set, else null', async () => {
    const m = await model(
      DMN(`<decision id="d"><decisionTable id="t">
        <input id="i"><inputExpression id="ie"><text>x</text></inputExpression></input>
        <output id="o" name="r"><defaultOutputEntry><text>"fallback"</text></defaultOutputEntry></output>
        <rule id="r1"><inputEntry><text>1</text></inputEntry><outputEntry><text>"one"</text></outputEntry></rule>
      </decisionTable></decision>`),
    );
    expect(evaluateDecision(m, 'd', { x: 1 })).toBe('one');
    expect(evaluateDecision(m, 'd', { x: 2 })).toBe('fallback');
  });

  it('a failing assert() in a cell is an error at the rule', async () => {
    const m = await model(
      table({}, ['x'], [[['-'], ['assert(x, x &gt; 0, "x must be positive")']]]),
    );
    expect(() => evaluateDecision(m, 'd', { x: -1 })).toThrow(
      expect.objectContaining({ decisionId: 'd', elementId: 'r1' }),
    );
  });

  it('reads DMN 1.4 files as 1.3', async () => {
    const xml = table({}, ['x'], [[['-'], ['1']]]).replace('20191111/MODEL/', '20211108/MODEL/');
    expect(evaluateDecision(await model(xml), 'd', {})).toBe(1);
  });
});

describe('what deploy refuses, at the element', () => {
  it.each([
    [
      'an unknown FEEL function in an input entry',
      table({}, ['x'], [[['isBig(?)'], ['1']]]),
      {
        elementId: 'r1',
        elementType: 'DecisionRule',
        message: 'unknown FEEL function isBig in input entry "isBig(?)"',
      },
    ],
    [
      'a syntax error in an output entry',
      table({}, ['x'], [[['-'], ['1 +']]]),
      {
        elementId: 'r1',
        elementType: 'DecisionRule',
        message: expect.stringContaining('invalid FEEL in output entry "1 +"'),
      },
    ],
    [
      'an empty input expression',
      table({}, [''], [[['-'], ['1']]]),
      { elementId: 'i0', elementType: 'InputClause', message: 'an empty input expression' },
    ],
    [
      'a rule with the wrong number of entries',
      table({}, ['x', 'y'], [[['-'], ['1']]]),
      { elementId: 'r1', elementType: 'DecisionRule', message: 'has 1 input entries for 2 inputs' },
    ],
    [
      'an aggregation without COLLECT',
      table({ hitPolicy: 'FIRST', aggregation: 'SUM' }, ['x'], [[['-'], ['1']]]),
      {
        elementId: 't',
        elementType: 'DecisionTable',
        message: 'an aggregation (SUM) needs the COLLECT hit policy',
      },
    ],
    [
      'several outputs without names',
      table({ outputs: ['a', ''] }, ['x'], [[['-'], ['1', '2']]]),
      {
        elementId: 't',
        elementType: 'DecisionTable',
        message: 'with several outputs, each output needs a name (the keys of the result)',
      },
    ],
    [
      'a non-FEEL expression language',
      DMN(
        `<decision id="d"><literalExpression id="le" expressionLanguage="javascript"><text>1</text></literalExpression></decision>`,
      ),
      {
        elementId: 'le',
        elementType: 'LiteralExpression',
        message: 'expression language "javascript" is not supported: Camunda 8 decisions are FEEL',
      },
    ],
    [
      'a required decision missing from the file',
      DMN(
        `<decision id="d"><informationRequirement><requiredDecision href="#gone"/></informationRequirement><literalExpression><text>1</text></literalExpression></decision>`,
      ),
      {
        elementId: 'd',
        elementType: 'Decision',
        message: 'requires decision "gone", which is not in this file',
      },
    ],
    [
      'required decisions in a cycle',
      DMN(
        `<decision id="a"><informationRequirement><requiredDecision href="#b"/></informationRequirement><literalExpression><text>b</text></literalExpression></decision>
         <decision id="b"><informationRequirement><requiredDecision href="#a"/></informationRequirement><literalExpression><text>a</text></literalExpression></decision>`,
      ),
      {
        elementId: 'a',
        elementType: 'Decision',
        message: 'required decisions form a cycle: a → b → a',
      },
    ],
    [
      'a decision with no logic',
      DMN(`<decision id="d"/>`),
      {
        elementId: 'd',
        elementType: 'Decision',
        message: 'a decision needs a decision table or a literal expression',
      },
    ],
    [
      'a DMN 1.1 (Camunda 7) file',
      DMN('<decision id="d"/>', 'http://www.omg.org/spec/DMN/20151101/dmn.xsd'),
      {
        elementId: null,
        elementType: 'Definitions',
        message: expect.stringContaining('DMN 1.1/1.2'),
      },
    ],
    [
      'unreadable XML',
      '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"',
      {
        elementId: null,
        elementType: 'Definitions',
        message: expect.stringContaining('not readable DMN XML'),
      },
    ],
  ])('%s', async (_what, xml, problem) => {
    const parsed = await parseDmn(xml);
    expect(parsed.model).toBeUndefined();
    expect(parsed.problems).toContainEqual(problem);
  });
});
