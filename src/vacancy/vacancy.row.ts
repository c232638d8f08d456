import { VacancyStatus, type AdmissionMode, type GroupType, type WorkMode } from './domain/vocabulary.js';
import type { Vacancy } from './dto/vacancy.model.js';

export interface VacancyRow {
  id: string;
  seq: string;
  organization_id: string;
  locality: string;
  status: VacancyStatus;
  age_group: string;
  language: string;
  age_from_months: number;
  age_to_months: number;
  group_type: GroupType;
  work_mode: WorkMode;
  admission_mode: AdmissionMode;
  admission_start_date: string;
  attendance_until: string | null;
  published_at: Date;
  vacated_at: Date | null;
  revoked_at: Date | null;
  revoke_reason: string | null;
  bulletin_date: string | null;
  open_at: Date | null;
}

export const VACANCY_COLUMNS = `v.id, v.seq, v.organization_id, v.locality, v.status, v.age_group, v.language,
  v.age_from_months, v.age_to_months, v.group_type, v.work_mode, v.admission_mode,
  to_char(v.admission_start_date, 'YYYY-MM-DD') AS admission_start_date,
  to_char(v.attendance_until, 'YYYY-MM-DD') AS attendance_until, v.published_at, v.vacated_at, v.revoked_at,
  v.revoke_reason, to_char(v.bulletin_date, 'YYYY-MM-DD') AS bulletin_date, v.open_at`;

export function toVacancy(r: VacancyRow, now: Date): Vacancy {
  return {
    id: r.id,
    organizationId: r.organization_id,
    locality: r.locality,
    status: r.status,
    ageGroup: r.age_group,
    language: r.language,
    ageFromMonths: r.age_from_months,
    ageToMonths: r.age_to_months,
    groupType: r.group_type,
    workMode: r.work_mode,
    admissionMode: r.admission_mode,
    admissionStartDate: r.admission_start_date,
    attendanceUntil: r.attendance_until,
    publishedAt: r.published_at,
    vacatedAt: r.vacated_at,
    revokedAt: r.revoked_at,
    revokeReason: r.revoke_reason,
    bulletinDate: r.bulletin_date,
    openAt: r.open_at,
    openForClaim: r.status === VacancyStatus.PUBLISHED && r.open_at !== null && r.open_at.getTime() <= now.getTime(),
  };
}
