export {
  ALMATY_OFFSET_MINUTES,
  addCalendarDays,
  almatyAt,
  almatyMidnight,
  dayOfWeek,
  endOfAlmatyDay,
  formatAlmaty,
  isIsoDate,
  toAlmatyDate,
} from './almaty-time.js';
export { calendarDaysDeadline, workingDaysDeadline } from './deadlines.js';
export { CONFIRM_NEXT_YEAR_FROM, nextYearConfirmation, type NextYearConfirmation } from './confirmation.js';
export {
  KZ_CALENDAR_2024_2027,
  KZ_CALENDAR_DECISIONS,
  KZ_CALENDAR_YEARS,
  KZ_DECISION_ROWS,
  type CalendarDayKind,
  type CalendarDayRow,
  type CalendarYearDecisions,
} from './holidays.data.js';
export { FIRST_GENERATED_YEAR, KURBAN_AIT_NAME, STATUTORY_HOLIDAYS, labourCodeDays, type StatutoryHoliday } from './labour-code.js';
export { KZ_WORKING_CALENDAR, WorkingCalendar, kazakhstanCalendar, type YearRules } from './working-days.js';
