/**
 * The referral life cycle (SPEC.md "Referral", domain/referral-state.ts): issuing (for allocation and
 * claims), a family's answers (confirm, decline, claim), an organization's steps (mark vacated, extend,
 * documents, refuse, enrol), the midnight expiry and the cancelling of an archived application's referral.
 * Each action is one transaction composing the stores (ReferralStore, VacancyStore, ApplicationStore,
 * StopListService for stop-list terms) and the applicant's text; the stores check the state machines and
 * write the ledger.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { actorOf, type Principal } from '../auth/principal.js';
import { CalendarService } from '../calendar/calendar.service.js';
import { addCalendarDays, almatyMidnight, endOfAlmatyDay, toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { calendarDaysDeadline, workingDaysDeadline } from '../calendar/domain/deadlines.js';
import { EventBatch } from '../ledger/event-batch.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { NotificationService, type OutboxMessage } from '../notification/notification.service.js';
import { isUuid } from '../platform/identifiers/uuid.js';
import { Clock } from '../platform/clock/clock.js';
import { lockLocalitiesForQueueChange, lockLocalityForAllocation, lockLocalityForQueueChange } from '../platform/database/locks.js';
import { badInput, conflict, notFound } from '../platform/errors/app-error.js';
import { ArchiveReason } from '../archive/domain/archive-reason.js';
import { type DocumentKind, type RefusalReason } from '../referral/domain/referral-state.js';
import { AdmissionMode } from '../vacancy/domain/vocabulary.js';
import { isRealDate } from '../platform/graphql/scalars.js';
import { Metrics } from '../platform/metrics/metrics.js';
import { SettingsService, type Settings } from '../settings/settings.service.js';
import { APPLICATION_COLUMNS, type ApplicationRow } from '../queue/application.row.js';
import { ApplicationStore } from '../queue/application.store.js';
import { inTransferPeriod } from '../vacancy/domain/vacancy-rules.js';
import { toVacancy, VACANCY_COLUMNS, type VacancyRow } from '../vacancy/vacancy.row.js';
import { VacancyStore } from '../vacancy/vacancy.store.js';
import { fitsForClaim } from './domain/eligibility.js';
import { missingDocuments, requiredDocuments, transition } from './domain/referral-state.js';
import type { Referral } from './dto/referral.model.js';
import { toReferral, type ReferralRow } from './referral.row.js';
import { ReferralService } from './referral.service.js';
import { REFERRAL_COLUMNS, ReferralStore, type Change, type Ending } from './referral.store.js';
import { deadlineText, textFor, toApplicationView, toVacancyView } from './referral-views.js';
import { StopListService } from './stop-list.service.js';

const REFUSAL_TEXT: Record<RefusalReason, { kk: string; ru: string }> = {
  INCOMPLETE_DOCUMENTS: { kk: 'құжаттар толық емес', ru: 'неполный пакет документов' },
  EXPIRED_DOCUMENTS: { kk: 'құжаттардың мерзімі өткен', ru: 'истёк срок действия документов' },
  VACCINATION_LIMIT: { kk: 'екпе алмаған балалар лимиті толды', ru: 'исчерпан лимит непривитых детей' },
};

/** Referrals that lapse per transaction of the midnight expiry. */
const EXPIRY_CHUNK = 500;

/** One referral to issue: the application and the place as read (the place row-locked by the caller). */
export interface Issue {
  app: ApplicationRow;
  vac: VacancyRow;
  orgName: string;
  runId: string | null;
  queueKey: string | null;
  claimed: boolean;
}

@Injectable()
export class ReferralLifecycleService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly notifications: NotificationService,
    private readonly calendar: CalendarService,
    private readonly settings: SettingsService,
    private readonly metrics: Metrics,
    private readonly reads: ReferralService,
    private readonly referrals: ReferralStore,
    private readonly places: VacancyStore,
    private readonly applications: ApplicationStore,
    private readonly stopList: StopListService,
  ) {}

  // ---------- issuing and ending (composed by the actions below, allocation and archiving) ----------

  /**
   * Issues referrals in the given order (their ledger events follow it): the referral rows, the places and
   * applications they take, their ledger events and texts, each kind in one statement.
   */
  async issue(c: Change, items: readonly Issue[], s: Settings, cal: Awaited<ReturnType<CalendarService['calendar']>>): Promise<string[]> {
    const terms = items.map(({ vac }) => {
      const booked = vac.admission_mode === 'EARLY_BOOKING' && vac.vacated_at === null;
      const clockStart = booked ? null : vac.vacated_at && vac.vacated_at.getTime() > c.at.getTime() ? vac.vacated_at : c.at;
      const confirmBy = clockStart ? workingDaysDeadline(cal, clockStart, s.confirmWorkingDays) : null;
      return { booked, clockStart, confirmBy };
    });
    const ids = await this.referrals.issue(
      c,
      items.map(({ app, vac, runId, queueKey, claimed }, k) => ({
        applicationId: app.id,
        vacancyId: vac.id,
        status: terms[k].booked ? ('BOOKED' as const) : ('OFFERED' as const),
        clockStart: terms[k].clockStart,
        confirmBy: terms[k].confirmBy,
        requiredDocuments: requiredDocuments(app.priority_class as 0 | 1 | 2, vac.group_type),
        claimed,
        runId,
        queueKey,
        priorityClass: app.priority_class,
        registeredAt: app.registered_at,
        seq: Number(app.seq),
      })),
    );
    await this.places.take(
      c.em,
      items.map(({ vac }, k) => ({ place: vac, booked: terms[k].booked })),
    );
    await this.applications.refer(
      c.em,
      items.map(({ app }) => app),
      c.at,
    );
    await this.notifications.enqueueMany(
      c.em,
      items.map(({ app, orgName }, k) => {
        const stage = terms[k].booked ? 'REFERRAL_BOOKED' : 'REFERRAL_OFFERED';
        const confirmBy = terms[k].confirmBy;
        return textFor(
          app,
          stage,
          `${stage}:${ids[k]}`,
          { organization: orgName, ...(confirmBy ? { deadline: deadlineText(confirmBy) } : {}) },
          c.at,
        );
      }),
    );
    return ids;
  }

  /** Live referrals end without enrolment: the referrals (and their events), their places back to allocation. */
  private async end(c: Change, ending: Ending, items: readonly { r: ReferralRow; reason: string }[]): Promise<void> {
    await this.referrals.end(c, ending, items);
    await this.places.release(
      c.em,
      items.map((i) => i.r.vacancy_id),
    );
  }

  /**
   * One referral ends and its application returns to the queue with its original time, under the locality's
   * queue-change lock (allocateIn holds it exclusively for its whole transaction): the place and the
   * application come back either before a run reads the queue or after it has committed, so the ledger's
   * order is the order allocation saw (the fairness audit replays it in that order).
   */
  private async endAndRequeue(c: Change, r: ReferralRow, ending: Ending, reason: string): Promise<void> {
    const loc: { locality: string }[] = await c.em.query(`SELECT locality FROM vacancy WHERE id = $1`, [r.vacancy_id]);
    await lockLocalityForQueueChange(c.em, loc[0].locality);
    await this.end(c, ending, [{ r, reason }]);
    await this.applications.returnToQueue(c.em, [r.application_id], c.at);
  }

  /**
   * Archiving applications (ArchiveService): their live referrals are cancelled and the places go back to
   * allocation. The caller holds the queue-change locks. Returns the cancelled referral ids per application.
   */
  async cancelLiveOf(c: Change, applicationIds: readonly string[], reason: string): Promise<Map<string, string[]>> {
    const live = await this.referrals.lockLiveOf(c.em, applicationIds);
    await this.end(
      c,
      'CANCELLED',
      live.map((r) => ({ r, reason })),
    );
    const out = new Map<string, string[]>();
    for (const r of live) out.set(r.application_id, [...(out.get(r.application_id) ?? []), r.id]);
    return out;
  }

  // ---------- applicant actions ----------

  async confirm(id: string, by: Principal): Promise<Referral> {
    return this.ds.transaction(async (em) => {
      const r = await this.reads.load(em, id, true);
      const { app, orgName } = await this.reads.parties(em, r);
      this.reads.assertOwner(by, app);
      const now = this.clock.now();
      if (r.status !== 'OFFERED') throw conflict(`id: referral is ${r.status}, only an OFFERED referral can be confirmed`, 'id');
      if (r.confirm_by && r.confirm_by.getTime() <= now.getTime()) throw conflict('id: the confirmation deadline has passed', 'id');
      const s = await this.settings.get(em);
      const cal = await this.calendar.calendar(em);
      // Early booking confirmed before the place frees: the documents clock starts with the place.
      const from = r.clock_start && r.clock_start.getTime() > now.getTime() ? r.clock_start : now;
      const validUntil = workingDaysDeadline(cal, from, s.documentsWorkingDays);
      await this.referrals.confirm({ em, at: now, actor: actorOf(by) }, r, validUntil);
      await this.notifications.enqueue(
        em,
        textFor(app, 'REFERRAL_CONFIRMED', `REFERRAL_CONFIRMED:${id}`, { organization: orgName, deadline: deadlineText(validUntil) }, now),
      );
      return toReferral(await this.reads.load(em, id));
    });
  }

  async decline(id: string, by: Principal): Promise<Referral> {
    return this.ds.transaction(async (em) => {
      const r = await this.reads.load(em, id, true);
      const { app } = await this.reads.parties(em, r);
      this.reads.assertOwner(by, app);
      if (r.status === 'OFFERED' && r.confirm_by && r.confirm_by.getTime() <= this.clock.now().getTime()) {
        throw conflict('id: the confirmation deadline has passed; the referral expires', 'id');
      }
      const step = transition(r.status, 'DECLINE');
      if (!step.ok) throw conflict(`id: referral is ${r.status}, no longer live (${step.reason})`, 'id');
      const c = { em, at: this.clock.now(), actor: actorOf(by) };
      await this.endAndRequeue(c, r, 'DECLINED', 'declined by the applicant');
      await this.notifications.enqueue(em, textFor(app, 'REFERRAL_DECLINED', `REFERRAL_DECLINED:${id}`, {}, c.at));
      return toReferral(await this.reads.load(em, id));
    });
  }

  async claim(vacancyId: string, applicationId: string, by: Principal): Promise<Referral> {
    if (!isUuid(vacancyId)) throw notFound('vacancy', vacancyId);
    if (!isUuid(applicationId)) throw notFound('application', applicationId);
    return this.ds.transaction(async (em) => {
      const vrows: (VacancyRow & { org_name: string })[] = await em.query(
        `SELECT ${VACANCY_COLUMNS}, o.name AS org_name FROM vacancy v JOIN organization o ON o.id = v.organization_id WHERE v.id = $1`,
        [vacancyId],
      );
      const vac = vrows[0];
      if (!vac) throw notFound('vacancy', vacancyId);
      await lockLocalityForAllocation(em, vac.locality);
      const apps: ApplicationRow[] = await em.query(`SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = $1 FOR UPDATE`, [
        applicationId,
      ]);
      const app = apps[0];
      if (!app) throw notFound('application', applicationId);
      this.reads.assertOwner(by, app);
      const now = this.clock.now();
      const locked: VacancyRow[] = await em.query(`SELECT ${VACANCY_COLUMNS} FROM vacancy v WHERE v.id = $1 FOR UPDATE`, [vacancyId]);
      if (!toVacancy(locked[0], now).openForClaim) {
        throw conflict('vacancyId: the place is not open for claims (still in its priority window, or taken)', 'vacancyId');
      }
      if (app.status !== 'QUEUED') {
        throw conflict(`applicationId: application is ${app.status}, only a QUEUED one may claim`, 'applicationId');
      }
      const s = await this.settings.get(em);
      if (inTransferPeriod(toAlmatyDate(now), s.transferPeriod)) {
        throw conflict('vacancyId: no referrals are issued during the transfer period', 'vacancyId');
      }
      const excluded: unknown[] = await em.query(`SELECT 1 FROM referral_exclusion WHERE application_id = $1 AND vacancy_id = $2`, [
        applicationId,
        vacancyId,
      ]);
      if (excluded.length || !fitsForClaim(toApplicationView(app), toVacancyView(locked[0]))) {
        throw conflict(
          'applicationId: the child does not fit this place (language, group, work mode, age or earlier refusal)',
          'applicationId',
        );
      }
      const cal = await this.calendar.calendar(em);
      const [id] = await this.issue(
        { em, at: now, actor: actorOf(by) },
        [{ app, vac: locked[0], orgName: vac.org_name, runId: null, queueKey: null, claimed: true }],
        s,
        cal,
      );
      this.metrics.referralsIssued.inc();
      return toReferral(await this.reads.load(em, id));
    });
  }

  // ---------- organization actions ----------

  async markVacated(vacancyId: string, on: string, by: Principal): Promise<VacancyRow> {
    if (!isRealDate(on)) throw badInput('on', 'must be a real date YYYY-MM-DD');
    if (!isUuid(vacancyId)) throw notFound('vacancy', vacancyId);
    return this.ds.transaction(async (em) => {
      const vrows: (VacancyRow & { org_name: string })[] = await em.query(
        `SELECT ${VACANCY_COLUMNS}, o.name AS org_name FROM vacancy v JOIN organization o ON o.id = v.organization_id WHERE v.id = $1 FOR UPDATE OF v`,
        [vacancyId],
      );
      const vac = vrows[0];
      if (!vac) throw notFound('vacancy', vacancyId);
      this.reads.assertStaff(by, vac);
      if (vac.admission_mode !== 'EARLY_BOOKING') throw conflict('vacancyId: only an EARLY_BOOKING place is marked vacated', 'vacancyId');
      if (vac.vacated_at) throw conflict('vacancyId: the place is already marked vacated', 'vacancyId');
      if (!['PUBLISHED', 'BOOKED'].includes(vac.status)) throw conflict(`vacancyId: place is ${vac.status}`, 'vacancyId');
      const now = this.clock.now();
      const today = toAlmatyDate(now);
      if (on < addCalendarDays(today, -31)) throw badInput('on', 'is too far in the past');
      const startOfOn = almatyMidnight(on);
      const vacatedAt = startOfOn.getTime() > now.getTime() ? startOfOn : now;
      const c = { em, at: now, actor: actorOf(by) };
      await this.places.markVacated(c, vac, on, vacatedAt);
      const refs: ReferralRow[] = await em.query(
        `SELECT ${REFERRAL_COLUMNS} FROM referral r WHERE r.vacancy_id = $1 AND r.status = 'BOOKED' FOR UPDATE`,
        [vacancyId],
      );
      if (refs[0]) {
        const s = await this.settings.get(em);
        const cal = await this.calendar.calendar(em);
        const confirmBy = workingDaysDeadline(cal, vacatedAt, s.confirmWorkingDays);
        await this.referrals.offer(c, refs[0], vacatedAt, confirmBy);
        await this.places.take(em, [{ place: vac, booked: false }]);
        const { app } = await this.reads.parties(em, refs[0]);
        await this.notifications.enqueue(
          em,
          textFor(
            app,
            'REFERRAL_OFFERED',
            `REFERRAL_OFFERED:${refs[0].id}`,
            { organization: vac.org_name, deadline: deadlineText(confirmBy) },
            now,
          ),
        );
      }
      const out: VacancyRow[] = await em.query(`SELECT ${VACANCY_COLUMNS} FROM vacancy v WHERE v.id = $1`, [vacancyId]);
      return out[0];
    });
  }

  async extend(id: string, until: string, by: Principal): Promise<Referral> {
    if (!isRealDate(until)) throw badInput('until', 'must be a real date YYYY-MM-DD');
    return this.ds.transaction(async (em) => {
      const r = await this.reads.load(em, id, true);
      const { app, vac } = await this.reads.parties(em, r);
      this.reads.assertStaff(by, vac);
      if (r.status !== 'CONFIRMED') throw conflict(`id: referral is ${r.status}, only a CONFIRMED referral can be extended`, 'id');
      if (r.extended) throw conflict('id: the referral was already extended once', 'id');
      const s = await this.settings.get(em);
      const start = r.clock_start ?? r.issued_at;
      const limit = calendarDaysDeadline(start, s.extensionCalendarDays);
      const newUntil = endOfAlmatyDay(until);
      if (newUntil.getTime() > limit.getTime()) {
        throw badInput(
          'until',
          `may be at most ${s.extensionCalendarDays} calendar days from the start of validity (last day ${toAlmatyDate(new Date(limit.getTime() - 1))})`,
        );
      }
      if (r.valid_until && newUntil.getTime() <= r.valid_until.getTime()) throw badInput('until', 'must be after the current deadline');
      const now = this.clock.now();
      await this.referrals.extend({ em, at: now, actor: actorOf(by) }, r, newUntil);
      await this.notifications.enqueue(
        em,
        textFor(app, 'REFERRAL_EXTENDED', `REFERRAL_EXTENDED:${id}`, { deadline: deadlineText(newUntil) }, now),
      );
      return toReferral(await this.reads.load(em, id));
    });
  }

  async recordDocuments(id: string, kinds: DocumentKind[], by: Principal): Promise<Referral> {
    if (kinds.length === 0) throw badInput('kinds', 'give at least one document kind');
    return this.ds.transaction(async (em) => {
      const r = await this.reads.load(em, id, true);
      const { vac } = await this.reads.parties(em, r);
      this.reads.assertStaff(by, vac);
      if (r.status !== 'CONFIRMED') {
        throw conflict(`referralId: referral is ${r.status}; documents are accepted for a CONFIRMED referral`, 'referralId');
      }
      const docs = [...new Set([...r.documents, ...kinds])].sort();
      await this.referrals.recordDocuments({ em, at: this.clock.now(), actor: actorOf(by) }, r, kinds, docs);
      return toReferral(await this.reads.load(em, id));
    });
  }

  async refuse(id: string, reason: RefusalReason, by: Principal): Promise<Referral> {
    return this.ds.transaction(async (em) => {
      const r = await this.reads.load(em, id, true);
      const { app, vac, orgName } = await this.reads.parties(em, r);
      this.reads.assertStaff(by, vac);
      if (!['OFFERED', 'CONFIRMED'].includes(r.status)) throw conflict(`referralId: referral is ${r.status}, no longer live`, 'referralId');
      const c = { em, at: this.clock.now(), actor: actorOf(by) };
      await this.endAndRequeue(c, r, 'CANCELLED', `admission refused: ${reason}`);
      await this.notifications.enqueue(
        em,
        textFor(
          app,
          'ADMISSION_REFUSED',
          `ADMISSION_REFUSED:${id}`,
          { organization: orgName, reason: REFUSAL_TEXT[reason][app.notification_language] },
          c.at,
        ),
      );
      return toReferral(await this.reads.load(em, id));
    });
  }

  async enroll(id: string, by: Principal): Promise<Referral> {
    return this.ds.transaction(async (em) => {
      const r = await this.reads.load(em, id, true);
      const { app, vac, orgName } = await this.reads.parties(em, r);
      this.reads.assertStaff(by, vac);
      if (r.status !== 'CONFIRMED') throw conflict(`id: referral is ${r.status}; only a CONFIRMED referral leads to enrollment`, 'id');
      if (r.valid_until && r.valid_until.getTime() <= this.clock.now().getTime()) {
        throw conflict('id: the documents deadline has passed; the referral expires', 'id');
      }
      const missing = missingDocuments(r.required_documents, r.documents);
      if (missing.length) throw conflict(`id: documents missing: ${missing.join(', ')}`, 'id');
      const now = this.clock.now();
      const c = { em, at: now, actor: actorOf(by) };
      // Temporary stay: the child attends until attendanceUntil and its own application stays in the
      // queue (rules/NOTES.md "Referral"); only a permanent place archives the application.
      const temporary = vac.admission_mode === AdmissionMode.TEMPORARY_STAY;
      await this.referrals.enroll(c, r, temporary ? { attendanceUntil: vac.attendance_until } : null);
      await this.places.fill(em, vac);
      if (temporary) await this.applications.returnToQueue(em, [app.id], now);
      else await this.applications.archive(c, [app], ArchiveReason.ENROLLED, new Map());
      await this.notifications.enqueue(
        em,
        textFor(app, 'ENROLLED', temporary ? `ENROLLED:${id}` : `ENROLLED:${app.id}`, { organization: orgName }, now),
      );
      return toReferral(await this.reads.load(em, id));
    });
  }

  // ---------- 00:00 expiry ----------

  /**
   * Expires every live referral whose deadline has passed: stop-list for N days, place back to allocation.
   *
   * Set-based, in chunks of due referrals (issue order, keyset pages of ix_referral_live_issued): one
   * transaction per chunk takes the queue-change lock of each locality concerned (in locality order, before
   * any row lock), locks the referrals, re-checks each deadline, and ends them, releases their places,
   * stop-lists their applications and texts the families, one statement per kind. Tens of thousands of
   * referrals can lapse on one night (the first days of September); none is held in memory beyond its chunk.
   */
  async expireDue(at: Date): Promise<{ expired: number }> {
    let expired = 0;
    for (let after = { issuedAt: '-infinity', id: '00000000-0000-0000-0000-000000000000' }; ;) {
      const due: { id: string; issued_at: string; locality: string }[] = await this.ds.query(
        `SELECT r.id, r.issued_at::text AS issued_at, v.locality FROM referral r JOIN vacancy v ON v.id = r.vacancy_id
         WHERE r.status IN ('OFFERED','CONFIRMED')
           AND ((r.status = 'OFFERED' AND r.confirm_by <= $1) OR (r.status = 'CONFIRMED' AND r.valid_until <= $1))
           AND (r.issued_at, r.id) > ($2::timestamptz, $3::uuid)
         ORDER BY r.issued_at, r.id LIMIT $4`,
        [at, after.issuedAt, after.id, EXPIRY_CHUNK],
      );
      if (!due.length) break;
      after = { issuedAt: due[due.length - 1].issued_at, id: due[due.length - 1].id };
      expired += await this.ds.transaction((em) => this.expireChunk(em, due, at));
    }
    this.metrics.referralsExpired.inc(expired);
    return { expired };
  }

  private async expireChunk(em: EntityManager, due: readonly { id: string; locality: string }[], at: Date): Promise<number> {
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
    const apps: ApplicationRow[] = await em.query(`SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = ANY($1::uuid[])`, [
      lapsed.map((x) => x.r.application_id),
    ]);
    const appById = new Map(apps.map((a) => [a.id, a]));
    const rows = lapsed.map(({ r, deadline }) => {
      const app = appById.get(r.application_id);
      if (!app) throw new Error(`referral ${r.id}: application ${r.application_id} not found`);
      const lastDay = toAlmatyDate(new Date(deadline.getTime() - 1));
      return {
        r,
        app,
        reason: r.status === 'OFFERED' ? 'not confirmed in time' : 'documents not completed in time',
        startsOn: addCalendarDays(lastDay, 1),
        until: addCalendarDays(lastDay, s.stopListCalendarDays),
      };
    });
    // Each referral's events together (referral.expired, stop_list.added), as if they lapsed one at a time.
    const c = { em, at, actor: 'system:expiry', batch: new EventBatch(rows.map((x) => x.r.application_id)) };
    await this.end(c, 'EXPIRED', rows);
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
}
