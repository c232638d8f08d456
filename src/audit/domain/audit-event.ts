/**
 * Types of the fairness audit: ledger events in, a report out.
 *
 * Pure TypeScript: no clock, no I/O.
 */
import type { LedgerEventType, StoredLedgerEvent } from '../../ledger/domain/events.js';
import type { InterleaveRatio } from '../../queue/domain/index.js';

/** One ledger event as stored (`ledger_event`), in `seq` order. */
export interface AuditEvent {
  seq: number;
  type: string;
  entity: string;
  entityId: string;
  at: Date;
  data: Readonly<Record<string, unknown>>;
}

/**
 * An event of the given kinds as the audit reads it (ledger/domain/events.ts `viewLedgerEvent`): `data`
 * has exactly the keys of the kind's payload, so the compiler checks every field read; the values are
 * read with {@link read}, which tolerates a damaged ledger (the audit reports, it does not refuse).
 */
export type KindEvent<T extends LedgerEventType = LedgerEventType> = Extract<StoredLedgerEvent<AuditEvent>, { type: T }>;

export const FAIRNESS_CHECKS = ['NO_SKIP', 'RATIO', 'DEADLINE', 'STOP_LIST'] as const;
export type FairnessCheck = (typeof FAIRNESS_CHECKS)[number];

export interface FairnessViolation {
  check: FairnessCheck;
  /** The ledger event at which the violation shows (for a missed action: the event that set the term). */
  eventSeq: number;
  referralId: string | null;
  message: string;
  /** Ids, classes, instants and positions that let an operator re-check the finding (no personal data). */
  evidence: Record<string, unknown>;
}

export interface FairnessReport {
  from: Date | null;
  to: Date | null;
  eventsReplayed: number;
  /** Distinct referrals with at least one checked event in the period. */
  referralsChecked: number;
  violations: FairnessViolation[];
  ok: boolean;
}

/** The timers and ratio of the Rules the audit checks against (the `setting` table). */
export interface AuditSettings {
  confirmWorkingDays: number;
  documentsWorkingDays: number;
  extensionCalendarDays: number;
  stopListCalendarDays: number;
  interleave: InterleaveRatio;
  /** Hours after an allocation run that leaves a place unreferred before the place opens for claims. */
  priorityWindowHours: number;
}

/** A payload as stored: the keys of its kind ({@link KindEvent}), or any key for an untyped record. */
type Payload = Readonly<Partial<Record<string, unknown>>>;

/**
 * Reads of an event's `data` (jsonb), tolerant of missing or mistyped fields. `key` must be a key of the
 * payload's kind: a field renamed or dropped in ledger/domain/events.ts is a compile error here.
 */
export const read = {
  str<D extends Payload>(d: D, key: keyof D & string): string | null {
    const v = d[key];
    return typeof v === 'string' ? v : null;
  },
  num<D extends Payload>(d: D, key: keyof D & string): number | null {
    const v = d[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  },
  bool<D extends Payload>(d: D, key: keyof D & string): boolean | null {
    const v = d[key];
    return typeof v === 'boolean' ? v : null;
  },
  strs<D extends Payload>(d: D, key: keyof D & string): string[] {
    const v = d[key];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  },
  /** An ISO-8601 instant; null when absent or unparsable. */
  instant<D extends Payload>(d: D, key: keyof D & string): Date | null {
    const v = d[key];
    if (typeof v !== 'string') return null;
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : new Date(ms);
  },
};
