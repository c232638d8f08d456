/**
 * Referral (направление) life cycle and the documents a family must bring.
 *
 *   BOOKED ──MARK_VACATED──▶ OFFERED ──CONFIRM──▶ CONFIRMED ──ENROLL──▶ ENROLLED
 *                               │                     │
 *                               ├──DECLINE / EXPIRE───┴──▶ DECLINED / EXPIRED
 *   BOOKED ──DECLINE──▶ DECLINED (a family may refuse an early-booked place before it frees)
 *   BOOKED | OFFERED | CONFIRMED ──CANCEL──▶ CANCELLED
 *   BOOKED ──LAPSE_BOOKING──▶ CANCELLED (the place was not marked vacated in time after its admission start)
 *   ENROLLED ──END_ATTENDANCE── (a temporary-stay place: its attendance term ends; the status stays)
 *
 * Live statuses (the place is held): BOOKED, OFFERED, CONFIRMED. The others are terminal.
 *
 * Pure functions: no clock, no I/O.
 */
import { enumOf } from '../../platform/identifiers/enum-of.js';
import type { PriorityClass } from '../../queue/domain/index.js';
import type { GroupType } from '../../vacancy/domain/vocabulary.js';

export const REFERRAL_STATUSES = ['BOOKED', 'OFFERED', 'CONFIRMED', 'ENROLLED', 'DECLINED', 'EXPIRED', 'CANCELLED'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
/** {@link REFERRAL_STATUSES} by name (`ReferralStatus.BOOKED`); GraphQL registers it in ../dto/referral.enums.ts. */
export const ReferralStatus = enumOf(REFERRAL_STATUSES);

export const LIVE_REFERRAL_STATUSES: readonly ReferralStatus[] = ['BOOKED', 'OFFERED', 'CONFIRMED'];
/** {@link LIVE_REFERRAL_STATUSES} as an SQL list, for `status IN ${LIVE_REFERRAL_STATUSES_SQL}`. */
export const LIVE_REFERRAL_STATUSES_SQL = `(${LIVE_REFERRAL_STATUSES.map((s) => `'${s}'`).join(',')})`;

export function isLive(status: ReferralStatus): boolean {
  return LIVE_REFERRAL_STATUSES.includes(status);
}

export const REFERRAL_ACTIONS = ['MARK_VACATED', 'CONFIRM', 'DECLINE', 'EXPIRE', 'ENROLL', 'CANCEL', 'LAPSE_BOOKING'] as const;
export type ReferralAction = (typeof REFERRAL_ACTIONS)[number];

/** For each action: the statuses it applies to and the status it leads to. */
export const REFERRAL_TRANSITIONS: Readonly<Record<ReferralAction, { from: readonly ReferralStatus[]; to: ReferralStatus }>> = {
  MARK_VACATED: { from: ['BOOKED'], to: 'OFFERED' },
  CONFIRM: { from: ['OFFERED'], to: 'CONFIRMED' },
  DECLINE: { from: LIVE_REFERRAL_STATUSES, to: 'DECLINED' },
  EXPIRE: { from: ['OFFERED', 'CONFIRMED'], to: 'EXPIRED' },
  ENROLL: { from: ['CONFIRMED'], to: 'ENROLLED' },
  CANCEL: { from: LIVE_REFERRAL_STATUSES, to: 'CANCELLED' },
  /** Early booking: the place was not marked vacated within the set working days after its admission start. */
  LAPSE_BOOKING: { from: ['BOOKED'], to: 'CANCELLED' },
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

/** Changes of a live referral that keep its status (the referral store checks them here). */
export const REFERRAL_EDITS = {
  /** The organization extends the documents deadline once. */
  EXTEND: ['CONFIRMED'],
  RECORD_DOCUMENTS: ['CONFIRMED'],
  /** The day-before reminder of its deadline was sent. */
  REMIND: ['OFFERED', 'CONFIRMED'],
  /** A temporary-stay place: the attendance term is over (or the child took a permanent place). */
  END_ATTENDANCE: ['ENROLLED'],
} as const satisfies Record<string, readonly ReferralStatus[]>;
export type ReferralEdit = keyof typeof REFERRAL_EDITS;

/** {@link transition} for the changes that keep the status. */
export function edit(status: ReferralStatus, action: ReferralEdit): TransitionResult {
  const allowed: readonly ReferralStatus[] = REFERRAL_EDITS[action];
  if (allowed.includes(status)) return { ok: true, next: status };
  return { ok: false, reason: `Cannot ${action} a referral in status ${status} (allowed in ${allowed.join(', ')})` };
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
export const DocumentKind = enumOf(DOCUMENT_KINDS);

/** Why an organization refuses to enrol a referred child. */
export const REFUSAL_REASONS = ['INCOMPLETE_DOCUMENTS', 'EXPIRED_DOCUMENTS', 'VACCINATION_LIMIT'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
export const RefusalReason = enumOf(REFUSAL_REASONS);

/** What the organization knows when it refuses admission (see {@link refusalProblem}). */
export interface RefusalFacts {
  status: ReferralStatus;
  /** The documents deadline (validUntil) has passed. */
  deadlinePassed: boolean;
  /** Required documents not recorded. */
  missing: readonly DocumentKind[];
  /** The organization's note (trimmed; empty when none). */
  note: string;
}

/**
 * Why a refusal is not allowed, or null. Admission is refused only on a CONFIRMED referral (an OFFERED
 * family has not yet been asked for documents); INCOMPLETE_DOCUMENTS only once the documents deadline has
 * passed with documents still missing; EXPIRED_DOCUMENTS and VACCINATION_LIMIT need a note saying which
 * document or which limit.
 */
export function refusalProblem(
  reason: RefusalReason,
  f: RefusalFacts,
): { field: 'referralId' | 'reason' | 'note'; problem: string } | null {
  if (f.status !== 'CONFIRMED') {
    return { field: 'referralId', problem: `referral is ${f.status}; admission is refused only on a CONFIRMED referral` };
  }
  if (reason === 'INCOMPLETE_DOCUMENTS') {
    if (!f.missing.length) return { field: 'reason', problem: 'INCOMPLETE_DOCUMENTS: every required document is recorded' };
    if (!f.deadlinePassed) return { field: 'reason', problem: 'INCOMPLETE_DOCUMENTS: the documents deadline has not passed yet' };
  } else if (!f.note) {
    return { field: 'note', problem: `is required for ${reason} (which document, which limit)` };
  }
  return null;
}

/** Why staff or an operator cancel a live referral (cancelReferral). */
export const CANCEL_REASONS = ['GROUP_CLOSED', 'ORGANIZATION_ERROR', 'DUPLICATE', 'OTHER'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** Why a cancellation's reason and note are not acceptable, or null: a known code; OTHER needs a note. */
export function cancelProblem(reason: string, note: string): { field: 'reason' | 'note'; problem: string } | null {
  if (!(CANCEL_REASONS as readonly string[]).includes(reason)) {
    return { field: 'reason', problem: `must be one of ${CANCEL_REASONS.join(', ')}` };
  }
  if (reason === 'OTHER' && !note) return { field: 'note', problem: 'is required when the reason is OTHER' };
  return null;
}

/**
 * Documents to present for enrolment: always the birth certificate, health passport, vaccination
 * card and applicant's ID; proof of priority for classes 0 and 1; the special-needs conclusion
 * (ПМПК) for a SPECIAL group.
 */
export function requiredDocuments(priorityClass: PriorityClass, groupType: GroupType): DocumentKind[] {
  const docs: DocumentKind[] = ['BIRTH_CERTIFICATE', 'HEALTH_PASSPORT', 'VACCINATION_CARD', 'APPLICANT_ID'];
  if (priorityClass === 0 || priorityClass === 1) docs.push('PRIORITY_PROOF');
  if (groupType === 'SPECIAL') docs.push('SPECIAL_NEEDS_CONCLUSION');
  return docs;
}

/** The required documents not among those received, in the order required. */
export function missingDocuments(required: readonly DocumentKind[], received: Iterable<string>): DocumentKind[] {
  const have = new Set<string>(received);
  return required.filter((doc) => !have.has(doc));
}
