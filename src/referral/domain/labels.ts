/** kk / ru / en texts of the referral's words (ReferralStatus, DocumentKind, RefusalReason). Pure. */
import type { EnumLabels, LabelSet } from '../../platform/identifiers/label-text.js';
import type { DocumentKind, ReferralStatus, RefusalReason } from './referral-state.js';

export const REFERRAL_LABELS = {
  ReferralStatus: {
    OFFERED: { kk: 'Ұсынылды', ru: 'Предложено', en: 'Offered' },
    CONFIRMED: { kk: 'Расталды', ru: 'Подтверждено', en: 'Confirmed' },
    BOOKED: { kk: 'Брондалды', ru: 'Забронировано', en: 'Booked' },
    ENROLLED: { kk: 'Қабылданды', ru: 'Зачислен', en: 'Enrolled' },
    DECLINED: { kk: 'Бас тартылды', ru: 'Отказ', en: 'Declined' },
    EXPIRED: { kk: 'Мерзімі өтті', ru: 'Срок истёк', en: 'Expired' },
    CANCELLED: { kk: 'Күші жойылды', ru: 'Аннулировано', en: 'Cancelled' },
  } satisfies LabelSet<ReferralStatus>,
  DocumentKind: {
    APPLICANT_ID: { kk: 'Өтініш берушінің жеке куәлігі', ru: 'Удостоверение личности заявителя', en: 'Applicant’s identity document' },
    BIRTH_CERTIFICATE: { kk: 'Туу туралы куәлік', ru: 'Свидетельство о рождении', en: 'Birth certificate' },
    HEALTH_PASSPORT: { kk: 'Баланың денсаулық паспорты', ru: 'Паспорт здоровья ребёнка', en: 'Child’s health passport' },
    PRIORITY_PROOF: { kk: 'Басымдық құқығын растайтын құжат', ru: 'Документ, подтверждающий право на приоритет', en: 'Proof of priority' },
    SPECIAL_NEEDS_CONCLUSION: { kk: 'ПМПК қорытындысы', ru: 'Заключение ПМПК', en: 'Psychological, medical and pedagogical conclusion' },
    VACCINATION_CARD: { kk: 'Екпе картасы', ru: 'Прививочная карта', en: 'Vaccination card' },
  } satisfies LabelSet<DocumentKind>,
  RefusalReason: {
    EXPIRED_DOCUMENTS: { kk: 'Құжаттардың мерзімі өткен', ru: 'Срок действия документов истёк', en: 'Expired documents' },
    INCOMPLETE_DOCUMENTS: { kk: 'Құжаттар толық емес', ru: 'Неполный пакет документов', en: 'Incomplete documents' },
    VACCINATION_LIMIT: { kk: 'Екпе бойынша шектеу', ru: 'Ограничение по прививкам', en: 'Vaccination limit' },
  } satisfies LabelSet<RefusalReason>,
} satisfies EnumLabels;
