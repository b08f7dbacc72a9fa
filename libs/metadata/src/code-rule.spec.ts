import { CodeRuleError, codePeriod, formatCode, parseCodeRule } from './code-rule';

const at = (iso: string): Date => new Date(iso);

describe('parseCodeRule', () => {
  it('parses KH-{YYYY}{MM}-{seq:5} into literal, date and seq tokens', () => {
    expect(parseCodeRule('KH-{YYYY}{MM}-{seq:5}').tokens).toEqual([
      { kind: 'literal', text: 'KH-' },
      { kind: 'date', part: 'YYYY' },
      { kind: 'date', part: 'MM' },
      { kind: 'literal', text: '-' },
      { kind: 'seq', width: 5 },
    ]);
  });

  it('parses {YY}{DD} with a trailing literal', () => {
    expect(parseCodeRule('{YY}{DD}{seq:2}/X').tokens).toEqual([
      { kind: 'date', part: 'YY' },
      { kind: 'date', part: 'DD' },
      { kind: 'seq', width: 2 },
      { kind: 'literal', text: '/X' },
    ]);
  });

  it('parses a rule without date tokens', () => {
    expect(parseCodeRule('INV{seq:8}').tokens).toEqual([
      { kind: 'literal', text: 'INV' },
      { kind: 'seq', width: 8 },
    ]);
  });

  it('accepts a bare sequence and the width bounds 1 and 12', () => {
    expect(parseCodeRule('{seq:1}').tokens).toEqual([{ kind: 'seq', width: 1 }]);
    expect(parseCodeRule('{seq:12}').tokens).toEqual([{ kind: 'seq', width: 12 }]);
  });

  it.each([
    ['no seq token', 'KH-{YYYY}', 'a code rule needs exactly one {seq:N} token, found 0'],
    ['plain literal', 'KH', 'a code rule needs exactly one {seq:N} token, found 0'],
    ['two seq tokens', '{seq:3}-{seq:4}', 'a code rule needs exactly one {seq:N} token, found 2'],
    [
      'unknown token',
      'KH-{HH}-{seq:3}',
      'unknown token {HH} (use {YYYY}, {YY}, {MM}, {DD}, {seq:N})',
    ],
    ['lower-case date token', '{yyyy}{seq:3}', 'unknown token {yyyy}'],
    ['empty token', '{}{seq:3}', 'unknown token {}'],
    ['seq without width', '{seq}', 'unknown token {seq}'],
    ['seq width of 3 digits', '{seq:100}', 'unknown token {seq:100}'],
    ['width 0', 'KH{seq:0}', '{seq:0}: width must be 1..12'],
    ['width 13', 'KH{seq:13}', '{seq:13}: width must be 1..12'],
    ['unclosed brace', 'KH-{seq:5', 'unbalanced brace in "KH-{seq:5"'],
    ['stray closing brace', 'KH}-{seq:5}', 'unbalanced brace in "KH}-"'],
    ['doubled braces', '{{seq:5}}', 'unbalanced brace in "{"'],
  ])('rejects a rule with %s (%s)', (_case, rule, message) => {
    let caught: unknown;
    try {
      parseCodeRule(rule);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CodeRuleError);
    expect((caught as Error).message).toContain(message);
  });
});

describe('codePeriod', () => {
  const monthly = parseCodeRule('KH-{YYYY}{MM}-{seq:5}');
  const yearly = parseCodeRule('Y{YYYY}-{seq:4}');
  const daily = parseCodeRule('{YY}{MM}{DD}{seq:3}');
  const never = parseCodeRule('N{seq:6}');

  it('is the concatenated date parts (UTC)', () => {
    expect(codePeriod(monthly, at('2024-03-15T10:00:00Z'), 'UTC')).toBe('202403');
    expect(codePeriod(yearly, at('2024-03-15T10:00:00Z'), 'UTC')).toBe('2024');
    expect(codePeriod(daily, at('2024-03-05T10:00:00Z'), 'UTC')).toBe('240305');
    expect(codePeriod(never, at('2024-03-15T10:00:00Z'), 'UTC')).toBe('');
  });

  it('uses UTC, not the local time zone, at the edge of a month', () => {
    expect(codePeriod(monthly, at('2024-03-31T23:59:59.999Z'), 'UTC')).toBe('202403');
    expect(codePeriod(monthly, at('2024-04-01T00:00:00Z'), 'UTC')).toBe('202404');
  });

  it.each([
    { name: 'monthly', a: '2024-03-01T00:00:00Z', b: '2024-03-31T23:59:59Z', same: true },
    { name: 'monthly', a: '2024-03-31T23:59:59Z', b: '2024-04-01T00:00:00Z', same: false },
    { name: 'monthly', a: '2024-03-10T00:00:00Z', b: '2025-03-10T00:00:00Z', same: false },
    { name: 'yearly', a: '2024-01-01T00:00:00Z', b: '2024-12-31T23:59:59Z', same: true },
    { name: 'yearly', a: '2024-12-31T23:59:59Z', b: '2025-01-01T00:00:00Z', same: false },
    { name: 'daily', a: '2024-03-05T00:00:00Z', b: '2024-03-05T23:59:59Z', same: true },
    { name: 'daily', a: '2024-03-05T23:59:59Z', b: '2024-03-06T00:00:00Z', same: false },
    { name: 'never', a: '2001-01-01T00:00:00Z', b: '2099-12-31T00:00:00Z', same: true },
  ] as const)('$name rule: $a and $b share a counter: $same', ({ name, a, b, same }) => {
    const rule = { monthly, yearly, daily, never }[name];
    expect(codePeriod(rule, at(a), 'UTC') === codePeriod(rule, at(b), 'UTC')).toBe(same);
  });
});

describe('formatCode', () => {
  it('formats KH-{YYYY}{MM}-{seq:5}', () => {
    expect(
      formatCode(parseCodeRule('KH-{YYYY}{MM}-{seq:5}'), at('2024-03-15T08:00:00Z'), 42, 'UTC'),
    ).toBe('KH-202403-00042');
  });

  it('pads YY, MM and DD to two digits', () => {
    expect(
      formatCode(parseCodeRule('{YY}{MM}{DD}-{seq:3}'), at('2005-01-02T00:00:00Z'), 7, 'UTC'),
    ).toBe('050102-007');
  });

  it('formats rules without date tokens the same at any date', () => {
    const rule = parseCodeRule('INV{seq:4}');
    expect(formatCode(rule, at('2020-01-01T00:00:00Z'), 1, 'UTC')).toBe('INV0001');
    expect(formatCode(rule, at('2030-06-30T00:00:00Z'), 1, 'UTC')).toBe('INV0001');
  });

  it.each([
    [1, 1, '1'],
    [3, 1, '001'],
    [3, 999, '999'],
    [5, 12345, '12345'],
    [12, 7, '000000000007'],
  ])('pads {seq:%d} with %d to %s', (width, seq, expected) => {
    expect(
      formatCode(parseCodeRule(`{seq:${width}}`), at('2024-01-01T00:00:00Z'), seq, 'UTC'),
    ).toBe(expected);
  });

  it('does not truncate a sequence that outgrows its width', () => {
    expect(formatCode(parseCodeRule('A{seq:3}'), at('2024-01-01T00:00:00Z'), 12345, 'UTC')).toBe(
      'A12345',
    );
  });
});

describe('business dates in the company time zone (CRM_TIMEZONE)', () => {
  const daily = parseCodeRule('KH-{YYYY}{MM}{DD}-{seq:3}');

  it("gives a code issued at 07:00 in Beijing today's date, not yesterday's UTC date", () => {
    // 2026-03-16 07:00 in Beijing is 2026-03-15 23:00 UTC
    const morning = at('2026-03-15T23:00:00Z');
    expect(formatCode(daily, morning, 1, 'Asia/Shanghai')).toBe('KH-20260316-001');
    expect(formatCode(daily, morning, 1, 'UTC')).toBe('KH-20260315-001');
  });

  it('starts a new month at midnight Beijing time, not at 08:00', () => {
    const rule = parseCodeRule('{YYYY}{MM}{seq:4}');
    // 2026-04-01 00:30 in Beijing
    expect(codePeriod(rule, at('2026-03-31T16:30:00Z'), 'Asia/Shanghai')).toBe('202604');
    // 2026-03-31 23:59 in Beijing
    expect(codePeriod(rule, at('2026-03-31T15:59:00Z'), 'Asia/Shanghai')).toBe('202603');
  });

  it('starts a new year at local midnight west of UTC too', () => {
    const rule = parseCodeRule('{YY}-{seq:2}');
    // 2025-12-31 19:00 in New York is 2026-01-01 00:00 UTC
    expect(formatCode(rule, at('2026-01-01T00:00:00Z'), 3, 'America/New_York')).toBe('25-03');
  });
});
