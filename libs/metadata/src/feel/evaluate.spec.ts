import { checkFeel, unknownFunctions } from './check';
import { FeelError, evaluateFeel, evaluateUnaryTests } from './evaluate';

describe('evaluateFeel', () => {
  it('reads a string that spans lines, as Camunda Modeler writes prompts (feel-scala#715)', () => {
    const text = '"Summarise the request.\nAnswer in one sentence: " + topic';
    expect(evaluateFeel(text, { topic: 'pricing' })).toBe(
      'Summarise the request.\nAnswer in one sentence: pricing',
    );
    expect(checkFeel(text)).toMatchObject({ ok: true });
    expect(evaluateUnaryTests('"a\nb"', 'a\nb')).toBe(true);
  });

  it('calls names with spaces and keywords exactly as Camunda users write them', () => {
    expect(evaluateFeel('is defined(x)', { x: 0 })).toBe(true);
    expect(evaluateFeel('if is defined(x) then x else "none"', {})).toBe('none');
    expect(evaluateFeel('is empty([])')).toBe(true);
    expect(evaluateFeel('get or else(discount, 0) + 1', {})).toBe(1);
    expect(evaluateFeel('get  or  else(discount, 0)', { discount: 5 })).toBe(5);
  });

  it('a variable named like a built-in does not hide the function (Camunda resolves calls among functions)', () => {
    // Zeebe keeps variables and functions apart: `count` reads the variable, `count(...)` calls
    expect(evaluateFeel('count(items) + count', { count: 10, items: [1, 2, 3] })).toBe(13);
    expect(evaluateFeel('is empty(is empty)', { 'is empty': [] })).toBe(true);
  });

  it('binds named parameters of our built-ins', () => {
    expect(evaluateFeel('string join(list: ["a", "b"], delimiter: "-")')).toBe('a-b');
    expect(evaluateFeel('is defined(value: 1)')).toBe(true);
  });

  it('leaves functions the expression defines alone', () => {
    expect(evaluateFeel('{trim: function(x) x + 1, r: trim(2)}.r')).toBe(3);
    expect(evaluateFeel('{f: function(x) x * 2}.f(4)')).toBe(8);
  });

  it('adds the caller’s functions, called like built-ins', () => {
    const functions = { 'users in role': (role: string) => (role === 'sales' ? ['ann'] : []) };
    expect(evaluateFeel('users in role("sales")', {}, { functions })).toEqual(['ann']);
  });

  it('refuses what cannot give a value with a typed error', () => {
    expect(() => evaluateFeel('foo(1)')).toThrow(
      new FeelError('unknown-function', 'foo(1)', 'unknown FEEL function "foo"'),
    );
    expect(() => evaluateFeel('1 +')).toThrow(FeelError);
    try {
      evaluateFeel('a >');
    } catch (e) {
      expect((e as FeelError).kind).toBe('syntax');
    }
  });

  it('is null-friendly elsewhere, as Camunda: missing values and bad types are null', () => {
    expect(evaluateFeel('a.b > 10', {})).toBeNull();
    expect(evaluateFeel('upper case(5)')).toBeNull();
  });
});

describe('evaluateUnaryTests', () => {
  it.each([
    ['< 10', 5, true],
    ['< 10', 15, false],
    ['"manager","director"', 'director', true],
    ['[1..5]', 6, false],
    ['-', 'anything', true],
    ['not("ceo")', 'ceo', false],
    ['? > limit', 7, true],
    ['is defined(?)', null, false],
  ])('%s on %j → %j', (tests, input, expected) => {
    expect(evaluateUnaryTests(tests, input, { limit: 5 })).toBe(expected);
  });
});

describe('checkFeel / unknownFunctions', () => {
  it.each([
    ['foo(x)', ['foo']],
    ['foo bar(x) + is defined(y)', ['foo bar']],
    ['sum(items) + lookup(a) + lookup(b)', ['lookup']],
    ['a.b(1)', []],
    ['for i in [1,2] return trim(string(i))', []],
    ['{f: function(x) x, r: f(2)}.r', []],
    ['some x in xs satisfies get or else(x, 0) > 1', []],
  ])('%s calls unknown %j', (expression, expected) => {
    expect(unknownFunctions(expression)).toEqual(expected);
  });

  it('reports unknown functions as a problem of the expression, with the names read', () => {
    expect(checkFeel('foo(amount) > 1')).toEqual({
      ok: false,
      message: 'unknown FEEL function foo',
      variables: ['amount'],
      unknownFunctions: ['foo'],
    });
    expect(checkFeel('supervisor of(initiator)', ['supervisor of']).ok).toBe(true);
    expect(checkFeel('is defined(amount)')).toEqual({
      ok: true,
      variables: ['amount'],
      unknownFunctions: [],
    });
    expect(checkFeel('amount >').ok).toBe(false);
  });
});
