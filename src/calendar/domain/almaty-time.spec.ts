import fc from 'fast-check';
import {
  addCalendarDays,
  almatyAt,
  almatyMidnight,
  dayOfWeek,
  endOfAlmatyDay,
  formatAlmaty,
  isIsoDate,
  toAlmatyDate,
} from './almaty-time.js';

describe('toAlmatyDate', () => {
  it('is five hours ahead of UTC: 19:30Z on the 20th is 00:30 on the 21st in Almaty', () => {
    expect(toAlmatyDate(new Date('2026-03-20T19:30:00Z'))).toBe('2026-03-21');
    expect(formatAlmaty(new Date('2026-03-20T19:30:00Z'))).toBe('2026-03-21T00:30:00.000+05:00');
  });

  it('23:30 Almaty is still the same local day although UTC shows 18:30', () => {
    const instant = new Date('2026-03-20T18:30:00Z');
    expect(toAlmatyDate(instant)).toBe('2026-03-20');
    expect(formatAlmaty(instant)).toBe('2026-03-20T23:30:00.000+05:00');
  });

  it('the local day changes exactly at 19:00Z', () => {
    expect(toAlmatyDate(new Date('2026-03-20T18:59:59.999Z'))).toBe('2026-03-20');
    expect(toAlmatyDate(new Date('2026-03-20T19:00:00.000Z'))).toBe('2026-03-21');
  });

  it('handles year ends and leap days', () => {
    expect(toAlmatyDate(new Date('2026-12-31T19:00:00Z'))).toBe('2027-01-01');
    expect(toAlmatyDate(new Date('2028-02-28T19:00:00Z'))).toBe('2028-02-29');
  });

  it('rejects an invalid Date', () => {
    expect(() => toAlmatyDate(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => formatAlmaty(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('almatyMidnight / almatyAt / endOfAlmatyDay', () => {
  it('00:00 Almaty is 19:00Z the previous day', () => {
    expect(almatyMidnight('2026-03-21').toISOString()).toBe('2026-03-20T19:00:00.000Z');
  });

  it('almatyAt builds local wall-clock instants', () => {
    expect(almatyAt('2026-03-21', 9).toISOString()).toBe('2026-03-21T04:00:00.000Z');
    expect(formatAlmaty(almatyAt('2026-03-21', 9))).toBe('2026-03-21T09:00:00.000+05:00');
    expect(almatyAt('2026-03-21', 23, 30).toISOString()).toBe('2026-03-21T18:30:00.000Z');
    expect(almatyAt('2026-03-21', 24).getTime()).toBe(endOfAlmatyDay('2026-03-21').getTime());
  });

  it('endOfAlmatyDay is the next local midnight', () => {
    expect(endOfAlmatyDay('2026-03-24').toISOString()).toBe('2026-03-24T19:00:00.000Z');
    expect(formatAlmaty(endOfAlmatyDay('2026-03-24'))).toBe('2026-03-25T00:00:00.000+05:00');
    expect(endOfAlmatyDay('2026-12-31').getTime()).toBe(almatyMidnight('2027-01-01').getTime());
  });

  it.each([
    [-1, 0],
    [25, 0],
    [24, 1],
    [9, 60],
    [9, -1],
    [9.5, 0],
  ])('almatyAt rejects %s:%s', (hh, mm) => {
    expect(() => almatyAt('2026-03-21', hh, mm)).toThrow(RangeError);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-3-1', '26-03-01', '', '2026-03-21T00:00'])('rejects the date %p', (date) => {
    expect(isIsoDate(date)).toBe(false);
    expect(() => almatyMidnight(date)).toThrow(RangeError);
    expect(() => addCalendarDays(date, 1)).toThrow(RangeError);
    expect(() => dayOfWeek(date)).toThrow(RangeError);
  });

  it('round-trips: every Almaty wall-clock time maps back to its date', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 365 * 10 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        (offset, hh, mm) => {
          const date = addCalendarDays('2024-03-01', offset);
          const instant = almatyAt(date, hh, mm);
          expect(toAlmatyDate(instant)).toBe(date);
          const hhmm = `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
          expect(formatAlmaty(instant)).toBe(`${date}T${hhmm}:00.000+05:00`);
          // the offset string is a real ISO offset: parsing it back gives the same instant
          expect(new Date(formatAlmaty(instant)).getTime()).toBe(instant.getTime());
          expect(endOfAlmatyDay(date).getTime() - almatyMidnight(date).getTime()).toBe(86_400_000);
        },
      ),
    );
  });
});

describe('addCalendarDays / dayOfWeek', () => {
  it.each([
    ['2026-03-20', 1, '2026-03-21'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-01-01', -1, '2025-12-31'],
    ['2026-03-20', 0, '2026-03-20'],
    ['2026-03-20', 365, '2027-03-20'],
  ])('%s + %s = %s', (date, n, expected) => {
    expect(addCalendarDays(date, n)).toBe(expected);
  });

  it('rejects fractional day counts', () => {
    expect(() => addCalendarDays('2026-03-20', 0.5)).toThrow(RangeError);
  });

  it.each([
    ['2026-03-20', 5], // Friday
    ['2026-03-21', 6], // Saturday
    ['2026-03-22', 0], // Sunday
    ['2026-03-23', 1], // Monday
    ['2024-01-01', 1],
    ['2027-05-16', 0],
  ])('dayOfWeek(%s) = %s', (date, dow) => {
    expect(dayOfWeek(date)).toBe(dow);
  });
});
