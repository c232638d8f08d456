/** kk / ru / en texts of the archive reasons (GraphQL enum ArchiveReason). Pure. */
import type { EnumLabels, LabelSet } from '../../platform/identifiers/label-text.js';
import type { ArchiveReason } from './archive-reason.js';

export const ARCHIVE_LABELS = {
  ArchiveReason: {
    ENROLLED: { kk: 'Балабақшаға қабылданды', ru: 'Зачислен в детский сад', en: 'Enrolled' },
    WITHDRAWN: { kk: 'Өтініш кері қайтарылды', ru: 'Заявление отозвано', en: 'Withdrawn' },
    AGED_OUT: { kk: 'Жасы асып кетті', ru: 'Превышен возраст', en: 'Aged out' },
    DUPLICATE: { kk: 'Қайталанған өтініш', ru: 'Дубликат заявления', en: 'Duplicate' },
    OTHER: { kk: 'Басқа себеп', ru: 'Другая причина', en: 'Other' },
  } satisfies LabelSet<ArchiveReason>,
} satisfies EnumLabels;
