import {
  CSV_BOM,
  CsvSyntaxError,
  decodeCsvBytes,
  encodeCsvRow,
  neutraliseFormula,
  parseCsv,
  restoreFormula,
} from './csv';

describe('encodeCsvRow', () => {
  it.each([
    ['plain cells', ['a', 'b c', 1.5, true], 'a,b c,1.5,true\r\n'],
    ['empty and null', ['', null, undefined, 'x'], ',,,x\r\n'],
    ['comma', ['a,b'], '"a,b"\r\n'],
    ['quote', ['say "hi"'], '"say ""hi"""\r\n'],
    ['newline', ['line1\nline2'], '"line1\nline2"\r\n'],
    ['Chinese', ['上海客户', '张三'], '上海客户,张三\r\n'],
    ['negative number stays a number', [-5], '-5\r\n'],
  ])('%s', (_n, cells, expected) => {
    expect(encodeCsvRow(cells)).toBe(expected);
  });

  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ["'=already", "''=already"],
    ['a=b', 'a=b'],
  ])('neutralises formula text %j', (text, cell) => {
    expect(encodeCsvRow([text])).toBe(`${cell}\r\n`);
  });
});

describe('neutraliseFormula / restoreFormula', () => {
  it.each(['=1+1', '+x', '-x', '@x', '\tx', "'=x", "''+x", "'plain", 'plain', ''])(
    'round-trips %j',
    (text) => {
      expect(restoreFormula(neutraliseFormula(text))).toBe(text);
    },
  );
  it('leaves an apostrophe that guards nothing alone', () => {
    expect(restoreFormula("'plain")).toBe("'plain");
  });
});

describe('parseCsv', () => {
  const cells = (text: string) => parseCsv(text).map((r) => r.cells);

  it('parses what encodeCsvRow writes, with a BOM', () => {
    const rows = [
      ['name', 'note'],
      ['a,b', 'say "hi"'],
      ['多行\n文本', ''],
    ];
    const text = CSV_BOM + rows.map((r) => encodeCsvRow(r)).join('');
    expect(cells(text)).toEqual(rows);
  });

  it('accepts LF, CRLF and a missing final newline; skips blank lines', () => {
    expect(cells('a,b\n1,2\r\n\r\n3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('keeps empty cells, including a trailing one', () => {
    expect(cells('a,,c,\n')).toEqual([['a', '', 'c', '']]);
  });

  it('records the line each record starts on, counting newlines inside quotes', () => {
    const recs = parseCsv('h\n"x\ny"\n\nz\n');
    expect(recs.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it.each([
    ['unclosed quote', 'a\n"open', 2, 'never closed'],
    ['text after closing quote', 'a\n"x"y', 2, 'after a closing quote'],
    ['quote inside unquoted cell', 'a\nx"y', 2, 'inside an unquoted cell'],
  ])('refuses %s with its line', (_n, text, line, message) => {
    let err: unknown;
    try {
      parseCsv(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvSyntaxError);
    expect((err as CsvSyntaxError).line).toBe(line);
    expect((err as CsvSyntaxError).message).toContain(message);
  });
});

describe('decodeCsvBytes', () => {
  it('reads UTF-8 with a BOM (kept for parseCsv to drop)', () => {
    const bytes = Buffer.from(`${CSV_BOM}名称\n`, 'utf8');
    expect(parseCsv(decodeCsvBytes(bytes))[0].cells).toEqual(['名称']);
  });
  it('falls back to GB18030 for Excel files saved as ANSI on Chinese Windows', () => {
    const gbk = Buffer.from([0xc3, 0xfb, 0xb3, 0xc6]); // 名称 in GBK
    expect(decodeCsvBytes(gbk)).toBe('名称');
  });
});
