import { addCalendarDays, dayOfWeek, isIsoDate } from './almaty-time.js';
import { KZ_DECISION_ROWS, type CalendarDayKind, type CalendarDayRow } from './holidays.data.js';
import { labourCodeDays } from './labour-code.js';

/** The rows a year has before any stored override (e.g. the Labour Code's holidays and transfers). */
export type YearRules = (year: number) => readonly CalendarDayRow[];

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
 * The rows are the year rules (`rules`, generated lazily per year, e.g. {@link labourCodeDays}) with the
 * stored rows on top: a stored row replaces the rule's row of the same date (an order can make a rule's
 * day off a workday). Without `rules`, dates no row mentions are plain Mon-Fri working weeks.
 */
export class WorkingCalendar {
  private readonly kinds: ReadonlyMap<string, CalendarDayKind>;
  private readonly ruleKinds = new Map<string, CalendarDayKind>();
  private readonly ruleYears = new Set<number>();

  /**
   * @throws RangeError when a row's date is not YYYY-MM-DD, or one date is listed both as a day
   *   off and as a workday.
   */
  constructor(
    private readonly stored: readonly CalendarDayRow[],
    private readonly rules?: YearRules,
  ) {
    const rows = stored;
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

  /** The calendar row kind of a date, if any (a stored row, else the year rules' row). */
  kindOf(date: string): CalendarDayKind | undefined {
    return this.kinds.get(date) ?? this.ruleKindOf(date);
  }

  /** The rows of `year`: the rules' rows with the stored rows on top, sorted by date. */
  rowsOf(year: number): CalendarDayRow[] {
    const byDate = new Map<string, CalendarDayRow>();
    for (const r of this.rules?.(year) ?? []) if (r.date.startsWith(`${year}-`)) byDate.set(r.date, r);
    for (const r of this.rules?.(year - 1) ?? []) if (r.date.startsWith(`${year}-`)) byDate.set(r.date, r);
    for (const r of this.stored) if (r.date.startsWith(`${year}-`)) byDate.set(r.date, r);
    return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }

  /** Mon-Fri unless HOLIDAY/TRANSFERRED_DAY_OFF; Sat/Sun only if TRANSFERRED_WORKDAY. */
  isWorkingDay(date: string): boolean {
    const dow = dayOfWeek(date); // also validates the date
    const kind = this.kindOf(date);
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

  private ruleKindOf(date: string): CalendarDayKind | undefined {
    if (!this.rules) return undefined;
    const year = Number(date.slice(0, 4));
    // A year's transfers may spill into the next January: load the year before too.
    for (const y of [year - 1, year]) {
      if (this.ruleYears.has(y) || y < 1) continue;
      this.ruleYears.add(y);
      for (const r of this.rules(y)) if (!this.ruleKinds.has(r.date)) this.ruleKinds.set(r.date, r.kind);
    }
    return this.ruleKinds.get(date);
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

/**
 * Kazakhstan's working calendar: the Labour Code's holidays and weekend transfers of every year
 * (labour-code.ts) with `stored` rows on top (the ministry's transfer orders, Kurban Ait, corrections).
 * Stored HOLIDAY dates (Kurban Ait) are days off a weekend transfer does not land on. (Stored transferred days
 * off are not: the first migration stored the Labour Code transfers 2024-2027 too, and an order is made
 * knowing the Code's transfers.)
 */
export function kazakhstanCalendar(stored: readonly CalendarDayRow[]): WorkingCalendar {
  const otherDaysOff = new Set(stored.filter((r) => r.kind === 'HOLIDAY').map((r) => r.date));
  return new WorkingCalendar(stored, (year) => labourCodeDays(year, { otherDaysOff }));
}

/** The official Kazakhstan calendar: the rules of every year and the decisions 2024-2027 (holidays.data.ts). */
export const KZ_WORKING_CALENDAR = kazakhstanCalendar(KZ_DECISION_ROWS);
