import { addCalendarDays, endOfAlmatyDay, toAlmatyDate } from './almaty-time.js';
import type { WorkingCalendar } from './working-days.js';

/**
 * Deadline rules (Asia/Almaty):
 * - A period of N working days starts on the first working day after the event and ends at the
 *   end (24:00 Almaty) of its N-th working day.
 * - A period of N calendar days starts on the day after the event and ends at 24:00 Almaty of
 *   its N-th day (no extension when that day is a non-working day).
 *
 * The returned Date is the exclusive end instant: an action at exactly that instant is late.
 */

/** The exclusive deadline of an N-working-day period that starts after `eventInstant`. */
export function workingDaysDeadline(cal: Pick<WorkingCalendar, 'addWorkingDays'>, eventInstant: Date, n: number): Date {
  return endOfAlmatyDay(cal.addWorkingDays(toAlmatyDate(eventInstant), n));
}

/** The exclusive deadline of an N-calendar-day period that starts after `eventInstant`. */
export function calendarDaysDeadline(eventInstant: Date, n: number): Date {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`n must be a non-negative integer, got ${n}`);
  }
  return endOfAlmatyDay(addCalendarDays(toAlmatyDate(eventInstant), n));
}
