import type { ArchiveReason } from '../archive/domain/archive-reason.js';
import type { GroupType, WorkMode } from '../vacancy/domain/vocabulary.js';
import type { ApplicationStatus } from './domain/vocabulary.js';
import type { Application } from './dto/application.model.js';

/** Columns of `application` as they come from SQL (dates as YYYY-MM-DD text). */
export interface ApplicationRow {
  id: string;
  seq: string;
  number: string;
  status: ApplicationStatus;
  registered_at: Date;
  child_iin: string;
  child_name: string;
  child_birth_date: string;
  cohort: number;
  applicant_iin: string;
  phone: string;
  locality: string;
  organization_ids: string[];
  language: string;
  group_type: GroupType;
  work_modes: WorkMode[];
  desired_admission_date: string;
  accepts_temporary_stay: boolean;
  notification_language: 'kk' | 'ru';
  priority_class: number;
  special_needs_confirmed: boolean;
  batch_id: string | null;
  archive_reason: ArchiveReason | null;
  archived_at: Date | null;
  archived_by: string | null;
  stop_list_reason: string | null;
  stop_listed_until: string | null;
}

export const APPLICATION_COLUMNS = `a.id, a.seq, a.number, a.status, a.registered_at, a.child_iin, a.child_name,
  to_char(a.child_birth_date, 'YYYY-MM-DD') AS child_birth_date, a.cohort, a.applicant_iin, a.phone, a.locality,
  a.organization_ids::text[] AS organization_ids, a.language, a.group_type, a.work_modes, to_char(a.desired_admission_date, 'YYYY-MM-DD') AS desired_admission_date,
  a.accepts_temporary_stay, a.notification_language, a.priority_class, a.special_needs_confirmed, a.batch_id,
  a.archive_reason, a.archived_at, a.archived_by, a.stop_list_reason, to_char(a.stop_listed_until, 'YYYY-MM-DD') AS stop_listed_until`;

export function toApplication(r: ApplicationRow): Application {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    registeredAt: r.registered_at,
    childIin: r.child_iin,
    childName: r.child_name,
    childBirthDate: r.child_birth_date,
    cohort: r.cohort,
    applicantIin: r.applicant_iin,
    phone: r.phone,
    locality: r.locality,
    organizationIds: r.organization_ids,
    language: r.language,
    groupType: r.group_type,
    workModes: r.work_modes,
    desiredAdmissionDate: r.desired_admission_date,
    acceptsTemporaryStay: r.accepts_temporary_stay,
    notificationLanguage: r.notification_language,
    priorityClass: r.priority_class,
    claims: [],
    batchId: r.batch_id,
    archiveReason: r.archive_reason,
    archivedAt: r.archived_at,
    stopListReason: r.stop_list_reason,
    stopListedUntil: r.stop_listed_until,
  };
}

export const formatNumber = (seq: number | string): string => `KZ-${String(seq).padStart(7, '0')}`;
