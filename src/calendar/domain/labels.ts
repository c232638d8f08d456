/** kk / ru / en texts of the calendar's day kinds (GraphQL enum CalendarDayKind). Pure. */
import type { EnumLabels, LabelSet } from '../../platform/identifiers/label-text.js';

export const CALENDAR_LABELS = {
  CalendarDayKind: {
    HOLIDAY: { kk: 'Мереке күні', ru: 'Праздничный день', en: 'Public holiday' },
    TRANSFERRED_DAY_OFF: { kk: 'Ауыстырылған демалыс күні', ru: 'Перенесённый выходной день', en: 'Transferred day off' },
    TRANSFERRED_WORKDAY: { kk: 'Ауыстырылған жұмыс күні', ru: 'Перенесённый рабочий день', en: 'Transferred working day' },
  } satisfies LabelSet<'HOLIDAY' | 'TRANSFERRED_DAY_OFF' | 'TRANSFERRED_WORKDAY'>,
} satisfies EnumLabels;
