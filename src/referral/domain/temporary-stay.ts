/**
 * Temporary stay (Rules, definition 14: уақытша болуға арналған бос орын): the place of a child who is away
 * for a while, kept for that child, so the child admitted to it attends for a limited term and its own
 * application stays in the queue. While a child holds such a place (its referral live, or ENROLLED with
 * the attendance term running) it gets no second temporary offer: allocation, claims and the fairness
 * audit all ask {@link mayOfferTemporaryPlace}; SQL asks {@link HOLDS_TEMPORARY_PLACE_SQL}.
 *
 * Pure: no clock, no I/O.
 */
import type { AdmissionMode } from '../../vacancy/domain/vocabulary.js';

/**
 * Whether a place of this admission mode may be offered to (or claimed by) a family, given whether the
 * child already holds a temporary place: only a temporary offer is held back; a permanent place is not.
 */
export function mayOfferTemporaryPlace(admissionMode: AdmissionMode, holdsTemporaryPlace: boolean): boolean {
  return admissionMode !== 'TEMPORARY_STAY' || !holdsTemporaryPlace;
}

/**
 * SQL condition, true when the application aliased `app` holds a running temporary place: an ENROLLED
 * referral with an attendance term (referral.attendance_until, set only for temporary places) that has not
 * ended (index ix_referral_running_temporary). A live temporary referral makes the application REFERRED,
 * which every candidate query leaves out already.
 */
export const HOLDS_TEMPORARY_PLACE_SQL = (app: string): string =>
  `EXISTS (SELECT 1 FROM referral tr WHERE tr.application_id = ${app}.id AND tr.attendance_until IS NOT NULL AND tr.attendance_ended_at IS NULL)`;

/** The last day of attendance is over at 00:00 after it: due when attendanceUntil < today (Almaty dates). */
export function attendanceOver(attendanceUntil: string, today: string): boolean {
  return attendanceUntil < today;
}
