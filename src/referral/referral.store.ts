/**
 * The only writer of the `referral` and `referral_exclusion` tables. Every method is a named change of
 * the referral life cycle (domain/referral-state.ts), runs in the caller's transaction, checks the state
 * machine first and appends the change's ledger event. The place and the application a change also moves
 * are written by their own stores (VacancyStore, ApplicationStore), composed by ReferralLifecycleService.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventBatch, record } from '../ledger/event-batch.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { returning } from '../platform/database/sql.js';
import { mustStep } from '../platform/errors/state-step.js';
import {
  edit,
  LIVE_REFERRAL_STATUSES_SQL,
  transition,
  type ReferralEdit,
  type ReferralAction,
  type ReferralStatus,
} from './domain/referral-state.js';
import type { ReferralRow } from './referral.row.js';

export const REFERRAL_COLUMNS = `r.id, r.application_id, r.vacancy_id, r.status, r.issued_at, r.clock_start, r.confirm_by,
  r.confirmed_at, r.valid_until, r.extended, r.documents, r.required_documents, r.claimed, r.closed_at, r.close_reason,
  to_char(r.attendance_until, 'YYYY-MM-DD') AS attendance_until, r.attendance_ended_at, r.close_note`;

export interface Change {
  em: EntityManager;
  at: Date;
  actor: string;
  /** Hold the ledger events to append them grouped by application (see EventBatch). */
  batch?: EventBatch;
}

/** One referral to issue, with its terms and what its ledger event records about the application. */
export interface NewReferral {
  applicationId: string;
  vacancyId: string;
  status: 'BOOKED' | 'OFFERED';
  clockStart: Date | null;
  confirmBy: Date | null;
  requiredDocuments: readonly string[];
  claimed: boolean;
  runId: string | null;
  queueKey: string | null;
  priorityClass: number;
  registeredAt: Date;
  seq: number;
}

/** How a live referral ends without enrolment. */
export type Ending = 'DECLINED' | 'EXPIRED' | 'CANCELLED';
const ENDING_ACTION: Record<Ending, ReferralAction> = { DECLINED: 'DECLINE', EXPIRED: 'EXPIRE', CANCELLED: 'CANCEL' };
const ENDING_EVENT = { DECLINED: 'referral.declined', EXPIRED: 'referral.expired', CANCELLED: 'referral.cancelled' } as const;

type Held = Pick<ReferralRow, 'id' | 'status' | 'application_id' | 'vacancy_id' | 'confirm_by' | 'valid_until'>;

const check = (r: { id: string; status: string }, action: ReferralAction): ReferralStatus =>
  mustStep(transition(r.status as ReferralStatus, action), `referral ${r.id}`, 'id');
const checkEdit = (r: { id: string; status: string }, action: ReferralEdit): ReferralStatus =>
  mustStep(edit(r.status as ReferralStatus, action), `referral ${r.id}`, 'id');

@Injectable()
export class ReferralStore {
  constructor(private readonly ledger: LedgerService) {}

  async load(em: EntityManager, id: string, lock = false): Promise<ReferralRow | undefined> {
    const rows: ReferralRow[] = await em.query(`SELECT ${REFERRAL_COLUMNS} FROM referral r WHERE r.id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
      id,
    ]);
    return rows[0];
  }

  /** ISSUE: referrals in the given order (their ledger events follow it), one statement per kind. Returns their ids. */
  async issue(c: Change, items: readonly NewReferral[]): Promise<string[]> {
    if (!items.length) return [];
    const inserted: { id: string; application_id: string }[] = await c.em.query(
      `INSERT INTO referral (application_id, vacancy_id, status, issued_at, clock_start, confirm_by, required_documents, claimed, run_id, queue_key)
       SELECT application_id, vacancy_id, status, $4, clock_start, confirm_by, string_to_array(required, ','), claimed, run_id, queue_key
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::boolean[], $9::uuid[], $10::text[])
            WITH ORDINALITY AS x(application_id, vacancy_id, status, clock_start, confirm_by, required, claimed, run_id, queue_key, ord)
       ORDER BY ord
       RETURNING id, application_id`,
      [
        items.map((i) => i.applicationId),
        items.map((i) => i.vacancyId),
        items.map((i) => i.status),
        c.at,
        items.map((i) => i.clockStart),
        items.map((i) => i.confirmBy),
        items.map((i) => i.requiredDocuments.join(',')),
        items.map((i) => i.claimed),
        items.map((i) => i.runId),
        items.map((i) => i.queueKey),
      ],
    );
    const idOf = new Map(inserted.map((r) => [r.application_id, r.id]));
    const ids = items.map((i) => idOf.get(i.applicationId) ?? '');
    await this.ledger.appendMany(
      c.em,
      items.map((i, k) => ({
        type: 'referral.issued' as const,
        entity: 'referral' as const,
        entityId: ids[k],
        actor: c.actor,
        at: c.at,
        data: {
          applicationId: i.applicationId,
          vacancyId: i.vacancyId,
          status: i.status,
          queueKey: i.queueKey,
          runId: i.runId,
          claimed: i.claimed,
          priorityClass: i.priorityClass,
          registeredAt: i.registeredAt.toISOString(),
          seq: i.seq,
          clockStart: i.clockStart?.toISOString() ?? null,
          confirmBy: i.confirmBy?.toISOString() ?? null,
        },
      })),
    );
    return ids;
  }

  /** MARK_VACATED: the early-booked place freed; the confirmation clock starts. */
  async offer(c: Change, r: ReferralRow, clockStart: Date, confirmBy: Date): Promise<void> {
    check(r, 'MARK_VACATED');
    await c.em.query(`UPDATE referral SET status = 'OFFERED', clock_start = $2, confirm_by = $3 WHERE id = $1`, [
      r.id,
      clockStart,
      confirmBy,
    ]);
    await this.ledger.append(c.em, {
      type: 'referral.offered',
      entity: 'referral',
      entityId: r.id,
      actor: c.actor,
      at: c.at,
      data: { clockStart: clockStart.toISOString(), confirmBy: confirmBy.toISOString() },
    });
  }

  /** CONFIRM: the family accepts; the documents deadline runs. */
  async confirm(c: Change, r: ReferralRow, validUntil: Date): Promise<void> {
    check(r, 'CONFIRM');
    await c.em.query(`UPDATE referral SET status = 'CONFIRMED', confirmed_at = $2, valid_until = $3 WHERE id = $1`, [
      r.id,
      c.at,
      validUntil,
    ]);
    await this.ledger.append(c.em, {
      type: 'referral.confirmed',
      entity: 'referral',
      entityId: r.id,
      actor: c.actor,
      at: c.at,
      data: { applicationId: r.application_id, vacancyId: r.vacancy_id, validUntil: validUntil.toISOString() },
    });
  }

  /** EXTEND: the organization extends the documents deadline (once). */
  async extend(c: Change, r: ReferralRow, validUntil: Date): Promise<void> {
    checkEdit(r, 'EXTEND');
    await c.em.query(`UPDATE referral SET valid_until = $2, extended = true WHERE id = $1`, [r.id, validUntil]);
    await this.ledger.append(c.em, {
      type: 'referral.extended',
      entity: 'referral',
      entityId: r.id,
      actor: c.actor,
      at: c.at,
      data: { validUntil: validUntil.toISOString(), previous: r.valid_until?.toISOString() ?? null },
    });
  }

  /** RECORD_DOCUMENTS: documents received; `documents` is the full set afterwards. */
  async recordDocuments(c: Change, r: ReferralRow, kinds: readonly string[], documents: readonly string[]): Promise<void> {
    checkEdit(r, 'RECORD_DOCUMENTS');
    await c.em.query(`UPDATE referral SET documents = $2::text[] WHERE id = $1`, [r.id, documents]);
    await this.ledger.append(c.em, {
      type: 'referral.documents_recorded',
      entity: 'referral',
      entityId: r.id,
      actor: c.actor,
      at: c.at,
      data: { kinds: [...kinds], documents: [...documents] },
    });
  }

  /** ENROLL: the child is admitted (a temporary place records its attendance term). */
  async enroll(c: Change, r: ReferralRow, temporary: { attendanceUntil: string | null } | null): Promise<void> {
    check(r, 'ENROLL');
    await c.em.query(
      `UPDATE referral SET status = 'ENROLLED', closed_at = $2, close_reason = 'enrolled', attendance_until = $3 WHERE id = $1`,
      [r.id, c.at, temporary?.attendanceUntil ?? null],
    );
    await this.ledger.append(c.em, {
      type: 'referral.enrolled',
      entity: 'referral',
      entityId: r.id,
      actor: c.actor,
      at: c.at,
      data: {
        applicationId: r.application_id,
        vacancyId: r.vacancy_id,
        ...(temporary ? { temporaryStay: true, attendanceUntil: temporary.attendanceUntil } : {}),
      },
    });
  }

  /**
   * DECLINE / EXPIRE / CANCEL: live referrals end without enrolment, in the given order (one ledger event
   * each, in that order); the pair (application, place) is never offered again.
   */
  async end(c: Change, ending: Ending, items: readonly { r: Held; reason: string; note?: string | null }[]): Promise<void> {
    if (!items.length) return;
    for (const { r } of items) check(r, ENDING_ACTION[ending]);
    // The note (a refusal's or a cancellation's free text) stays on the row; the ledger keeps the code only.
    await c.em.query(
      `UPDATE referral r SET status = $3, closed_at = $2, close_reason = x.reason, close_note = x.note
       FROM unnest($1::uuid[], $4::text[], $5::text[]) AS x(id, reason, note) WHERE r.id = x.id`,
      [items.map((i) => i.r.id), c.at, ending, items.map((i) => i.reason), items.map((i) => i.note ?? null)],
    );
    await c.em.query(
      `INSERT INTO referral_exclusion (application_id, vacancy_id) SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`,
      [items.map((i) => i.r.application_id), items.map((i) => i.r.vacancy_id)],
    );
    await record(
      this.ledger,
      c,
      items.map(({ r, reason }) => ({
        type: ENDING_EVENT[ending],
        entity: 'referral' as const,
        entityId: r.id,
        actor: c.actor,
        at: c.at,
        data: {
          applicationId: r.application_id,
          vacancyId: r.vacancy_id,
          reason,
          previousStatus: r.status,
          confirmBy: r.confirm_by?.toISOString() ?? null,
          validUntil: r.valid_until?.toISOString() ?? null,
        },
      })),
      items.map(({ r }) => r.application_id),
    );
  }

  /**
   * LAPSE_BOOKING: early bookings whose place was not marked vacated in time end (CANCELLED). The family did
   * nothing wrong: no exclusion from the place, and the caller returns the application to the queue.
   */
  async lapseBookings(c: Change, items: readonly { r: Held; admissionStartDate: string; lapseAt: Date }[]): Promise<void> {
    if (!items.length) return;
    for (const { r } of items) check(r, 'LAPSE_BOOKING');
    await c.em.query(
      `UPDATE referral SET status = 'CANCELLED', closed_at = $2, close_reason = 'early booking lapsed: the place was not marked vacated in time'
       WHERE id = ANY($1::uuid[])`,
      [items.map((i) => i.r.id), c.at],
    );
    await record(
      this.ledger,
      c,
      items.map(({ r, admissionStartDate, lapseAt }) => ({
        type: 'referral.booking_lapsed' as const,
        entity: 'referral' as const,
        entityId: r.id,
        actor: c.actor,
        at: c.at,
        data: { applicationId: r.application_id, vacancyId: r.vacancy_id, admissionStartDate, lapseAt: lapseAt.toISOString() },
      })),
      items.map(({ r }) => r.application_id),
    );
  }

  /** END_ATTENDANCE: temporary-stay attendance terms end (the place returns to the child it was kept for). */
  async endAttendance(
    c: Change,
    items: readonly { r: Pick<ReferralRow, 'id' | 'status' | 'application_id' | 'vacancy_id'>; attendanceUntil: string }[],
    reason: 'TERM_OVER' | 'PERMANENT_PLACE',
  ): Promise<void> {
    if (!items.length) return;
    for (const { r } of items) checkEdit(r, 'END_ATTENDANCE');
    await c.em.query(`UPDATE referral SET attendance_ended_at = $2 WHERE id = ANY($1::uuid[]) AND attendance_ended_at IS NULL`, [
      items.map((i) => i.r.id),
      c.at,
    ]);
    await record(
      this.ledger,
      c,
      items.map(({ r, attendanceUntil }) => ({
        type: 'referral.attendance_ended' as const,
        entity: 'referral' as const,
        entityId: r.id,
        actor: c.actor,
        at: c.at,
        data: { applicationId: r.application_id, vacancyId: r.vacancy_id, attendanceUntil, reason },
      })),
      items.map(({ r }) => r.application_id),
    );
  }

  /** The live referrals of these applications, row-locked, by application then id. */
  async lockLiveOf(em: EntityManager, applicationIds: readonly string[]): Promise<ReferralRow[]> {
    if (!applicationIds.length) return [];
    return em.query(
      `SELECT ${REFERRAL_COLUMNS} FROM referral r WHERE r.application_id = ANY($1::uuid[]) AND r.status IN ${LIVE_REFERRAL_STATUSES_SQL}
       ORDER BY r.application_id, r.id FOR UPDATE`,
      [applicationIds],
    );
  }

  /** REMIND: the day-before text of this deadline went out (one per referral and deadline). */
  async remind(em: EntityManager, r: { id: string; status: string }, deadline: Date): Promise<void> {
    checkEdit(r, 'REMIND');
    await returning(em, `UPDATE referral SET reminded_for = $2 WHERE id = $1`, [r.id, deadline]);
  }
}
