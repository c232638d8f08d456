/**
 * Place (vacancy, бос орын) life cycle, SPEC.md "Vacancy":
 *
 *   PUBLISH ──▶ PUBLISHED ──REFER──▶ REFERRED ──FILL──▶ FILLED
 *                  │  ▲ ▲               ▲
 *                  │  │ └──RELEASE──────┤ (its referral declined, expired or cancelled)
 *                  │  └────RELEASE──┐   │
 *                  ├──BOOK──▶ BOOKED ──REFER── (early booking: the place is marked vacated)
 *                  └──REVOKE──▶ REVOKED
 *
 * Changes that keep the status: MARK_VACATED (an early-booked place frees), OPEN (its priority window
 * starts), NOTICE (families told it is open), RENOTICE (an open place's best-ranked fitting families are to
 * be told again: a family that fits came back from the stop-list), ENTER_BULLETIN (it appears in the day's
 * bulletin). RELEASE also ends the place's open round (open_at, open_notified_at): when it again passes a
 * priority window unreferred it opens anew and its families are told again. The only
 * writer of the `vacancy` table (src/vacancy/vacancy.store.ts) checks every change here first. Pure.
 */
export const VACANCY_STATES = ['PUBLISHED', 'BOOKED', 'REFERRED', 'FILLED', 'REVOKED'] as const;
export type VacancyState = (typeof VACANCY_STATES)[number];

export const VACANCY_MOVES = {
  BOOK: { from: ['PUBLISHED'], to: 'BOOKED' },
  REFER: { from: ['PUBLISHED', 'BOOKED'], to: 'REFERRED' },
  RELEASE: { from: ['BOOKED', 'REFERRED'], to: 'PUBLISHED' },
  FILL: { from: ['REFERRED'], to: 'FILLED' },
  REVOKE: { from: ['PUBLISHED'], to: 'REVOKED' },
} as const satisfies Record<string, { from: readonly VacancyState[]; to: VacancyState }>;
export type VacancyMove = keyof typeof VACANCY_MOVES;

export const VACANCY_EDITS = {
  MARK_VACATED: ['PUBLISHED', 'BOOKED'],
  OPEN: ['PUBLISHED'],
  NOTICE: ['PUBLISHED'],
  RENOTICE: ['PUBLISHED'],
  ENTER_BULLETIN: VACANCY_STATES,
} as const satisfies Record<string, readonly VacancyState[]>;
export type VacancyEdit = keyof typeof VACANCY_EDITS;

/** Statuses in which a place is held by a live referral. */
export const HELD_VACANCY_STATES: readonly VacancyState[] = VACANCY_MOVES.RELEASE.from;

export type VacancyStep = { ok: true; next: VacancyState } | { ok: false; reason: string };

export function vacancyStep(status: VacancyState, action: VacancyMove | VacancyEdit): VacancyStep {
  if (action in VACANCY_MOVES) {
    const rule = VACANCY_MOVES[action as VacancyMove];
    const from: readonly VacancyState[] = rule.from;
    if (from.includes(status)) return { ok: true, next: rule.to };
    return { ok: false, reason: `cannot ${action} a place in status ${status} (allowed from ${from.join(', ')})` };
  }
  const allowed: readonly VacancyState[] = VACANCY_EDITS[action as VacancyEdit];
  if (allowed.includes(status)) return { ok: true, next: status };
  return { ok: false, reason: `cannot ${action} a place in status ${status} (allowed in ${allowed.join(', ')})` };
}
