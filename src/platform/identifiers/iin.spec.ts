import fc from 'fast-check';
import { ageInMonths, ageInYears, checkDigit, isValidBin, isValidIin, makeBin, makeIin, parseBin, parseIin, type Sex } from './iin.js';

/** Independent re-implementation of the check digit, written from the spec, for cross-checks. */
function referenceCheckDigit(first11: string): number | null {
  const digits = [...first11].map(Number);
  const pass = (weights: number[]): number => digits.reduce((sum, digit, i) => sum + digit * weights[i], 0) % 11;
  const a = pass([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  if (a < 10) return a;
  const b = pass([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
  return b < 10 ? b : null;
}

const digitString = (length: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((ds) => ds.join(''));

/** Random real dates 1900-01-01 .. 2099-12-31 as YYYY-MM-DD. */
const isoDate1900to2099 = fc
  .date({
    min: new Date(Date.UTC(1900, 0, 1)),
    max: new Date(Date.UTC(2099, 11, 31)),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));

const sexArb = fc.constantFrom<Sex>('M', 'F');
const serialArb = fc.integer({ min: 0, max: 9999 });

describe('checkDigit', () => {
  it.each([
    // 9*1 + 0 + 0 + 1*4 + 0 + 1*6 + 3*7 + 5*8 + 0 + 0 + 1*11 = 91; 91 mod 11 = 3
    ['90010135001', 3],
    // first pass: 9 + 4 + 6 + 21 + 80 + 11 = 131; 131 mod 11 = 10 → second pass:
    // 9*3 + 1*6 + 1*8 + 3*9 + 8*1 + 1*2 = 78; 78 mod 11 = 1
    ['90010130081', 1],
    ['00000000000', 0],
    ['85121540007', 4],
  ])('checkDigit(%s) = %s', (first11, expected) => {
    expect(checkDigit(first11)).toBe(expected);
  });

  it('returns null when both passes give 10', () => {
    // first pass 120 mod 11 = 10, second pass 76 mod 11 = 10
    expect(checkDigit('90010130080')).toBeNull();
  });

  it.each(['', '1234567890', '123456789012', '1234567890a'])('throws on %p', (bad) => {
    expect(() => checkDigit(bad)).toThrow(RangeError);
  });

  it('agrees with an independent implementation on random 11-digit strings', () => {
    fc.assert(
      fc.property(digitString(11), (first11) => {
        expect(checkDigit(first11)).toBe(referenceCheckDigit(first11));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseIin', () => {
  it.each([
    ['900101350013', '1990-01-01', 'M'],
    ['900101300811', '1990-01-01', 'M'], // check digit from the second pass
    ['000229601230', '2000-02-29', 'F'], // 2000 is a leap year
    ['851215400074', '1985-12-15', 'F'],
    ['200731500009', '2020-07-31', 'M'],
    ['950301401236', '1995-03-01', 'F'],
    ['991220200017', '1899-12-20', 'F'],
    ['000101100016', '1800-01-01', 'M'],
  ])('%s → %s %s', (iin, birthDate, sex) => {
    expect(parseIin(iin)).toEqual({ ok: true, birthDate, sex });
    expect(isValidIin(iin)).toBe(true);
  });

  it.each([
    ['', 'must be 12 digits'],
    ['90010135001', 'must be 12 digits'],
    ['9001013500130', 'must be 12 digits'],
    ['90010135001a', 'must be 12 digits'],
    [' 900101350013', 'must be 12 digits'],
    ['９００１０１３５００１３', 'must be 12 digits'], // full-width digits
    ['900101350014', 'check digit mismatch'],
    ['900101300800', 'check digit mismatch'], // the first 11 digits admit no check digit
    ['991231701235', 'century digit must be 1-6'],
    ['991231001230', 'century digit must be 1-6'],
    ['000229301231', 'birth date is not a real date'], // 1900-02-29: 1900 is not a leap year
    ['010229501236', 'birth date is not a real date'], // 2001-02-29
    ['900132401239', 'birth date is not a real date'], // 32 January
  ])('%p is rejected: %s', (iin, reason) => {
    expect(parseIin(iin)).toEqual({ ok: false, reason });
    expect(isValidIin(iin)).toBe(false);
  });

  it('generated IINs parse back to their birth date and sex', () => {
    fc.assert(
      fc.property(isoDate1900to2099, sexArb, serialArb, (birthDate, sex, serial) => {
        const iin = makeIin(birthDate, sex, serial);
        expect(iin).toMatch(/^\d{12}$/);
        expect(parseIin(iin)).toEqual({ ok: true, birthDate, sex });
      }),
      { numRuns: 2000 },
    );
  });

  it('mutating the check digit always invalidates', () => {
    fc.assert(
      fc.property(isoDate1900to2099, sexArb, serialArb, fc.integer({ min: 1, max: 9 }), (birthDate, sex, serial, delta) => {
        const iin = makeIin(birthDate, sex, serial);
        const mutated = iin.slice(0, 11) + String((Number(iin[11]) + delta) % 10);
        expect(parseIin(mutated)).toEqual({ ok: false, reason: 'check digit mismatch' });
      }),
      { numRuns: 1000 },
    );
  });

  it('mutating any single digit invalidates or changes the fields consistently', () => {
    fc.assert(
      fc.property(
        isoDate1900to2099,
        sexArb,
        serialArb,
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 1, max: 9 }),
        (birthDate, sex, serial, position, delta) => {
          const iin = makeIin(birthDate, sex, serial);
          const digit = String((Number(iin[position]) + delta) % 10);
          const mutated = iin.slice(0, position) + digit + iin.slice(position + 1);
          const result = parseIin(mutated);
          if (!result.ok) return;
          // Still valid: then it must be a different-but-coherent IIN. Only the date digits
          // (0-5), the century/sex digit (6) or a serial digit (7-10) can have changed.
          expect(position).toBeLessThan(11);
          const century = { '1': 1800, '2': 1800, '3': 1900, '4': 1900, '5': 2000, '6': 2000 }[
            mutated[6] as '1' | '2' | '3' | '4' | '5' | '6'
          ];
          const expectedDate = `${century + Number(mutated.slice(0, 2))}-${mutated.slice(2, 4)}-${mutated.slice(4, 6)}`;
          expect(result.birthDate).toBe(expectedDate);
          expect(result.sex).toBe(Number(mutated[6]) % 2 === 1 ? 'M' : 'F');
          if (position >= 7) {
            // a serial digit: birth date and sex are untouched
            expect(result).toEqual({ ok: true, birthDate, sex });
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('random 12-digit strings: check digit verdict agrees with the reference implementation', () => {
    fc.assert(
      fc.property(digitString(12), (s) => {
        const expected = referenceCheckDigit(s.slice(0, 11));
        const checkOk = expected !== null && expected === Number(s[11]);
        const result = parseIin(s);
        if (!checkOk) {
          expect(result).toEqual({ ok: false, reason: 'check digit mismatch' });
        } else {
          expect(result.ok || result.reason !== 'check digit mismatch').toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('strings that are not exactly 12 ASCII digits are always rejected', () => {
    const notTwelveDigits = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme', minLength: 12, maxLength: 12 }),
      digitString(11),
      digitString(13),
      fc.nat({ max: 30 }).chain((n) => digitString(n)),
    );
    fc.assert(
      fc.property(
        notTwelveDigits.filter((s) => !/^\d{12}$/.test(s)),
        (s) => {
          expect(parseIin(s)).toEqual({ ok: false, reason: 'must be 12 digits' });
          expect(parseBin(s)).toEqual({ ok: false, reason: 'must be 12 digits' });
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('makeIin', () => {
  it('encodes date, century/sex digit and serial', () => {
    expect(makeIin('1990-01-01', 'M', 5001)).toBe('900101350013');
    expect(makeIin('2000-02-29', 'F', 123)).toBe('000229601230');
    expect(makeIin('1899-12-20', 'F', 1)).toBe('991220200017');
  });

  it('skips a serial whose digits admit no check digit', () => {
    // serial 0080 → '90010130080' has no check digit; 0081 is used instead
    expect(makeIin('1990-01-01', 'M', 80)).toBe('900101300811');
  });

  it('wraps the serial around 9999', () => {
    const iin = makeIin('2015-06-01', 'F', 9999);
    expect(isValidIin(iin)).toBe(true);
    expect(['9999', '0000', '0001']).toContain(iin.slice(7, 11));
  });

  it.each([
    ['1990-02-30', 'M', 1],
    ['1799-12-31', 'M', 1],
    ['2100-01-01', 'F', 1],
    ['90-01-01', 'F', 1],
    ['1990-01-01', 'M', -1],
    ['1990-01-01', 'M', 10000],
    ['1990-01-01', 'M', 1.5],
  ] as const)('rejects %s %s %s', (date, sex, serial) => {
    expect(() => makeIin(date, sex, serial)).toThrow(RangeError);
  });
});

describe('BIN', () => {
  it.each([
    ['190440001237', { registrationYear: 2019, registrationMonth: 4, entityType: 4 }],
    ['241250000002', { registrationYear: 2024, registrationMonth: 12, entityType: 5 }],
    ['241261005003', { registrationYear: 2024, registrationMonth: 12, entityType: 6 }],
  ])('%s is valid', (bin, fields) => {
    expect(parseBin(bin)).toEqual({ ok: true, ...fields });
    expect(isValidBin(bin)).toBe(true);
  });

  it.each([
    ['19044000123', 'must be 12 digits'],
    ['190440001238', 'check digit mismatch'],
    ['191304001233', 'registration month must be 01-12'],
    ['190470001230', 'entity type digit (5th) must be 4, 5 or 6'],
    ['190430001232', 'entity type digit (5th) must be 4, 5 or 6'],
  ])('%s is rejected: %s', (bin, reason) => {
    expect(parseBin(bin)).toEqual({ ok: false, reason });
    expect(isValidBin(bin)).toBe(false);
  });

  it('an IIN is generally not a BIN (5th digit is a day digit)', () => {
    expect(isValidBin('900101350013')).toBe(false); // month 01 ok, 5th digit 0
  });

  it('makeBin always produces valid BINs with the requested registration month and type', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 99999 }),
        fc.constantFrom<4 | 5 | 6>(4, 5, 6),
        (yy, mm, serial, type) => {
          const yymm = String(yy).padStart(2, '0') + String(mm).padStart(2, '0');
          const bin = makeBin(yymm, serial, type);
          expect(bin.slice(0, 4)).toBe(yymm);
          expect(parseBin(bin)).toEqual({
            ok: true,
            registrationYear: 2000 + yy,
            registrationMonth: mm,
            entityType: type,
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('makeBin defaults to a resident legal entity', () => {
    expect(makeBin('1904', 123)).toBe('190440001237');
  });

  it.each([['1913'], ['1900'], ['190'], ['19a4']])('makeBin rejects yymm %p', (yymm) => {
    expect(() => makeBin(yymm, 1)).toThrow(RangeError);
  });

  it('mutating the check digit of a BIN always invalidates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 1, max: 9 }), (serial, delta) => {
        const bin = makeBin('2503', serial);
        const mutated = bin.slice(0, 11) + String((Number(bin[11]) + delta) % 10);
        expect(isValidBin(mutated)).toBe(false);
      }),
    );
  });
});

describe('ageInMonths / ageInYears', () => {
  it.each([
    ['2020-01-31', '2020-02-29', 0],
    ['2020-01-31', '2020-03-01', 1],
    ['2020-01-15', '2020-01-15', 0],
    ['2020-01-15', '2020-02-14', 0],
    ['2020-01-15', '2020-02-15', 1],
    ['2019-12-31', '2020-01-01', 0],
    ['2019-06-10', '2026-03-21', 81],
    ['2020-03-15', '2020-03-10', -1],
  ])('%s → %s = %s months', (from, to, months) => {
    expect(ageInMonths(from, to)).toBe(months);
  });

  it.each([
    ['2020-02-29', '2021-02-28', 0], // a 29 February child completes a year on 1 March
    ['2020-02-29', '2021-03-01', 1],
    ['2020-02-29', '2024-02-29', 4],
    ['2019-09-01', '2026-08-31', 6],
    ['2019-09-01', '2026-09-01', 7],
  ])('%s → %s = %s years', (from, to, years) => {
    expect(ageInYears(from, to)).toBe(years);
  });

  it('rejects malformed dates', () => {
    expect(() => ageInMonths('2020-02-30', '2021-01-01')).toThrow(RangeError);
    expect(() => ageInYears('2020-01-01', '2021/01/01')).toThrow(RangeError);
  });

  it('is monotone in the "on" date and matches whole-year steps', () => {
    fc.assert(
      fc.property(isoDate1900to2099, fc.integer({ min: 0, max: 1000 }), (birth, days) => {
        const t = Date.parse(`${birth}T00:00:00Z`) + days * 86_400_000;
        const later = new Date(t).toISOString().slice(0, 10);
        const nextDay = new Date(t + 86_400_000).toISOString().slice(0, 10);
        const m = ageInMonths(birth, later);
        expect(m).toBeGreaterThanOrEqual(0);
        expect(ageInMonths(birth, nextDay)).toBeGreaterThanOrEqual(m);
        expect(ageInYears(birth, later)).toBe(Math.floor(m / 12));
      }),
    );
  });
});
