/**
 * RFC 4180 CSV, both directions, as pure functions (no dependency: the format is small and the
 * two places that need it — export and import — must agree on every detail).
 */

/** Excel reads a CSV without a byte order mark in the machine's ANSI code page, garbling Chinese. */
export const CSV_BOM = '\uFEFF';
const EOL = '\r\n';

export type CsvCell = string | number | boolean | null | undefined;

/**
 * A spreadsheet runs a cell starting with one of these as a formula (CSV injection: `=HYPERLINK`,
 * `=cmd|...`). Apostrophes already in front are counted too, so the guard is reversible.
 */
const FORMULA = /^'*[=+\-@\t\r]/;

/** Prefixes a text cell a spreadsheet would evaluate with an apostrophe, which Excel shows as text. */
export function neutraliseFormula(text: string): string {
  return FORMULA.test(text) ? `'${text}` : text;
}

/** The inverse of neutraliseFormula, applied on import so an exported file round-trips. */
export function restoreFormula(text: string): string {
  return text.startsWith("'") && FORMULA.test(text.slice(1)) ? text.slice(1) : text;
}

const needsQuotes = /[",\r\n]/;

/**
 * One record as a CSV line (CRLF-terminated). Only text is guarded against formulas: numbers are
 * written by us (a negative amount must stay a number in the spreadsheet).
 */
export function encodeCsvRow(cells: CsvCell[]): string {
  return (
    cells
      .map((c) => {
        if (c === null || c === undefined) return '';
        if (typeof c !== 'string') return String(c);
        const text = neutraliseFormula(c);
        return needsQuotes.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
      })
      .join(',') + EOL
  );
}

export interface CsvRecord {
  /** 1-based line of the file the record starts on (a quoted cell may span lines). */
  line: number;
  cells: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Parses CSV text into records: `,` separated, `"` quoted with `""` as an escaped quote, CRLF or
 * LF line ends, a leading BOM ignored, blank lines skipped. A stray quote inside an unquoted cell
 * or text after a closing quote is an error rather than a guess: a mis-split row would import
 * values into the wrong fields.
 */
export function parseCsv(input: string): CsvRecord[] {
  const text = input.startsWith(CSV_BOM) ? input.slice(1) : input;
  const out: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(start, 'a quoted cell is never closed');
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          cell += ch;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r')
          throw new CsvSyntaxError(line, 'text after a closing quote (quote it all, "" for ")');
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"')
            throw new CsvSyntaxError(line, 'a quote inside an unquoted cell (quote the cell)');
          cell += text[i++];
        }
      }
      cells.push(cell);
      if (text[i] === ',') {
        i++;
        continue;
      }
      // end of record: CRLF, LF, a lone CR, or the end of the text
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      line++;
      break;
    }
    if (!(cells.length === 1 && cells[0] === '')) out.push({ line: start, cells });
  }
  return out;
}

/**
 * Bytes of an uploaded CSV as text: UTF-8 (with or without BOM), else GB18030 — what Excel's plain
 * "CSV" saves on a Chinese Windows — rather than replacement characters.
 */
export function decodeCsvBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}
