/**
 * Referral (направление) life cycle and the documents a family must bring.
 *
 *   BOOKED ──MARK_VACATED──▶ OFFERED ──CONFIRM──▶ CONFIRMED ──ENROLL──▶ ENROLLED
 *                               │                     │
 *                               ├──DECLINE / EXPIRE───┴──▶ DECLINED / EXPIRED
 *   BOOKED ──DECLINE──▶ DECLINED (a family may refuse an early-booked place before it frees)
 *   BOOKED | OFFERED | CONFIRMED ──CANCEL──▶ CANCELLED
 *
 * Live statuses (the place is held): BOOKED, OFFERED, CONFIRMED. The others are terminal.
 *
 * Pure functions: no clock, no I/O.
 */
import type { PriorityClass } from '../../queue/domain/index.js';
import type { GroupType } from './eligibility.js';

export const REFERRAL_STATUSES = [
  'BOOKED',
  'OFFERED',
  'CONFIRMED',
  'ENROLLED',
  'DECLINED',
  'EXPIRED',
  'CANCELLED',
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const LIVE_REFERRAL_STATUSES: readonly ReferralStatus[] = ['BOOKED', 'OFFERED', 'CONFIRMED'];

export function isLive(status: ReferralStatus): boolean {
  return LIVE_REFERRAL_STATUSES.includes(status);
}

export const REFERRAL_ACTIONS = [
  'MARK_VACATED',
  'CONFIRM',
  'DECLINE',
  'EXPIRE',
  'ENROLL',
  'CANCEL',
] as const;
export type ReferralAction = (typeof REFERRAL_ACTIONS)[number];

/** For each action: the statuses it applies to and the status it leads to. */
export const REFERRAL_TRANSITIONS: Readonly<
  Record<ReferralAction, { from: readonly ReferralStatus[]; to: ReferralStatus }>
> = {
  MARK_VACATED: { from: ['BOOKED'], to: 'OFFERED' },
  CONFIRM: { from: ['OFFERED'], to: 'CONFIRMED' },
  DECLINE: { from: ['BOOKED', 'OFFERED', 'CONFIRMED'], to: 'DECLINED' },
  EXPIRE: { from: ['OFFERED', 'CONFIRMED'], to: 'EXPIRED' },
  ENROLL: { from: ['CONFIRMED'], to: 'ENROLLED' },
  CANCEL: { from: ['BOOKED', 'OFFERED', 'CONFIRMED'], to: 'CANCELLED' },
};

export type TransitionResult = { ok: true; next: ReferralStatus } | { ok: false; reason: string };

export function transition(status: ReferralStatus, action: ReferralAction): TransitionResult {
  const rule = REFERRAL_TRANSITIONS[action];
  if (rule.from.includes(status)) return { ok: true, next: rule.to };
  return {
    ok: false,
    reason: `Cannot ${action} a referral in status ${status} (allowed from ${rule.from.join(', ')})`,
  };
}

export const DOCUMENT_KINDS = [
  'BIRTH_CERTIFICATE',
  'HEALTH_PASSPORT',
  'VACCINATION_CARD',
  'APPLICANT_ID',
  'PRIORITY_PROOF',
  'SPECIAL_NEEDS_CONCLUSION',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * Documents to present for enrolment: always the birth certificate, health passport, vaccination
 * card and applicant's ID; proof of priority for classes 0 and 1; the special-needs conclusion
 * (ПМПК) for a SPECIAL group.
 */
export function requiredDocuments(
  priorityClass: PriorityClass,
  groupType: GroupType,
): DocumentKind[] {
  const docs: DocumentKind[] = [
    'BIRTH_CERTIFICATE',
    'HEALTH_PASSPORT',
    'VACCINATION_CARD',
    'APPLICANT_ID',
  ];
  if (priorityClass === 0 || priorityClass === 1) docs.push('PRIORITY_PROOF');
  if (groupType === 'SPECIAL') docs.push('SPECIAL_NEEDS_CONCLUSION');
  return docs;
}

/** The required documents not among those received, in the order required. */
export function missingDocuments(
  required: readonly DocumentKind[],
  received: Iterable<string>,
): DocumentKind[] {
  const have = new Set<string>(received);
  return required.filter((doc) => !have.has(doc));
}
