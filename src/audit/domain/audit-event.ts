/**
 * Types of the fairness audit: ledger events in, a report out.
 *
 * Pure TypeScript: no clock, no I/O.
 */
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
}

/** Reads of an event's `data` (jsonb), tolerant of missing or mistyped fields. */
export const read = {
  str(d: Readonly<Record<string, unknown>>, key: string): string | null {
    const v = d[key];
    return typeof v === 'string' ? v : null;
  },
  num(d: Readonly<Record<string, unknown>>, key: string): number | null {
    const v = d[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  },
  bool(d: Readonly<Record<string, unknown>>, key: string): boolean | null {
    const v = d[key];
    return typeof v === 'boolean' ? v : null;
  },
  strs(d: Readonly<Record<string, unknown>>, key: string): string[] {
    const v = d[key];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  },
  /** An ISO-8601 instant; null when absent or unparsable. */
  instant(d: Readonly<Record<string, unknown>>, key: string): Date | null {
    const v = d[key];
    if (typeof v !== 'string') return null;
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : new Date(ms);
  },
};
