import { toAlmatyDate } from '../../calendar/domain/almaty-time.js';
import type { WorkingCalendar } from '../../calendar/domain/working-days.js';
import { ALMATY_OFFSET_MS } from '../../platform/clock/time-zone.js';

/**
 * Deadline reminders (rules/NOTES.md "Notifications"): at 09:00 on the working day before the
 * deadline's day. Deadlines are exclusive instants (00:00 of the day after the last day), so the
 * deadline's day is the Almaty date of `deadline − 1 ms`.
 */
export function lastDayOf(deadline: Date): string {
  return toAlmatyDate(new Date(deadline.getTime() - 1));
}

/** The working day on which the reminder for `deadline` is due. */
export function reminderDay(cal: Pick<WorkingCalendar, 'workingDayBefore'>, deadline: Date): string {
  return cal.workingDayBefore(lastDayOf(deadline));
}

/**
 * Whether the daily run for Almaty date `today` (at instant `at`) should remind about `deadline`: on the
 * reminder day, or later while the deadline has not passed (a referral issued after that day's run, or
 * runs missed while no worker ran); the idempotency key keeps it to one text per deadline.
 */
export function reminderDue(cal: Pick<WorkingCalendar, 'workingDayBefore'>, deadline: Date, today: string, at: Date): boolean {
  return at.getTime() < deadline.getTime() && reminderDay(cal, deadline) <= today;
}

/** 'YYYY-MM-DD HH:mm' in Almaty of the last minute before `deadline` (e.g. '2026-03-26 23:59'). */
export function formatLastMoment(deadline: Date): string {
  const last = new Date(deadline.getTime() - 60_000 + ALMATY_OFFSET_MS);
  return last.toISOString().slice(0, 16).replace('T', ' ');
}
