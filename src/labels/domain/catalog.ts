/**
 * Every GraphQL enum's labels, gathered from the concept modules' domain/labels.ts (each module writes the
 * texts of its own words). Pure: the priority categories' names come from the table and are passed in.
 */
import { ARCHIVE_LABELS } from '../../archive/domain/labels.js';
import { AUDIT_LABELS } from '../../audit/domain/labels.js';
import { CALENDAR_LABELS } from '../../calendar/domain/labels.js';
import { LEDGER_LABELS } from '../../ledger/domain/labels.js';
import { type EnumLabels, type LabelLanguage, type LabelText } from '../../platform/identifiers/label-text.js';
import { PRIORITY_CATEGORY_LABEL_TYPE, priorityCategoryLabel, QUEUE_LABELS } from '../../queue/domain/labels.js';
import { REFERRAL_LABELS } from '../../referral/domain/labels.js';
import { VACANCY_LABELS } from '../../vacancy/domain/labels.js';

export const ENUM_LABELS: EnumLabels = {
  ...ARCHIVE_LABELS,
  ...AUDIT_LABELS,
  ...CALENDAR_LABELS,
  ...LEDGER_LABELS,
  ...QUEUE_LABELS,
  ...REFERRAL_LABELS,
  ...VACANCY_LABELS,
};

export interface Label {
  type: string;
  value: string;
  text: string;
}

/** The labels in one language: enums by name (values in declared order), then the categories in the order given. */
export function labelsIn(
  language: LabelLanguage,
  categories: readonly { code: string; nameKk: string; nameRu: string }[],
  enums: EnumLabels = ENUM_LABELS,
): Label[] {
  const out: Label[] = [];
  for (const type of Object.keys(enums).sort()) {
    for (const [value, text] of Object.entries<LabelText>(enums[type])) out.push({ type, value, text: text[language] });
  }
  for (const c of categories) out.push({ type: PRIORITY_CATEGORY_LABEL_TYPE, value: c.code, text: priorityCategoryLabel(c)[language] });
  return out;
}
