import { toAlmatyDate } from './almaty-time.js';

/** From this day of the year (MM-DD, Asia/Almaty) the next year's calendar must be confirmed. */
export const CONFIRM_NEXT_YEAR_FROM = '12-01';

export interface NextYearConfirmation {
  /** The Almaty date `now` falls on. */
  today: string;
  nextYear: number;
  /** An ADMIN confirmed the next year (its transfer orders and Kurban Ait are entered). */
  confirmed: boolean;
  /** YYYY-MM-DD from which an unconfirmed next year is reported. */
  dueFrom: string;
  /** Report it: the due date has come and the next year is not confirmed. */
  missing: boolean;
}

/**
 * Whether the working calendar of the year after `now` (Asia/Almaty) is confirmed, and whether its absence
 * must be reported (from 1 December on). The Labour Code part of a year is generated, so a year always has its
 * fixed holidays; what a confirmation adds is the ministry's transfer orders and the date of Kurban Ait.
 */
export function nextYearConfirmation(now: Date, confirmedYears: ReadonlySet<number>): NextYearConfirmation {
  const today = toAlmatyDate(now);
  const year = Number(today.slice(0, 4));
  const nextYear = year + 1;
  const dueFrom = `${year}-${CONFIRM_NEXT_YEAR_FROM}`;
  const confirmed = confirmedYears.has(nextYear);
  return { today, nextYear, confirmed, dueFrom, missing: !confirmed && today >= dueFrom };
}
