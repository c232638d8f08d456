import { addCalendarDays, dayOfWeek, isIsoDate } from './almaty-time.js';
import { KZ_CALENDAR_2024_2027, type CalendarDayKind, type CalendarDayRow } from './holidays.data.js';

/**
 * Upper bound on consecutive non-working days the calendar will scan through before concluding
 * the rows are broken (the longest real run in Kazakhstan is 5-6 days).
 */
const MAX_SCAN_DAYS = 366;

/**
 * A pure working-day calendar for a five-day week.
 *
 * A date is a working day when it is Monday-Friday and not a HOLIDAY / TRANSFERRED_DAY_OFF row,
 * or when it is a TRANSFERRED_WORKDAY row (a Saturday or Sunday worked by decree).
 * Dates outside the years the rows cover are treated as plain Mon-Fri working weeks.
 */
export class WorkingCalendar {
  private readonly kinds: ReadonlyMap<string, CalendarDayKind>;

  /**
   * @throws RangeError when a row's date is not YYYY-MM-DD, or one date is listed both as a day
   *   off and as a workday.
   */
  constructor(rows: readonly CalendarDayRow[]) {
    const kinds = new Map<string, CalendarDayKind>();
    for (const row of rows) {
      if (!isIsoDate(row.date)) throw new RangeError(`calendar row has a bad date '${row.date}'`);
      const existing = kinds.get(row.date);
      if (existing !== undefined && isOff(existing) !== isOff(row.kind)) {
        throw new RangeError(`calendar date ${row.date} is both ${existing} and ${row.kind}`);
      }
      // A HOLIDAY wins over a TRANSFERRED_DAY_OFF on the same date: both are days off.
      if (existing !== 'HOLIDAY') kinds.set(row.date, row.kind);
    }
    this.kinds = kinds;
  }

  /** The calendar row kind of a date, if any. */
  kindOf(date: string): CalendarDayKind | undefined {
    return this.kinds.get(date);
  }

  /** Mon-Fri unless HOLIDAY/TRANSFERRED_DAY_OFF; Sat/Sun only if TRANSFERRED_WORKDAY. */
  isWorkingDay(date: string): boolean {
    const dow = dayOfWeek(date); // also validates the date
    const kind = this.kinds.get(date);
    if (kind === 'TRANSFERRED_WORKDAY') return true;
    if (kind === 'HOLIDAY' || kind === 'TRANSFERRED_DAY_OFF') return false;
    return dow >= 1 && dow <= 5;
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: string): string {
    return this.scan(date, 1);
  }

  /** The last working day strictly before `date`. */
  workingDayBefore(date: string): string {
    return this.scan(date, -1);
  }

  /**
   * The n-th working day strictly after `date` (n = 1 is {@link nextWorkingDay}).
   * n = 0 returns `date` unchanged, even when it is not a working day.
   * @throws RangeError when n is not a non-negative integer.
   */
  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`n must be a non-negative integer, got ${n}`);
    }
    dayOfWeek(date); // validate even when n = 0
    let current = date;
    for (let i = 0; i < n; i++) current = this.nextWorkingDay(current);
    return current;
  }

  /** Number of working days d with from < d <= to (0 when to <= from). */
  countWorkingDays(from: string, to: string): number {
    dayOfWeek(from);
    dayOfWeek(to);
    let count = 0;
    for (let d = addCalendarDays(from, 1); d <= to; d = addCalendarDays(d, 1)) {
      if (this.isWorkingDay(d)) count++;
    }
    return count;
  }

  private scan(date: string, step: 1 | -1): string {
    let current = date;
    for (let i = 0; i < MAX_SCAN_DAYS; i++) {
      current = addCalendarDays(current, step);
      if (this.isWorkingDay(current)) return current;
    }
    throw new RangeError(`no working day within ${MAX_SCAN_DAYS} days of ${date}`);
  }
}

function isOff(kind: CalendarDayKind): boolean {
  return kind !== 'TRANSFERRED_WORKDAY';
}

/** The official Kazakhstan calendar for 2024-2027 (see holidays.data.ts for what is confirmed). */
export const KZ_WORKING_CALENDAR = new WorkingCalendar(KZ_CALENDAR_2024_2027);
