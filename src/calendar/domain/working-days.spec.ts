import fc from 'fast-check';
import { addCalendarDays, dayOfWeek } from './almaty-time.js';
import { KZ_CALENDAR_2024_2027, KZ_CALENDAR_YEARS, type CalendarDayRow } from './holidays.data.js';
import { KZ_WORKING_CALENDAR, WorkingCalendar } from './working-days.js';

const cal = KZ_WORKING_CALENDAR;

describe('KZ_CALENDAR_2024_2027 data', () => {
  const holidays = KZ_CALENDAR_2024_2027.filter((r) => r.kind === 'HOLIDAY');

  it('has the fixed holidays of each year and the first day of Kurban Ait (30 August until 2025, 15 March from 2027)', () => {
    const fixed = ['01-01', '01-02', '01-07', '03-08', '03-21', '03-22', '03-23', '05-01', '05-07', '05-09', '07-06', '10-25', '12-16'];
    const constitution: Record<number, string[]> = { 2024: ['08-30'], 2025: ['08-30'], 2026: [], 2027: ['03-15'] };
    const kurban = ['2024-06-16', '2025-06-06', '2026-05-27', '2027-05-16'];
    for (const year of KZ_CALENDAR_YEARS) {
      const dates = holidays.filter((r) => r.date.startsWith(`${year}-`)).map((r) => r.date);
      const expected = [
        ...[...fixed, ...constitution[year]].map((md) => `${year}-${md}`),
        ...kurban.filter((k) => k.startsWith(`${year}-`)),
      ];
      expect(dates.sort()).toEqual(expected.sort());
    }
  });

  it('lists every date once, in chronological order, as real dates', () => {
    const dates = KZ_CALENDAR_2024_2027.map((r) => r.date);
    expect(new Set(dates).size).toBe(dates.length);
    expect([...dates].sort()).toEqual(dates);
    for (const d of dates) expect(() => dayOfWeek(d)).not.toThrow();
  });

  it('transferred days off fall on weekdays, transferred workdays on weekends', () => {
    for (const row of KZ_CALENDAR_2024_2027) {
      const dow = dayOfWeek(row.date);
      if (row.kind === 'TRANSFERRED_DAY_OFF') expect([1, 2, 3, 4, 5]).toContain(dow);
      if (row.kind === 'TRANSFERRED_WORKDAY') expect([0, 6]).toContain(dow);
      expect(row.name.length).toBeGreaterThan(0);
    }
  });

  it('the Labour Code transfers are exactly what the weekend rule derives from the holidays', () => {
    // Independent derivation: each holiday on Sat/Sun (other than 7 January and Kurban Ait)
    // moves to the first Mon-Fri after it that is neither a holiday nor already a transfer.
    const holidaySet = new Set(holidays.map((r) => r.date));
    const derived: string[] = [];
    for (const row of holidays) {
      const movable = !row.date.endsWith('-01-07') && !row.name.startsWith('Курбан');
      const dow = dayOfWeek(row.date);
      if (!movable || (dow !== 0 && dow !== 6)) continue;
      let d = addCalendarDays(row.date, 1);
      while ([0, 6].includes(dayOfWeek(d)) || holidaySet.has(d) || derived.includes(d)) {
        d = addCalendarDays(d, 1);
      }
      derived.push(d);
    }
    const codeTransfers = KZ_CALENDAR_2024_2027.filter((r) => r.kind === 'TRANSFERRED_DAY_OFF' && r.name.includes('Трудовой кодекс')).map(
      (r) => r.date,
    );
    expect(codeTransfers).toEqual(derived);
  });

  it('contains the confirmed ministry-order transfers for 2024 and 2025', () => {
    const byDate = new Map(KZ_CALENDAR_2024_2027.map((r) => [r.date, r.kind]));
    expect(byDate.get('2024-05-04')).toBe('TRANSFERRED_WORKDAY');
    expect(byDate.get('2024-05-08')).toBe('TRANSFERRED_DAY_OFF');
    expect(byDate.get('2025-01-03')).toBe('TRANSFERRED_DAY_OFF');
    expect(byDate.get('2025-01-05')).toBe('TRANSFERRED_WORKDAY');
  });
});

describe('WorkingCalendar.isWorkingDay', () => {
  it.each([
    ['2026-03-20', true, 'Fri, ordinary working day'],
    ['2026-03-21', false, 'Sat, Nauryz'],
    ['2026-03-22', false, 'Sun, Nauryz'],
    ['2026-03-23', false, 'Mon, Nauryz'],
    ['2026-03-24', false, 'Tue, day off transferred from Sat 21 March'],
    ['2026-03-25', false, 'Wed, day off transferred from Sun 22 March'],
    ['2026-03-26', true, 'Thu, first working day after Nauryz'],
    ['2026-03-08', false, 'Sun, Women’s Day'],
    ['2026-03-09', false, 'Mon, Women’s Day on a Sunday moves to Monday'],
    ['2026-03-10', true, 'Tue'],
    ['2026-10-25', false, 'Sun, Republic Day'],
    ['2026-10-26', false, 'Mon, Republic Day moved from Sunday'],
    ['2026-05-27', false, 'Wed, Kurban Ait'],
    ['2024-06-16', false, 'Sun, Kurban Ait 2024'],
    ['2024-06-17', true, 'Mon: Kurban Ait on a Sunday is NOT transferred'],
    ['2024-01-08', true, 'Mon: 7 January on a Sunday is NOT transferred'],
    ['2024-05-04', true, 'Sat worked by ministry order'],
    ['2024-05-08', false, 'Wed off by ministry order'],
    ['2025-01-03', false, 'Fri off by ministry order'],
    ['2025-01-05', true, 'Sun worked by ministry order'],
    ['2026-04-04', false, 'an ordinary Saturday'],
    ['2026-04-05', false, 'an ordinary Sunday'],
    ['2023-12-29', true, 'Fri before the data: no holiday'],
    ['2028-01-01', false, 'Sat, New Year (generated for every year)'],
    ['2028-01-03', false, 'Mon, day off moved from New Year on Sat 1 January 2028'],
    ['2028-01-04', false, 'Tue, day off moved from Sun 2 January 2028'],
    ['2028-01-07', false, 'Fri, Orthodox Christmas 2028'],
    ['2026-08-31', true, 'Mon: 30 August is no longer a holiday from 2026'],
    ['2027-08-30', true, 'Mon: 30 August is no longer a holiday'],
    ['2027-03-15', false, 'Mon, the new Constitution Day'],
  ])('%s → %s (%s)', (date, working) => {
    expect(cal.isWorkingDay(date)).toBe(working);
  });

  it('rejects malformed dates', () => {
    expect(() => cal.isWorkingDay('2026-02-30')).toThrow(RangeError);
  });
});

describe('WorkingCalendar navigation', () => {
  it('Fri 2026-03-20 + 1 working day = Thu 2026-03-26 (21-23 Nauryz, 24-25 transferred)', () => {
    // NB: 24 and 25 March 2026 are not working days: Nauryz 21 (Sat) and 22 (Sun) move to them.
    expect(cal.nextWorkingDay('2026-03-20')).toBe('2026-03-26');
    expect(cal.addWorkingDays('2026-03-20', 1)).toBe('2026-03-26');
    expect(cal.addWorkingDays('2026-03-20', 2)).toBe('2026-03-27');
    expect(cal.addWorkingDays('2026-03-20', 3)).toBe('2026-03-30');
  });

  it('skips ordinary weekends', () => {
    expect(cal.nextWorkingDay('2026-04-03')).toBe('2026-04-06'); // Fri → Mon
    expect(cal.nextWorkingDay('2026-04-04')).toBe('2026-04-06'); // Sat → Mon
    expect(cal.addWorkingDays('2026-04-01', 5)).toBe('2026-04-08'); // Wed + 5 → next Wed
    expect(cal.workingDayBefore('2026-04-06')).toBe('2026-04-03'); // Mon → Fri
    expect(cal.workingDayBefore('2026-04-05')).toBe('2026-04-03'); // Sun → Fri
  });

  it('Sunday holiday moves to Monday: Fri 2026-03-06 → Tue 2026-03-10', () => {
    expect(cal.nextWorkingDay('2026-03-06')).toBe('2026-03-10');
    expect(cal.workingDayBefore('2026-03-10')).toBe('2026-03-06');
  });

  it('Kurban Ait on a Sunday does not move: Fri 2024-06-14 → Mon 2024-06-17', () => {
    expect(cal.nextWorkingDay('2024-06-14')).toBe('2024-06-17');
  });

  it('a worked Saturday counts: Fri 2024-05-03 → Sat 2024-05-04', () => {
    expect(cal.nextWorkingDay('2024-05-03')).toBe('2024-05-04');
    expect(cal.nextWorkingDay('2024-05-04')).toBe('2024-05-06');
    expect(cal.addWorkingDays('2024-05-06', 1)).toBe('2024-05-10'); // 7, 8, 9 off
  });

  it('crosses New Year', () => {
    expect(cal.nextWorkingDay('2025-12-31')).toBe('2026-01-05');
    expect(cal.workingDayBefore('2026-01-05')).toBe('2025-12-31');
    expect(cal.nextWorkingDay('2024-12-31')).toBe('2025-01-05'); // the worked Sunday
  });

  it('is strict: a working day is not its own next/previous working day', () => {
    expect(cal.nextWorkingDay('2026-03-26')).toBe('2026-03-27');
    expect(cal.workingDayBefore('2026-03-26')).toBe('2026-03-20');
  });

  it('addWorkingDays(d, 0) is d; negative and fractional n are rejected', () => {
    expect(cal.addWorkingDays('2026-03-21', 0)).toBe('2026-03-21');
    expect(() => cal.addWorkingDays('2026-03-20', -1)).toThrow(RangeError);
    expect(() => cal.addWorkingDays('2026-03-20', 1.5)).toThrow(RangeError);
    expect(() => cal.addWorkingDays('2026-13-20', 0)).toThrow(RangeError);
  });

  it('countWorkingDays counts (from, to]', () => {
    expect(cal.countWorkingDays('2026-03-20', '2026-03-27')).toBe(2);
    expect(cal.countWorkingDays('2026-03-20', '2026-03-20')).toBe(0);
    expect(cal.countWorkingDays('2026-03-27', '2026-03-20')).toBe(0);
    // 2026: 365 days - 104 Sat/Sun - 14 weekday days off (1, 2, 7 Jan; 9, 23, 24, 25 Mar;
    // 1, 7, 11, 27 May; 6 Jul; 26 Oct; 16 Dec) = 247 working days (no Constitution Day in 2026)
    expect(cal.countWorkingDays('2025-12-31', '2026-12-31')).toBe(247);
  });
});

describe('WorkingCalendar construction', () => {
  it('rejects a date listed both as a day off and as a workday', () => {
    const rows: CalendarDayRow[] = [
      { date: '2026-03-21', kind: 'HOLIDAY', name: 'x' },
      { date: '2026-03-21', kind: 'TRANSFERRED_WORKDAY', name: 'y' },
    ];
    expect(() => new WorkingCalendar(rows)).toThrow(RangeError);
  });

  it('rejects malformed dates in rows', () => {
    expect(() => new WorkingCalendar([{ date: '2026-3-21', kind: 'HOLIDAY', name: 'x' }])).toThrow(RangeError);
  });

  it('does not depend on the input array after construction', () => {
    const rows: CalendarDayRow[] = [{ date: '2026-04-01', kind: 'HOLIDAY', name: 'x' }];
    const custom = new WorkingCalendar(rows);
    rows.push({ date: '2026-04-02', kind: 'HOLIDAY', name: 'y' });
    expect(custom.isWorkingDay('2026-04-01')).toBe(false);
    expect(custom.isWorkingDay('2026-04-02')).toBe(true);
  });

  it('an empty calendar is a plain Mon-Fri week', () => {
    const plain = new WorkingCalendar([]);
    expect(plain.isWorkingDay('2026-03-23')).toBe(true);
    expect(plain.nextWorkingDay('2026-03-20')).toBe('2026-03-23');
  });
});

describe('WorkingCalendar properties', () => {
  const dateArb = fc.integer({ min: 0, max: 365 * 4 + 60 }).map((offset) => addCalendarDays('2023-12-01', offset));

  it('addWorkingDays(d, n) is a working day, strictly increasing in n, with exactly n working days in (d, result]', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 1, max: 40 }), (d, n) => {
        const result = cal.addWorkingDays(d, n);
        expect(cal.isWorkingDay(result)).toBe(true);
        expect(result > d).toBe(true);
        expect(cal.addWorkingDays(d, n + 1) > result).toBe(true);
        expect(cal.countWorkingDays(d, result)).toBe(n);
        // nothing working is skipped: the day before the result has n - 1 working days
        expect(cal.countWorkingDays(d, addCalendarDays(result, -1))).toBe(n - 1);
      }),
      { numRuns: 500 },
    );
  });

  it('nextWorkingDay and workingDayBefore are inverse on working days', () => {
    fc.assert(
      fc.property(dateArb, (d) => {
        const next = cal.nextWorkingDay(d);
        expect(cal.workingDayBefore(next) <= d).toBe(true);
        if (cal.isWorkingDay(d)) expect(cal.workingDayBefore(next)).toBe(d);
        const prev = cal.workingDayBefore(d);
        expect(cal.countWorkingDays(prev, d)).toBe(cal.isWorkingDay(d) ? 1 : 0);
      }),
    );
  });
});
