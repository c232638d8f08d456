/**
 * The referral life cycle (SPEC.md "Referral", domain/referral-state.ts): issuing (for allocation and
 * claims), a family's answers (confirm, decline, claim), an organization's steps (mark vacated, extend,
 * documents, refuse, enrol), the midnight expiry and the cancelling of an archived application's referral.
 * Each action is one transaction composing the stores (ReferralStore, VacancyStore, ApplicationStore,
 * ReferralExpiryService for the clocks that run out) and the applicant's text; the stores check the state machines and
 * write the ledger.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { actorOf, type Principal } from '../auth/principal.js';
import { CalendarService } from '../calendar/calendar.service.js';
import { addCalendarDays, almatyMidnight, endOfAlmatyDay, toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { calendarDaysDeadline, workingDaysDeadline } from '../calendar/domain/deadlines.js';
import { NotificationService } from '../notification/notification.service.js';
import { isUuid } from '../platform/identifiers/uuid.js';
import { Clock } from '../platform/clock/clock.js';
import { lockLocalityForAllocation, lockLocalityForQueueChange } from '../platform/database/locks.js';
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
import {
  cancelProblem,
  missingDocuments,
  refusalProblem,
  requiredDocuments,
  transition,
  type CancelReason,
} from './domain/referral-state.js';
import { HOLDS_TEMPORARY_PLACE_SQL, mayOfferTemporaryPlace } from './domain/temporary-stay.js';
import type { Referral } from './dto/referral.model.js';
import { toReferral, type ReferralRow } from './referral.row.js';
import { ReferralService } from './referral.service.js';
import { REFERRAL_COLUMNS, ReferralStore, type Change, type Ending } from './referral.store.js';
import { CANCEL_TEXT, deadlineText, REFUSAL_TEXT, textFor, toApplicationView } from './referral-views.js';
import { judgedVacancyView, nextWorkingDayAfter, RETURNED_SQL } from './returned-places.js';
import { ReferralExpiryService } from './referral-expiry.service.js';

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
    private readonly notifications: NotificationService,
    private readonly calendar: CalendarService,
    private readonly settings: SettingsService,
    private readonly metrics: Metrics,
    private readonly reads: ReferralService,
    private readonly referrals: ReferralStore,
    private readonly places: VacancyStore,
    private readonly applications: ApplicationStore,
    private readonly expiry: ReferralExpiryService,
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
  private async end(c: Change, ending: Ending, items: readonly { r: ReferralRow; reason: string; note?: string | null }[]): Promise<void> {
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
  private async endAndRequeue(c: Change, r: ReferralRow, ending: Ending, reason: string, note: string | null = null): Promise<void> {
    const loc: { locality: string }[] = await c.em.query(`SELECT locality FROM vacancy WHERE id = $1`, [r.vacancy_id]);
    await lockLocalityForQueueChange(c.em, loc[0].locality);
    await this.end(c, ending, [{ r, reason, note: note || null }]);
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
      const s = await this.settings.get(em, r.issued_at); // a referral's deadlines keep the rules of its issue
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
      const { app, vac } = await this.reads.parties(em, r);
      this.reads.assertOwner(by, app);
      if (r.status === 'OFFERED' && r.confirm_by && r.confirm_by.getTime() <= this.clock.now().getTime()) {
        throw conflict('id: the confirmation deadline has passed; the referral expires', 'id');
      }
      const step = transition(r.status, 'DECLINE');
      if (!step.ok) throw conflict(`id: referral is ${r.status}, no longer live (${step.reason})`, 'id');
      const c = { em, at: this.clock.now(), actor: actorOf(by) };
      if (r.status === 'CONFIRMED' && r.valid_until && r.valid_until.getTime() <= c.at.getTime()) {
        // The documents deadline has passed (the 00:00 sweep has not run yet): declining now is the expiry it
        // would be, stop-list included; a family cannot step around the stop-list by declining late.
        await this.expiry.expire(em, [{ id, locality: vac.locality }], c.at, c.actor, 'declined after the documents deadline');
        return toReferral(await this.reads.load(em, id));
      }
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
      const locked: (VacancyRow & { returned: boolean })[] = await em.query(
        `SELECT ${VACANCY_COLUMNS}, ${RETURNED_SQL} AS returned FROM vacancy v WHERE v.id = $1 FOR UPDATE OF v`,
        [vacancyId],
      );
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
      const holds: { holds: boolean }[] = await em.query(
        `SELECT ${HOLDS_TEMPORARY_PLACE_SQL('a')} AS holds FROM application a WHERE a.id = $1`,
        [applicationId],
      );
      if (!mayOfferTemporaryPlace(locked[0].admission_mode, holds[0]?.holds === true)) {
        throw conflict('applicationId: the child already attends a temporary place; no second temporary place is offered', 'applicationId');
      }
      const cal = await this.calendar.calendar(em);
      // A returned place is judged at max(its start date, the next working day), as allocation judges it.
      const place = judgedVacancyView(locked[0], locked[0].returned, nextWorkingDayAfter(cal, now));
      if (excluded.length || !fitsForClaim(toApplicationView(app), place)) {
        throw conflict(
          'applicationId: the child does not fit this place (language, group, work mode, age or earlier refusal)',
          'applicationId',
        );
      }
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
        const s = await this.settings.get(em, refs[0].issued_at);
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
      const s = await this.settings.get(em, r.issued_at);
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

  /**
   * Staff refuse admission on a CONFIRMED referral (domain refusalProblem): INCOMPLETE_DOCUMENTS only once
   * the documents deadline has passed with documents missing — that is the expiry the Rules give for
   * documents not brought in time (stop-list included), recorded now rather than at 00:00; EXPIRED_DOCUMENTS
   * and VACCINATION_LIMIT (with a note) cancel the referral: the place goes back to allocation, the child
   * back to the queue with its time.
   */
  async refuse(id: string, reason: RefusalReason, note: string | null | undefined, by: Principal): Promise<Referral> {
    const why = (note ?? '').trim();
    if (why.length > 500) throw badInput('note', 'is too long (500 characters at most)');
    return this.ds.transaction(async (em) => {
      const r = await this.reads.load(em, id, true);
      const { app, vac, orgName } = await this.reads.parties(em, r);
      this.reads.assertStaff(by, vac);
      const c = { em, at: this.clock.now(), actor: actorOf(by) };
      const problem = refusalProblem(reason, {
        status: r.status,
        deadlinePassed: r.valid_until !== null && r.valid_until.getTime() <= c.at.getTime(),
        missing: missingDocuments(r.required_documents, r.documents),
        note: why,
      });
      if (problem) {
        const field = problem.field === 'referralId' ? 'referralId' : problem.field;
        throw problem.field === 'note' ? badInput('note', problem.problem) : conflict(`${field}: ${problem.problem}`, field);
      }
      if (reason === 'INCOMPLETE_DOCUMENTS') {
        await this.expiry.expire(em, [{ id, locality: vac.locality }], c.at, c.actor, `admission refused: ${reason}`);
        return toReferral(await this.reads.load(em, id));
      }
      await this.endAndRequeue(c, r, 'CANCELLED', `admission refused: ${reason}`, why);
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

  /**
   * ADMIN, or staff of the organization: a live referral is cancelled with a reason code (OTHER with a
   * note). The place goes back to allocation, the family back to the queue with its time (not stop-listed),
   * and is texted the reason in its language.
   */
  async cancel(id: string, reason: string, note: string | null | undefined, by: Principal): Promise<Referral> {
    const why = (note ?? '').trim();
    if (why.length > 500) throw badInput('note', 'is too long (500 characters at most)');
    const problem = cancelProblem(reason, why);
    if (problem) throw badInput(problem.field, problem.problem);
    return this.ds.transaction(async (em) => {
      const r = await this.reads.load(em, id, true);
      const { app, vac } = await this.reads.parties(em, r);
      this.reads.assertStaff(by, vac);
      const step = transition(r.status, 'CANCEL');
      if (!step.ok) throw conflict(`id: referral is ${r.status}, no longer live`, 'id');
      const c = { em, at: this.clock.now(), actor: actorOf(by) };
      await this.endAndRequeue(c, r, 'CANCELLED', `cancelled: ${reason}`, why);
      const code = reason as CancelReason;
      await this.notifications.enqueue(
        em,
        textFor(app, 'REFERRAL_CANCELLED', `REFERRAL_CANCELLED:${id}`, { reason: CANCEL_TEXT[code][app.notification_language] }, c.at),
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
      // Temporary stay (definition 14): the child attends until attendanceUntil and its own application stays
      // in the queue (rules/NOTES.md "Referral"); only a permanent place archives the application.
      const temporary = vac.admission_mode === AdmissionMode.TEMPORARY_STAY;
      // Back in the queue (or out of it): a queue change, under the locality's lock (see locks.ts).
      await lockLocalityForQueueChange(em, vac.locality);
      await this.referrals.enroll(c, r, temporary ? { attendanceUntil: vac.attendance_until } : null);
      await this.places.fill(em, vac);
      if (temporary) await this.applications.returnToQueue(em, [app.id], now);
      else {
        // A child in a temporary place that now gets its own place leaves the temporary one.
        const running: ReferralRow[] = await em.query(
          `SELECT ${REFERRAL_COLUMNS} FROM referral r WHERE r.application_id = $1 AND r.attendance_until IS NOT NULL
             AND r.attendance_ended_at IS NULL FOR UPDATE`,
          [app.id],
        );
        await this.referrals.endAttendance(
          c,
          running.map((x) => ({ r: x, attendanceUntil: x.attendance_until ?? '' })),
          'PERMANENT_PLACE',
        );
        await this.applications.archive(c, [app], ArchiveReason.ENROLLED, new Map());
      }
      await this.notifications.enqueue(
        em,
        temporary
          ? textFor(app, 'ENROLLED_TEMPORARY', `ENROLLED:${id}`, { organization: orgName, until: vac.attendance_until ?? '' }, now)
          : textFor(app, 'ENROLLED', `ENROLLED:${app.id}`, { organization: orgName }, now),
      );
      return toReferral(await this.reads.load(em, id));
    });
  }

  // ---------- 00:00 expiry ----------

  /** The 00:00 expiry (ReferralExpiryService.expireDue). */
  expireDue(at: Date): Promise<{ expired: number }> {
    return this.expiry.expireDue(at);
  }
}
