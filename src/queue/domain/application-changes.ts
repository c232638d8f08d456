/**
 * A family's correction of what it entered (updateApplication): which of the changeable facts differ, and
 * their names in the family's language for the text. The number, the registration time, the child, the
 * applicant, the locality and the claimed categories are not changeable here (a category is claimed with
 * addPriorityClaim). Pure: no clock, no I/O.
 */

/** The facts a family may change, in the order the ledger and the text list them. */
export const CHANGEABLE_FIELDS = [
  'phone',
  'organizationIds',
  'language',
  'workModes',
  'groupType',
  'acceptsTemporaryStay',
  'notificationLanguage',
  'desiredAdmissionDate',
] as const;
export type ChangeableField = (typeof CHANGEABLE_FIELDS)[number];

export interface ChangeableFacts {
  phone: string;
  organizationIds: readonly string[];
  language: string;
  workModes: readonly string[];
  groupType: string;
  acceptsTemporaryStay: boolean;
  notificationLanguage: string;
  desiredAdmissionDate: string;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

/**
 * The facts after the change and the fields that differ (in {@link CHANGEABLE_FIELDS} order). Lists are
 * compared as sets (choices and work modes have no order); a list given in another order is no change.
 */
export function amendFacts(
  current: ChangeableFacts,
  change: Partial<ChangeableFacts>,
): { next: ChangeableFacts; changed: ChangeableField[] } {
  const next: ChangeableFacts = { ...current };
  const changed: ChangeableField[] = [];
  for (const f of CHANGEABLE_FIELDS) {
    const v = change[f];
    if (v === undefined || v === null) continue;
    const differs = Array.isArray(v) ? !sameSet(v as readonly string[], current[f] as readonly string[]) : v !== current[f];
    if (!differs) continue;
    (next as unknown as Record<string, unknown>)[f] = Array.isArray(v) ? [...(v as readonly string[])] : v;
    changed.push(f);
  }
  return { next, changed };
}

const LABELS: Record<'kk' | 'ru', Record<ChangeableField, string>> = {
  kk: {
    phone: 'телефон нөмірі',
    organizationIds: 'таңдалған балабақшалар',
    language: 'топ тілі',
    workModes: 'жұмыс режимі',
    groupType: 'топ түрі',
    acceptsTemporaryStay: 'уақытша орынға келісім',
    notificationLanguage: 'хабарлама тілі',
    desiredAdmissionDate: 'қабылдау күні',
  },
  ru: {
    phone: 'номер телефона',
    organizationIds: 'выбранные детские сады',
    language: 'язык группы',
    workModes: 'режим работы',
    groupType: 'тип группы',
    acceptsTemporaryStay: 'согласие на временное место',
    notificationLanguage: 'язык уведомлений',
    desiredAdmissionDate: 'желаемая дата приёма',
  },
};

/** The changed fields as words of the family's language, comma-separated (for the APPLICATION_UPDATED text). */
export function changedFieldsText(changed: readonly ChangeableField[], language: string): string {
  const labels = LABELS[language === 'ru' ? 'ru' : 'kk'];
  return changed.map((f) => labels[f]).join(', ');
}

/** The applicant (a parent or legal representative) must be of full age. */
export const MIN_APPLICANT_AGE_YEARS = 18;
