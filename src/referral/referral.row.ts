import { missingDocuments, type DocumentKind, type ReferralStatus } from './domain/referral-state.js';
import type { Referral } from './dto/referral.model.js';

export interface ReferralRow {
  id: string;
  application_id: string;
  vacancy_id: string;
  status: ReferralStatus;
  issued_at: Date;
  clock_start: Date | null;
  confirm_by: Date | null;
  confirmed_at: Date | null;
  valid_until: Date | null;
  extended: boolean;
  documents: DocumentKind[];
  required_documents: DocumentKind[];
  claimed: boolean;
  closed_at: Date | null;
  close_reason: string | null;
  /** A temporary-stay place: the last day of attendance (set at enrolment). */
  attendance_until: string | null;
  attendance_ended_at: Date | null;
  close_note: string | null;
}

export const toReferral = (r: ReferralRow): Referral => ({
  id: r.id,
  status: r.status,
  applicationId: r.application_id,
  vacancyId: r.vacancy_id,
  issuedAt: r.issued_at,
  clockStart: r.clock_start,
  confirmBy: r.confirm_by,
  confirmedAt: r.confirmed_at,
  validUntil: r.valid_until,
  extended: r.extended,
  documents: r.documents,
  requiredDocuments: r.required_documents,
  missingDocuments: missingDocuments(r.required_documents, r.documents) as DocumentKind[],
  claimed: r.claimed,
  closedAt: r.closed_at,
  closeReason: r.close_reason,
  closeNote: r.close_note,
  attendanceEndedAt: r.attendance_ended_at,
});
