import { endOfAlmatyDay, almatyAt } from '../../calendar/domain/almaty-time.js';
import { KZ_WORKING_CALENDAR } from '../../calendar/domain/working-days.js';
import { formatLastMoment, lastDayOf, reminderDay, reminderDue } from './reminders.js';

const cal = KZ_WORKING_CALENDAR;

describe('deadline reminders', () => {
  it('the deadline day is the last day before the exclusive deadline instant', () => {
    expect(lastDayOf(endOfAlmatyDay('2026-02-04'))).toBe('2026-02-04');
    expect(formatLastMoment(endOfAlmatyDay('2026-02-04'))).toBe('2026-02-04 23:59');
  });

  it.each([
    ['2026-02-04', '2026-02-03'], // Wed → Tue
    ['2026-02-09', '2026-02-06'], // Mon → Fri
    ['2026-03-26', '2026-03-20'], // Thu after Nauryz (21-25 Mar off) → Fri before it
    ['2026-03-10', '2026-03-06'], // Tue after 8 March moved to Mon 9 → Fri
  ])('deadline day %s → reminder on %s', (last, remind) => {
    expect(reminderDay(cal, endOfAlmatyDay(last))).toBe(remind);
  });

  it('is due from the reminder day (09:00 run) until the deadline, not before', () => {
    const deadline = endOfAlmatyDay('2026-03-26');
    expect(reminderDue(cal, deadline, '2026-03-19', almatyAt('2026-03-19', 9))).toBe(false);
    expect(reminderDue(cal, deadline, '2026-03-20', almatyAt('2026-03-20', 9))).toBe(true);
    expect(reminderDue(cal, deadline, '2026-03-26', almatyAt('2026-03-26', 9))).toBe(true);
    expect(reminderDue(cal, deadline, '2026-03-27', almatyAt('2026-03-27', 9))).toBe(false);
  });
});
