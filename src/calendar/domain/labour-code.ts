import { addCalendarDays, dayOfWeek } from './almaty-time.js';
import type { CalendarDayRow } from './holidays.data.js';

/**
 * The fixed public holidays of Kazakhstan that are days off, generated for any year, with the Labour
 * Code's weekend rule. Pure: no clock, no storage.
 *
 * Sources (checked December 2026):
 * - Law No. 267-II of 13 December 2001 "On holidays in the Republic of Kazakhstan" (adilet.zan.kz,
 *   Z010000267_: the national and state holidays and which of them are days off), with its history of
 *   amendments: 2022 (adilet Z2200000143): 25 October Republic Day is a holiday again, 1 December
 *   (First President's Day) and 17 December are no longer; Law No. 306-VIII of 11 June 2026, in force from
 *   1 July 2026: Constitution Day is 15 March (the day the new Constitution was adopted at the referendum of
 *   15 March 2026) instead of 30 August, and Republic Day is renamed "Day of the Republic of Kazakhstan".
 *   Because the change took effect on 1 July 2026, 2026 has no Constitution Day at all (15 March had passed,
 *   30 August was no longer a holiday); 15 March is first a day off in 2027.
 * - Labour Code of the Republic of Kazakhstan (2015), art. 84-85: holidays are days off; when a day off
 *   (Saturday/Sunday) and a holiday coincide, the day off moves to the next working day after the holiday,
 *   except for the religious holidays (7 January Orthodox Christmas and the first day of Kurban Ait),
 *   which are days off but never transferred.
 * - Art. 85 also lets the authorised body (orders of the Minister of Labour and Social Protection; Government
 *   resolutions before 2024) move further days off: those orders are NOT generated here, they are data an
 *   ADMIN enters per year (calendar_day rows, setCalendarDay), like the date of Kurban Ait (set by the
 *   Spiritual Administration of Muslims of Kazakhstan each year; confirmCalendarYear).
 * - Cross-checked against two independent holiday data sets: vacanza/holidays (Python; Kazakhstan module,
 *   pull request #3690 "2026 constitutional law changes", July 2026) and commenthol/date-holidays (pull
 *   request #611: Article 85 substitutes, no substitute for Orthodox Christmas and Kurban Ait), and against
 *   the confirmed calendars 2024-2026 in holidays.data.ts (holidays.spec: generator + orders = confirmed).
 *
 * 7 January: it was asked whether Orthodox Christmas is "a holiday but not a day off". It is a day off (the
 * Law's list of days off includes it under the religious-holiday rule since 2006; the egov.kz calendars and
 * both data sets above show it as a non-working day, e.g. Tue 7 January 2025 in the confirmed 2025 calendar);
 * only the weekend transfer does not apply to it.
 */

export interface StatutoryHoliday {
  /** MM-DD. */
  monthDay: string;
  name: (year: number) => string;
  /** First and last year (inclusive) the day is a day off. */
  from: number;
  until?: number;
  /** Whether a Saturday/Sunday occurrence moves the day off to the next working day. */
  weekendTransfer: boolean;
}

const named = (name: string) => (): string => name;

/** Years before 2002 are not generated (the weekend rule and the list as above date from Law 267-II). */
export const FIRST_GENERATED_YEAR = 2002;

export const KURBAN_AIT_NAME = 'Курбан айт (первый день)';

/** The fixed holidays that are days off, with the years they apply (see the sources above). */
export const STATUTORY_HOLIDAYS: readonly StatutoryHoliday[] = [
  { monthDay: '01-01', name: named('Новый год'), from: FIRST_GENERATED_YEAR, weekendTransfer: true },
  { monthDay: '01-02', name: named('Новый год'), from: FIRST_GENERATED_YEAR, weekendTransfer: true },
  // Religious holiday: a day off, never transferred.
  { monthDay: '01-07', name: named('Православное Рождество'), from: 2006, weekendTransfer: false },
  { monthDay: '03-08', name: named('Международный женский день'), from: FIRST_GENERATED_YEAR, weekendTransfer: true },
  // New Constitution Day (Law No. 306-VIII of 11 June 2026, in force 1 July 2026): first observed in 2027.
  { monthDay: '03-15', name: named('День Конституции Республики Казахстан'), from: 2027, weekendTransfer: true },
  { monthDay: '03-21', name: named('Наурыз мейрамы'), from: 2010, weekendTransfer: true },
  { monthDay: '03-22', name: named('Наурыз мейрамы'), from: FIRST_GENERATED_YEAR, weekendTransfer: true },
  { monthDay: '03-23', name: named('Наурыз мейрамы'), from: 2010, weekendTransfer: true },
  { monthDay: '05-01', name: named('Праздник единства народа Казахстана'), from: FIRST_GENERATED_YEAR, weekendTransfer: true },
  { monthDay: '05-07', name: named('День защитника Отечества'), from: 2013, weekendTransfer: true },
  { monthDay: '05-09', name: named('День Победы'), from: FIRST_GENERATED_YEAR, weekendTransfer: true },
  { monthDay: '07-06', name: named('День столицы'), from: 2009, weekendTransfer: true },
  // Old Constitution Day: last a day off in 2025.
  {
    monthDay: '08-30',
    name: named('День Конституции Республики Казахстан'),
    from: FIRST_GENERATED_YEAR,
    until: 2025,
    weekendTransfer: true,
  },
  {
    monthDay: '10-25',
    name: (year) => (year >= 2026 ? 'День Республики Казахстан' : 'День Республики'),
    from: 2022,
    weekendTransfer: true,
  },
  { monthDay: '12-01', name: named('День Первого Президента Республики Казахстан'), from: 2012, until: 2021, weekendTransfer: true },
  { monthDay: '12-16', name: named('День Независимости'), from: FIRST_GENERATED_YEAR, weekendTransfer: true },
  { monthDay: '12-17', name: named('День Независимости'), from: FIRST_GENERATED_YEAR, until: 2021, weekendTransfer: true },
];

const isWeekend = (date: string): boolean => {
  const dow = dayOfWeek(date);
  return dow === 0 || dow === 6;
};

/** DD.MM of a YYYY-MM-DD date. */
const ddmm = (date: string): string => `${date.slice(8, 10)}.${date.slice(5, 7)}`;

export interface LabourCodeOptions {
  /**
   * Other days off of that time (e.g. the first day of Kurban Ait): a transferred day off never lands on
   * one of them, it moves on to the next working day.
   */
  otherDaysOff?: ReadonlySet<string>;
}

/**
 * The Labour Code days off of `year`: a HOLIDAY row for each fixed holiday that is a day off that year and a
 * TRANSFERRED_DAY_OFF row for each one (with weekendTransfer) on a Saturday or Sunday, on the first Mon-Fri
 * after it that is neither a holiday, another day off, nor already a transfer. Sorted by date; a transfer of
 * a holiday late in December may fall in January of the next year.
 */
export function labourCodeDays(year: number, opts: LabourCodeOptions = {}): CalendarDayRow[] {
  if (!Number.isInteger(year) || year < 1 || year > 9999) throw new RangeError(`year must be an integer 1..9999, got ${year}`);
  if (year < FIRST_GENERATED_YEAR) return [];
  const holidays = STATUTORY_HOLIDAYS.filter((h) => year >= h.from && (h.until === undefined || year <= h.until))
    .map((h) => ({ date: `${year}-${h.monthDay}`, name: h.name(year), weekendTransfer: h.weekendTransfer }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const off = new Set<string>([...holidays.map((h) => h.date), ...(opts.otherDaysOff ?? [])]);
  const rows: CalendarDayRow[] = holidays.map((h) => ({ date: h.date, kind: 'HOLIDAY', name: h.name }));
  for (const h of holidays) {
    if (!h.weekendTransfer || !isWeekend(h.date)) continue;
    let d = addCalendarDays(h.date, 1);
    while (isWeekend(d) || off.has(d)) d = addCalendarDays(d, 1);
    off.add(d);
    rows.push({ date: d, kind: 'TRANSFERRED_DAY_OFF', name: `Перенос выходного дня (Трудовой кодекс): ${h.name}, ${ddmm(h.date)}` });
  }
  return rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
