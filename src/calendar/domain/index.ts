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
export { KZ_CALENDAR_2024_2027, KZ_CALENDAR_YEARS, type CalendarDayKind, type CalendarDayRow } from './holidays.data.js';
export { KZ_WORKING_CALENDAR, WorkingCalendar } from './working-days.js';
