import fc from 'fast-check';
import { addCalendarDays, almatyAt, dayOfWeek, formatAlmaty } from './almaty-time.js';
import { nextYearConfirmation } from './confirmation.js';
import { workingDaysDeadline } from './deadlines.js';
import { KZ_CALENDAR_2024_2027, KZ_CALENDAR_YEARS, KZ_DECISION_ROWS } from './holidays.data.js';
import { labourCodeDays, STATUTORY_HOLIDAYS } from './labour-code.js';
import { KZ_WORKING_CALENDAR, WorkingCalendar, kazakhstanCalendar } from './working-days.js';

const cal = KZ_WORKING_CALENDAR;
const yearArb = fc.integer({ min: 2002, max: 2100 });
const isWeekend = (d: string): boolean => [0, 6].includes(dayOfWeek(d));
const holidaysOf = (year: number): string[] =>
  labourCodeDays(year)
    .filter((r) => r.kind === 'HOLIDAY')
    .map((r) => r.date);
const transfersOf = (year: number): string[] =>
  labourCodeDays(year)
    .filter((r) => r.kind === 'TRANSFERRED_DAY_OFF')
    .map((r) => r.date);

describe('labourCodeDays: the fixed holidays', () => {
  it('15 March is a day off from 2027 on, never before', () => {
    fc.assert(
      fc.property(yearArb, (year) => {
        expect(holidaysOf(year).includes(`${year}-03-15`)).toBe(year >= 2027);
      }),
    );
  });

  it('30 August is a day off until 2025 only, and no day off is ever transferred from it after that', () => {
    fc.assert(
      fc.property(yearArb, (year) => {
        expect(holidaysOf(year).includes(`${year}-08-30`)).toBe(year <= 2025);
        if (year >= 2026) expect(labourCodeDays(year).some((r) => r.name.includes('30.08'))).toBe(false);
      }),
    );
    expect(holidaysOf(2026)).not.toContain('2026-08-30');
    expect(transfersOf(2026)).not.toContain('2026-08-31');
  });

  it('2026 has no Constitution Day at all (the law took effect on 1 July 2026)', () => {
    expect(labourCodeDays(2026).filter((r) => r.name.startsWith('День Конституции'))).toEqual([]);
  });

  it('from 2026 on: 1-2 Jan, 7 Jan, 8 Mar, 21-23 Mar, 1 May, 7 May, 9 May, 6 Jul, 25 Oct, 16 Dec (and 15 Mar from 2027)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2026, max: 2100 }), (year) => {
        const md = holidaysOf(year).map((d) => d.slice(5));
        const expected = [
          '01-01',
          '01-02',
          '01-07',
          '03-08',
          '03-21',
          '03-22',
          '03-23',
          '05-01',
          '05-07',
          '05-09',
          '07-06',
          '10-25',
          '12-16',
        ];
        expect(md).toEqual([...expected, ...(year >= 2027 ? ['03-15'] : [])].sort());
      }),
    );
  });

  it('7 January is a day off but never moves: on a weekend no day off is transferred from it', () => {
    fc.assert(
      fc.property(yearArb, (year) => {
        expect(holidaysOf(year).includes(`${year}-01-07`)).toBe(year >= 2006);
        expect(labourCodeDays(year).some((r) => r.name.endsWith('07.01'))).toBe(false);
      }),
    );
  });
});

describe('labourCodeDays: the weekend rule (Labour Code art. 85)', () => {
  it('each holiday that may move and falls on Sat/Sun gives exactly one transferred day off, on a weekday that is no holiday', () => {
    fc.assert(
      fc.property(yearArb, (year) => {
        const rows = labourCodeDays(year);
        const holidays = new Set(rows.filter((r) => r.kind === 'HOLIDAY').map((r) => r.date));
        const movable = STATUTORY_HOLIDAYS.filter((h) => h.weekendTransfer && year >= h.from && (h.until === undefined || year <= h.until));
        const onWeekend = movable.map((h) => `${year}-${h.monthDay}`).filter(isWeekend);
        const transfers = rows.filter((r) => r.kind === 'TRANSFERRED_DAY_OFF');
        expect(transfers).toHaveLength(onWeekend.length);
        expect(new Set(transfers.map((t) => t.date)).size).toBe(transfers.length);
        for (const t of transfers) {
          expect(isWeekend(t.date)).toBe(false);
          expect(holidays.has(t.date)).toBe(false);
        }
      }),
    );
  });

  it('the transferred day is the first weekday after the holiday not already off (nothing working is skipped)', () => {
    fc.assert(
      fc.property(yearArb, (year) => {
        const rows = labourCodeDays(year);
        const off = new Set<string>(rows.filter((r) => r.kind === 'HOLIDAY').map((r) => r.date));
        for (const t of rows.filter((r) => r.kind === 'TRANSFERRED_DAY_OFF')) {
          const from = `${year}-${t.name.slice(-2)}-${t.name.slice(-5, -3)}`;
          expect(isWeekend(from)).toBe(true);
          // every weekday strictly between the holiday and its transfer is a holiday or an earlier transfer
          for (let d = addCalendarDays(from, 1); d < t.date; d = addCalendarDays(d, 1)) {
            if (!isWeekend(d)) expect(off.has(d)).toBe(true);
          }
          off.add(t.date);
        }
      }),
    );
  });

  it('a weekday holiday moves nothing; the generator is deterministic and sorted', () => {
    fc.assert(
      fc.property(yearArb, (year) => {
        const a = labourCodeDays(year);
        expect(labourCodeDays(year)).toEqual(a);
        expect(a.map((r) => r.date)).toEqual([...a.map((r) => r.date)].sort());
      }),
    );
  });

  it('Nauryz 2026 (Sat 21, Sun 22, Mon 23) moves to Tue 24 and Wed 25; New Year 2028 (Sat, Sun) to Mon 3 and Tue 4 January', () => {
    expect(transfersOf(2026)).toEqual(['2026-03-09', '2026-03-24', '2026-03-25', '2026-05-11', '2026-10-26']);
    expect(transfersOf(2028).slice(0, 2)).toEqual(['2028-01-03', '2028-01-04']);
  });

  it('a transfer never lands on another day off (e.g. Kurban Ait) given as otherDaysOff', () => {
    // 2027: Victory Day Sun 9 May moves to Mon 10 May; with a day off on 10 May it moves to Tue 11 May.
    expect(transfersOf(2027)).toContain('2027-05-10');
    const moved = labourCodeDays(2027, { otherDaysOff: new Set(['2027-05-10']) }).filter((r) => r.kind === 'TRANSFERRED_DAY_OFF');
    expect(moved.map((r) => r.date)).toContain('2027-05-11');
    expect(moved.map((r) => r.date)).not.toContain('2027-05-10');
  });

  it('nothing before 2002; rejects a non-integer year', () => {
    expect(labourCodeDays(2001)).toEqual([]);
    expect(() => labourCodeDays(2027.5)).toThrow(RangeError);
  });
});

describe('generated rules + decisions = the confirmed calendars 2024-2027', () => {
  it('every day of 2024-2027 is working or not exactly as the full reference list says', () => {
    const reference = new WorkingCalendar(KZ_CALENDAR_2024_2027);
    for (let d = '2024-01-01'; d <= '2027-12-31'; d = addCalendarDays(d, 1)) {
      expect([d, cal.isWorkingDay(d)]).toEqual([d, reference.isWorkingDay(d)]);
    }
  });

  it('the rows of each year (rules with the decisions on top) are the reference rows, date by date and kind by kind', () => {
    for (const year of KZ_CALENDAR_YEARS) {
      const got = cal.rowsOf(year).map((r) => [r.date, r.kind]);
      const want = KZ_CALENDAR_2024_2027.filter((r) => r.date.startsWith(`${year}-`)).map((r) => [r.date, r.kind]);
      expect(got).toEqual(want);
    }
  });

  it('a stored workday order overrides a generated day off', () => {
    const custom = kazakhstanCalendar([...KZ_DECISION_ROWS, { date: '2027-03-15', kind: 'TRANSFERRED_WORKDAY', name: 'order' }]);
    expect(custom.isWorkingDay('2027-03-15')).toBe(true);
    expect(cal.isWorkingDay('2027-03-15')).toBe(false);
  });
});

describe('deadlines after the issue-15 corrections', () => {
  it('a referral issued Fri 31 Dec 2027 09:00 with 2 working days must be confirmed by 2028-01-07 00:00', () => {
    // Sat 1 and Sun 2 January 2028 (New Year) move to Mon 3 and Tue 4: working day #1 = Wed 5, #2 = Thu 6.
    const deadline = workingDaysDeadline(cal, almatyAt('2027-12-31', 9), 2);
    expect(formatAlmaty(deadline)).toBe('2028-01-07T00:00:00.000+05:00');
    // On the old calendar (plain weeks after 2027) it was 2028-01-05 00:00.
    expect(formatAlmaty(workingDaysDeadline(new WorkingCalendar(KZ_CALENDAR_2024_2027), almatyAt('2027-12-31', 9), 2))).toBe(
      '2028-01-05T00:00:00.000+05:00',
    );
  });

  it('3 working days from Fri 31 Dec 2027 skip Fri 7 January 2028 (Orthodox Christmas, a day off): Mon 10 January', () => {
    expect(formatAlmaty(workingDaysDeadline(cal, almatyAt('2027-12-31', 9), 3))).toBe('2028-01-11T00:00:00.000+05:00');
  });

  it('Fri 12 March 2027 + 1 working day skips Mon 15 March (Constitution Day): end of Tue 16', () => {
    expect(formatAlmaty(workingDaysDeadline(cal, almatyAt('2027-03-12', 10), 1))).toBe('2027-03-17T00:00:00.000+05:00');
  });

  it('Fri 28 August 2026 + 1 working day is Mon 31 August (no longer a day off): end of Mon 31', () => {
    expect(formatAlmaty(workingDaysDeadline(cal, almatyAt('2026-08-28', 10), 1))).toBe('2026-09-01T00:00:00.000+05:00');
  });
});

describe('nextYearConfirmation', () => {
  it('is reported from 1 December (Asia/Almaty) while the next year is unconfirmed', () => {
    expect(nextYearConfirmation(almatyAt('2026-11-30', 23, 59), new Set([2026]))).toMatchObject({ nextYear: 2027, missing: false });
    expect(nextYearConfirmation(almatyAt('2026-12-01', 0, 0), new Set([2026]))).toMatchObject({ nextYear: 2027, missing: true });
    expect(nextYearConfirmation(almatyAt('2026-12-02', 9), new Set([2026, 2027]))).toMatchObject({ confirmed: true, missing: false });
    // 30 November 19:30 UTC is already 1 December in Almaty
    expect(nextYearConfirmation(new Date('2026-11-30T19:30:00Z'), new Set()).missing).toBe(true);
  });
});
