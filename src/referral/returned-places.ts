/**
 * Returned places (issue 15 item 9): a place that comes back to allocation — its referral declined, expired,
 * refused or cancelled — is judged at max(its admission start date, the next working day) for the wanted date
 * and the child's age (domain/eligibility.ts eligibilityDateOf). The same date everywhere a place is judged:
 * the allocation run and its SQL candidate filter, the open-place notices, claims, and the fairness audit
 * (which replays it from the ledger). The next working day is the first working day after the day of the
 * decision (Asia/Almaty), from the working calendar.
 */
import { toAlmatyDate } from '../calendar/domain/almaty-time.js';
import type { WorkingCalendar } from '../calendar/domain/working-days.js';
import type { VacancyRow } from '../vacancy/vacancy.row.js';
import { eligibilityDateOf, type VacancyView } from './domain/eligibility.js';
import { toVacancyView } from './referral-views.js';

/**
 * SQL (the place aliased `v`): whether the place came back — it had a referral before. For a PUBLISHED place
 * every referral it had has ended without enrolment (a live one holds it, an enrolment fills it); read through
 * ix_referral_vacancy.
 */
export const RETURNED_SQL = `EXISTS (SELECT 1 FROM referral r_ret WHERE r_ret.vacancy_id = v.id)`;

/** The first working day after the (Almaty) day of `at`. */
export function nextWorkingDayAfter(cal: Pick<WorkingCalendar, 'addWorkingDays'>, at: Date): string {
  return cal.addWorkingDays(toAlmatyDate(at), 1);
}

/** The place as eligibility judges it: a returned place at max(start, `nextWorkingDay`). */
export function judgedVacancyView(row: VacancyRow, returned: boolean, nextWorkingDay: string): VacancyView {
  const view = toVacancyView(row);
  const date = eligibilityDateOf(view.admissionStartDate, returned, nextWorkingDay);
  return date === view.admissionStartDate ? view : { ...view, eligibilityDate: date };
}
