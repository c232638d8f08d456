/** kk / ru / en texts of the place's words (GraphQL enums GroupType, WorkMode, AdmissionMode, VacancyStatus, BulletinKind). Pure. */
import type { EnumLabels, LabelSet } from '../../platform/identifiers/label-text.js';
import type { AdmissionMode, BulletinKind, GroupType, VacancyStatus, WorkMode } from './vocabulary.js';

export const VACANCY_LABELS = {
  GroupType: {
    GENERAL: { kk: 'Жалпы топ', ru: 'Общая группа', en: 'General group' },
    SPECIAL: { kk: 'Арнайы топ', ru: 'Специальная группа', en: 'Special group' },
  } satisfies LabelSet<GroupType>,
  WorkMode: {
    FULL_DAY: { kk: 'Толық күн', ru: 'Полный день', en: 'Full day' },
    HALF_DAY: { kk: 'Жарты күн', ru: 'Неполный день', en: 'Half day' },
    ROUND_THE_CLOCK: { kk: 'Тәулік бойы', ru: 'Круглосуточно', en: 'Round the clock' },
  } satisfies LabelSet<WorkMode>,
  AdmissionMode: {
    GENERAL: { kk: 'Жалпы тәртіппен', ru: 'В общем порядке', en: 'General admission' },
    EARLY_BOOKING: { kk: 'Ерте брондау', ru: 'Раннее бронирование', en: 'Early booking' },
    TEMPORARY_STAY: { kk: 'Уақытша болу', ru: 'Временное пребывание', en: 'Temporary stay' },
  } satisfies LabelSet<AdmissionMode>,
  VacancyStatus: {
    PUBLISHED: { kk: 'Жарияланды', ru: 'Опубликовано', en: 'Published' },
    REFERRED: { kk: 'Жолдама берілді', ru: 'Выдано направление', en: 'Referral issued' },
    BOOKED: { kk: 'Брондалды', ru: 'Забронировано', en: 'Booked' },
    FILLED: { kk: 'Орын толды', ru: 'Место занято', en: 'Filled' },
    REVOKED: { kk: 'Қайтарып алынды', ru: 'Отозвано', en: 'Revoked' },
  } satisfies LabelSet<VacancyStatus>,
  BulletinKind: {
    VACATED: { kk: 'Орын босады', ru: 'Место освободилось', en: 'Place vacated' },
    REVOKED: { kk: 'Орын қайтарып алынды', ru: 'Место отозвано', en: 'Place revoked' },
  } satisfies LabelSet<BulletinKind>,
} satisfies EnumLabels;
