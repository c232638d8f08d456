/**
 * Whether an application may be offered a vacancy.
 *
 * The caller passes only allocatable applications: status, stop-list and live-referral filtering
 * happen before these functions are reached.
 *
 * Dates are 'YYYY-MM-DD' strings (compared lexicographically, which is chronological).
 * Pure functions: no clock, no I/O.
 */
import type { RankedApplication } from '../../queue/domain/index.js';
import type { AdmissionMode, GroupType, WorkMode } from '../../vacancy/domain/vocabulary.js';

/** The words of a place, defined in src/vacancy/domain/vocabulary.ts; re-exported for allocation code. */
export { AdmissionMode, GroupType, WorkMode } from '../../vacancy/domain/vocabulary.js';

export interface ApplicationView extends RankedApplication {
  /** Locality KATO code. */
  locality: string;
  /** Birth year of the child: the queue is (locality, cohort). */
  cohort: number;
  birthDate: string;
  /** Chosen organizations, in preference order; empty = any organization in the locality. */
  organizationIds: string[];
  language: string;
  /** The group type the family asked for. */
  groupType: GroupType;
  specialNeedsConfirmed: boolean;
  workModes: WorkMode[];
  desiredAdmissionDate: string;
  acceptsTemporaryStay: boolean;
  /** Twins/triplets batch; null when the child applies alone. */
  batchId: string | null;
}

export interface VacancyView {
  id: string;
  organizationId: string;
  locality: string;
  language: string;
  ageFromMonths: number;
  ageToMonths: number;
  groupType: GroupType;
  workMode: WorkMode;
  admissionMode: AdmissionMode;
  admissionStartDate: string;
  /**
   * The date eligibility is judged at — the child's age on it, the wanted admission date not after it —
   * when it is not the admission start date: for a place that came back (its referral declined, expired,
   * refused or cancelled), max(admission start date, the next working day), see {@link eligibilityDateOf}.
   * Absent: the admission start date.
   */
  eligibilityDate?: string;
}

/** The date a place's eligibility is judged at: {@link VacancyView.eligibilityDate}, else its admission start date. */
export function judgedOn(vacancy: Pick<VacancyView, 'admissionStartDate' | 'eligibilityDate'>): string {
  return vacancy.eligibilityDate ?? vacancy.admissionStartDate;
}

/**
 * The date eligibility for a place is judged at (rules/NOTES.md "Referral", issue 15 item 9): its admission
 * start date; for a place that came back to allocation (it had a referral, which was declined, expired,
 * refused or cancelled) the later of that date and `nextWorkingDay`, the first working day after the day of
 * the decision (an allocation run, an open-place notice, a claim): a child can start no earlier, so the
 * wanted date and the age are judged then, not on a start date that may be long past. The same date in the
 * allocator, its SQL candidate filter, the open-place notices, claims and the fairness audit.
 */
export function eligibilityDateOf(admissionStartDate: string, returned: boolean, nextWorkingDay: string): string {
  return returned && nextWorkingDay > admissionStartDate ? nextWorkingDay : admissionStartDate;
}

export const NO_EXCLUSIONS: ReadonlySet<string> = new Set<string>();

/** Key of an (application, vacancy) pair that must never be offered again. */
export function exclusionKey(applicationId: string, vacancyId: string): string {
  return `${applicationId}:${vacancyId}`;
}

/** Queue key `${locality}:${cohort}`. */
export function queueKeyOf(app: Pick<ApplicationView, 'locality' | 'cohort'>): string {
  return `${app.locality}:${app.cohort}`;
}

/** The decimal number in `s[from, from + length)`, read without allocating substrings. */
function digits(s: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

const year = (date: string): number => digits(date, 0, 4);
const month = (date: string): number => digits(date, 5, 2);
const day = (date: string): number => digits(date, 8, 2);

/** Completed months between two 'YYYY-MM-DD' dates: (y2-y1)*12 + (m2-m1) - (d2 < d1 ? 1 : 0). */
export function ageInMonths(birthDate: string, onDate: string): number {
  return (year(onDate) - year(birthDate)) * 12 + (month(onDate) - month(birthDate)) - (day(onDate) < day(birthDate) ? 1 : 0);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Date from a month index (y * 12 + m - 1) and a day of that month. */
function fromMonthIndex(index: number, d: number): string {
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/**
 * The birth dates whose age in completed months on `onDate` lies in [fromMonths, toMonths]:
 * exactly the dates `earliest <= birthDate <= latest` (empty when earliest > latest).
 *
 * With D = onDate and M(x) = 12·year + month:
 *   age ≥ from  ⇔  M(b) < M(D) − from, or M(b) = M(D) − from and day(b) ≤ day(D);
 *   age ≤ to    ⇔  M(b) > M(D) − to − 1, or M(b) = M(D) − to − 1 and day(b) > day(D).
 */
export function birthDateWindow(onDate: string, fromMonths: number, toMonths: number): { earliest: string; latest: string } {
  const dIndex = year(onDate) * 12 + month(onDate) - 1;
  const dDay = day(onDate);

  const latestIndex = dIndex - fromMonths;
  const latestYear = Math.floor(latestIndex / 12);
  const latestDay = Math.min(dDay, daysInMonth(latestYear, latestIndex - latestYear * 12 + 1));
  const latest = fromMonthIndex(latestIndex, latestDay);

  const earlyIndex = dIndex - toMonths - 1;
  const earlyYear = Math.floor(earlyIndex / 12);
  const earliest =
    dDay + 1 <= daysInMonth(earlyYear, earlyIndex - earlyYear * 12 + 1)
      ? fromMonthIndex(earlyIndex, dDay + 1)
      : fromMonthIndex(earlyIndex + 1, 1);
  return { earliest, latest };
}

/**
 * The cheap part of the checks shared by {@link isEligible} and {@link fitsForClaim}:
 * locality, language, group type, work mode, temporary stay.
 */
function fitsGroup(app: ApplicationView, vacancy: VacancyView): boolean {
  if (app.locality !== vacancy.locality) return false;
  if (app.language !== vacancy.language) return false;
  if (vacancy.groupType === 'SPECIAL') {
    if (app.groupType !== 'SPECIAL' || !app.specialNeedsConfirmed) return false;
  } else if (app.groupType !== 'GENERAL') {
    return false;
  }
  if (!app.workModes.includes(vacancy.workMode)) return false;
  return vacancy.admissionMode !== 'TEMPORARY_STAY' || app.acceptsTemporaryStay;
}

/** Age in completed months on the date eligibility is judged at ({@link judgedOn}) within [ageFrom, ageTo]. */
function fitsAge(app: ApplicationView, vacancy: VacancyView): boolean {
  const age = ageInMonths(app.birthDate, judgedOn(vacancy));
  return age >= vacancy.ageFromMonths && age <= vacancy.ageToMonths;
}

/**
 * Whether the queue may offer `vacancy` to `app`:
 *  - same locality;
 *  - the vacancy's organization is among the chosen ones, or none was chosen;
 *  - same language;
 *  - a SPECIAL group takes only confirmed special-needs applications asking for SPECIAL;
 *    a GENERAL group takes only applications asking for GENERAL;
 *  - the vacancy's work mode is one the family accepts;
 *  - the age in completed months on the admission start date is within [ageFrom, ageTo];
 *  - the desired admission date is not after the admission start date;
 *    (both judged at {@link judgedOn}: the start date, or for a returned place the next working day if later)
 *  - a TEMPORARY_STAY vacancy only if the family accepts temporary stay;
 *  - the pair is not excluded (`${appId}:${vacancyId}` in `excluded`).
 */
export function isEligible(app: ApplicationView, vacancy: VacancyView, excluded: ReadonlySet<string>): boolean {
  // Cheapest checks first; the result is a plain conjunction, so the order does not matter.
  if (!fitsGroup(app, vacancy)) return false;
  if (app.desiredAdmissionDate > judgedOn(vacancy)) return false;
  if (app.organizationIds.length > 0 && !app.organizationIds.includes(vacancy.organizationId)) {
    return false;
  }
  if (!fitsAge(app, vacancy)) return false;
  return excluded.size === 0 || !excluded.has(exclusionKey(app.id, vacancy.id));
}

/**
 * Whether `app` may claim an open place (first come, first served): as {@link isEligible} but
 * WITHOUT the organization-choice and desired-date restrictions.
 */
export function fitsForClaim(app: ApplicationView, vacancy: VacancyView, excluded: ReadonlySet<string> = NO_EXCLUSIONS): boolean {
  if (!fitsGroup(app, vacancy) || !fitsAge(app, vacancy)) return false;
  return excluded.size === 0 || !excluded.has(exclusionKey(app.id, vacancy.id));
}
