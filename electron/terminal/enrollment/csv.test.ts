import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CsvError, parseCsv } from './csv.js';

const fieldsOf = (text: string): (readonly string[])[] => parseCsv(text).map((record) => record.fields);

describe('parseCsv', () => {
  it('splits plain records on commas and line ends, LF or CRLF, with or without a final line end', () => {
    assert.deepEqual(fieldsOf('id,name,photo\r\n1,Ann,a.jpg\r\n'), [['id', 'name', 'photo'], ['1', 'Ann', 'a.jpg']]);
    assert.deepEqual(fieldsOf('a,b\n1,2'), [['a', 'b'], ['1', '2']]);
  });

  it('keeps commas, line breaks and doubled quotes inside quoted fields', () => {
    const records = parseCsv('id,name\n7,"Lee, Ann ""Annie"""\n8,"two\nlines",x\n9,z\n');
    assert.deepEqual(
      records.map((record) => record.fields),
      [['id', 'name'], ['7', 'Lee, Ann "Annie"'], ['8', 'two\nlines', 'x'], ['9', 'z']],
    );
    // Lines are where each record starts, counting the line break inside the quoted field.
    assert.deepEqual(records.map((record) => record.line), [1, 2, 3, 5]);
  });

  it('keeps empty fields, quoted or not, and does not trim', () => {
    assert.deepEqual(fieldsOf(',, x ,""\n'), [['', '', ' x ', '']]);
    assert.deepEqual(fieldsOf('""\n'), [['']]);
  });

  it('drops a UTF-8 BOM and skips blank lines', () => {
    const records = parseCsv('\uFEFFid,name\n\n\r\n1,Zoë\n\n');
    assert.deepEqual(records.map((record) => record.fields), [['id', 'name'], ['1', 'Zoë']]);
    assert.deepEqual(records.map((record) => record.line), [1, 4]);
  });

  it('keeps a quote inside an unquoted field as it is', () => {
    assert.deepEqual(fieldsOf('5" tall,b\n'), [['5" tall', 'b']]);
  });

  it('rejects text after a closing quote and a quote never closed, naming the line', () => {
    assert.throws(() => parseCsv('a,b\n"x"y,z\n'), (error: unknown) => error instanceof CsvError && error.line === 2 && /after a closing quote/.test(error.message));
    assert.throws(() => parseCsv('a\n"open,\nstill open\n'), (error: unknown) => error instanceof CsvError && error.line === 2 && /never closed/.test(error.message));
  });

  it('gives nothing for an empty file', () => {
    assert.deepEqual(parseCsv(''), []);
    assert.deepEqual(parseCsv('\n\n'), []);
  });
});
