/**
 * Kazakhstan official non-working days 2024-2027 (five-day working week), written out in full.
 *
 * Since issue 15 the fixed holidays and their weekend transfers are generated for every year by
 * labour-code.ts; what stays data is {@link KZ_CALENDAR_DECISIONS} (the ministry's transfer orders and the
 * date of Kurban Ait, year by year). This full list is kept as the reference the generator is checked against
 * (holidays.spec.ts: generator + decisions = this list, day by day) and as what the first migration stored.
 *
 * Sources of the rules:
 * - Holidays: Law "On holidays in the Republic of Kazakhstan" and Labour Code art. 84: 1-2 Jan
 *   New Year, 7 Jan Orthodox Christmas, 8 Mar Women's Day, 21-23 Mar Nauryz, 1 May Unity Day,
 *   7 May Defender's Day, 9 May Victory Day, 6 Jul Capital Day, 30 Aug Constitution Day (until 2025;
 *   15 Mar from 2027, Law No. 306-VIII of 11 June 2026), 25 Oct Republic Day, 16 Dec Independence Day,
 *   and the first day of Kurban Ait.
 * - Labour Code: when a holiday falls on a Saturday or Sunday the day off moves to the next
 *   working day after the holiday (TRANSFERRED_DAY_OFF rows below). 7 January and Kurban Ait
 *   are days off without such a transfer.
 * - Labour Code art. 85 p. 3: the authorised labour body (an order of the Minister of Labour and
 *   Social Protection; Government resolutions before 2024) may move further days off. Those
 *   appear as a TRANSFERRED_DAY_OFF / TRANSFERRED_WORKDAY pair.
 *
 * What was confirmed (news reports of the orders and of the egov.kz holiday calendars):
 * - 2024: Nauryz 23 Mar (Sat) → 25 Mar; Capital Day 6 Jul (Sat) → 8 Jul; Kurban Ait 16 Jun (Sun,
 *   no transfer); Ministry order: day off moved from Sat 4 May to Wed 8 May (4 May worked).
 * - 2025: Ministry order: day off moved from Sun 5 Jan to Fri 3 Jan (5 Jan worked);
 *   8 Mar (Sat) → 10 Mar; Nauryz 22-23 Mar → 24-25 Mar; 6 Jul (Sun) → 7 Jul; 30 Aug (Sat) →
 *   1 Sep; 25 Oct (Sat) → 27 Oct; Kurban Ait 6 Jun. No transfer around 8 May 2025 (the Ministry
 *   said so publicly).
 * - 2026: 8 Mar (Sun) → 9 Mar; Nauryz 21-22 Mar → 24-25 Mar; 9 May (Sat) → 11 May; 25 Oct (Sun)
 *   → 26 Oct; Kurban Ait 27 May (DUMK calendar). No additional order found. No Constitution Day:
 *   the first migration had 30 Aug (Sun) → 31 Aug, removed by migration 1764000000120.
 * - 2027: NOT confirmed. Only the Labour Code rules are applied (with 15 Mar, without 30 Aug); no
 *   ministry order was found.
 *   Kurban Ait 2027-05-16 is the astronomical estimate (10 Dhu al-Hijjah 1448): DUMK publishes
 *   the date in the autumn before and it may move by a day. Re-check both before 2027.
 */

export type CalendarDayKind = 'HOLIDAY' | 'TRANSFERRED_DAY_OFF' | 'TRANSFERRED_WORKDAY';

export interface CalendarDayRow {
  date: string;
  kind: CalendarDayKind;
  name: string;
}

/** Years fully described by {@link KZ_CALENDAR_2024_2027}. */
export const KZ_CALENDAR_YEARS: readonly number[] = [2024, 2025, 2026, 2027];

const NEW_YEAR = 'Новый год';
const CHRISTMAS = 'Православное Рождество';
const WOMENS_DAY = 'Международный женский день';
const NAURYZ = 'Наурыз мейрамы';
const UNITY_DAY = 'Праздник единства народа Казахстана';
const DEFENDERS_DAY = 'День защитника Отечества';
const VICTORY_DAY = 'День Победы';
const CAPITAL_DAY = 'День столицы';
const CONSTITUTION_DAY = 'День Конституции Республики Казахстан';
const REPUBLIC_DAY = 'День Республики';
/** Renamed by Law No. 306-VIII of 11 June 2026 (in force 1 July 2026). */
const REPUBLIC_DAY_2026 = 'День Республики Казахстан';
const INDEPENDENCE_DAY = 'День Независимости';
const KURBAN_AIT = 'Курбан айт (первый день)';

const holiday = (date: string, name: string): CalendarDayRow => ({ date, kind: 'HOLIDAY', name });

/** Day off moved by the Labour Code from a holiday that fell on a weekend (`from`, DD.MM). */
const codeTransfer = (date: string, holidayName: string, from: string): CalendarDayRow => ({
  date,
  kind: 'TRANSFERRED_DAY_OFF',
  name: `Перенос выходного дня (Трудовой кодекс): ${holidayName}, ${from}`,
});

const ORDER_NAME = 'Перенос дня отдыха (приказ Министра труда и социальной защиты населения РК)';
const orderDayOff = (date: string): CalendarDayRow => ({
  date,
  kind: 'TRANSFERRED_DAY_OFF',
  name: ORDER_NAME,
});
const orderWorkday = (date: string): CalendarDayRow => ({
  date,
  kind: 'TRANSFERRED_WORKDAY',
  name: ORDER_NAME,
});

export const KZ_CALENDAR_2024_2027: CalendarDayRow[] = [
  // ---------------------------------------------------------------- 2024
  holiday('2024-01-01', NEW_YEAR), // Mon
  holiday('2024-01-02', NEW_YEAR), // Tue
  holiday('2024-01-07', CHRISTMAS), // Sun, not transferred
  holiday('2024-03-08', WOMENS_DAY), // Fri
  holiday('2024-03-21', NAURYZ), // Thu
  holiday('2024-03-22', NAURYZ), // Fri
  holiday('2024-03-23', NAURYZ), // Sat
  codeTransfer('2024-03-25', NAURYZ, '23.03'), // Mon
  holiday('2024-05-01', UNITY_DAY), // Wed
  orderWorkday('2024-05-04'), // Sat worked …
  holiday('2024-05-07', DEFENDERS_DAY), // Tue
  orderDayOff('2024-05-08'), // … Wed off
  holiday('2024-05-09', VICTORY_DAY), // Thu
  holiday('2024-06-16', KURBAN_AIT), // Sun, not transferred
  holiday('2024-07-06', CAPITAL_DAY), // Sat
  codeTransfer('2024-07-08', CAPITAL_DAY, '06.07'), // Mon
  holiday('2024-08-30', CONSTITUTION_DAY), // Fri
  holiday('2024-10-25', REPUBLIC_DAY), // Fri
  holiday('2024-12-16', INDEPENDENCE_DAY), // Mon

  // ---------------------------------------------------------------- 2025
  holiday('2025-01-01', NEW_YEAR), // Wed
  holiday('2025-01-02', NEW_YEAR), // Thu
  orderDayOff('2025-01-03'), // Fri off …
  orderWorkday('2025-01-05'), // … Sun worked
  holiday('2025-01-07', CHRISTMAS), // Tue
  holiday('2025-03-08', WOMENS_DAY), // Sat
  codeTransfer('2025-03-10', WOMENS_DAY, '08.03'), // Mon
  holiday('2025-03-21', NAURYZ), // Fri
  holiday('2025-03-22', NAURYZ), // Sat
  holiday('2025-03-23', NAURYZ), // Sun
  codeTransfer('2025-03-24', NAURYZ, '22.03'), // Mon
  codeTransfer('2025-03-25', NAURYZ, '23.03'), // Tue
  holiday('2025-05-01', UNITY_DAY), // Thu
  holiday('2025-05-07', DEFENDERS_DAY), // Wed
  holiday('2025-05-09', VICTORY_DAY), // Fri
  holiday('2025-06-06', KURBAN_AIT), // Fri
  holiday('2025-07-06', CAPITAL_DAY), // Sun
  codeTransfer('2025-07-07', CAPITAL_DAY, '06.07'), // Mon
  holiday('2025-08-30', CONSTITUTION_DAY), // Sat
  codeTransfer('2025-09-01', CONSTITUTION_DAY, '30.08'), // Mon
  holiday('2025-10-25', REPUBLIC_DAY), // Sat
  codeTransfer('2025-10-27', REPUBLIC_DAY, '25.10'), // Mon
  holiday('2025-12-16', INDEPENDENCE_DAY), // Tue

  // ---------------------------------------------------------------- 2026
  holiday('2026-01-01', NEW_YEAR), // Thu
  holiday('2026-01-02', NEW_YEAR), // Fri
  holiday('2026-01-07', CHRISTMAS), // Wed
  holiday('2026-03-08', WOMENS_DAY), // Sun
  codeTransfer('2026-03-09', WOMENS_DAY, '08.03'), // Mon
  holiday('2026-03-21', NAURYZ), // Sat
  holiday('2026-03-22', NAURYZ), // Sun
  holiday('2026-03-23', NAURYZ), // Mon
  codeTransfer('2026-03-24', NAURYZ, '21.03'), // Tue
  codeTransfer('2026-03-25', NAURYZ, '22.03'), // Wed
  holiday('2026-05-01', UNITY_DAY), // Fri
  holiday('2026-05-07', DEFENDERS_DAY), // Thu
  holiday('2026-05-09', VICTORY_DAY), // Sat
  codeTransfer('2026-05-11', VICTORY_DAY, '09.05'), // Mon
  holiday('2026-05-27', KURBAN_AIT), // Wed
  holiday('2026-07-06', CAPITAL_DAY), // Mon
  // No Constitution Day in 2026: 30 August stopped being one on 1 July 2026, 15 March is one from 2027.
  holiday('2026-10-25', REPUBLIC_DAY_2026), // Sun
  codeTransfer('2026-10-26', REPUBLIC_DAY_2026, '25.10'), // Mon
  holiday('2026-12-16', INDEPENDENCE_DAY), // Wed

  // ---------------------------------------------------------------- 2027 (Labour Code only)
  holiday('2027-01-01', NEW_YEAR), // Fri
  holiday('2027-01-02', NEW_YEAR), // Sat
  codeTransfer('2027-01-04', NEW_YEAR, '02.01'), // Mon
  holiday('2027-01-07', CHRISTMAS), // Thu
  holiday('2027-03-08', WOMENS_DAY), // Mon
  holiday('2027-03-15', CONSTITUTION_DAY), // Mon, the new Constitution Day (first observed)
  holiday('2027-03-21', NAURYZ), // Sun
  holiday('2027-03-22', NAURYZ), // Mon
  holiday('2027-03-23', NAURYZ), // Tue
  codeTransfer('2027-03-24', NAURYZ, '21.03'), // Wed
  holiday('2027-05-01', UNITY_DAY), // Sat
  codeTransfer('2027-05-03', UNITY_DAY, '01.05'), // Mon
  holiday('2027-05-07', DEFENDERS_DAY), // Fri
  holiday('2027-05-09', VICTORY_DAY), // Sun
  codeTransfer('2027-05-10', VICTORY_DAY, '09.05'), // Mon
  holiday('2027-05-16', KURBAN_AIT), // Sun, not transferred; date not yet confirmed by DUMK
  holiday('2027-07-06', CAPITAL_DAY), // Tue
  holiday('2027-10-25', REPUBLIC_DAY_2026), // Mon
  holiday('2027-12-16', INDEPENDENCE_DAY), // Thu
];

/**
 * What is data, not rule, per year: the ministry's transfer orders (art. 85 of the Labour Code) and the first
 * day of Kurban Ait. `confirmed`: the year's orders and Kurban Ait are known (a year the project has no
 * confirmed data for shows in /health from 1 December of the year before).
 */
export interface CalendarYearDecisions {
  year: number;
  kurbanAit: string;
  confirmed: boolean;
  orders: readonly CalendarDayRow[];
}

export const KZ_CALENDAR_DECISIONS: readonly CalendarYearDecisions[] = [
  { year: 2024, kurbanAit: '2024-06-16', confirmed: true, orders: [orderWorkday('2024-05-04'), orderDayOff('2024-05-08')] },
  { year: 2025, kurbanAit: '2025-06-06', confirmed: true, orders: [orderDayOff('2025-01-03'), orderWorkday('2025-01-05')] },
  { year: 2026, kurbanAit: '2026-05-27', confirmed: true, orders: [] },
  // Astronomical estimate (10 Dhu al-Hijjah 1448); DUMK and the ministry have not published 2027 yet.
  { year: 2027, kurbanAit: '2027-05-16', confirmed: false, orders: [] },
];

/** The decisions as stored rows (orders and Kurban Ait), what the calendar_day table holds beyond the rules. */
export const KZ_DECISION_ROWS: readonly CalendarDayRow[] = KZ_CALENDAR_DECISIONS.flatMap((d) => [
  ...d.orders,
  holiday(d.kurbanAit, KURBAN_AIT),
]).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
