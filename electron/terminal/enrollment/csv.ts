/** One CSV record: its fields and the line (1-based) it starts on. */
export interface CsvRecord {
  readonly fields: readonly string[];
  readonly line: number;
}

/** A CSV that cannot be parsed; `line` is 1-based. */
export class CsvError extends Error {
  override readonly name = 'CsvError';

  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`CSV line ${line}: ${detail}`);
  }
}

/**
 * Parses CSV as RFC 4180 writes it: comma-separated fields; a field in double quotes may hold commas, line
 * breaks and doubled quotes (`""` → `"`). Beyond the RFC, as spreadsheets export it: LF or CRLF line ends, a
 * leading UTF-8 BOM is dropped, blank lines are skipped, and a quote inside an unquoted field is kept as is.
 * Text after a closing quote, or a quote never closed, is a CsvError. Fields are not trimmed.
 */
export function parseCsv(text: string): CsvRecord[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let state: 'field-start' | 'unquoted' | 'quoted' | 'after-quote' = 'field-start';
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  const endField = (): void => {
    fields.push(field);
    field = '';
    state = 'field-start';
  };
  const endRecord = (): void => {
    endField();
    records.push({ fields, line: recordLine });
    fields = [];
  };
  for (let i = 0; i < source.length; i++) {
    const char = source[i] as string;
    const lineBreak = char === '\n' || char === '\r';
    if (state === 'quoted') {
      if (char === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          state = 'after-quote';
        }
        continue;
      }
      if (char === '\n') line++;
      field += char;
      continue;
    }
    if (lineBreak) {
      // A line break outside quotes ends the record, unless the line was blank.
      if (state !== 'field-start' || fields.length > 0) endRecord();
      if (char === '\r' && source[i + 1] === '\n') i++;
      line++;
      continue;
    }
    if (state === 'field-start' && fields.length === 0) recordLine = line;
    if (char === ',') {
      endField();
      continue;
    }
    // The text itself is not repeated in the error: the file may be anything but a CSV (a key, a password file).
    if (state === 'after-quote') throw new CsvError(line, 'text after a closing quote (a quote inside a quoted field is written twice: "")');
    if (state === 'field-start' && char === '"') {
      state = 'quoted';
      quoteLine = line;
      continue;
    }
    state = 'unquoted';
    field += char;
  }
  if (state === 'quoted') throw new CsvError(quoteLine, 'a quoted field is never closed');
  if (state !== 'field-start' || fields.length > 0) endRecord();
  return records;
}
