import fc from 'fast-check';
import { addCalendarDays, almatyAt, formatAlmaty, toAlmatyDate } from './almaty-time.js';
import { calendarDaysDeadline, workingDaysDeadline } from './deadlines.js';
import { KZ_WORKING_CALENDAR, WorkingCalendar } from './working-days.js';

const cal = KZ_WORKING_CALENDAR;

describe('workingDaysDeadline', () => {
  it('2 working days from Fri 2026-03-20 10:00 end at 2026-03-28T00:00+05:00', () => {
    // Event: Friday 20 March 2026, 10:00 Almaty. The period starts on the first working day
    // AFTER the event day. Sat 21, Sun 22, Mon 23 are Nauryz; Tue 24 and Wed 25 are the days
    // off transferred from Sat 21 / Sun 22. So working day #1 = Thu 26, #2 = Fri 27, and the
    // period ends at the end of Fri 27 = 24:00 local = 2026-03-28T00:00+05:00 (19:00Z on 27th).
    const deadline = workingDaysDeadline(cal, almatyAt('2026-03-20', 10), 2);
    expect(formatAlmaty(deadline)).toBe('2026-03-28T00:00:00.000+05:00');
    expect(deadline.toISOString()).toBe('2026-03-27T19:00:00.000Z');
  });

  it('on a plain Mon-Fri calendar (no holidays) the same event would end with Tue 24', () => {
    // Shows how much the holiday data matters: #1 = Mon 23, #2 = Tue 24 → end of the 24th.
    const plain = new WorkingCalendar([]);
    const deadline = workingDaysDeadline(plain, almatyAt('2026-03-20', 10), 2);
    expect(formatAlmaty(deadline)).toBe('2026-03-25T00:00:00.000+05:00');
  });

  it('the event day never counts, whatever the event time', () => {
    const morning = workingDaysDeadline(cal, almatyAt('2026-04-01', 0, 0), 1);
    const evening = workingDaysDeadline(cal, almatyAt('2026-04-01', 23, 59), 1);
    expect(formatAlmaty(morning)).toBe('2026-04-03T00:00:00.000+05:00'); // end of Thu 2 April
    expect(evening.getTime()).toBe(morning.getTime());
  });

  it('uses the Almaty date of the event, not the UTC date', () => {
    // 2026-03-19T18:30Z = Thu 19 March 23:30 Almaty: #1 = Fri 20 → ends 21 March 00:00.
    const thuLate = workingDaysDeadline(cal, new Date('2026-03-19T18:30:00Z'), 1);
    expect(formatAlmaty(thuLate)).toBe('2026-03-21T00:00:00.000+05:00');
    // One hour later, 2026-03-19T19:30Z = Fri 20 March 00:30 Almaty (UTC still says the 19th):
    // #1 = Thu 26 (after Nauryz and the transfers) → ends 27 March 00:00.
    const friEarly = workingDaysDeadline(cal, new Date('2026-03-19T19:30:00Z'), 1);
    expect(formatAlmaty(friEarly)).toBe('2026-03-27T00:00:00.000+05:00');
  });

  it('an event on a non-working day starts counting at the next working day', () => {
    // 2026-03-20T19:30Z is Sat 21 March 00:30 Almaty: #1 = Thu 26 → ends 27 March 00:00.
    const deadline = workingDaysDeadline(cal, new Date('2026-03-20T19:30:00Z'), 1);
    expect(formatAlmaty(deadline)).toBe('2026-03-27T00:00:00.000+05:00');
  });

  it('a Sunday holiday moved to Monday: Fri 2026-03-06 + 1 working day ends with Tue 10 March', () => {
    const deadline = workingDaysDeadline(cal, almatyAt('2026-03-06', 15), 1);
    expect(formatAlmaty(deadline)).toBe('2026-03-11T00:00:00.000+05:00');
  });

  it('Kurban Ait on a Sunday does not move: Fri 2024-06-14 + 1 ends with Mon 17 June', () => {
    const deadline = workingDaysDeadline(cal, almatyAt('2024-06-14', 12), 1);
    expect(formatAlmaty(deadline)).toBe('2024-06-18T00:00:00.000+05:00');
  });

  it('accepts any calendar-like object', () => {
    const fake = { addWorkingDays: (date: string, n: number) => addCalendarDays(date, n * 10) };
    const deadline = workingDaysDeadline(fake, almatyAt('2026-01-01', 8), 1);
    expect(formatAlmaty(deadline)).toBe('2026-01-12T00:00:00.000+05:00');
  });

  it('property: the deadline is a local midnight right after the n-th working day', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 365 * 3 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: 20 }),
        (offset, hour, n) => {
          const eventDate = addCalendarDays('2024-03-01', offset);
          const deadline = workingDaysDeadline(cal, almatyAt(eventDate, hour), n);
          expect(formatAlmaty(deadline)).toMatch(/T00:00:00\.000\+05:00$/);
          const lastDay = addCalendarDays(toAlmatyDate(deadline), -1);
          expect(cal.isWorkingDay(lastDay)).toBe(true);
          expect(cal.countWorkingDays(eventDate, lastDay)).toBe(n);
        },
      ),
    );
  });
});

describe('calendarDaysDeadline', () => {
  it('counts from the next calendar day and ends at 24:00 Almaty of the N-th day', () => {
    // Event Fri 20 March 10:00: day #1 = Sat 21, ..., day #3 = Mon 23 → ends 24 March 00:00.
    const deadline = calendarDaysDeadline(almatyAt('2026-03-20', 10), 3);
    expect(formatAlmaty(deadline)).toBe('2026-03-24T00:00:00.000+05:00');
  });

  it('is not extended when the last day is a holiday', () => {
    // Day #1 after Fri 20 March is Sat 21 (Nauryz); the deadline stays the end of the 21st.
    const deadline = calendarDaysDeadline(almatyAt('2026-03-20', 10), 1);
    expect(formatAlmaty(deadline)).toBe('2026-03-22T00:00:00.000+05:00');
  });

  it('uses the Almaty date of the event', () => {
    // 2026-03-20T19:30Z = Sat 21 March 00:30 Almaty → day #1 = Sun 22 → ends 23 March 00:00.
    const deadline = calendarDaysDeadline(new Date('2026-03-20T19:30:00Z'), 1);
    expect(formatAlmaty(deadline)).toBe('2026-03-23T00:00:00.000+05:00');
  });

  it('crosses month and year ends, and n = 0 is the end of the event day', () => {
    expect(formatAlmaty(calendarDaysDeadline(almatyAt('2026-12-30', 9), 30))).toBe('2027-01-30T00:00:00.000+05:00');
    expect(formatAlmaty(calendarDaysDeadline(almatyAt('2026-12-30', 9), 0))).toBe('2026-12-31T00:00:00.000+05:00');
  });

  it('rejects negative or fractional n', () => {
    expect(() => calendarDaysDeadline(almatyAt('2026-03-20', 10), -1)).toThrow(RangeError);
    expect(() => calendarDaysDeadline(almatyAt('2026-03-20', 10), 1.5)).toThrow(RangeError);
  });
});
