import fc from 'fast-check';
import { addCalendarDays, almatyAt, toAlmatyDate } from '../../calendar/domain/almaty-time.js';
import { workingDaysDeadline } from '../../calendar/domain/deadlines.js';
import { KZ_WORKING_CALENDAR } from '../../calendar/domain/working-days.js';
import { advanceCycle, compareHeads, type PriorityClass } from '../../queue/domain/index.js';
import { allocate } from '../../referral/domain/allocate.js';
import {
  eligibilityDateOf,
  exclusionKey,
  isEligible,
  queueKeyOf,
  type ApplicationView,
  type VacancyView,
  type WorkMode,
} from '../../referral/domain/eligibility.js';
import type { AuditEvent, AuditSettings, FairnessReport } from './audit-event.js';
import { auditFairness } from './fairness-audit.js';
import { formatFairnessReport } from './report-text.js';

const SETTINGS: AuditSettings = {
  confirmWorkingDays: 2,
  documentsWorkingDays: 5,
  extensionCalendarDays: 30,
  stopListCalendarDays: 10,
  interleave: { first: 1, general: 3 },
  priorityWindowHours: 24,
};
const CAL = KZ_WORKING_CALENDAR;
const L1 = '751110000';
const L2 = '751120000';
const DAY_MS = 86_400_000;

type AppStatus = 'QUEUED' | 'REFERRED' | 'STOP_LISTED' | 'ARCHIVED';
interface SimApp {
  view: ApplicationView;
  status: AppStatus;
  stopUntil: string | null;
}
interface SimVac {
  view: VacancyView;
  status: 'PUBLISHED' | 'BOOKED' | 'REFERRED' | 'FILLED';
  vacatedAt: Date | null;
  /** It had a referral: a returned place, judged at max(start, next working day). */
  referred?: boolean;
  /** The end of its priority window (vacancy.opened) in this round. */
  openAt?: Date | null;
}
interface SimRef {
  id: string;
  app: string;
  vac: string;
  status: 'BOOKED' | 'OFFERED' | 'CONFIRMED' | 'ENROLLED' | 'DECLINED' | 'EXPIRED' | 'CANCELLED';
  clockStart: Date | null;
  confirmBy: Date | null;
  validUntil: Date | null;
}

/** Chooses the application for one place: the correct rule, or a planted fault. */
type Picker = (candidates: ApplicationView[], vacancy: VacancyView, world: World) => ApplicationView;

/**
 * A small, correct model of the system that emits the ledger events the services append (same
 * types and data): registration, priority decisions, places, allocation with the real allocate(),
 * confirm / decline / enroll, the 00:00 expiry sweep with its stop-list entry, stop-list release.
 */
class World {
  readonly events: AuditEvent[] = [];
  readonly apps = new Map<string, SimApp>();
  readonly vacs = new Map<string, SimVac>();
  readonly refs = new Map<string, SimRef>();
  readonly cycles: Record<string, number> = {};
  readonly excluded = new Set<string>();
  /** Applications whose child attends a temporary place (no second temporary offer until it ends). */
  readonly inTemporary = new Set<string>();
  now = new Date('2026-09-07T10:00:00+05:00');
  private n = 0;
  private runs = 0;
  /** Referral ids where a custom picker chose differently from allocate(), in order. */
  readonly deviations: string[] = [];

  constructor(private readonly picker: Picker | null = null) {}

  emit(type: string, entity: string, entityId: string, data: Record<string, unknown>, at = this.now): AuditEvent {
    const e: AuditEvent = {
      seq: this.events.length + 1,
      type,
      entity,
      entityId,
      at,
      data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
    };
    this.events.push(e);
    return e;
  }

  register(spec: Partial<ApplicationView> & { siblingOf?: string } = {}): string {
    const id = `app-${++this.n}`;
    const sibling = spec.siblingOf ? this.apps.get(spec.siblingOf) : undefined;
    const batchId = sibling ? (sibling.view.batchId ?? sibling.view.id) : null;
    if (sibling) sibling.view.batchId = batchId;
    const view: ApplicationView = {
      id,
      seq: 1000 + this.n,
      priorityClass: 2,
      registeredAt: this.now.getTime(),
      locality: L1,
      cohort: 2022,
      birthDate: '2022-03-10',
      organizationIds: [],
      language: 'KK',
      groupType: 'GENERAL',
      specialNeedsConfirmed: false,
      workModes: ['FULL_DAY'],
      desiredAdmissionDate: '2025-09-01',
      acceptsTemporaryStay: false,
      ...spec,
      batchId,
    };
    view.cohort = Number(view.birthDate.slice(0, 4));
    this.apps.set(id, { view, status: 'QUEUED', stopUntil: null });
    this.emit('application.registered', 'application', id, {
      number: `N-${view.seq}`,
      seq: view.seq,
      locality: view.locality,
      cohort: view.cohort,
      registeredAt: new Date(view.registeredAt).toISOString(),
      priorityClass: 2,
      claims: [],
      batchId,
      organizationIds: view.organizationIds,
      language: view.language,
      groupType: view.groupType,
      workModes: view.workModes,
      desiredAdmissionDate: view.desiredAdmissionDate,
      acceptsTemporaryStay: view.acceptsTemporaryStay,
      birthDate: view.birthDate,
    });
    this.now = new Date(this.now.getTime() + 1000);
    return id;
  }

  confirmPriority(id: string, cls: 0 | 1): void {
    const app = this.apps.get(id)!;
    app.view.priorityClass = cls;
    this.emit('application.priority_confirmed', 'application', id, {
      category: cls === 0 ? 'MILITARY' : 'LARGE_FAMILY',
      priorityClass: cls,
    });
  }

  publish(spec: Partial<VacancyView> = {}): string {
    const id = `vac-${++this.n}`;
    const view: VacancyView = {
      id,
      organizationId: 'org-1',
      locality: L1,
      language: 'KK',
      ageFromMonths: 12,
      ageToMonths: 60,
      groupType: 'GENERAL',
      workMode: 'FULL_DAY',
      admissionMode: 'GENERAL',
      admissionStartDate: '2026-09-01',
      ...spec,
    };
    this.vacs.set(id, { view, status: 'PUBLISHED', vacatedAt: null });
    const { id: _id, ...attrs } = view;
    this.emit('vacancy.published', 'vacancy', id, {
      ...attrs,
      seq: this.n,
      ageGroup: 'G',
      attendanceUntil: null,
      bulletinDate: toAlmatyDate(this.now),
    });
    return id;
  }

  at(date: string, hh: number, mm = 0): this {
    const t = almatyAt(date, hh, mm);
    if (t.getTime() < this.now.getTime()) throw new Error(`time goes back: ${t.toISOString()}`);
    this.now = t;
    return this;
  }

  /** Issues a referral exactly as ReferralService.issue records it (optionally with planted values). */
  issue(appId: string, vacId: string, o: { runId?: string | null; claimed?: boolean; confirmBy?: Date | null } = {}): string {
    const app = this.apps.get(appId)!;
    const vac = this.vacs.get(vacId)!;
    const id = `ref-${++this.n}`;
    const booked = vac.view.admissionMode === 'EARLY_BOOKING' && vac.vacatedAt === null;
    const clockStart = booked ? null : vac.vacatedAt && vac.vacatedAt.getTime() > this.now.getTime() ? vac.vacatedAt : this.now;
    const confirmBy =
      o.confirmBy !== undefined ? o.confirmBy : clockStart ? workingDaysDeadline(CAL, clockStart, SETTINGS.confirmWorkingDays) : null;
    const claimed = o.claimed ?? false;
    this.refs.set(id, {
      id,
      app: appId,
      vac: vacId,
      status: booked ? 'BOOKED' : 'OFFERED',
      clockStart,
      confirmBy,
      validUntil: null,
    });
    app.status = 'REFERRED';
    vac.status = booked ? 'BOOKED' : 'REFERRED';
    vac.referred = true;
    this.emit('referral.issued', 'referral', id, {
      applicationId: appId,
      vacancyId: vacId,
      status: booked ? 'BOOKED' : 'OFFERED',
      queueKey: claimed ? null : queueKeyOf(app.view),
      runId: o.runId ?? null,
      claimed,
      priorityClass: app.view.priorityClass,
      registeredAt: new Date(app.view.registeredAt).toISOString(),
      seq: app.view.seq,
      clockStart: clockStart?.toISOString() ?? null,
      confirmBy: confirmBy?.toISOString() ?? null,
    });
    if (!claimed) {
      const key = queueKeyOf(app.view);
      this.cycles[key] = advanceCycle(this.cycles[key] ?? 0, app.view.priorityClass, SETTINGS.interleave);
    }
    return id;
  }

  queued(): ApplicationView[] {
    return [...this.apps.values()]
      .filter((a) => a.status === 'QUEUED')
      .map((a) => (this.inTemporary.has(a.view.id) ? { ...a.view, acceptsTemporaryStay: false } : a.view));
  }

  /** The free places as allocation judges them now: a returned place at max(start, the next working day). */
  freePlaces(): VacancyView[] {
    const next = CAL.addWorkingDays(toAlmatyDate(this.now), 1);
    return [...this.vacs.values()]
      .filter((v) => v.status === 'PUBLISHED')
      .map((v) => (v.referred ? { ...v.view, eligibilityDate: eligibilityDateOf(v.view.admissionStartDate, true, next) } : v.view));
  }

  /** One allocation run over the free places in publication order. */
  allocate(): string[] {
    const runId = `run-${++this.runs}`;
    const out: string[] = [];
    if (!this.picker) {
      const result = allocate({
        vacancies: this.freePlaces(),
        applications: this.queued(),
        cycles: { ...this.cycles },
        ratio: SETTINGS.interleave,
        excluded: this.excluded,
      });
      for (const r of result.referrals) {
        out.push(this.issue(r.applicationId, r.vacancyId, { runId }));
      }
      expect(this.cycles).toEqual(result.cycles);
      this.openUntaken();
      return out;
    }
    for (const vac of this.freePlaces()) {
      const candidates = this.queued().filter((a) => isEligible(a, vac, this.excluded));
      if (!candidates.length) continue;
      const right = allocate({
        vacancies: [vac],
        applications: candidates,
        cycles: { ...this.cycles },
        ratio: SETTINGS.interleave,
        excluded: this.excluded,
      });
      const chosen = this.picker(candidates, vac, this);
      const id = this.issue(chosen.id, vac.id, { runId });
      if (right.referrals[0]?.applicationId !== chosen.id) this.deviations.push(id);
      out.push(id);
    }
    this.openUntaken();
    return out;
  }

  /** After a run, as VacancyStore.open: each free place not yet open opens when its priority window ends. */
  openUntaken(o: { openAt?: Date } = {}): void {
    for (const v of this.vacs.values()) {
      if (v.status !== 'PUBLISHED' || v.openAt) continue;
      this.openPlace(v.view.id, o);
    }
  }

  /** The `vacancy.opened` event of a place (optionally with a planted instant). */
  openPlace(vacId: string, o: { openAt?: Date; hours?: number } = {}): Date {
    const v = this.vacs.get(vacId)!;
    const hours = o.hours ?? SETTINGS.priorityWindowHours;
    const openAt = o.openAt ?? new Date(this.now.getTime() + hours * 3_600_000);
    v.openAt = openAt;
    this.emit('vacancy.opened', 'vacancy', vacId, { openAt: openAt.toISOString(), priorityWindowHours: hours });
    return openAt;
  }

  /** claimVacancy: a fitting queued family takes an open place (first come, first served). */
  claim(appId: string, vacId: string): string {
    return this.issue(appId, vacId, { claimed: true });
  }

  /**
   * refuseAdmission: INCOMPLETE_DOCUMENTS is an expiry (with its stop-list term, from the documents deadline);
   * any other reason cancels the referral (the family back in the queue).
   */
  refuse(refId: string, reason: 'INCOMPLETE_DOCUMENTS' | 'EXPIRED_DOCUMENTS'): void {
    const r = this.refs.get(refId)!;
    if (reason !== 'INCOMPLETE_DOCUMENTS') {
      this.release(r, 'CANCELLED', `admission refused: ${reason}`);
      return;
    }
    const deadline = r.validUntil!;
    this.release(r, 'EXPIRED', `admission refused: ${reason}`);
    const lastDay = toAlmatyDate(new Date(deadline.getTime() - 1));
    const until = addCalendarDays(lastDay, SETTINGS.stopListCalendarDays);
    this.apps.get(r.app)!.stopUntil = until;
    this.emit('stop_list.added', 'stop_list', r.app, {
      reason: 'referral expired',
      referralId: r.id,
      startsOn: addCalendarDays(lastDay, 1),
      until,
    });
  }

  /** An operator puts a queued family on the stop-list from today until `until` (inclusive). */
  stopList(appId: string, until: string): void {
    const app = this.apps.get(appId)!;
    app.status = 'STOP_LISTED';
    app.stopUntil = until;
    this.emit('stop_list.added', 'stop_list', appId, { reason: 'operator', startsOn: toAlmatyDate(this.now), until });
  }

  live(status?: SimRef['status']): SimRef[] {
    return [...this.refs.values()].filter((r) => (status ? r.status === status : ['BOOKED', 'OFFERED', 'CONFIRMED'].includes(r.status)));
  }

  markVacated(vacId: string): void {
    const vac = this.vacs.get(vacId)!;
    vac.vacatedAt = this.now;
    this.emit('vacancy.vacated', 'vacancy', vacId, {
      on: toAlmatyDate(this.now),
      vacatedAt: this.now.toISOString(),
    });
    const r = [...this.refs.values()].find((x) => x.vac === vacId && x.status === 'BOOKED');
    if (r) {
      r.status = 'OFFERED';
      r.clockStart = this.now;
      r.confirmBy = workingDaysDeadline(CAL, this.now, SETTINGS.confirmWorkingDays);
      vac.status = 'REFERRED';
      this.emit('referral.offered', 'referral', r.id, {
        clockStart: r.clockStart.toISOString(),
        confirmBy: r.confirmBy.toISOString(),
      });
    }
  }

  confirm(refId: string, validUntil?: Date): void {
    const r = this.refs.get(refId)!;
    r.status = 'CONFIRMED';
    r.validUntil = validUntil ?? workingDaysDeadline(CAL, this.now, SETTINGS.documentsWorkingDays);
    this.emit('referral.confirmed', 'referral', refId, {
      applicationId: r.app,
      vacancyId: r.vac,
      validUntil: r.validUntil.toISOString(),
    });
  }

  private release(r: SimRef, status: 'DECLINED' | 'EXPIRED' | 'CANCELLED', reason: string): void {
    const previous = r.status;
    r.status = status;
    const vac = this.vacs.get(r.vac)!;
    if (vac.status === 'BOOKED' || vac.status === 'REFERRED') {
      vac.status = 'PUBLISHED';
      vac.openAt = null;
    }
    this.excluded.add(exclusionKey(r.app, r.vac));
    const app = this.apps.get(r.app)!;
    if (app.status === 'REFERRED') app.status = status === 'EXPIRED' ? 'STOP_LISTED' : 'QUEUED';
    this.emit(`referral.${status.toLowerCase()}`, 'referral', r.id, {
      applicationId: r.app,
      vacancyId: r.vac,
      reason,
      previousStatus: previous,
      confirmBy: r.confirmBy?.toISOString() ?? null,
      validUntil: r.validUntil?.toISOString() ?? null,
    });
  }

  decline(refId: string): void {
    this.release(this.refs.get(refId)!, 'DECLINED', 'declined by the applicant');
  }

  enroll(refId: string): void {
    const r = this.refs.get(refId)!;
    r.status = 'ENROLLED';
    const vac = this.vacs.get(r.vac)!;
    vac.status = 'FILLED';
    if (vac.view.admissionMode === 'TEMPORARY_STAY') {
      // The child attends for a term; its own application stays in the queue.
      this.emit('referral.enrolled', 'referral', refId, {
        applicationId: r.app,
        vacancyId: r.vac,
        temporaryStay: true,
        attendanceUntil: '2026-12-31',
      });
      this.apps.get(r.app)!.status = 'QUEUED';
      this.inTemporary.add(r.app);
      return;
    }
    this.emit('referral.enrolled', 'referral', refId, { applicationId: r.app, vacancyId: r.vac });
    this.apps.get(r.app)!.status = 'ARCHIVED';
    this.emit('application.archived', 'application', r.app, {
      reason: 'ENROLLED',
      previousStatus: 'REFERRED',
      cancelledReferrals: [],
    });
  }

  /** A temporary stay's attendance term ends (the place returns to the child it was kept for). */
  endAttendance(refId: string): void {
    const r = this.refs.get(refId)!;
    this.inTemporary.delete(r.app);
    this.emit('referral.attendance_ended', 'referral', refId, {
      applicationId: r.app,
      vacancyId: r.vac,
      attendanceUntil: '2026-12-31',
      reason: 'TERM_OVER',
    });
  }

  /** An early booking whose place was never marked vacated lapses: the family back in the queue, the place revoked. */
  lapseBooking(refId: string): void {
    const r = this.refs.get(refId)!;
    r.status = 'DECLINED'; // not live any more (the model has no CANCELLED)
    const vac = this.vacs.get(r.vac)!;
    const app = this.apps.get(r.app)!;
    if (app.status === 'REFERRED') app.status = 'QUEUED';
    this.emit('referral.booking_lapsed', 'referral', refId, {
      applicationId: r.app,
      vacancyId: r.vac,
      admissionStartDate: vac.view.admissionStartDate,
      lapseAt: this.now.toISOString(),
    });
    vac.status = 'FILLED'; // out of allocation: revoked
    this.emit('vacancy.revoked', 'vacancy', r.vac, { reason: 'early booking lapsed', bulletinDate: toAlmatyDate(this.now) });
  }

  /** The 00:00 tasks: expiry sweep (with stop-list entries), then stop-list release. */
  midnight(opts: { skipStopListFor?: string } = {}): void {
    const now = this.now;
    for (const r of this.live()) {
      const deadline = r.status === 'OFFERED' ? r.confirmBy : r.status === 'CONFIRMED' ? r.validUntil : null;
      if (!deadline || deadline.getTime() > now.getTime()) continue;
      const lastDay = toAlmatyDate(new Date(deadline.getTime() - 1));
      const until = addCalendarDays(lastDay, SETTINGS.stopListCalendarDays);
      this.release(r, 'EXPIRED', r.status === 'OFFERED' ? 'not confirmed in time' : 'documents not completed in time');
      const app = this.apps.get(r.app)!;
      app.stopUntil = until;
      if (opts.skipStopListFor !== r.id) {
        this.emit('stop_list.added', 'stop_list', r.app, {
          reason: 'referral expired',
          referralId: r.id,
          startsOn: addCalendarDays(lastDay, 1),
          until,
        });
      }
    }
    const today = toAlmatyDate(now);
    for (const app of this.apps.values()) {
      if (app.stopUntil && app.stopUntil < today) {
        app.stopUntil = null;
        if (app.status === 'STOP_LISTED') app.status = 'QUEUED';
        this.emit('stop_list.ended', 'stop_list', app.view.id, { entry: `entry-${app.view.id}` });
      }
    }
  }

  /** Runs the daily cycle up to `date` 09:00 (midnight tasks of every day in between, allocation at 09:00). */
  day(date: string): string[] {
    let d = toAlmatyDate(this.now);
    while (d < date) {
      d = addCalendarDays(d, 1);
      this.at(d, 0);
      this.midnight();
    }
    this.at(date, 9);
    return this.allocate();
  }

  audit(
    opts: {
      from?: Date | null;
      to?: Date | null;
      asOf?: Date | null;
      literal?: boolean;
      settings?: AuditSettings | ((at: Date) => AuditSettings);
    } = {},
  ): FairnessReport {
    return auditFairness(this.events, {
      calendar: CAL,
      settings: SETTINGS,
      asOf: this.now,
      ...opts,
    });
  }
}

const checks = (r: FairnessReport): string[] => r.violations.map((v) => `${v.check}:${v.referralId}`);

describe('fairness audit: tables', () => {
  it('a returned place is judged at max(its start date, the next working day): age and wanted date (issue 15 item 9)', () => {
    // Start 2026-09-01, period [36, 47]. Declined on Thu 10 Sep; the Fri 11 Sep run judges it on Mon 14 Sep.
    const build = (): { w: World; vac: string; old: string; young: string } => {
      const w = new World();
      w.register({ birthDate: '2023-01-15' });
      const old = w.register({ birthDate: '2022-09-05' }); // 47 months on 1 Sep, 48 on 14 Sep
      const young = w.register({ birthDate: '2023-09-14', desiredAdmissionDate: '2026-09-14' }); // 35 on 1 Sep, 36 on 14 Sep
      const vac = w.publish({ ageFromMonths: 36, ageToMonths: 47 });
      const [r1] = w.day('2026-09-08');
      w.at('2026-09-10', 12);
      w.decline(r1);
      return { w, vac, old, young };
    };
    const right = build();
    const [r2] = right.w.day('2026-09-11');
    expect(right.w.refs.get(r2)!.app).toBe(right.young);
    expect(right.w.audit().violations).toEqual([]);

    // The place judged on its start date instead: the child who is too old by then is not eligible.
    const wrong = build();
    wrong.w.at('2026-09-11', 9);
    const r3 = wrong.w.issue(wrong.old, wrong.vac, { runId: 'run-x' });
    const report = wrong.w.audit();
    expect(checks(report)).toEqual([`NO_SKIP:${r3}`]);
    expect(report.violations[0].message).toMatch(/not eligible/);
  });

  it('a correct daily cycle (allocation, confirm, decline, expiry, stop-list, release) has no violations', () => {
    const w = new World();
    const a = w.register();
    const b = w.register();
    const c = w.register({ birthDate: '2023-01-05' });
    w.confirmPriority(c, 1);
    w.publish();
    w.publish();
    const [r1, r2] = w.day('2026-09-08');
    expect(w.refs.get(r1)!.app).toBe(c); // class 1's turn first (cycle 0), then the general head
    expect(w.refs.get(r2)!.app).toBe(a);
    w.at('2026-09-08', 12);
    w.confirm(r1);
    w.decline(r2);
    const [r3] = w.day('2026-09-09'); // the declined place goes to b
    expect(w.refs.get(r3)!.app).toBe(b);
    w.at('2026-09-09', 16);
    w.enroll(r1);
    w.day('2026-09-25'); // r3 expires on 12 Sep 00:00; b is stop-listed until 21 Sep, back on 22 Sep
    expect(w.apps.get(b)!.status).toBe('QUEUED');
    const report = w.audit();
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.eventsReplayed).toBe(w.events.length);
    expect(report.referralsChecked).toBe(3);
  });

  it('NO_SKIP: a later registration of the same class got the place while an earlier one waited', () => {
    const w = new World();
    const a = w.register();
    const b = w.register();
    const v = w.publish();
    w.at('2026-09-08', 9);
    const r = w.issue(b, v, { runId: 'run-x' });
    const report = w.audit();
    expect(checks(report)).toEqual([`NO_SKIP:${r}`]);
    expect(report.violations[0].evidence).toMatchObject({
      better: { applicationId: a },
      referral: { applicationId: b },
    });
  });

  it('NO_SKIP: an out-of-turn (class 0) application waited', () => {
    const w = new World();
    const a = w.register();
    const z = w.register();
    w.confirmPriority(z, 0);
    const v = w.publish();
    w.at('2026-09-08', 9);
    const r = w.issue(a, v);
    expect(checks(w.audit())).toEqual([`NO_SKIP:${r}`]);
  });

  it('RATIO: class 2 got the place on class 1 turn (and class 1 on class 2 turn)', () => {
    const w = new World();
    const g1 = w.register();
    const g2 = w.register();
    const f1 = w.register();
    const f2 = w.register();
    w.confirmPriority(f1, 1);
    w.confirmPriority(f2, 1);
    const v1 = w.publish();
    const v2 = w.publish();
    w.at('2026-09-08', 9);
    const r1 = w.issue(g1, v1); // cycle 0: class 1's turn
    const report1 = w.audit();
    expect(checks(report1)).toEqual([`RATIO:${r1}`]);
    expect(report1.violations[0].evidence).toMatchObject({
      turnClass: 1,
      cyclePosition: 0,
      better: { applicationId: f1 },
    });
    // Class 2 did not advance the cycle: still class 1's turn; the right referral is not flagged.
    const r2 = w.issue(f1, v2);
    expect(checks(w.audit())).toEqual([`RATIO:${r1}`]);
    // Now position 1 (class 2's turn): class 1 taking it is a RATIO violation too.
    const v3 = w.publish();
    const r3 = w.issue(f2, v3);
    expect(checks(w.audit())).toEqual([`RATIO:${r1}`, `RATIO:${r3}`]);
    expect(r2).toBeDefined();
    expect(g2).toBeDefined();
  });

  it('NO_SKIP across queues: the better head of another cohort contesting the place', () => {
    const w = new World();
    const older = w.register({ birthDate: '2022-02-02' });
    const younger = w.register({ birthDate: '2023-02-02' });
    const v = w.publish({ ageFromMonths: 12, ageToMonths: 60 });
    w.at('2026-09-08', 9);
    const r = w.issue(younger, v);
    const report = w.audit();
    expect(checks(report)).toEqual([`NO_SKIP:${r}`]);
    expect(report.violations[0].evidence).toMatchObject({
      better: { applicationId: older, queueKey: `${L1}:2022` },
    });
  });

  it('twins: a batch that could not be placed together is passed over; a sibling placed with its head is not checked', () => {
    const w = new World();
    const t1 = w.register({ organizationIds: ['org-1'] });
    const t2 = w.register({ organizationIds: ['org-1'], siblingOf: t1 });
    const solo = w.register();
    // One place only at org-1: the twins cannot be placed together, the single child gets it.
    w.publish({ organizationId: 'org-1' });
    const [r] = w.day('2026-09-08');
    expect(w.refs.get(r)!.app).toBe(solo);
    // Two places: the twins get both (the head by rank, the sibling with it).
    w.publish({ organizationId: 'org-2' });
    w.publish({ organizationId: 'org-1' });
    w.publish({ organizationId: 'org-1' });
    const placed = w.day('2026-09-09');
    expect(placed.map((id) => w.refs.get(id)!.app).sort()).toEqual([t1, t2].sort());
    expect(w.audit().violations).toEqual([]);
  });

  it('NO_SKIP: a place offered again to the application that declined it; a referral to an ineligible child', () => {
    const w = new World();
    const a = w.register();
    const b = w.register({ language: 'RU' });
    const v = w.publish();
    const [r1] = w.day('2026-09-08');
    w.at('2026-09-08', 12);
    w.decline(r1);
    w.at('2026-09-09', 9);
    const r2 = w.issue(a, v);
    w.decline(r2);
    const r3 = w.issue(b, v);
    const report = w.audit();
    expect(checks(report)).toEqual([`NO_SKIP:${r2}`, `NO_SKIP:${r3}`]);
    expect(report.violations[0].message).toMatch(/declined it or let it expire/);
    expect(report.violations[1].message).toMatch(/not eligible/);
  });

  it('application.updated: later referrals are judged with the new language, choices, work modes and date', () => {
    const w = new World();
    const a = w.register(); // KK, registered first
    const b = w.register({ language: 'RU' });
    const c = w.register({ language: 'RU', workModes: ['HALF_DAY'] });
    const update = (id: string, data: Record<string, unknown>): void => {
      const app = w.apps.get(id)!;
      Object.assign(app.view, data);
      w.emit('application.updated', 'application', id, { fields: ['phone', ...Object.keys(data)], ...data });
    };
    // a moves to a Russian group: from now on it is the better-ranked RU family.
    update(a, { language: 'RU' });
    const v1 = w.publish({ language: 'RU' });
    w.at('2026-09-08', 9);
    const skipA = w.issue(b, v1, { runId: 'run-1' }); // a waited: NO_SKIP
    const v2 = w.publish({ language: 'RU' });
    const toA = w.issue(a, v2, { runId: 'run-2' }); // eligible with its new language: no finding
    // c takes half days only, then accepts full days too, wants a later date and chooses an organization.
    update(c, { workModes: ['FULL_DAY', 'HALF_DAY'], desiredAdmissionDate: '2026-09-01', organizationIds: ['org-1'] });
    const v3 = w.publish({ language: 'RU' });
    const toC = w.issue(c, v3, { runId: 'run-3' });
    update(c, {}); // a phone-only change: nothing the audit reads
    const report = w.audit();
    expect(checks(report)).toEqual([`NO_SKIP:${skipA}`]);
    expect(report.violations[0].evidence).toMatchObject({ better: { applicationId: a }, referral: { applicationId: b } });
    expect([toA, toC]).toHaveLength(2);
    // Replayed both ways (rank-ordered lists and the literal rule), the same report.
    expect(checks(w.audit({ literal: true }))).toEqual([`NO_SKIP:${skipA}`]);
  });

  it('application.updated: a later date or another organization makes a child unfit for the place', () => {
    const w = new World();
    const a = w.register({ organizationIds: ['org-1'] });
    const v = w.publish();
    w.emit('application.updated', 'application', a, { fields: ['organizationIds'], organizationIds: ['org-2'] });
    w.apps.get(a)!.view.organizationIds = ['org-2'];
    w.at('2026-09-08', 9);
    const r = w.issue(a, v, { runId: 'run-1' });
    const report = w.audit();
    expect(checks(report)).toEqual([`NO_SKIP:${r}`]);
    expect(report.violations[0].message).toMatch(/not eligible/);
  });

  it('temporary stay: enrolled for a term, the application stays in the queue and may get a place again', () => {
    const w = new World();
    const a = w.register({ acceptsTemporaryStay: true });
    const b = w.register();
    w.publish({ admissionMode: 'TEMPORARY_STAY' });
    const [r1] = w.day('2026-09-08');
    expect(w.refs.get(r1)!.app).toBe(a);
    w.at('2026-09-08', 12);
    w.confirm(r1);
    w.enroll(r1);
    expect(w.apps.get(a)!.status).toBe('QUEUED');
    w.publish();
    const [r2] = w.day('2026-09-09'); // a is still the head of the queue
    expect(w.refs.get(r2)!.app).toBe(a);
    expect(w.audit().violations).toEqual([]);
    expect(w.apps.get(b)!.status).toBe('QUEUED');
  });

  it('temporary stay: no second temporary place while the child attends one; again once its term ended (issue 15 item 6)', () => {
    const w = new World();
    const a = w.register({ acceptsTemporaryStay: true });
    const b = w.register({ acceptsTemporaryStay: true });
    w.publish({ admissionMode: 'TEMPORARY_STAY' });
    const [r1] = w.day('2026-09-08');
    w.at('2026-09-08', 12);
    w.confirm(r1);
    w.enroll(r1);
    // A second temporary place: a (better ranked, attending one) is passed over, b gets it.
    const t2 = w.publish({ admissionMode: 'TEMPORARY_STAY' });
    const [r2] = w.day('2026-09-09');
    expect(w.refs.get(r2)!.app).toBe(b);
    expect(w.audit().violations).toEqual([]);
    // Giving it to a instead is a violation.
    const bad = new World();
    const a2 = bad.register({ acceptsTemporaryStay: true });
    bad.register({ acceptsTemporaryStay: true });
    bad.publish({ admissionMode: 'TEMPORARY_STAY' });
    const [q1] = bad.day('2026-09-08');
    bad.at('2026-09-08', 12);
    bad.confirm(q1);
    bad.enroll(q1);
    const v2 = bad.publish({ admissionMode: 'TEMPORARY_STAY' });
    bad.at('2026-09-09', 9);
    const q2 = bad.issue(a2, v2, { runId: 'run-x' });
    expect(checks(bad.audit())).toEqual([`NO_SKIP:${q2}`]);
    expect(bad.audit().violations[0].message).toMatch(/second temporary place/);
    // Once a's term ended it may get a temporary place again (t2 declined by b comes back to a).
    w.at('2026-09-09', 12);
    w.endAttendance(r1);
    w.decline(r2);
    expect(w.vacs.get(t2)!.status).toBe('PUBLISHED');
    const [r3] = w.day('2026-09-10');
    expect(w.refs.get(r3)!.app).toBe(a);
    expect(w.audit().violations).toEqual([]);
  });

  it('early booking lapsed: the family is back in the queue with its time and gets the next place (issue 15 item 5)', () => {
    const w = new World();
    const a = w.register();
    const b = w.register();
    w.publish({ admissionMode: 'EARLY_BOOKING' });
    const [r1] = w.day('2026-09-08');
    expect(w.refs.get(r1)!.app).toBe(a);
    w.at('2026-09-22', 0);
    w.lapseBooking(r1);
    expect(w.apps.get(a)!.status).toBe('QUEUED');
    w.publish();
    const [r2] = w.day('2026-09-23');
    expect(w.refs.get(r2)!.app).toBe(a);
    expect(w.audit().violations).toEqual([]);
    expect(w.apps.get(b)!.status).toBe('QUEUED');
  });

  it('STOP_LIST: a referral to a stop-listed application', () => {
    const w = new World();
    const a = w.register();
    w.publish();
    const [r1] = w.day('2026-09-08');
    w.day('2026-09-11'); // r1 expired 11 Sep 00:00: stop-listed until 20 Sep
    expect(w.apps.get(a)!.status).toBe('STOP_LISTED');
    const v2 = w.publish();
    w.at('2026-09-12', 9);
    const r2 = w.issue(a, v2);
    const report = w.audit();
    expect(checks(report)).toEqual([`STOP_LIST:${r2}`]);
    expect(report.violations[0].evidence).toMatchObject({ stopListedUntil: '2026-09-20' });
    expect(r1).toBeDefined();
  });

  it('DEADLINE: wrong confirmBy, wrong validUntil, confirmation after the deadline', () => {
    const w = new World();
    w.register();
    w.register();
    w.register();
    const [v1, v2, v3] = [w.publish(), w.publish(), w.publish()];
    w.at('2026-09-08', 9);
    // Issued Tue 8 Sep: Wed 9, Thu 10 → 11 Sep 00:00; plant a day more.
    const r1 = w.issue('app-1', v1, { confirmBy: new Date('2026-09-12T00:00:00+05:00') });
    const r2 = w.issue('app-2', v2);
    const r3 = w.issue('app-3', v3);
    w.at('2026-09-08', 12);
    w.confirm(r2, new Date('2026-09-20T00:00:00+05:00'));
    w.at('2026-09-10', 23, 59);
    w.confirm(r1); // before its planted deadline, after the right one: only the issue is flagged
    w.at('2026-09-11', 0);
    w.confirm(r3); // at the deadline instant: late
    const report = w.audit({ asOf: null });
    expect(checks(report)).toEqual([`DEADLINE:${r1}`, `DEADLINE:${r2}`, `DEADLINE:${r3}`]);
    expect(report.violations[0].evidence).toMatchObject({
      expectedConfirmBy: '2026-09-10T19:00:00.000Z',
    });
    expect(report.violations[1].evidence).toMatchObject({
      expectedValidUntil: '2026-09-15T19:00:00.000Z',
    });
    expect(report.violations[2].message).toMatch(/after the confirmation deadline/);
  });

  it('DEADLINE: expired a day late, expired early, never expired', () => {
    const w = new World();
    w.register();
    w.register();
    w.register();
    w.publish();
    w.publish();
    w.publish();
    const [r1, r2, r3] = w.day('2026-09-08'); // deadlines 11 Sep 00:00
    w.at('2026-09-10', 12);
    // r2 expired early (planted), with its stop-list entry.
    const e = w.emit('referral.expired', 'referral', r2, {
      applicationId: 'app-2',
      vacancyId: 'x',
      previousStatus: 'OFFERED',
    });
    w.emit('stop_list.added', 'stop_list', 'app-2', {
      referralId: r2,
      startsOn: '2026-09-11',
      until: '2026-09-20',
    });
    w.refs.get(r2)!.status = 'EXPIRED';
    // r1 is not swept on 11 Sep (a missed sweep) but on 12 Sep; r3 never.
    w.at('2026-09-12', 0, 30);
    const ev = w.emit('referral.expired', 'referral', r1, {
      applicationId: 'app-1',
      vacancyId: 'x',
      previousStatus: 'OFFERED',
    });
    w.emit('stop_list.added', 'stop_list', 'app-1', {
      referralId: r1,
      startsOn: '2026-09-11',
      until: '2026-09-20',
    });
    const report = w.audit();
    expect(checks(report)).toEqual([`DEADLINE:${r3}`, `DEADLINE:${r2}`, `DEADLINE:${r1}`]);
    expect(report.violations.map((v) => v.message)).toEqual([
      'still OFFERED a day after its deadline: it was not expired',
      'expired before its deadline',
      'expired more than a day after its deadline',
    ]);
    expect(report.violations[1].eventSeq).toBe(e.seq);
    expect(report.violations[2].eventSeq).toBe(ev.seq);
  });

  it('DEADLINE: early booking — booked while vacated, offered with the wrong clock start', () => {
    const w = new World();
    w.register();
    w.register();
    const v1 = w.publish({ admissionMode: 'EARLY_BOOKING' });
    const [r1] = w.day('2026-09-08');
    expect(w.refs.get(r1)!.status).toBe('BOOKED');
    w.at('2026-09-09', 15);
    w.markVacated(v1);
    expect(w.audit().violations).toEqual([]);
    const offered = w.events[w.events.length - 1];
    (offered.data as Record<string, unknown>).clockStart = '2026-09-09T04:00:00.000Z';
    expect(checks(w.audit())).toEqual([`DEADLINE:${r1}`]);
    // A second early-booking place vacated before the referral: it must be OFFERED, not BOOKED.
    const v2 = w.publish({ admissionMode: 'EARLY_BOOKING' });
    w.vacs.get(v2)!.vacatedAt = w.now;
    w.emit('vacancy.vacated', 'vacancy', v2, { vacatedAt: w.now.toISOString() });
    w.at('2026-09-10', 9);
    const r2 = w.issue('app-2', v2);
    const booked = w.events[w.events.length - 1];
    Object.assign(booked.data, { status: 'BOOKED', clockStart: null, confirmBy: null });
    expect(checks(w.audit({ asOf: null }))).toEqual([`DEADLINE:${r1}`, `DEADLINE:${r2}`]);
  });

  it('STOP_LIST: missing entry, wrong term, released early, never released', () => {
    const w = new World();
    const apps = [w.register(), w.register(), w.register(), w.register()];
    for (let i = 0; i < 4; i++) w.publish();
    const refs = w.day('2026-09-08');
    w.at('2026-09-11', 0);
    w.midnight({ skipStopListFor: refs[0] });
    // refs[1]: the term is a day short.
    const added = w.events.find((e) => e.type === 'stop_list.added' && e.data.referralId === refs[1])!;
    Object.assign(added.data, { until: '2026-09-19' });
    // refs[2]: released on 15 Sep although the term runs to 20 Sep.
    w.at('2026-09-15', 0);
    w.emit('stop_list.ended', 'stop_list', apps[2], { entry: 'e' });
    w.apps.get(apps[2])!.stopUntil = null;
    w.apps.get(apps[2])!.status = 'QUEUED';
    // refs[1]: released when its (short) term is over, 20 Sep 00:00: right by the ledger.
    w.at('2026-09-20', 0);
    w.emit('stop_list.ended', 'stop_list', apps[1], { entry: 'e' });
    // refs[3]: the release is due 21 Sep 00:00; audited on 22 Sep 12:00 with no release event.
    w.at('2026-09-22', 12);
    const report = w.audit();
    expect(report.violations.map((v) => [v.check, v.referralId, v.message])).toEqual([
      ['STOP_LIST', refs[0], 'expired referral without the stop-list entry that must follow it'],
      ['STOP_LIST', refs[1], 'stop-list term is not the 10 calendar days after the last day of the referral'],
      ['STOP_LIST', refs[3], 'stop-list term over but the application was not returned to the queue'],
      ['STOP_LIST', refs[2], 'stop-list term ended before its last day was over'],
    ]);
  });

  it('only events inside [from, to] are checked; the replay still starts at the beginning', () => {
    const w = new World();
    w.register();
    const b = w.register();
    const v = w.publish();
    w.at('2026-09-08', 9);
    w.issue(b, v); // a NO_SKIP on 8 Sep
    w.register();
    const v2 = w.publish();
    w.at('2026-09-09', 9);
    w.issue('app-1', v2); // correct on 9 Sep
    const all = w.audit();
    expect(all.violations).toHaveLength(1);
    const later = w.audit({ from: new Date('2026-09-09T00:00:00+05:00') });
    expect(later.violations).toEqual([]);
    expect(later.eventsReplayed).toBe(w.events.length);
    expect(later.referralsChecked).toBe(1);
    const earlier = w.audit({ to: new Date('2026-09-08T12:00:00+05:00') });
    expect(earlier.violations).toHaveLength(1);
  });
});

describe('fairness audit: everything a family can lose by (issue 16 item 7)', () => {
  /** A child who wants a later date: never eligible for allocation of a 2026 place, fits it for a claim. */
  const claimWorld = (): { w: World; late: string; vac: string } => {
    const w = new World();
    const late = w.register({ desiredAdmissionDate: '2027-09-01' });
    const vac = w.publish();
    expect(w.day('2026-09-08')).toEqual([]); // nobody eligible: the place opens on 9 Sep 09:00
    return { w, late, vac };
  };
  const messages = (r: FairnessReport): string[][] => r.violations.map((v) => [v.check, v.referralId ?? '-', v.message]);

  it('claims: a place claimed after its priority window by a fitting queued family passes; the opening is ledgered', () => {
    const { w, late, vac } = claimWorld();
    const opened = w.events.filter((e) => e.type === 'vacancy.opened');
    expect(opened).toHaveLength(1);
    expect(opened[0].data).toEqual({ openAt: '2026-09-09T04:00:00.000Z', priorityWindowHours: 24 });
    w.at('2026-09-09', 9);
    const r = w.claim(late, vac);
    const report = w.audit();
    expect(report.violations).toEqual([]);
    expect(report.referralsChecked).toBe(1);
    expect(w.refs.get(r)!.app).toBe(late);
  });

  it('claims: before the priority window ended, or with no vacancy.opened in the ledger, is NO_SKIP', () => {
    const early = claimWorld();
    early.w.at('2026-09-09', 8, 59);
    const r1 = early.w.claim(early.late, early.vac);
    const report = early.w.audit();
    expect(messages(report)).toEqual([['NO_SKIP', r1, 'claimed a place before its priority window ended']]);
    expect(report.violations[0].evidence).toMatchObject({ openAt: '2026-09-09T04:00:00.000Z', claimedAt: '2026-09-09T03:59:00.000Z' });

    const never = new World();
    const a = never.register({ desiredAdmissionDate: '2027-09-01' });
    const v = never.publish();
    never.at('2026-09-10', 9);
    const r2 = never.claim(a, v); // no allocation run opened it
    expect(messages(never.audit())).toEqual([
      ['NO_SKIP', r2, 'claimed a place whose opening for claims is not in the ledger (no vacancy.opened)'],
    ]);
  });

  it('claims: a released place starts a new priority window; a claim in it is NO_SKIP', () => {
    const { w, late, vac } = claimWorld();
    w.at('2026-09-09', 10);
    const r1 = w.claim(late, vac);
    w.at('2026-09-09', 11);
    w.decline(r1); // the place goes back to allocation: its open round ends
    const other = w.register({ desiredAdmissionDate: '2027-09-01' });
    w.at('2026-09-09', 12);
    const r2 = w.claim(other, vac);
    expect(messages(w.audit())).toEqual([
      ['NO_SKIP', r2, 'claimed a place whose opening for claims is not in the ledger (no vacancy.opened)'],
    ]);
  });

  it('claims: first come first served — a claim recorded earlier than a claim ledgered before it is NO_SKIP', () => {
    const w = new World();
    const a = w.register({ desiredAdmissionDate: '2027-09-01' });
    const b = w.register({ desiredAdmissionDate: '2027-09-01' });
    const v1 = w.publish();
    const v2 = w.publish();
    w.day('2026-09-08');
    w.at('2026-09-09', 10);
    const r1 = w.claim(a, v1);
    w.now = new Date('2026-09-09T09:30:00+05:00'); // planted: backdated behind r1
    const r2 = w.claim(b, v2);
    const report = w.audit();
    expect(report.violations.map((x) => [x.check, x.referralId])).toEqual([['NO_SKIP', r2]]);
    expect(report.violations[0].message).toMatch(/first come first served/);
    expect(report.violations[0].evidence).toMatchObject({ earlierClaim: r1 });
  });

  it('claims: the claimant must fit the place, not be excluded from it, and be QUEUED', () => {
    const w = new World();
    const young = w.register({ birthDate: '2026-01-10', desiredAdmissionDate: '2027-09-01' }); // under 12 months
    const late = w.register({ desiredAdmissionDate: '2027-09-01' });
    const later = w.register({ desiredAdmissionDate: '2027-09-01' });
    const [v1, v2, v3] = [w.publish(), w.publish(), w.publish()];
    w.day('2026-09-08');
    w.at('2026-09-09', 10);
    const r1 = w.claim(young, v1); // does not fit (age)
    const r2 = w.claim(late, v2);
    const r3 = w.claim(late, v3); // already REFERRED
    w.at('2026-09-09', 11);
    w.decline(r2);
    w.at('2026-09-11', 10);
    w.openPlace(v2); // an honest reopening (the model skips the run)
    w.at('2026-09-12', 11);
    const r4 = w.claim(late, v2); // declined it before: excluded
    const report = w.audit();
    expect(messages(report)).toEqual([
      ['NO_SKIP', r1, 'referral issued to an application that does not fit the place'],
      ['NO_SKIP', r3, 'referral issued to an application that was REFERRED, not waiting in the queue'],
      ['NO_SKIP', r4, 'place offered again to an application that declined it or let it expire'],
    ]);
    expect(later).toBeDefined();
  });

  it('the priority window: a place opened for claims sooner than the window in force is NO_SKIP', () => {
    const w = new World();
    const a = w.register({ desiredAdmissionDate: '2027-09-01' });
    const v = w.publish();
    w.at('2026-09-08', 9);
    const opened = w.events.length + 1;
    w.openPlace(v, { hours: 1 }); // one hour instead of 24
    w.at('2026-09-08', 11);
    w.claim(a, v);
    const report = w.audit();
    expect(report.violations.map((x) => [x.check, x.eventSeq, x.referralId])).toEqual([['NO_SKIP', opened, null]]);
    expect(report.violations[0].evidence).toMatchObject({
      openAt: '2026-09-08T05:00:00.000Z',
      expectedOpenAt: '2026-09-09T04:00:00.000Z',
      priorityWindowHours: 24,
    });
  });

  it('the priority window: a place opened for claims while an eligible family waited is NO_SKIP', () => {
    const w = new World();
    const a = w.register();
    const v = w.publish();
    w.at('2026-09-08', 9);
    const opened = w.events.length + 1;
    w.openPlace(v); // the run should have referred a
    const report = w.audit();
    expect(report.violations.map((x) => [x.check, x.eventSeq, x.message])).toEqual([
      ['NO_SKIP', opened, `the place was opened for claims while application ${a} was eligible and waiting`],
    ]);
    expect(w.audit({ literal: true }).violations).toEqual(report.violations);
  });

  it('settings in force at each event: the window and the stop-list term of their day, not of today', () => {
    const changedOn = (day: string, s: Partial<AuditSettings>) => (at: Date) =>
      toAlmatyDate(at) >= day ? { ...SETTINGS, ...s } : SETTINGS;
    // A 48-hour window from 10 Sep: the place opened on 8 Sep with 24 hours, the one on 11 Sep with 48.
    const w = new World();
    const a = w.register({ desiredAdmissionDate: '2027-09-01' });
    const v1 = w.publish();
    w.day('2026-09-08');
    const v2 = w.publish();
    w.at('2026-09-11', 9);
    w.openPlace(v2, { hours: 48 });
    w.at('2026-09-13', 9);
    w.claim(a, v1);
    expect(w.audit({ settings: changedOn('2026-09-10', { priorityWindowHours: 48 }) }).violations).toEqual([]);
    // Judged with one set (today's 24 hours, or 48 for both), one of the openings is wrong.
    expect(w.audit().violations.map((x) => x.evidence.openAt)).toEqual(['2026-09-13T04:00:00.000Z']);
    expect(w.audit({ settings: { ...SETTINGS, priorityWindowHours: 48 } }).violations.map((x) => x.evidence.openAt)).toEqual([
      '2026-09-09T04:00:00.000Z',
    ]);

    // The stop-list term: 10 days at the expiry (11 Sep); 14 days only from 12 Sep.
    const s = new World();
    s.register();
    s.publish();
    const [r] = s.day('2026-09-08');
    s.day('2026-09-12'); // expired 11 Sep 00:00, term to 20 Sep
    expect(s.audit({ settings: changedOn('2026-09-12', { stopListCalendarDays: 14 }) }).violations).toEqual([]);
    const wrong = s.audit({ settings: changedOn('2026-09-10', { stopListCalendarDays: 14 }) });
    expect(messages(wrong)).toEqual([['STOP_LIST', r, 'stop-list term is not the 14 calendar days after the last day of the referral']]);
  });

  it('document refusals: INCOMPLETE_DOCUMENTS only after the documents deadline, and only on a CONFIRMED referral', () => {
    const build = (): { w: World; r1: string; r2: string; r3: string } => {
      const w = new World();
      w.register();
      w.register();
      w.register();
      w.publish();
      w.publish();
      w.publish();
      const [r1, r2, r3] = w.day('2026-09-08');
      w.at('2026-09-08', 12);
      w.confirm(r1); // documents deadline: 5 working days → 16 Sep 00:00
      w.confirm(r2);
      return { w, r1, r2, r3 };
    };
    const honest = build();
    honest.w.at('2026-09-10', 9);
    honest.w.decline(honest.r3);
    honest.w.at('2026-09-16', 10); // the deadline passed at 00:00 (the sweep has not run in the model)
    honest.w.refuse(honest.r1, 'INCOMPLETE_DOCUMENTS');
    honest.w.refuse(honest.r2, 'EXPIRED_DOCUMENTS');
    expect(honest.w.audit({ asOf: null }).violations).toEqual([]);

    const early = build();
    early.w.at('2026-09-10', 10);
    early.w.refuse(early.r1, 'INCOMPLETE_DOCUMENTS'); // six days early: the family loses the place and gets a stop-list term
    early.w.refuse(early.r3, 'EXPIRED_DOCUMENTS'); // still OFFERED
    const report = early.w.audit({ asOf: null });
    expect(messages(report)).toEqual([
      ['DEADLINE', early.r1, 'admission refused for incomplete documents before the documents deadline'],
      ['DEADLINE', early.r3, 'admission refused on a referral that was OFFERED, not CONFIRMED'],
    ]);
    expect(report.violations[0].evidence).toMatchObject({ validUntil: '2026-09-15T19:00:00.000Z', refusedAt: '2026-09-10T05:00:00.000Z' });
  });

  it("stop-list terms: no referral while an operator's term runs; the term ends at 00:00 after its last day", () => {
    const build = (): { w: World; a: string; b: string } => {
      const w = new World();
      const a = w.register();
      const b = w.register();
      w.at('2026-09-07', 12);
      w.stopList(a, '2026-09-09');
      return { w, a, b };
    };
    const honest = build();
    honest.w.publish();
    const [r1] = honest.w.day('2026-09-08'); // a is on the list: b gets the place
    expect(honest.w.refs.get(r1)!.app).toBe(honest.b);
    honest.w.publish();
    const [r2] = honest.w.day('2026-09-10'); // released 10 Sep 00:00: a gets the next place
    expect(honest.w.refs.get(r2)!.app).toBe(honest.a);
    expect(honest.w.audit().violations).toEqual([]);

    const during = build();
    const v = during.w.publish();
    during.w.at('2026-09-09', 9);
    const r3 = during.w.issue(during.a, v);
    expect(messages(during.w.audit())).toEqual([['STOP_LIST', r3, 'referral issued to a stop-listed application']]);

    const short = build();
    short.w.at('2026-09-09', 18);
    short.w.emit('stop_list.ended', 'stop_list', short.a, { entry: 'e' }); // six hours before its last day is over
    short.w.apps.get(short.a)!.status = 'QUEUED';
    short.w.apps.get(short.a)!.stopUntil = null;
    const late = build();
    late.w.at('2026-09-11', 0);
    late.w.emit('stop_list.ended', 'stop_list', late.a, { entry: 'e' }); // a day late
    expect(short.w.audit().violations.map((x) => x.message)).toEqual(['stop-list term ended before its last day was over']);
    expect(late.w.audit().violations.map((x) => x.message)).toEqual(['stop-list term ended more than a day late']);
  });
});

describe('fairness audit: text report', () => {
  it('prints the verdict, the counts by check and each finding with its evidence', () => {
    const w = new World();
    w.register();
    const b = w.register();
    const v = w.publish();
    w.at('2026-09-08', 9);
    const r = w.issue(b, v);
    const text = formatFairnessReport(w.audit({ to: w.now }), { ms: 1234 });
    expect(text).toContain('fairness audit: 1 VIOLATION');
    expect(text).toContain('period: the first event .. 2026-09-08T09:00:00.000+05:00');
    expect(text).toContain('in 1.23 s');
    expect(text).toContain('NO_SKIP 1, RATIO 0, DEADLINE 0, STOP_LIST 0');
    expect(text).toContain(`[NO_SKIP] event #${w.events.length} referral ${r}:`);
    expect(formatFairnessReport(new World().audit())).toMatch(/^fairness audit: OK, no violations/);
  });
});

// ---------------------------------------------------------------------------------------------
// Random worlds
// ---------------------------------------------------------------------------------------------

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ORGS: Record<string, string[]> = { [L1]: ['o1', 'o2', 'o3'], [L2]: ['o4', 'o5'] };
const MODES: WorkMode[] = ['FULL_DAY', 'HALF_DAY'];

/** A random month of a small city, run by the correct rules (or with a faulty picker, no twins). */
function randomWorld(seed: number, picker: Picker | null = null): World {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number): boolean => rnd() < p;
  const w = new World(picker);
  const apps: string[] = [];
  const count = 8 + Math.floor(rnd() * 25);
  for (let i = 0; i < count; i++) {
    const locality = chance(0.7) ? L1 : L2;
    const spec: Partial<ApplicationView> & { siblingOf?: string } = {
      locality,
      birthDate: `${pick([2021, 2022, 2022, 2023])}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}`,
      language: chance(0.6) ? 'KK' : 'RU',
      workModes: chance(0.7) ? ['FULL_DAY'] : [...MODES],
      acceptsTemporaryStay: chance(0.5),
      organizationIds: chance(0.4) ? [] : [pick(ORGS[locality])],
    };
    const prev = apps[apps.length - 1];
    const prevApp = prev ? w.apps.get(prev)!.view : null;
    if (!picker && prevApp && chance(0.12) && prevApp.batchId === null) {
      const { locality, birthDate, language, workModes, organizationIds } = prevApp;
      apps.push(w.register({ locality, birthDate, language, workModes, organizationIds, siblingOf: prev }));
    } else {
      apps.push(w.register(spec));
    }
    if (chance(0.15)) w.confirmPriority(apps[apps.length - 1], chance(0.2) ? 0 : 1);
  }
  let date = '2026-09-07';
  for (let d = 0; d < 12; d++) {
    const places = Math.floor(rnd() * 4);
    for (let k = 0; k < places; k++) {
      const locality = chance(0.7) ? L1 : L2;
      w.publish({
        locality,
        organizationId: pick(ORGS[locality]),
        language: chance(0.6) ? 'KK' : 'RU',
        workMode: chance(0.8) ? 'FULL_DAY' : 'HALF_DAY',
        admissionMode: chance(0.15) ? 'EARLY_BOOKING' : chance(0.1) ? 'TEMPORARY_STAY' : 'GENERAL',
        ageFromMonths: pick([12, 24, 36]),
        ageToMonths: pick([47, 60, 72]),
      });
    }
    date = addCalendarDays(date, 1);
    const issued = w.day(date);
    w.at(date, 12);
    for (const id of issued) {
      const r = w.refs.get(id)!;
      if (r.status !== 'OFFERED') continue;
      const roll = rnd();
      if (roll < 0.6) w.confirm(id);
      else if (roll < 0.75) w.decline(id);
    }
    w.at(date, 15);
    for (const r of w.live('CONFIRMED')) if (chance(0.5)) w.enroll(r.id);
    for (const r of w.live('BOOKED')) if (chance(0.4)) w.markVacated(r.vac);
  }
  w.day(addCalendarDays(date, 20));
  return w;
}

/** Takes the worst-ranked eligible application instead of the best (a planted fault). */
const worstFirst: Picker = (candidates) => candidates.reduce((worst, c) => (compareHeads(c, worst) > 0 ? c : worst));

describe('fairness audit: random worlds (fast-check)', () => {
  it('a world run by the rules has no violations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const w = randomWorld(seed);
        const report = w.audit();
        expect(report.violations).toEqual([]);
        expect(report.ok).toBe(true);
        expect(report.referralsChecked).toBe(w.refs.size);
      }),
      { numRuns: 100 },
    );
  });

  it('a world allocating worst-first is caught at its first deviation (NO_SKIP or RATIO)', () => {
    let deviated = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const w = randomWorld(seed, worstFirst);
        const report = w.audit();
        const first = w.deviations[0];
        if (first === undefined) {
          expect(report.violations).toEqual([]);
          return;
        }
        deviated++;
        const found = report.violations.find((v) => v.referralId === first);
        expect(found?.check).toMatch(/^(NO_SKIP|RATIO)$/);
        // Nothing is flagged before the first deviation.
        const firstSeq = w.events.find((e) => e.entityId === first)!.seq;
        expect(report.violations.every((v) => v.eventSeq >= firstSeq)).toBe(true);
      }),
      { numRuns: 100 },
    );
    expect(deviated).toBeGreaterThan(10);
  });

  it('a shifted confirmBy or a dropped stop-list entry is found on that referral', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.nat(), (seed, k) => {
        const w = randomWorld(seed);
        const offered = w.events.filter((e) => e.type === 'referral.issued' && e.data.status === 'OFFERED');
        fc.pre(offered.length > 0);
        const target = offered[k % offered.length];
        const mutated = w.events.map((e) =>
          e === target
            ? {
                ...e,
                data: {
                  ...e.data,
                  confirmBy: new Date(Date.parse(String(e.data.confirmBy)) + DAY_MS).toISOString(),
                },
              }
            : e,
        );
        const r1 = auditFairness(mutated, { calendar: CAL, settings: SETTINGS, asOf: w.now });
        expect(r1.violations.some((v) => v.check === 'DEADLINE' && v.referralId === target.entityId)).toBe(true);

        const stops = w.events.filter((e) => e.type === 'stop_list.added');
        if (stops.length) {
          const drop = stops[k % stops.length];
          const r2 = auditFairness(
            w.events.filter((e) => e !== drop),
            { calendar: CAL, settings: SETTINGS, asOf: w.now },
          );
          expect(r2.violations.some((v) => v.check === 'STOP_LIST' && v.referralId === drop.data.referralId)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('class-0 referrals leave the cycle alone; the audit agrees with allocate() on mixed classes', () => {
    const classes: PriorityClass[] = [0, 1, 2];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...classes), { minLength: 3, maxLength: 20 }), fc.integer({ min: 1, max: 8 }), (cls, places) => {
        const w = new World();
        for (const c of cls) {
          const id = w.register();
          if (c !== 2) w.confirmPriority(id, c);
        }
        for (let i = 0; i < places; i++) w.publish();
        w.day('2026-09-08');
        expect(w.audit().violations).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('fairness audit: indexed picks agree with the literal rule (fast-check)', () => {
  const OPTS = { calendar: CAL, settings: SETTINGS };

  /** Both reports of one ledger: the rank-ordered lists (default) and the literal scan. */
  function both(events: AuditEvent[], asOf: Date): [FairnessReport, FairnessReport] {
    return [auditFairness(events, { ...OPTS, asOf }), auditFairness(events, { ...OPTS, asOf, literal: true })];
  }

  it('same report on worlds run by the rules and worst-first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), (seed, worst) => {
        const w = randomWorld(seed, worst ? worstFirst : null);
        const [indexed, literal] = both(w.events, w.now);
        expect(indexed).toEqual(literal);
      }),
      { numRuns: 100 },
    );
  });

  it('same report on damaged ledgers: dropped events, equal ranks, class changes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(0, 0.1, 0.3),
        fc.constantFrom(0, 0.3, 1),
        (seed, seed2, dropRate, tieRate) => {
          const w = randomWorld(seed, seed % 3 === 0 ? worstFirst : null);
          const rnd = prng(seed2);
          const sameAt = '2026-09-01T00:00:00.000Z';
          const events = w.events
            .filter(() => rnd() >= dropRate)
            .map((e): AuditEvent => {
              if (e.type === 'application.registered' && rnd() < tieRate) {
                // Registration instants and numbers that tie across applications and queues.
                return {
                  ...e,
                  data: { ...e.data, registeredAt: sameAt, seq: Math.floor(rnd() * 3) },
                };
              }
              if (e.type === 'application.priority_confirmed' && rnd() < 0.3) {
                return { ...e, data: { ...e.data, priorityClass: Math.floor(rnd() * 3) } };
              }
              return e;
            });
          const [indexed, literal] = both(events, w.now);
          expect(indexed).toEqual(literal);
        },
      ),
      { numRuns: 150 },
    );
  });
});
