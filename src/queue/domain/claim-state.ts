/**
 * A claimed priority category (rules/NOTES.md "Priority classes"):
 *
 *   (none) ──CLAIM──▶ PENDING ──CONFIRM──▶ CONFIRMED
 *                       │  └──REJECT──▶ REJECTED ◀──REJECT── CONFIRMED (proof found false)
 *                       └──LAPSE──▶ LAPSED          (proof not confirmed by its due time)
 *   LAPSED | REJECTED ──CLAIM──▶ PENDING            (a new claim: new claim time, new proof deadline)
 *
 * Only a PENDING claim can be confirmed: a claim that lapsed or was rejected needs a new claim (with a new
 * proof deadline), so a claim lapsed in June cannot be confirmed in November. Pure: no clock, no I/O.
 */
import type { ClaimStatus } from './vocabulary.js';

export const CLAIM_MOVES = {
  CLAIM: { from: [null, 'LAPSED', 'REJECTED'], to: 'PENDING' },
  CONFIRM: { from: ['PENDING'], to: 'CONFIRMED' },
  REJECT: { from: ['PENDING', 'CONFIRMED'], to: 'REJECTED' },
  LAPSE: { from: ['PENDING'], to: 'LAPSED' },
} as const satisfies Record<string, { from: readonly (ClaimStatus | null)[]; to: ClaimStatus }>;
export type ClaimMove = keyof typeof CLAIM_MOVES;

export type ClaimStep = { ok: true; next: ClaimStatus } | { ok: false; reason: string };

/** `status`: the claim's current status, null when the category was never claimed on this application. */
export function claimStep(status: ClaimStatus | null, action: ClaimMove): ClaimStep {
  const rule = CLAIM_MOVES[action];
  const from: readonly (ClaimStatus | null)[] = rule.from;
  if (from.includes(status)) return { ok: true, next: rule.to };
  const now = status ?? 'not claimed';
  const why: Partial<Record<ClaimMove, string>> = {
    CONFIRM: status === 'LAPSED' || status === 'REJECTED' ? ': a new claim is needed (addPriorityClaim), with a new proof deadline' : '',
    CLAIM: status === 'PENDING' ? ': its proof is awaited' : status === 'CONFIRMED' ? ': it is already confirmed' : '',
  };
  return { ok: false, reason: `cannot ${action} a claim that is ${now}${why[action] ?? ''}` };
}
