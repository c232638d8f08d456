/**
 * The referral clocks that run out (SPEC.md "Referral", rules/NOTES.md): the 00:00 sweeps and the same
 * expiry when a family or an organization acts after a deadline the sweep has not reached yet.
 *  - expiry: a referral not confirmed, or its documents not brought, in time → EXPIRED, the place back to
 *    allocation, the application on the stop-list for N calendar days (its time kept);
 *  - early booking: a BOOKED referral whose place was not marked vacated within N working days after its
 *    admission start → the booking lapses (CANCELLED), the application back in the queue with its time, the
 *    place that never freed taken back (revoked bulletin);
 *  - temporary stay (definition 14): the attendance term of a temporary place is over → the place returns to
 *    the child it was kept for, the family is texted (its application stayed in the queue all along).
 * Each chunk is one transaction that takes the queue-change locks of its localities before any row lock.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service.js';
import { addCalendarDays, almatyMidnight, toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { workingDaysDeadline } from '../calendar/domain/deadlines.js';
import { EventBatch } from '../ledger/event-batch.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { NotificationService, type OutboxMessage } from '../notification/notification.service.js';
import { lockLocalitiesForQueueChange } from '../platform/database/locks.js';
import { Metrics } from '../platform/metrics/metrics.js';
import { APPLICATION_COLUMNS, type ApplicationRow } from '../queue/application.row.js';
import { ApplicationStore } from '../queue/application.store.js';
import { SettingsService } from '../settings/settings.service.js';
import { bulletinDateOf } from '../vacancy/vacancy.service.js';
import { VacancyStore } from '../vacancy/vacancy.store.js';
import { attendanceOver } from './domain/temporary-stay.js';
import type { ReferralRow } from './referral.row.js';
import { REFERRAL_COLUMNS, ReferralStore, type Change } from './referral.store.js';
import { textFor } from './referral-views.js';
import { StopListService } from './stop-list.service.js';

/** Referrals per transaction of a midnight sweep. */
const CHUNK = 500;

const FIRST = { at: '-infinity', id: '00000000-0000-0000-0000-000000000000' };

@Injectable()
export class ReferralExpiryService {
  constructor(
    private readonly ds: DataSource,
    private readonly ledger: LedgerService,
    private readonly notifications: NotificationService,
    private readonly calendar: CalendarService,
    private readonly settings: SettingsService,
    private readonly metrics: Metrics,
    private readonly referrals: ReferralStore,
    private readonly places: VacancyStore,
    private readonly applications: ApplicationStore,
    private readonly stopList: StopListService,
  ) {}

  // ---------- expiry ----------

  /**
   * 00:00: expires every live referral whose deadline has passed. Set-based, in chunks of due referrals
   * (issue order, keyset pages of ix_referral_live_issued). Tens of thousands of referrals can lapse on one
   * night (the first days of September); none is held in memory beyond its chunk.
   */
  async expireDue(at: Date): Promise<{ expired: number }> {
    let expired = 0;
    for (let after = FIRST; ;) {
      const due: { id: string; issued_at: string; locality: string }[] = await this.ds.query(
        `SELECT r.id, r.issued_at::text AS issued_at, v.locality FROM referral r JOIN vacancy v ON v.id = r.vacancy_id
         WHERE r.status IN ('OFFERED','CONFIRMED')
           AND ((r.status = 'OFFERED' AND r.confirm_by <= $1) OR (r.status = 'CONFIRMED' AND r.valid_until <= $1))
           AND (r.issued_at, r.id) > ($2::timestamptz, $3::uuid)
         ORDER BY r.issued_at, r.id LIMIT $4`,
        [at, after.at, after.id, CHUNK],
      );
      if (!due.length) break;
      after = { at: due[due.length - 1].issued_at, id: due[due.length - 1].id };
      expired += await this.ds.transaction((em) => this.expire(em, due, at, 'system:expiry'));
    }
    this.metrics.referralsExpired.inc(expired);
    return { expired };
  }

  /**
   * Expires these referrals if their deadline has passed by `at` (re-checked under the row lock): referral
   * EXPIRED, place back to allocation, application stop-listed from the day after the deadline's last day,
   * family texted. Also used in the caller's transaction when a family or an organization acts on a referral
   * whose deadline the 00:00 sweep has not reached yet (`reason` then says what happened). Returns how many.
   */
  async expire(
    em: EntityManager,
    due: readonly { id: string; locality: string }[],
    at: Date,
    actor: string,
    reason?: string,
  ): Promise<number> {
    await lockLocalitiesForQueueChange(
      em,
      due.map((d) => d.locality),
    );
    const locked: ReferralRow[] = await em.query(
      `SELECT ${REFERRAL_COLUMNS} FROM referral r WHERE r.id = ANY($1::uuid[]) ORDER BY r.issued_at, r.id FOR UPDATE`,
      [due.map((d) => d.id)],
    );
    const lapsed = locked.flatMap((r) => {
      const deadline = r.status === 'OFFERED' ? r.confirm_by : r.status === 'CONFIRMED' ? r.valid_until : null;
      return deadline && deadline.getTime() <= at.getTime() ? [{ r, deadline }] : [];
    });
    if (!lapsed.length) return 0;
    const s = await this.settings.get(em);
    const appById = await this.appsOf(
      em,
      lapsed.map((x) => x.r.application_id),
    );
    const rows = lapsed.map(({ r, deadline }) => {
      const lastDay = toAlmatyDate(new Date(deadline.getTime() - 1));
      return {
        r,
        app: appOf(appById, r),
        reason: reason ?? (r.status === 'OFFERED' ? 'not confirmed in time' : 'documents not completed in time'),
        startsOn: addCalendarDays(lastDay, 1),
        until: addCalendarDays(lastDay, s.stopListCalendarDays),
      };
    });
    // Each referral's events together (referral.expired, stop_list.added), as if they lapsed one at a time.
    const c = { em, at, actor, batch: new EventBatch(rows.map((x) => x.r.application_id)) };
    await this.referrals.end(c, 'EXPIRED', rows);
    await this.places.release(
      em,
      rows.map((x) => x.r.vacancy_id),
    );
    await this.applications.stopListReferred(
      em,
      rows.map((x) => ({ id: x.r.application_id, until: x.until })),
      'referral expired',
      at,
    );
    await this.stopList.addForExpired(
      c,
      rows.map((x) => ({ applicationId: x.r.application_id, referralId: x.r.id, startsOn: x.startsOn, until: x.until })),
    );
    const texts: OutboxMessage[] = rows.map(({ r, app, until }) =>
      textFor(app, 'REFERRAL_EXPIRED_STOP_LISTED', `REFERRAL_EXPIRED:${r.id}`, { until }, at),
    );
    await c.batch.flush(em, this.ledger);
    await this.notifications.enqueueMany(em, texts);
    return rows.length;
  }

  // ---------- early booking ----------

  /**
   * 00:00: early bookings whose place was not marked vacated by the end of the earlyBookingWorkingDays-th
   * working day after its admission start date lapse: the referral ends (CANCELLED, no exclusion: the family
   * did nothing wrong), the application returns to the queue with its time, the family is texted, and the
   * place, which never freed, is taken back (it enters the revoked bulletin; the organization publishes it
   * again once it really frees).
   */
  async lapseBookings(at: Date): Promise<{ lapsed: number }> {
    const today = toAlmatyDate(at);
    let lapsed = 0;
    for (let after = FIRST; ;) {
      const due: { id: string; issued_at: string; locality: string; start: string }[] = await this.ds.query(
        `SELECT r.id, r.issued_at::text AS issued_at, v.locality, to_char(v.admission_start_date, 'YYYY-MM-DD') AS start
         FROM referral r JOIN vacancy v ON v.id = r.vacancy_id
         WHERE r.status = 'BOOKED' AND v.vacated_at IS NULL AND v.admission_start_date < $1::date
           AND (r.issued_at, r.id) > ($2::timestamptz, $3::uuid)
         ORDER BY r.issued_at, r.id LIMIT $4`,
        [today, after.at, after.id, CHUNK],
      );
      if (!due.length) break;
      after = { at: due[due.length - 1].issued_at, id: due[due.length - 1].id };
      lapsed += await this.ds.transaction((em) => this.lapseChunk(em, due, at));
    }
    return { lapsed };
  }

  private async lapseChunk(em: EntityManager, due: readonly { id: string; locality: string }[], at: Date): Promise<number> {
    await lockLocalitiesForQueueChange(
      em,
      due.map((d) => d.locality),
    );
    const s = await this.settings.get(em);
    const cal = await this.calendar.calendar(em);
    const locked: (ReferralRow & { start: string; vacated_at: Date | null; org_name: string })[] = await em.query(
      `SELECT ${REFERRAL_COLUMNS}, to_char(v.admission_start_date, 'YYYY-MM-DD') AS start, v.vacated_at, o.name AS org_name
       FROM referral r JOIN vacancy v ON v.id = r.vacancy_id JOIN organization o ON o.id = v.organization_id
       WHERE r.id = ANY($1::uuid[]) ORDER BY r.issued_at, r.id FOR UPDATE OF r, v`,
      [due.map((d) => d.id)],
    );
    const items = locked.flatMap((r) => {
      if (r.status !== 'BOOKED' || r.vacated_at) return [];
      const lapseAt = workingDaysDeadline(cal, almatyMidnight(r.start), s.earlyBookingWorkingDays);
      return lapseAt.getTime() <= at.getTime() ? [{ r, admissionStartDate: r.start, lapseAt }] : [];
    });
    if (!items.length) return 0;
    const appById = await this.appsOf(
      em,
      items.map((i) => i.r.application_id),
    );
    const c: Change = { em, at, actor: 'system' };
    await this.referrals.lapseBookings(c, items);
    await this.places.release(
      em,
      items.map((i) => i.r.vacancy_id),
    );
    for (const { r } of items) {
      await this.places.revoke(
        c,
        { id: r.vacancy_id, status: 'PUBLISHED' },
        'early booking lapsed: not vacated in time',
        bulletinDateOf(at, s.transferPeriod),
      );
    }
    await this.applications.returnToQueue(
      em,
      items.map((i) => i.r.application_id),
      at,
    );
    await this.notifications.enqueueMany(
      em,
      items.map(({ r }) =>
        textFor(appOf(appById, r), 'EARLY_BOOKING_LAPSED', `EARLY_BOOKING_LAPSED:${r.id}`, { organization: r.org_name }, at),
      ),
    );
    return items.length;
  }

  // ---------- temporary stay ----------

  /**
   * 00:00: temporary-stay attendance terms whose last day is over end: the place returns to the child it was
   * kept for (it stays FILLED), the family is texted; the child may again be offered a temporary place.
   */
  async endAttendances(at: Date): Promise<{ ended: number }> {
    const today = toAlmatyDate(at);
    let ended = 0;
    for (let after = FIRST; ;) {
      const due: { id: string; issued_at: string; locality: string }[] = await this.ds.query(
        `SELECT r.id, r.issued_at::text AS issued_at, a.locality FROM referral r JOIN application a ON a.id = r.application_id
         WHERE r.attendance_until IS NOT NULL AND r.attendance_ended_at IS NULL AND r.attendance_until < $1::date
           AND (r.issued_at, r.id) > ($2::timestamptz, $3::uuid)
         ORDER BY r.issued_at, r.id LIMIT $4`,
        [today, after.at, after.id, CHUNK],
      );
      if (!due.length) break;
      after = { at: due[due.length - 1].issued_at, id: due[due.length - 1].id };
      ended += await this.ds.transaction(async (em) => {
        await lockLocalitiesForQueueChange(
          em,
          due.map((d) => d.locality),
        );
        const locked: (ReferralRow & { org_name: string })[] = await em.query(
          `SELECT ${REFERRAL_COLUMNS}, o.name AS org_name FROM referral r JOIN vacancy v ON v.id = r.vacancy_id
           JOIN organization o ON o.id = v.organization_id
           WHERE r.id = ANY($1::uuid[]) AND r.attendance_ended_at IS NULL ORDER BY r.issued_at, r.id FOR UPDATE OF r`,
          [due.map((d) => d.id)],
        );
        const items = locked.flatMap((r) =>
          r.attendance_until && attendanceOver(r.attendance_until, today) ? [{ r, attendanceUntil: r.attendance_until }] : [],
        );
        if (!items.length) return 0;
        const appById = await this.appsOf(
          em,
          items.map((i) => i.r.application_id),
        );
        await this.referrals.endAttendance({ em, at, actor: 'system' }, items, 'TERM_OVER');
        await this.notifications.enqueueMany(
          em,
          items.map(({ r, attendanceUntil }) =>
            textFor(
              appOf(appById, r),
              'TEMPORARY_STAY_ENDED',
              `TEMPORARY_STAY_ENDED:${r.id}`,
              { organization: r.org_name, until: attendanceUntil },
              at,
            ),
          ),
        );
        return items.length;
      });
    }
    return { ended };
  }

  private async appsOf(em: EntityManager, ids: readonly string[]): Promise<Map<string, ApplicationRow>> {
    const apps: ApplicationRow[] = await em.query(`SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = ANY($1::uuid[])`, [ids]);
    return new Map(apps.map((a) => [a.id, a]));
  }
}

function appOf(apps: ReadonlyMap<string, ApplicationRow>, r: Pick<ReferralRow, 'id' | 'application_id'>): ApplicationRow {
  const app = apps.get(r.application_id);
  if (!app) throw new Error(`referral ${r.id}: application ${r.application_id} not found`);
  return app;
}
