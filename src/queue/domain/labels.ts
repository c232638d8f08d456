/** kk / ru / en texts of the application's words (ApplicationStatus, ClaimStatus) and English names of the priority categories. Pure. */
import type { EnumLabels, LabelSet } from '../../platform/identifiers/label-text.js';
import type { ApplicationStatus, ClaimStatus } from './vocabulary.js';

export const QUEUE_LABELS = {
  ApplicationStatus: {
    QUEUED: { kk: 'Кезекте', ru: 'В очереди', en: 'In the queue' },
    REFERRED: { kk: 'Жолдама берілді', ru: 'Выдано направление', en: 'Referred' },
    STOP_LISTED: { kk: 'Тоқтату тізімінде', ru: 'В стоп-листе', en: 'Stop-listed' },
    ARCHIVED: { kk: 'Мұрағатта', ru: 'В архиве', en: 'Archived' },
  } satisfies LabelSet<ApplicationStatus>,
  ClaimStatus: {
    PENDING: { kk: 'Растау күтілуде', ru: 'Ожидает подтверждения', en: 'Awaiting proof' },
    CONFIRMED: { kk: 'Расталды', ru: 'Подтверждено', en: 'Confirmed' },
    REJECTED: { kk: 'Қабылданбады', ru: 'Отклонено', en: 'Rejected' },
    LAPSED: { kk: 'Мерзімі өтті', ru: 'Срок истёк', en: 'Lapsed' },
  } satisfies LabelSet<ClaimStatus>,
} satisfies EnumLabels;

/** The label type of the priority categories (kk/ru names come from the priority_category table). */
export const PRIORITY_CATEGORY_LABEL_TYPE = 'PriorityCategory';

/** English names of the seeded priority categories; a category added later without one reads its Russian name. */
export const PRIORITY_CATEGORY_NAMES_EN: Readonly<Record<string, string>> = {
  MILITARY: 'Children of military servicemen (conscripts included)',
  SPECIAL_STATE_BODY: 'Children of employees of special state bodies',
  DISABLED_PARENT: 'Children whose legal representatives have a disability',
  LARGE_FAMILY: 'Children of large families',
  NO_PARENTAL_CARE: 'Children left without parental care',
  ORPHAN: 'Orphans',
  SPECIAL_NEEDS: 'Children with special educational needs',
  TEACHER: 'Children of teachers',
};

/** One priority category's label texts from its table row. */
export function priorityCategoryLabel(row: { code: string; nameKk: string; nameRu: string }): { kk: string; ru: string; en: string } {
  return { kk: row.nameKk, ru: row.nameRu, en: PRIORITY_CATEGORY_NAMES_EN[row.code] ?? row.nameRu };
}
