/** kk / ru / en texts of the fairness audit's checks (GraphQL enum FairnessCheck). Pure. */
import type { EnumLabels, LabelSet } from '../../platform/identifiers/label-text.js';

export const AUDIT_LABELS = {
  FairnessCheck: {
    NO_SKIP: { kk: 'Кезек аттап өтілмеуі', ru: 'Без пропуска очереди', en: 'No queue skipping' },
    RATIO: { kk: '1 : 3 арақатынасы', ru: 'Соотношение 1 : 3', en: '1 : 3 ratio' },
    DEADLINE: { kk: 'Мерзімдер', ru: 'Сроки', en: 'Deadlines' },
    STOP_LIST: { kk: 'Тоқтату тізімі', ru: 'Стоп-лист', en: 'Stop list' },
  } satisfies LabelSet<'NO_SKIP' | 'RATIO' | 'DEADLINE' | 'STOP_LIST'>,
} satisfies EnumLabels;
