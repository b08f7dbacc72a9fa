import { camundaBuiltins as documented } from '@camunda/feel-builtins';
import { ManualClock } from '@crm/common';
import { feelinBuiltins } from './analyse';
import { OWN_BUILTIN_NAMES } from './builtins';
import { FeelError, evaluateFeel } from './evaluate';

/**
 * Camunda 8's documented FEEL built-ins, group by group: each row is the example from Camunda's
 * documentation (docs.camunda.io → FEEL → built-in functions) and the value it documents.
 * Temporal values compare by their ISO text.
 */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null)) as unknown;
const value = (expression: string, variables: Record<string, unknown> = {}) =>
  plain(evaluateFeel(expression, variables, { timeZone: 'Europe/Berlin' }));

type Row = [string, unknown];
const table = (rows: Row[]) =>
  it.each(rows)('%s → %j', (expression, expected) => {
    const got = value(expression);
    if (typeof expected === 'number' && typeof got === 'number')
      expect(got).toBeCloseTo(expected, 12);
    else expect(got).toEqual(expected);
  });

describe('boolean functions', () => {
  table([
    ['not(true)', false],
    ['not(null)', null],
    ['is defined(1)', true],
    ['is defined(null)', false],
    ['is defined(x)', false],
    ['is defined(x.y)', false],
    ['get or else("this", "default")', 'this'],
    ['get or else(null, "default")', 'default'],
    ['get or else(null, null)', null],
    ['assert(4, 4 >= 0)', 4],
  ]);

  it('assert(x, x != null, "\'x\' should not be null") fails the evaluation with the cause', () => {
    expect(() => evaluateFeel(`assert(x, x != null, "'x' should not be null")`, {})).toThrow(
      new FeelError('assertion', '', "'x' should not be null"),
    );
    expect(() => evaluateFeel('assert(x, x >= 0)', { x: -1 })).toThrow(FeelError);
  });
});

describe('string functions', () => {
  table([
    ['substring("foobar", 3)', 'obar'],
    ['substring("foobar", -2)', 'ar'],
    ['substring("foobar", 3, 3)', 'oba'],
    ['substring("foobar", -3, 2)', 'ba'],
    ['substring("foobar", 3, 10)', 'obar'],
    ['string length("foo")', 3],
    ['upper case("aBc4")', 'ABC4'],
    ['lower case("aBc4")', 'abc4'],
    ['substring before("foobar", "bar")', 'foo'],
    ['substring after("foobar", "ob")', 'ar'],
    ['contains("foobar", "of")', false],
    ['contains(string: "me@camunda.com", match: ".de")', false],
    ['starts with("foobar", "fo")', true],
    ['ends with("foobar", "r")', true],
    ['matches("foobar", "^fo*bar")', true],
    ['matches("FooBar", "foo", "i")', true],
    ['replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")', '[1=ab][2=]cd'],
    ['replace("0123456789", "(\\d{3})(\\d{3})(\\d{4})", "($1) $2-$3")', '(012) 345-6789'],
    ['replace("How do you feel?", "Feel", "FEEL", "i")', 'How do you FEEL?'],
    ['split("John Doe", "\\s" )', ['John', 'Doe']],
    ['split("a;b;c;;", ";")', ['a', 'b', 'c', '', '']],
    ['extract("references are 1234, 1256, 1378", "12[0-9]*")', ['1234', '1256']],
    ['trim("  hello world  ")', 'hello world'],
    ['trim("hello   world ")', 'hello   world'],
    ['string length(uuid())', 36],
    ['to base64("FEEL")', 'RkVFTA=='],
    ['from base64("RkVFTA==")', 'FEEL'],
    ['is blank("")', true],
    ['is blank(" ")', true],
    ['is blank("hello world")', false],
  ]);
});

describe('list functions', () => {
  table([
    ['list contains([1,2,3], 2)', true],
    ['count([1,2,3])', 3],
    ['min([1,2,3])', 1],
    ['min(1,2,3)', 1],
    ['max([1,2,3])', 3],
    ['max(1,2,3)', 3],
    ['sum([1,2,3])', 6],
    ['sum(1,2,3)', 6],
    ['product([2, 3, 4])', 24],
    ['product(2, 3, 4)', 24],
    ['mean([1,2,3])', 2],
    ['mean(1,2,3)', 2],
    ['median(8, 2, 5, 3, 4)', 4],
    ['median([6, 1, 2, 3])', 2.5],
    ['stddev(2, 4, 7, 5)', 2.0816659994661326],
    ['stddev([2, 4, 7, 5])', 2.0816659994661326],
    ['mode(6, 3, 9, 6, 6)', [6]],
    ['mode([6, 1, 9, 6, 1])', [1, 6]],
    ['all([true,false])', false],
    ['all(false,null,true)', false],
    ['any([false,true])', true],
    ['any(false,null,true)', true],
    ['sublist([1,2,3], 2)', [2, 3]],
    ['sublist([1,2,3], 1, 2)', [1, 2]],
    ['append([1], 2, 3)', [1, 2, 3]],
    ['concatenate([1,2],[3])', [1, 2, 3]],
    ['concatenate([1],[2],[3])', [1, 2, 3]],
    ['insert before([1,3],1,2)', [2, 1, 3]],
    ['remove([1,2,3], 2)', [1, 3]],
    ['reverse([1,2,3])', [3, 2, 1]],
    ['index of([1,2,3,2],2)', [2, 4]],
    ['union([1,2],[2,3])', [1, 2, 3]],
    ['distinct values([1,2,3,2,1])', [1, 2, 3]],
    ['duplicate values([1,2,3,2,1])', [1, 2]],
    ['flatten([[1,2],[[3]], 4])', [1, 2, 3, 4]],
    ['sort(list: [3,1,4,5,2], precedes: function(x,y) x < y)', [1, 2, 3, 4, 5]],
    ['string join(["a","b","c"])', 'abc'],
    ['string join(["a",null,"c"])', 'ac'],
    ['string join([])', ''],
    ['string join(["a"], "X")', 'a'],
    ['string join(["a","b","c"], ", ")', 'a, b, c'],
    ['string join(["a","b","c"], ", ", "[", "]")', '[a, b, c]'],
    ['is empty([])', true],
    ['is empty([1,2,3])', false],
    ['partition([1,2,3,4,5], 2)', [[1, 2], [3, 4], [5]]],
    ['partition([], 2)', []],
    ['partition([1,2], 0)', null],
  ]);
});

describe('numeric functions', () => {
  table([
    ['decimal(1/3, 2)', 0.33],
    ['decimal(1.5, 0)', 2],
    ['decimal(2.5, 0, "half_up")', 3],
    ['floor(1.5)', 1],
    ['floor(-1.5)', -2],
    ['floor(-1.56, 1)', -1.6],
    ['ceiling(1.5)', 2],
    ['ceiling(-1.5)', -1],
    ['ceiling(-1.56, 1)', -1.5],
    ['round up(5.5)', 6],
    ['round up(-5.5)', -6],
    ['round up(1.121, 2)', 1.13],
    ['round up(-1.126, 2)', -1.13],
    ['round down(5.5)', 5],
    ['round down (-5.5)', -5],
    ['round down (1.121, 2)', 1.12],
    ['round down (-1.126, 2)', -1.12],
    ['round half up(5.5)', 6],
    ['round half up(-5.5)', -6],
    ['round half up(1.121, 2)', 1.12],
    ['round half up(-1.126, 2)', -1.13],
    ['round half down (5.5)', 5],
    ['round half down (-5.5)', -5],
    ['round half down (1.121, 2)', 1.12],
    ['round half down (-1.126, 2)', -1.13],
    ['abs(10)', 10],
    ['abs(-10)', 10],
    ['modulo(12, 5)', 2],
    ['sqrt(16)', 4],
    ['log(10)', 2.302585092994046],
    ['exp(5)', 148.4131591025766],
    ['odd(5)', true],
    ['odd(2)', false],
    ['even(5)', false],
    ['even(2)', true],
  ]);

  it('random number() is between 0 and 1', () => {
    const n = evaluateFeel('random number()');
    expect(typeof n).toBe('number');
    expect(n).toBeGreaterThanOrEqual(0);
    expect(n).toBeLessThan(1);
  });
});

describe('context functions', () => {
  table([
    ['get value({foo: 123}, "foo")', 123],
    ['get value({a: 1}, "b")', null],
    ['get value({x:1, y: {z:0}}, ["y", "z"])', 0],
    ['get value({x: {y: {z:0}}}, ["x", "y"])', { z: 0 }],
    ['get value({a: {b: 3}}, ["b"])', null],
    ['get entries({foo: 123})', [{ key: 'foo', value: 123 }]],
    ['context put({x:1}, "y", 2)', { x: 1, y: 2 }],
    ['context put({x:1}, ["y"], 2)', { x: 1, y: 2 }],
    ['context put({x:1, y: {z:0}}, ["y", "z"], 2)', { x: 1, y: { z: 2 } }],
    ['context put({x:1}, ["y", "z"], 2)', { x: 1, y: { z: 2 } }],
    ['context merge([{x:1}, {y:2}])', { x: 1, y: 2 }],
    ['context merge([{x:1, y: 0}, {y:2}])', { x: 1, y: 2 }],
    // deprecated by Camunda, still found in diagrams
    ['put({x:1}, "y", 2)', { x: 1, y: 2 }],
    ['put all({x:1}, {y:2})', { x: 1, y: 2 }],
  ]);
});

describe('conversion functions', () => {
  table([
    ['string(1.1)', '1.1'],
    ['string(date("2012-12-25"))', '2012-12-25'],
    ['number("1500.5")', 1500.5],
    ['number("1,500", ",")', 1500],
    ['number("1 500.5", " ", ".")', 1500.5],
    ['context([{"key":"a", "value":1}, {"key":"b", "value":2}])', { a: 1, b: 2 }],
    ['date("2018-04-29")', '2018-04-29'],
    ['date(date and time("2012-12-25T11:00:00"))', '2012-12-25'],
    ['date(2012, 12, 25)', '2012-12-25'],
    ['date("2024-06-31")', null],
    ['time("12:00:00")', '12:00:00'],
    ['time(23, 59, 0)', '23:59:00'],
    ['time(14, 30, 0, duration("PT1H"))', '14:30:00+01:00'],
    ['date and time("2018-04-29T09:30:00")', '2018-04-29T09:30:00'],
    ['date and time("2018-04-29T09:30:00+02:00")', '2018-04-29T09:30:00+02:00'],
    ['date and time("2018-04-29T09:30:00@Europe/Berlin")', '2018-04-29T09:30:00@Europe/Berlin'],
    ['date and time(date("2012-12-24"),time("T23:59:00"))', '2012-12-24T23:59:00'],
    [
      'date and time(@"2020-07-31T14:27:30@Europe/Berlin", "America/Los_Angeles")',
      '2020-07-31T05:27:30@America/Los_Angeles',
    ],
    // a zone-less date-time is read in the company's zone (Europe/Berlin in these tests)
    ['date and time(@"2020-07-31T14:27:30", "Z")', '2020-07-31T12:27:30Z'],
    ['date and time(@"2020-07-31T14:27:30", "Not/AZone")', null],
    ['duration("P5D")', 'P5D'],
    ['duration("P32Y")', 'P32Y'],
    ['years and months duration(date("2011-12-22"), date("2013-08-24"))', 'P1Y8M'],
    ['from json("{\\"a\\": 1, \\"b\\": 2}")', { a: 1, b: 2 }],
    ['from json("true")', true],
    ['from json("\\"2023-06-14\\"")', '2023-06-14'],
    ['to json({a: 1, b: 2})', '{"a":1,"b":2}'],
    ['to json(true)', 'true'],
    ['to json(@"2023-06-14")', '"2023-06-14"'],
    ['to json(@"2025-11-24T10:00:00@Europe/Berlin")', '"2025-11-24T10:00:00+01:00[Europe/Berlin]"'],
    ['to json(@"P3Y")', '"P3Y"'],
  ]);
});

describe('temporal functions', () => {
  table([
    ['day of week(date("2019-09-17"))', 'Tuesday'],
    ['day of year(date("2019-09-17"))', 260],
    ['week of year(date("2019-09-17"))', 38],
    ['month of year(date("2019-09-17"))', 'September'],
    ['abs(duration("-PT5H"))', 'PT5H'],
    ['abs(duration("PT5H"))', 'PT5H'],
    ['abs(duration("-P2M"))', 'P2M'],
    ['last day of month(date("2022-10-01"))', '2022-10-31'],
    ['last day of month(date and time("2022-10-16T12:00:00"))', '2022-10-31'],
  ]);

  it('now() and today() read the injected clock in the company time zone', () => {
    // 23:30 UTC on 31 Dec is already 1 January in Shanghai
    const clock = new ManualClock(new Date('2026-12-31T23:30:00.000Z'));
    const at = { clock, timeZone: 'Asia/Shanghai' };
    expect(String(evaluateFeel('now()', {}, at))).toBe('2027-01-01T07:30:00@Asia/Shanghai');
    expect(String(evaluateFeel('today()', {}, at))).toBe('2027-01-01');
    expect(String(evaluateFeel('today()', {}, { clock, timeZone: 'UTC' }))).toBe('2026-12-31');
    expect(evaluateFeel('now() < date and time("2027-01-01T08:00:00@Asia/Shanghai")', {}, at)).toBe(
      true,
    );
    clock.advance(60 * 60_000);
    expect(evaluateFeel('now() < date and time("2027-01-01T08:00:00@Asia/Shanghai")', {}, at)).toBe(
      false,
    );
  });
});

describe('range functions', () => {
  table([
    ['before(1, 10)', true],
    ['before(10, 1)', false],
    ['before([1..5], 10)', true],
    ['before(1, [2..5])', true],
    ['before([1..5], [6..10])', true],
    ['before([1..5),[5..10])', true],
    ['after(10, 1)', true],
    ['after(1, 10)', false],
    ['after([1..5], 10)', false],
    ['after(12, [2..5])', true],
    ['after([6..10], [1..5])', true],
    ['after([5..10], [1..5))', true],
    ['meets([1..5], [5..10])', true],
    ['meets([1..3], [4..6])', false],
    ['meets([1..3], [3..5])', true],
    ['meets([1..5], (5..8])', false],
    ['met by([5..10], [1..5])', true],
    ['met by([3..4], [1..2])', false],
    ['met by([3..5], [1..3])', true],
    ['met by((5..8], [1..5))', false],
    ['met by([5..10], [1..5))', false],
    ['overlaps([5..10], [1..6])', true],
    ['overlaps((3..7], [1..4])', true],
    ['overlaps([1..3], (3..6])', false],
    ['overlaps((5..8], [1..5))', false],
    ['overlaps([4..10], [1..5))', true],
    ['overlaps before([1..5], [4..10])', true],
    ['overlaps before([3..4], [1..2])', false],
    ['overlaps before([1..3], (3..5])', false],
    ['overlaps before([1..5), (3..8])', true],
    ['overlaps before([1..5), [5..10])', false],
    ['overlaps after([4..10], [1..5])', true],
    ['overlaps after([3..4], [1..2])', false],
    ['overlaps after([3..5], [1..3))', false],
    ['overlaps after((5..8], [1..5))', false],
    ['overlaps after([4..10], [1..5))', true],
    ['finishes(5, [1..5])', true],
    ['finishes(10, [1..7])', false],
    ['finishes([3..5], [1..5])', true],
    ['finishes((1..5], [1..5))', false],
    ['finishes([5..10], [1..10))', false],
    ['finished by([5..10], 10)', true],
    ['finished by([3..4], 2)', false],
    ['finished by([1..5], [3..5])', true],
    ['finished by((5..8], [1..5))', false],
    ['finished by([5..10], (1..10))', false],
    ['includes([5..10], 6)', true],
    ['includes([3..4], 5)', false],
    ['includes([1..10], [4..6])', true],
    ['includes((5..8], [1..5))', false],
    ['includes([1..10], [1..5))', true],
    ['during(5, [1..10])', true],
    ['during(12, [1..10])', false],
    ['during(1, (1..10])', false],
    ['during([4..6], [1..10))', true],
    ['during((1..5], (1..10])', true],
    ['starts(1, [1..5])', true],
    ['starts(1, (1..8])', false],
    ['starts((1..5], [1..5])', false],
    ['starts([1..10], [1..5])', false],
    ['starts((1..5), (1..10))', true],
    ['started by([1..10], 1)', true],
    ['started by((1..10], 1)', false],
    ['started by([1..10], [1..5])', true],
    ['started by((1..10], [1..5))', false],
    ['started by([1..10], [1..10))', true],
    ['coincides(5, 5)', true],
    ['coincides(3, 4)', false],
    ['coincides([1..5], [1..5])', true],
    ['coincides((1..5], [1..5))', false],
    ['coincides([1..5], [2..6])', false],
    ['during(date("2024-03-10"), [date("2024-03-01")..date("2024-03-31")])', true],
  ]);
});

describe('miscellaneous functions', () => {
  table([
    ['fromAi("A")', 'A'],
    ['fromAi(toolCall.userId, "The user\'s ID", "number")', null],
  ]);
});

describe('wrong argument types are null, as in Camunda', () => {
  table([
    ['trim(5)', null],
    ['is empty("x")', null],
    ['partition("x", 2)', null],
    ['extract("x", "[")', null],
    ['to base64(1)', null],
    ['from base64("not base64!")', null],
    ['string join(["a", 1])', null],
    ['round up("x")', null],
    ['decimal(1.5, 0, "sideways")', null],
    ['get value("x", "a")', null],
    ['context put({}, [], 1)', null],
    ['last day of month("2022-10-01")', null],
    ['overlaps before(1, 2)', null],
    ['years and months duration("x", date("2013-08-24"))', null],
  ]);
});

describe('coverage', () => {
  it('every built-in Camunda documents is callable (feelin 8 or ours)', () => {
    const missing = [...new Set(documented.map((b) => b.name))].filter(
      (name) =>
        !OWN_BUILTIN_NAMES.has(name) &&
        !feelinBuiltins().has(name) &&
        // feelin binds these itself, as constructors or keywords
        !['not', 'date', 'time', 'duration', 'date and time'].includes(name),
    );
    expect(missing).toEqual([]);
  });
});
