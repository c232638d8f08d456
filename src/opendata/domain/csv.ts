/**
 * CSV as RFC 4180 describes it: records end with CRLF, the first record is the header, a field is
 * quoted when it holds a comma, a double quote, CR or LF, and a double quote inside a quoted field is
 * doubled. Text is UTF-8 without a byte-order mark. Pure functions.
 */

/** One value of an open-data row. Lists are written as one field, items joined by `;`. */
export type Cell = string | number | null | readonly string[];

export const LIST_SEPARATOR = ';';

/** The text of one field before quoting: null → empty, list → items joined by `;`, number → decimal. */
export function cellText(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  return value.join(LIST_SEPARATOR);
}

const NEEDS_QUOTES = /[",\r\n]/;

export function quoteField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Header row plus one record per row, every record (the last too) ended by CRLF. */
export function toCsv<C extends string>(columns: readonly C[], rows: readonly Readonly<Record<C, Cell>>[]): string {
  const lines = [columns.map(quoteField).join(',')];
  for (const row of rows) lines.push(columns.map((c) => quoteField(cellText(row[c]))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export class CsvSyntaxError extends Error {}

/**
 * Parses RFC 4180 text into records of fields (strings). Accepts CRLF or bare LF line ends and a
 * missing final line end; rejects a quote inside an unquoted field or an unterminated quoted field.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endField = (): void => {
    record.push(field);
    field = '';
    quoted = false;
    fieldStarted = false;
  };
  const endRecord = (): void => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
          throw new CsvSyntaxError(`character ${i}: expected a comma or line end after a closing quote`);
        }
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (fieldStarted || field !== '') throw new CsvSyntaxError(`character ${i}: quote inside an unquoted field`);
      quoted = true;
      fieldStarted = true;
      i++;
      continue;
    }
    if (ch === ',') {
      endField();
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += ch;
    fieldStarted = true;
    i++;
  }
  if (quoted) throw new CsvSyntaxError('unterminated quoted field at the end of the text');
  if (fieldStarted || field !== '' || record.length > 0) endRecord();
  return records;
}

/** Parses CSV with a header row into objects keyed by the header's names (fields stay strings). */
export function parseCsvObjects(text: string): Record<string, string>[] {
  const [header, ...records] = parseCsv(text);
  if (!header) return [];
  return records.map((fields, n) => {
    if (fields.length !== header.length) {
      throw new CsvSyntaxError(`record ${n + 2}: ${fields.length} fields, the header has ${header.length}`);
    }
    return Object.fromEntries(header.map((name, k) => [name, fields[k]]));
  });
}
