/** kk / ru / en texts of the Merkle proof's sides (GraphQL enum LedgerProofSide). Pure. */
import type { EnumLabels, LabelSet } from '../../platform/identifiers/label-text.js';

export const LEDGER_LABELS = {
  LedgerProofSide: {
    L: { kk: 'Сол жақ', ru: 'Слева', en: 'Left' },
    R: { kk: 'Оң жақ', ru: 'Справа', en: 'Right' },
  } satisfies LabelSet<'L' | 'R'>,
} satisfies EnumLabels;
