/** Rows of other modules as the referral domain sees them, and the texts' wording of deadlines. */
import { toAlmatyDate } from '../calendar/domain/almaty-time.js';
import type { Stage } from '../notification/domain/stages.js';
import type { OutboxMessage } from '../notification/notification.service.js';
import type { ApplicationRow } from '../queue/application.row.js';
import type { VacancyRow } from '../vacancy/vacancy.row.js';
import type { ApplicationView, VacancyView } from './domain/eligibility.js';
import type { CancelReason, RefusalReason } from './domain/referral-state.js';

/** Last moment of a deadline for texts: the day before the 00:00 instant, 23:59. */
export function deadlineText(deadline: Date): string {
  return `${toAlmatyDate(new Date(deadline.getTime() - 1))} 23:59`;
}

export function toVacancyView(v: VacancyRow): VacancyView {
  return {
    id: v.id,
    organizationId: v.organization_id,
    locality: v.locality,
    language: v.language,
    ageFromMonths: v.age_from_months,
    ageToMonths: v.age_to_months,
    groupType: v.group_type,
    workMode: v.work_mode,
    admissionMode: v.admission_mode,
    admissionStartDate: v.admission_start_date,
  };
}

export function toApplicationView(a: ApplicationRow): ApplicationView {
  return {
    id: a.id,
    seq: Number(a.seq),
    priorityClass: a.priority_class as 0 | 1 | 2,
    registeredAt: a.registered_at.getTime(),
    locality: a.locality,
    cohort: a.cohort,
    birthDate: a.child_birth_date,
    organizationIds: a.organization_ids,
    language: a.language,
    groupType: a.group_type,
    specialNeedsConfirmed: a.special_needs_confirmed,
    workModes: a.work_modes,
    desiredAdmissionDate: a.desired_admission_date,
    acceptsTemporaryStay: a.accepts_temporary_stay,
    batchId: a.batch_id,
  };
}

/** The applicant's text about a referral: recipient, language and application number from the application row. */
export function textFor(
  app: Pick<ApplicationRow, 'id' | 'phone' | 'notification_language' | 'number'>,
  stage: Stage,
  key: string,
  params: Record<string, string | number>,
  at: Date,
): OutboxMessage {
  return {
    applicationId: app.id,
    phone: app.phone,
    language: app.notification_language,
    stage,
    key,
    params: { number: app.number, ...params },
    at,
  };
}

/** The refusal reasons as the family reads them. */
export const REFUSAL_TEXT: Record<RefusalReason, { kk: string; ru: string }> = {
  INCOMPLETE_DOCUMENTS: { kk: 'құжаттар толық емес', ru: 'неполный пакет документов' },
  EXPIRED_DOCUMENTS: { kk: 'құжаттардың мерзімі өткен', ru: 'истёк срок действия документов' },
  VACCINATION_LIMIT: { kk: 'екпе алмаған балалар лимиті толды', ru: 'исчерпан лимит непривитых детей' },
};

/** The cancellation reasons as the family reads them. */
export const CANCEL_TEXT: Record<CancelReason, { kk: string; ru: string }> = {
  GROUP_CLOSED: { kk: 'топ жабылды', ru: 'группа закрыта' },
  ORGANIZATION_ERROR: { kk: 'ұйымның қатесі', ru: 'ошибка организации' },
  DUPLICATE: { kk: 'жолдама қайталанып берілген', ru: 'направление выдано повторно' },
  OTHER: { kk: 'басқа себеп, ұйымнан біліңіз', ru: 'иная причина, уточните в организации' },
};
