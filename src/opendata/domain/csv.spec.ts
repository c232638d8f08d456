import fc from 'fast-check';
import { CsvSyntaxError, parseCsv, parseCsvObjects, quoteField, toCsv } from './csv.js';

describe('CSV (RFC 4180)', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rlf', '"cr\rlf"'],
    ['Балапан «Айгөлек»', 'Балапан «Айгөлек»'],
  ])('quotes %j as %j', (text, field) => {
    expect(quoteField(text)).toBe(field);
  });

  it('writes a header, CRLF after every record, lists joined by ; and null as an empty field', () => {
    const csv = toCsv(['a', 'b', 'c', 'd'] as const, [
      { a: 'x,y', b: 1, c: null, d: ['u', 'v'] },
      { a: 'q"q', b: 0, c: 'z', d: [] },
    ]);
    expect(csv).toBe('a,b,c,d\r\n"x,y",1,,u;v\r\n"q""q",0,z,\r\n');
    expect(parseCsvObjects(csv)).toEqual([
      { a: 'x,y', b: '1', c: '', d: 'u;v' },
      { a: 'q"q', b: '0', c: 'z', d: '' },
    ]);
  });

  it('parses what it writes, for any text (round trip)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'binary' }), { minLength: 2, maxLength: 2 }), { maxLength: 8 }), (records) => {
        const csv = toCsv(
          ['h1', 'h2'] as const,
          records.map(([h1, h2]) => ({ h1, h2 })),
        );
        expect(parseCsv(csv)).toEqual([['h1', 'h2'], ...records]);
      }),
    );
  });

  it('accepts LF line ends and a missing final line end', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseCsv('a,\r\n')).toEqual([['a', '']]);
  });

  it('rejects malformed text', () => {
    expect(() => parseCsv('a,b"c\r\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('"abc\r\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('"a"b\r\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsvObjects('a,b\r\n1\r\n')).toThrow(/1 fields, the header has 2/);
  });
});
