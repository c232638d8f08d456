/**
 * Application (өтініш) life cycle, SPEC.md "Application":
 *
 *   REGISTER ──▶ QUEUED ──REFER──▶ REFERRED ──RETURN_TO_QUEUE──▶ QUEUED
 *                  │  ▲                │  (declined, refused, cancelled referral, temporary place taken)
 *                  │  └─END_STOP_LIST──┤
 *                  └──STOP_LIST──▶ STOP_LISTED ◀──STOP_LIST── (REFERRED: the referral expired)
 *   QUEUED | REFERRED | STOP_LISTED ──ARCHIVE──▶ ARCHIVED ──RESTORE──▶ QUEUED
 *
 * Changes that keep the status (a priority decision, joining a batch of twins, the family's correction of
 * what it entered, a new priority claim) are allowed in every live status, never in the archive. The only writer of the `application` table (src/queue/application.store.ts) checks
 * every change here first. Pure: no clock, no I/O.
 */
export const APPLICATION_STATUSES = ['QUEUED', 'REFERRED', 'STOP_LISTED', 'ARCHIVED'] as const;
export type ApplicationState = (typeof APPLICATION_STATUSES)[number];

/** Statuses in which a child is waiting (one live application per child). */
export const LIVE_APPLICATION_STATUSES: readonly ApplicationState[] = ['QUEUED', 'REFERRED', 'STOP_LISTED'];

export const APPLICATION_MOVES = {
  REFER: { from: ['QUEUED'], to: 'REFERRED' },
  RETURN_TO_QUEUE: { from: ['REFERRED'], to: 'QUEUED' },
  STOP_LIST: { from: ['QUEUED', 'REFERRED'], to: 'STOP_LISTED' },
  END_STOP_LIST: { from: ['STOP_LISTED'], to: 'QUEUED' },
  ARCHIVE: { from: LIVE_APPLICATION_STATUSES, to: 'ARCHIVED' },
  RESTORE: { from: ['ARCHIVED'], to: 'QUEUED' },
} as const satisfies Record<string, { from: readonly ApplicationState[]; to: ApplicationState }>;
export type ApplicationMove = keyof typeof APPLICATION_MOVES;

/** Changes of a live application that keep its status. */
export const APPLICATION_EDITS = {
  RECLASSIFY: LIVE_APPLICATION_STATUSES,
  JOIN_BATCH: LIVE_APPLICATION_STATUSES,
  /** The family (or an operator) corrects phone, choices, language, group, work modes, dates: number and time kept. */
  AMEND: LIVE_APPLICATION_STATUSES,
  /** A priority category claimed after registration (proof due in proofWorkingDays). */
  CLAIM_PRIORITY: LIVE_APPLICATION_STATUSES,
} as const satisfies Record<string, readonly ApplicationState[]>;
export type ApplicationEdit = keyof typeof APPLICATION_EDITS;

export type ApplicationStep = { ok: true; next: ApplicationState } | { ok: false; reason: string };

export function applicationStep(status: ApplicationState, action: ApplicationMove | ApplicationEdit): ApplicationStep {
  if (action in APPLICATION_MOVES) {
    const rule = APPLICATION_MOVES[action as ApplicationMove];
    const from: readonly ApplicationState[] = rule.from;
    if (from.includes(status)) return { ok: true, next: rule.to };
    return { ok: false, reason: `cannot ${action} an application in status ${status} (allowed from ${from.join(', ')})` };
  }
  const allowed: readonly ApplicationState[] = APPLICATION_EDITS[action as ApplicationEdit];
  if (allowed.includes(status)) return { ok: true, next: status };
  return { ok: false, reason: `cannot ${action} an application in status ${status} (allowed in ${allowed.join(', ')})` };
}
