/**
 * Asia/Almaty wall-clock helpers with a FIXED +05:00 offset (src/platform/clock/time-zone.ts).
 *
 * Kazakhstan moved to a single UTC+5 zone on 1 March 2024 and observes no DST, so every instant
 * from then on maps to Almaty local time by adding exactly five hours. (Instants before
 * 2024-03-01 are also treated as +05:00; real Almaty time was +06:00 then.) No tz database is
 * used on purpose: results do not depend on the host's ICU/tzdata version.
 *
 * Dates are 'YYYY-MM-DD' strings (local calendar days); instants are JS Dates. Pure functions.
 */

import { ALMATY_OFFSET_ISO, ALMATY_OFFSET_MS as OFFSET_MS } from '../../platform/clock/time-zone.js';

export { ALMATY_OFFSET_MINUTES } from '../../platform/clock/time-zone.js';

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds of 00:00 UTC of a 'YYYY-MM-DD' date; throws RangeError for a non-real date. */
function utcMidnightMs(date: string): number {
  const match = ISO_DATE.exec(date);
  if (match) {
    const y = Number(match[1]);
    const m = Number(match[2]);
    const d = Number(match[3]);
    const ms = Date.UTC(y, m - 1, d);
    const back = new Date(ms);
    // Date.UTC maps years 0-99 to 1900-1999; the round trip also rejects 2026-02-30 etc.
    if (back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d) {
      return ms;
    }
  }
  throw new RangeError(`expected a real YYYY-MM-DD date, got '${date}'`);
}

function assertValidInstant(instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid Date');
  return ms;
}

function utcMsToDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** True for a real calendar date in strict 'YYYY-MM-DD' form. */
export function isIsoDate(date: string): boolean {
  try {
    utcMidnightMs(date);
    return true;
  } catch {
    return false;
  }
}

/** The Almaty calendar date (YYYY-MM-DD) of an instant. */
export function toAlmatyDate(instant: Date): string {
  return utcMsToDate(assertValidInstant(instant) + OFFSET_MS);
}

/** The instant of 00:00 Almaty time on `date` (= 19:00 UTC the day before). */
export function almatyMidnight(date: string): Date {
  return new Date(utcMidnightMs(date) - OFFSET_MS);
}

/**
 * The instant of hh:mm Almaty time on `date`. `hh` is 0-24 (24:00 = next day's 00:00, only with
 * mm = 0), `mm` is 0-59.
 */
export function almatyAt(date: string, hh: number, mm = 0): Date {
  if (!Number.isInteger(hh) || hh < 0 || hh > 24 || (hh === 24 && mm !== 0)) {
    throw new RangeError(`hour must be an integer 0-24 (24 only with minute 0), got ${hh}:${mm}`);
  }
  if (!Number.isInteger(mm) || mm < 0 || mm > 59) {
    throw new RangeError(`minute must be an integer 0-59, got ${mm}`);
  }
  return new Date(utcMidnightMs(date) - OFFSET_MS + hh * 3_600_000 + mm * 60_000);
}

/** The end of `date` in Almaty: 24:00 local, i.e. the instant of the next day's 00:00. */
export function endOfAlmatyDay(date: string): Date {
  return new Date(utcMidnightMs(date) + DAY_MS - OFFSET_MS);
}

/** `date` shifted by `n` calendar days (n may be negative). */
export function addCalendarDays(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`n must be an integer, got ${n}`);
  return utcMsToDate(utcMidnightMs(date) + n * DAY_MS);
}

/** Day of week of a calendar date: 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return new Date(utcMidnightMs(date)).getUTCDay();
}

/** ISO 8601 in Almaty local time with an explicit offset: '2026-03-21T09:00:00.000+05:00'. */
export function formatAlmaty(instant: Date): string {
  const iso = new Date(assertValidInstant(instant) + OFFSET_MS).toISOString();
  return `${iso.slice(0, -1)}${ALMATY_OFFSET_ISO}`;
}
