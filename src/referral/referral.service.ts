import { hostname } from 'node:os';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { returning } from '../platform/database/sql.js';
import { DataSource, type EntityManager } from 'typeorm';
import { actorOf, applicantIin, isAdmin, staffOrg, type Principal } from '../auth/principal.js';
import { CalendarService } from '../calendar/calendar.service.js';
import {
  addCalendarDays,
  almatyMidnight,
  endOfAlmatyDay,
  toAlmatyDate,
} from '../calendar/domain/almaty-time.js';
import { calendarDaysDeadline, workingDaysDeadline } from '../calendar/domain/deadlines.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { Stage } from '../notification/domain/stages.js';
import { NotificationService } from '../notification/notification.service.js';
import { isUuid } from '../organization/organization.service.js';
import { Clock } from '../platform/clock/clock.js';
import {
  badInput,
  conflict,
  forbidden,
  notFound,
  unauthenticated,
} from '../platform/errors/app-error.js';
import {
  AdmissionMode,
  ArchiveReason,
  type DocumentKind,
  type RefusalReason,
} from '../platform/graphql/enums.js';
import { isRealDate } from '../platform/graphql/scalars.js';
import { SchedulerService } from '../platform/jobs/scheduler.service.js';
import { JobName, QueueName } from '../platform/jobs/job-names.js';
import { JobRegistry } from '../platform/jobs/job-registry.js';
import { JobsService } from '../platform/jobs/jobs.service.js';
import { Metrics } from '../platform/metrics/metrics.js';
import { SettingsService, type Settings } from '../platform/settings.service.js';
import {
  APPLICATION_COLUMNS,
  toApplication,
  type ApplicationRow,
} from '../queue/application.row.js';
import { QueueService } from '../queue/queue.service.js';
import { inTransferPeriod } from '../vacancy/domain/vacancy-rules.js';
import { BULLETIN_MINUTES } from '../vacancy/vacancy.service.js';
import { toVacancy, VACANCY_COLUMNS, type VacancyRow } from '../vacancy/vacancy.row.js';
import { allocate } from './domain/allocate.js';
import {
  birthDateWindow,
  exclusionKey,
  fitsForClaim,
  type ApplicationView,
  type GroupType,
  type VacancyView,
  type WorkMode,
} from './domain/eligibility.js';
import { missingDocuments, requiredDocuments, transition } from './domain/referral-state.js';
import type { AllocationRun, Referral } from './dto/referral.model.js';
import { toReferral, type ReferralRow } from './referral.row.js';
import {
  lockLocalitiesForQueueChange,
  lockLocalityForAllocation,
  lockLocalityForQueueChange,
} from '../platform/database/locks.js';

/** The columns of an application the allocator needs (see ReferralService.candidates). */
interface CandidateRow {
  id: string;
  seq: number;
  priority_class: 0 | 1 | 2;
  t: number;
  cohort: number;
  birth: string;
  orgs: string[];
  language: string;
  group_type: GroupType;
  special: boolean;
  work_modes: WorkMode[];
  desired: string;
  temporary: boolean;
  batch_id: string | null;
}

const LIVE = `('BOOKED','OFFERED','CONFIRMED')`;
const WORKER_ID = `${hostname()}:${process.pid}`;
/** Families told about one open place (best-ranked fitting ones). */
const OPEN_NOTICE_LIMIT = 20;
/** Fault-injection hook for the crash tests: hold each locality's transaction open (never in production). */
const TASK_DELAY_MS = process.env.NODE_ENV === 'production' ? 0 : Number(process.env.ALLOCATION_TASK_DELAY_MS ?? 0);
const REFERRAL_COLUMNS = `r.id, r.application_id, r.vacancy_id, r.status, r.issued_at, r.clock_start, r.confirm_by,
  r.confirmed_at, r.valid_until, r.extended, r.documents, r.required_documents, r.claimed, r.closed_at, r.close_reason`;

/** Last moment of a deadline for texts: the day before the 00:00 instant, 23:59. */
export function deadlineText(deadline: Date): string {
  return `${toAlmatyDate(new Date(deadline.getTime() - 1))} 23:59`;
}

const REFUSAL_TEXT: Record<RefusalReason, { kk: string; ru: string }> = {
  INCOMPLETE_DOCUMENTS: { kk: 'құжаттар толық емес', ru: 'неполный пакет документов' },
  EXPIRED_DOCUMENTS: { kk: 'құжаттардың мерзімі өткен', ru: 'истёк срок действия документов' },
  VACCINATION_LIMIT: {
    kk: 'екпе алмаған балалар лимиті толды',
    ru: 'исчерпан лимит непривитых детей',
  },
};

interface Ctx {
  em: EntityManager;
  at: Date;
  actor: string;
}

@Injectable()
export class ReferralService implements OnModuleInit {
  private readonly log = new Logger(ReferralService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly notifications: NotificationService,
    private readonly calendar: CalendarService,
    private readonly settings: SettingsService,
    private readonly scheduler: SchedulerService,
    private readonly queue: QueueService,
    private readonly metrics: Metrics,
    private readonly jobs: JobsService,
    private readonly registry: JobRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.handle(QueueName.Allocation, JobName.AllocateLocality, async (data) => ({
      localities: typeof data.runId === 'string' ? await this.drain(data.runId) : 0,
    }));
    this.registry.onWorkerStart(async () => {
      await this.resumeUnfinishedRuns();
    });
    // 00:00: deadlines end at 24:00 Asia/Almaty, so the midnight sweep expires them on the right day.
    this.scheduler.register({
      kind: 'referral-expiry',
      atMinutes: 0,
      order: 10,
      run: (at) => this.expireDue(at),
    });
    this.scheduler.register({
      kind: 'stop-list-release',
      atMinutes: 0,
      order: 40,
      run: (at) => this.releaseStopList(at),
    });
    // 09:00, after the bulletins (order 10): hand the fresh and returned places to the queue heads.
    this.scheduler.register({
      kind: 'allocation',
      atMinutes: BULLETIN_MINUTES,
      order: 20,
      run: async (at) => {
        const run = await this.runAllocation('schedule', at);
        return { run: run.id, considered: run.vacanciesConsidered, issued: run.referralsIssued };
      },
    });
    // 09:00 after allocation: tell the best-ranked families that fit each newly open place.
    this.scheduler.register({
      kind: 'open-place-notice',
      atMinutes: BULLETIN_MINUTES,
      order: 30,
      run: (at) => this.noticeOpenPlaces(at),
    });
  }

  // ---------- reading and access ----------

  async load(em: EntityManager | DataSource, id: string, lock = false): Promise<ReferralRow> {
    if (!isUuid(id)) throw notFound('referral', id);
    const rows: ReferralRow[] = await em.query(
      `SELECT ${REFERRAL_COLUMNS} FROM referral r WHERE r.id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    if (!rows[0]) throw notFound('referral', id);
    return rows[0];
  }

  private async parties(
    em: EntityManager | DataSource,
    r: ReferralRow,
  ): Promise<{ app: ApplicationRow; vac: VacancyRow; orgName: string }> {
    const apps: ApplicationRow[] = await em.query(
      `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = $1`,
      [r.application_id],
    );
    const vacs: (VacancyRow & { org_name: string })[] = await em.query(
      `SELECT ${VACANCY_COLUMNS}, o.name AS org_name FROM vacancy v JOIN organization o ON o.id = v.organization_id WHERE v.id = $1`,
      [r.vacancy_id],
    );
    return { app: apps[0], vac: vacs[0], orgName: vacs[0].org_name };
  }

  private assertOwner(by: Principal, app: ApplicationRow): void {
    if (isAdmin(by) || applicantIin(by) === app.applicant_iin) return;
    if (by.kind === 'anonymous') throw unauthenticated();
    throw forbidden('this referral belongs to another applicant');
  }

  private assertStaff(by: Principal, vac: VacancyRow): void {
    if (isAdmin(by) || staffOrg(by) === vac.organization_id) return;
    if (by.kind === 'anonymous') throw unauthenticated();
    throw forbidden('only staff of the organization holding the place may do this');
  }

  async get(id: string, by: Principal): Promise<Referral> {
    const r = await this.load(this.ds, id);
    const { app, vac } = await this.parties(this.ds, r);
    if (!(
      isAdmin(by) ||
      applicantIin(by) === app.applicant_iin ||
      staffOrg(by) === vac.organization_id
    )) {
      if (by.kind === 'anonymous') throw unauthenticated();
      throw forbidden(
        'referral: you may see only your own referrals or those of your organization',
      );
    }
    return toReferral(r);
  }

  /** Live referral per application id / vacancy id (for field resolvers). */
  async liveBy(
    column: 'application_id' | 'vacancy_id',
    ids: readonly string[],
  ): Promise<Map<string, Referral>> {
    const valid = ids.filter(isUuid);
    const rows: ReferralRow[] = valid.length
      ? await this.ds.query(
          `SELECT ${REFERRAL_COLUMNS} FROM referral r WHERE r.${column} = ANY($1::uuid[]) AND r.status IN ${LIVE}`,
          [valid],
        )
      : [];
    return new Map(
      rows.map((r) => [
        column === 'application_id' ? r.application_id : r.vacancy_id,
        toReferral(r),
      ]),
    );
  }

  canSeeVacancyReferral(by: Principal, organizationId: string): boolean {
    return isAdmin(by) || staffOrg(by) === organizationId;
  }

  // ---------- allocation ----------

  /**
   * One allocation run: one task per locality (localities are independent). The caller enqueues a job
   * per task so that every worker process can take a share (SKIP LOCKED claims), helps itself unless
   * told not to, waits for the last task and records the totals. A worker killed mid-task loses only
   * that uncommitted locality; the task stays PENDING and is resumed on the next worker start.
   */
  async runAllocation(
    trigger: string,
    at: Date = this.clock.now(),
    opts: { selfDrain?: boolean } = {},
  ): Promise<AllocationRun> {
    const observe = this.metrics.allocationDuration.startTimer({ trigger });
    const runRows: { id: string }[] = await this.ds.query(
      `INSERT INTO allocation_run (started_at, trigger) VALUES ($1, $2) RETURNING id`,
      [at, trigger],
    );
    const runId = runRows[0].id;
    const localities: { locality: string }[] = await this.ds.query(
      `SELECT DISTINCT locality FROM vacancy WHERE status = 'PUBLISHED' AND bulletin_date IS NOT NULL ORDER BY locality`,
    );
    if (localities.length) {
      await this.ds.query(
        `INSERT INTO allocation_task (run_id, locality, status) SELECT $1, unnest($2::text[]), 'PENDING'`,
        [runId, localities.map((l) => l.locality)],
      );
      const fanOut = Math.min(localities.length, 8);
      try {
        for (let i = 0; i < fanOut; i++) {
          await this.jobs.add(
            QueueName.Allocation,
            JobName.AllocateLocality,
            { runId },
            { jobId: `alloc-${runId}-${i}` },
          );
        }
      } catch (e) {
        // The job backend is away: this process allocates every locality itself (the tasks are in Postgres).
        this.log.warn({ run: runId, err: (e as Error).message }, 'allocation jobs not queued; allocating in this process');
        opts = { ...opts, selfDrain: true };
      }
    }
    const started = process.hrtime.bigint();
    if (opts.selfDrain ?? true) await this.drain(runId);
    await this.waitForRun(runId);
    const run = await this.finishRun(runId, at, started);
    this.log.log(
      { run: runId, trigger, considered: run.vacanciesConsidered, issued: run.referralsIssued },
      'allocation run done',
    );
    observe();
    return run;
  }

  /** Claims and allocates PENDING localities of a run until none is left to claim. */
  async drain(runId: string): Promise<number> {
    const runs: { started_at: Date }[] = await this.ds.query(
      `SELECT started_at FROM allocation_run WHERE id = $1`,
      [runId],
    );
    if (!runs[0]) return 0;
    let n = 0;
    while (await this.processOneTask(runId, runs[0].started_at)) n++;
    return n;
  }

  private async processOneTask(runId: string, at: Date): Promise<boolean> {
    return this.ds.transaction(async (em) => {
      const rows: { locality: string }[] = await em.query(
        `SELECT locality FROM allocation_task WHERE run_id = $1 AND status = 'PENDING' ORDER BY locality LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [runId],
      );
      if (!rows[0]) return false;
      const r = await this.allocateIn(em, rows[0].locality, at, runId);
      if (TASK_DELAY_MS > 0) await new Promise((res) => setTimeout(res, TASK_DELAY_MS));
      await em.query(
        `UPDATE allocation_task SET status = 'DONE', worker = $3, finished_at = now(), vacancies_considered = $4, referrals_issued = $5
         WHERE run_id = $1 AND locality = $2`,
        [runId, rows[0].locality, WORKER_ID, r.considered, r.issued],
      );
      return true;
    });
  }

  private async waitForRun(runId: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending: { n: number }[] = await this.ds.query(
        `SELECT count(*)::int AS n FROM allocation_task WHERE run_id = $1 AND status = 'PENDING'`,
        [runId],
      );
      if (pending[0].n === 0) return;
      if (Date.now() > deadline) {
        this.log.warn(
          { run: runId },
          'no worker finished the allocation tasks in time; allocating here',
        );
        await this.drain(runId);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async finishRun(runId: string, at: Date, started?: bigint): Promise<AllocationRun> {
    const totals: { considered: number; issued: number; localities: string[] | null }[] =
      await this.ds.query(
        `SELECT coalesce(sum(vacancies_considered), 0)::int AS considered, coalesce(sum(referrals_issued), 0)::int AS issued,
              array_agg(locality::text ORDER BY locality) AS localities
       FROM allocation_task WHERE run_id = $1 AND status = 'DONE'`,
        [runId],
      );
    const t = totals[0];
    const ms = started ? Number(process.hrtime.bigint() - started) / 1e6 : 0;
    const finishedAt = new Date(at.getTime() + ms);
    const rows = await returning<{ trigger: string }>(
      this.ds,
      `UPDATE allocation_run SET finished_at = coalesce(finished_at, $2), vacancies_considered = $3, referrals_issued = $4
       WHERE id = $1 RETURNING trigger`,
      [runId, finishedAt, t.considered, t.issued],
    );
    return {
      id: runId,
      startedAt: at,
      finishedAt,
      vacanciesConsidered: t.considered,
      referralsIssued: t.issued,
      trigger: rows[0]?.trigger ?? 'unknown',
      localities: t.localities ?? [],
    };
  }

  /** Worker start-up: finish runs a killed process left half done (their tasks are still PENDING). */
  async resumeUnfinishedRuns(): Promise<number> {
    const runs: { id: string; started_at: Date }[] = await this.ds.query(
      `SELECT DISTINCT r.id, r.started_at FROM allocation_run r JOIN allocation_task t ON t.run_id = r.id
       WHERE t.status = 'PENDING' ORDER BY r.started_at`,
    );
    for (const r of runs) {
      await this.drain(r.id);
      await this.finishRun(r.id, r.started_at);
    }
    return runs.length;
  }

  /**
   * One locality, in the caller's transaction, under the locality's advisory lock: the result equals
   * allocating the places one at a time in bulletin order (domain/allocate.ts). Safe to re-run:
   * allocated places are no longer PUBLISHED and referred applications no longer QUEUED.
   *
   * At national size (200,000 applications in a locality) it reads only the applications that could fit
   * one of today's places (language, group type, desired date, birth dates; every twin, whose batch decides
   * together) in a compact form, without row locks: the exclusive advisory lock keeps every queue change of
   * the locality out until commit (src/platform/database/locks.ts). It row-locks only the applications it
   * refers, and writes the referrals, their ledger events and texts set-based.
   */
  async allocateIn(
    em: EntityManager,
    locality: string,
    at: Date,
    runId: string | null,
  ): Promise<{ considered: number; issued: number }> {
    await lockLocalityForAllocation(em, locality);
    const s = await this.settings.get(em);
    if (inTransferPeriod(toAlmatyDate(at), s.transferPeriod)) return { considered: 0, issued: 0 };
    const vacs: (VacancyRow & { org_name: string })[] = await em.query(
      `SELECT ${VACANCY_COLUMNS}, o.name AS org_name FROM vacancy v
         JOIN organization o ON o.id = v.organization_id
         JOIN bulletin_entry e ON e.vacancy_id = v.id AND e.kind = 'VACATED'
         WHERE v.locality = $1 AND v.status = 'PUBLISHED' AND v.bulletin_date IS NOT NULL AND v.bulletin_date <= $2::date
           AND (v.open_at IS NULL OR v.open_at > $3)
         ORDER BY e.bulletin_date, e.position FOR UPDATE OF v`,
      [locality, toAlmatyDate(at), at],
    );
    if (!vacs.length) return { considered: 0, issued: 0 };
    const vacancies = vacs.map(toVacancyView);
    const apps = await this.candidates(em, locality, vacancies);
    const excl: { application_id: string; vacancy_id: string }[] = await em.query(
      `SELECT application_id, vacancy_id FROM referral_exclusion WHERE vacancy_id = ANY($1::uuid[])`,
      [vacs.map((v) => v.id)],
    );
    const cycleRows: { cohort: number; position: number }[] = await em.query(
      `SELECT cohort, position FROM queue_cycle WHERE locality = $1`,
      [locality],
    );
    const cycles: Record<string, number> = {};
    for (const c of cycleRows) cycles[`${locality}:${c.cohort}`] = c.position;
    const result = allocate({
      vacancies,
      applications: apps,
      cycles,
      ratio: s.interleave,
      excluded: new Set(excl.map((e) => exclusionKey(e.application_id, e.vacancy_id))),
    });
    if (result.referrals.length) {
      // Lock what changes: the referred applications. They are all still QUEUED (the lock above keeps
      // every queue change out); a difference would be a bug, and the locality's transaction rolls back.
      const rows: ApplicationRow[] = await em.query(
        `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = ANY($1::uuid[]) AND a.status = 'QUEUED' ORDER BY a.id FOR UPDATE`,
        [result.referrals.map((r) => r.applicationId)],
      );
      if (rows.length !== result.referrals.length) {
        throw new Error(`allocation in ${locality}: ${result.referrals.length - rows.length} referred applications left the queue during the run`);
      }
      const appById = new Map(rows.map((a) => [a.id, a]));
      const vacById = new Map(vacs.map((v) => [v.id, v]));
      const cal = await this.calendar.calendar(em);
      await this.issueMany(
        { em, at, actor: 'system:allocation' },
        result.referrals.map((ref) => {
          const app = appById.get(ref.applicationId);
          const vac = vacById.get(ref.vacancyId);
          if (!app || !vac) throw new Error('allocation returned an unknown id');
          return { app, vac, orgName: vac.org_name, runId, queueKey: ref.queueKey, claimed: false };
        }),
        s,
        cal,
      );
    }
    const moved = Object.entries(result.cycles).filter(([key, position]) => cycles[key] !== position);
    if (moved.length) {
      await em.query(
        `INSERT INTO queue_cycle (locality, cohort, position) SELECT $1, unnest($2::int[]), unnest($3::int[])
           ON CONFLICT (locality, cohort) DO UPDATE SET position = EXCLUDED.position`,
        [locality, moved.map(([key]) => Number(key.split(':')[1])), moved.map(([, position]) => position)],
      );
    }
    const taken = new Set(result.referrals.map((r) => r.vacancyId));
    const untaken = vacs.filter((v) => !taken.has(v.id) && v.open_at === null).map((v) => v.id);
    if (untaken.length) {
      // Nobody eligible now: the place opens for claims when its priority window ends.
      await em.query(`UPDATE vacancy SET open_at = $2 WHERE id = ANY($1::uuid[])`, [
        untaken,
        new Date(at.getTime() + s.priorityWindowHours * 3600_000),
      ]);
    }
    this.metrics.referralsIssued.inc(result.referrals.length);
    return { considered: vacs.length, issued: result.referrals.length };
  }

  /**
   * The QUEUED applications of a locality that could be eligible for at least one of `vacancies` (same
   * language and group type, desired date not after the latest start, birth date inside the union of the
   * age windows), plus every twin (a batch is placed together, so its members count even where one alone
   * would not fit). Leaving out applications that fit no place changes no pick. In (registeredAt, seq)
   * order, so the allocator's sort has nothing to do. No row locks (see allocateIn).
   */
  private async candidates(em: EntityManager, locality: string, vacancies: VacancyView[]): Promise<ApplicationView[]> {
    const windows = vacancies.map((v) => birthDateWindow(v.admissionStartDate, v.ageFromMonths, v.ageToMonths));
    const earliest = windows.reduce((m, w) => (w.earliest < m ? w.earliest : m), windows[0].earliest);
    const latest = windows.reduce((m, w) => (w.latest > m ? w.latest : m), windows[0].latest);
    const lastStart = vacancies.reduce((m, v) => (v.admissionStartDate > m ? v.admissionStartDate : m), '0000-01-01');
    const rows: CandidateRow[] = await em.query(
      `SELECT a.id, a.seq::float8 AS seq, a.priority_class, floor(extract(epoch FROM a.registered_at) * 1000)::float8 AS t, a.cohort,
              to_char(a.child_birth_date, 'YYYY-MM-DD') AS birth, a.organization_ids::text[] AS orgs, a.language, a.group_type,
              a.special_needs_confirmed AS special, a.work_modes, to_char(a.desired_admission_date, 'YYYY-MM-DD') AS desired,
              a.accepts_temporary_stay AS temporary, a.batch_id
       FROM application a
       WHERE a.locality = $1 AND a.status = 'QUEUED'
         AND (a.batch_id IS NOT NULL
              OR (a.language = ANY($2::text[]) AND a.group_type = ANY($3::text[]) AND a.desired_admission_date <= $4::date
                  AND a.child_birth_date BETWEEN $5::date AND $6::date))
       ORDER BY 4, 2`,
      [
        locality,
        [...new Set(vacancies.map((v) => v.language))],
        [...new Set(vacancies.map((v) => v.groupType))],
        lastStart,
        earliest,
        latest,
      ],
    );
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      priorityClass: r.priority_class,
      registeredAt: r.t,
      locality,
      cohort: r.cohort,
      birthDate: r.birth,
      organizationIds: r.orgs,
      language: r.language,
      groupType: r.group_type,
      specialNeedsConfirmed: r.special,
      workModes: r.work_modes,
      desiredAdmissionDate: r.desired,
      acceptsTemporaryStay: r.temporary,
      batchId: r.batch_id,
    }));
  }

  private async issue(
    c: Ctx,
    app: ApplicationRow,
    vac: VacancyRow,
    orgName: string,
    s: Settings,
    cal: Awaited<ReturnType<CalendarService['calendar']>>,
    o: { runId: string | null; queueKey: string | null; claimed: boolean },
  ): Promise<string> {
    const [id] = await this.issueMany(c, [{ app, vac, orgName, ...o }], s, cal);
    return id;
  }

  /**
   * Issues referrals in the given order (their ledger events follow it): the referral rows, the places and
   * applications they take, their ledger events and texts, each kind in one statement.
   */
  private async issueMany(
    c: Ctx,
    items: readonly { app: ApplicationRow; vac: VacancyRow; orgName: string; runId: string | null; queueKey: string | null; claimed: boolean }[],
    s: Settings,
    cal: Awaited<ReturnType<CalendarService['calendar']>>,
  ): Promise<string[]> {
    const terms = items.map(({ app, vac }) => {
      const booked = vac.admission_mode === 'EARLY_BOOKING' && vac.vacated_at === null;
      const clockStart = booked
        ? null
        : vac.vacated_at && vac.vacated_at.getTime() > c.at.getTime()
          ? vac.vacated_at
          : c.at;
      const confirmBy = clockStart ? workingDaysDeadline(cal, clockStart, s.confirmWorkingDays) : null;
      const required = requiredDocuments(app.priority_class as 0 | 1 | 2, vac.group_type);
      return { booked, clockStart, confirmBy, required, status: booked ? 'BOOKED' : 'OFFERED' };
    });
    const inserted: { id: string; application_id: string }[] = await c.em.query(
      `INSERT INTO referral (application_id, vacancy_id, status, issued_at, clock_start, confirm_by, required_documents, claimed, run_id, queue_key)
       SELECT application_id, vacancy_id, status, $4, clock_start, confirm_by, string_to_array(required, ','), claimed, run_id, queue_key
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::boolean[], $9::uuid[], $10::text[])
            WITH ORDINALITY AS x(application_id, vacancy_id, status, clock_start, confirm_by, required, claimed, run_id, queue_key, ord)
       ORDER BY ord
       RETURNING id, application_id`,
      [
        items.map((i) => i.app.id),
        items.map((i) => i.vac.id),
        terms.map((t) => t.status),
        c.at,
        terms.map((t) => t.clockStart),
        terms.map((t) => t.confirmBy),
        terms.map((t) => t.required.join(',')),
        items.map((i) => i.claimed),
        items.map((i) => i.runId),
        items.map((i) => i.queueKey),
      ],
    );
    const idOf = new Map(inserted.map((r) => [r.application_id, r.id]));
    const ids = items.map((i) => idOf.get(i.app.id) ?? '');
    await c.em.query(
      `UPDATE vacancy v SET status = x.status FROM unnest($1::uuid[], $2::text[]) AS x(id, status) WHERE v.id = x.id`,
      [items.map((i) => i.vac.id), terms.map((t) => (t.booked ? 'BOOKED' : 'REFERRED'))],
    );
    await c.em.query(`UPDATE application SET status = 'REFERRED', updated_at = $2 WHERE id = ANY($1::uuid[])`, [
      items.map((i) => i.app.id),
      c.at,
    ]);
    await this.ledger.appendMany(
      c.em,
      items.map(({ app, vac, runId, queueKey, claimed }, k) => ({
        type: 'referral.issued',
        entity: 'referral' as const,
        entityId: ids[k],
        actor: c.actor,
        at: c.at,
        data: {
          applicationId: app.id,
          vacancyId: vac.id,
          status: terms[k].status,
          queueKey,
          runId,
          claimed,
          priorityClass: app.priority_class,
          registeredAt: app.registered_at.toISOString(),
          seq: Number(app.seq),
          clockStart: terms[k].clockStart?.toISOString() ?? null,
          confirmBy: terms[k].confirmBy?.toISOString() ?? null,
        },
      })),
    );
    await this.notifications.enqueueMany(
      c.em,
      items.map(({ app, orgName }, k) => {
        const stage: Stage = terms[k].booked ? 'REFERRAL_BOOKED' : 'REFERRAL_OFFERED';
        const confirmBy = terms[k].confirmBy;
        return {
          applicationId: app.id,
          phone: app.phone,
          language: app.notification_language,
          stage,
          key: `${stage}:${ids[k]}`,
          params: { number: app.number, organization: orgName, ...(confirmBy ? { deadline: deadlineText(confirmBy) } : {}) },
          at: c.at,
        };
      }),
    );
    return ids;
  }

  private notify(
    c: Ctx,
    app: ApplicationRow,
    stage: Stage,
    key: string,
    params: Record<string, string | number>,
  ): Promise<void> {
    return this.notifications.enqueue(c.em, {
      applicationId: app.id,
      phone: app.phone,
      language: app.notification_language,
      stage,
      key,
      params: { number: app.number, ...params },
      at: c.at,
    });
  }

  /** Puts a place back to allocation and the application back in the queue (original time). */
  private async release(
    c: Ctx,
    r: ReferralRow,
    status: 'DECLINED' | 'EXPIRED' | 'CANCELLED',
    reason: string,
    appStatus: 'QUEUED' | 'STOP_LISTED',
  ): Promise<void> {
    // Under the locality's queue-change lock (allocateIn holds it exclusively for its whole transaction):
    // the place and the application come back either before a run reads the queue or after it has
    // committed, so the ledger's order is the order allocation saw. Without it a decline committing
    // during a run has its event before the run's referrals while the run never saw the application
    // waiting, and the fairness audit, which replays the ledger in order, reports those referrals as skips.
    const loc: { locality: string }[] = await c.em.query(`SELECT locality FROM vacancy WHERE id = $1`, [r.vacancy_id]);
    await lockLocalityForQueueChange(c.em, loc[0].locality);
    await c.em.query(
      `UPDATE referral SET status = $2, closed_at = $3, close_reason = $4 WHERE id = $1`,
      [r.id, status, c.at, reason],
    );
    await c.em.query(
      `UPDATE vacancy SET status = 'PUBLISHED', open_at = NULL WHERE id = $1 AND status IN ('BOOKED','REFERRED')`,
      [r.vacancy_id],
    );
    await c.em.query(
      `INSERT INTO referral_exclusion (application_id, vacancy_id) VALUES ($1,$2) ON CONFLICT DO NOTHING`,
      [r.application_id, r.vacancy_id],
    );
    await c.em.query(
      `UPDATE application SET status = $2, updated_at = $3 WHERE id = $1 AND status = 'REFERRED'`,
      [r.application_id, appStatus, c.at],
    );
    await this.ledger.append(c.em, {
      type: `referral.${status.toLowerCase()}`,
      entity: 'referral',
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
    });
  }

  // ---------- applicant actions ----------

  async confirm(id: string, by: Principal): Promise<Referral> {
    return this.ds.transaction(async (em) => {
      const r = await this.load(em, id, true);
      const { app, vac, orgName } = await this.parties(em, r);
      this.assertOwner(by, app);
      const now = this.clock.now();
      if (r.status !== 'OFFERED')
        {throw conflict(
          `id: referral is ${r.status}, only an OFFERED referral can be confirmed`,
          'id',
        );}
      if (r.confirm_by && r.confirm_by.getTime() <= now.getTime())
        {throw conflict('id: the confirmation deadline has passed', 'id');}
      const s = await this.settings.get(em);
      const cal = await this.calendar.calendar(em);
      // Early booking confirmed before the place frees: the documents clock starts with the place.
      const from = r.clock_start && r.clock_start.getTime() > now.getTime() ? r.clock_start : now;
      const validUntil = workingDaysDeadline(cal, from, s.documentsWorkingDays);
      await em.query(
        `UPDATE referral SET status = 'CONFIRMED', confirmed_at = $2, valid_until = $3 WHERE id = $1`,
        [id, now, validUntil],
      );
      const c = { em, at: now, actor: actorOf(by) };
      await this.ledger.append(em, {
        type: 'referral.confirmed',
        entity: 'referral',
        entityId: id,
        actor: c.actor,
        at: now,
        data: { applicationId: app.id, vacancyId: vac.id, validUntil: validUntil.toISOString() },
      });
      await this.notify(c, app, 'REFERRAL_CONFIRMED', `REFERRAL_CONFIRMED:${id}`, {
        organization: orgName,
        deadline: deadlineText(validUntil),
      });
      return toReferral(await this.load(em, id));
    });
  }

  async decline(id: string, by: Principal): Promise<Referral> {
    return this.ds.transaction(async (em) => {
      const r = await this.load(em, id, true);
      const { app } = await this.parties(em, r);
      this.assertOwner(by, app);
      if (r.status === 'OFFERED' && r.confirm_by && r.confirm_by.getTime() <= this.clock.now().getTime()) {
        throw conflict('id: the confirmation deadline has passed; the referral expires', 'id');
      }
      const step = transition(r.status, 'DECLINE');
      if (!step.ok) throw conflict(`id: referral is ${r.status}, no longer live (${step.reason})`, 'id');
      const c = { em, at: this.clock.now(), actor: actorOf(by) };
      await this.release(c, r, 'DECLINED', 'declined by the applicant', 'QUEUED');
      await this.notify(c, app, 'REFERRAL_DECLINED', `REFERRAL_DECLINED:${id}`, {});
      return toReferral(await this.load(em, id));
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
      const apps: ApplicationRow[] = await em.query(
        `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = $1 FOR UPDATE`,
        [applicationId],
      );
      const app = apps[0];
      if (!app) throw notFound('application', applicationId);
      this.assertOwner(by, app);
      const now = this.clock.now();
      const locked: VacancyRow[] = await em.query(
        `SELECT ${VACANCY_COLUMNS} FROM vacancy v WHERE v.id = $1 FOR UPDATE`,
        [vacancyId],
      );
      const v = toVacancy(locked[0], now);
      if (!v.openForClaim)
        {throw conflict(
          'vacancyId: the place is not open for claims (still in its priority window, or taken)',
          'vacancyId',
        );}
      if (app.status !== 'QUEUED')
        {throw conflict(
          `applicationId: application is ${app.status}, only a QUEUED one may claim`,
          'applicationId',
        );}
      const s = await this.settings.get(em);
      if (inTransferPeriod(toAlmatyDate(now), s.transferPeriod))
        {throw conflict(
          'vacancyId: no referrals are issued during the transfer period',
          'vacancyId',
        );}
      const excluded: unknown[] = await em.query(
        `SELECT 1 FROM referral_exclusion WHERE application_id = $1 AND vacancy_id = $2`,
        [applicationId, vacancyId],
      );
      if (excluded.length || !fitsForClaim(toApplicationView(app), toVacancyView(locked[0]))) {
        throw conflict(
          'applicationId: the child does not fit this place (language, group, work mode, age or earlier refusal)',
          'applicationId',
        );
      }
      const cal = await this.calendar.calendar(em);
      const id = await this.issue(
        { em, at: now, actor: actorOf(by) },
        app,
        locked[0],
        vac.org_name,
        s,
        cal,
        { runId: null, queueKey: null, claimed: true },
      );
      this.metrics.referralsIssued.inc();
      return toReferral(await this.load(em, id));
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
      this.assertStaff(by, vac);
      if (vac.admission_mode !== 'EARLY_BOOKING')
        {throw conflict('vacancyId: only an EARLY_BOOKING place is marked vacated', 'vacancyId');}
      if (vac.vacated_at)
        {throw conflict('vacancyId: the place is already marked vacated', 'vacancyId');}
      if (!['PUBLISHED', 'BOOKED'].includes(vac.status))
        {throw conflict(`vacancyId: place is ${vac.status}`, 'vacancyId');}
      const now = this.clock.now();
      const today = toAlmatyDate(now);
      if (on < addCalendarDays(today, -31)) throw badInput('on', 'is too far in the past');
      const startOfOn = almatyMidnight(on);
      const vacatedAt = startOfOn.getTime() > now.getTime() ? startOfOn : now;
      await em.query(`UPDATE vacancy SET vacated_at = $2 WHERE id = $1`, [vacancyId, vacatedAt]);
      const c = { em, at: now, actor: actorOf(by) };
      await this.ledger.append(em, {
        type: 'vacancy.vacated',
        entity: 'vacancy',
        entityId: vacancyId,
        actor: c.actor,
        at: now,
        data: { on, vacatedAt: vacatedAt.toISOString() },
      });
      const refs: ReferralRow[] = await em.query(
        `SELECT ${REFERRAL_COLUMNS} FROM referral r WHERE r.vacancy_id = $1 AND r.status = 'BOOKED' FOR UPDATE`,
        [vacancyId],
      );
      if (refs[0]) {
        const s = await this.settings.get(em);
        const cal = await this.calendar.calendar(em);
        const confirmBy = workingDaysDeadline(cal, vacatedAt, s.confirmWorkingDays);
        await em.query(
          `UPDATE referral SET status = 'OFFERED', clock_start = $2, confirm_by = $3 WHERE id = $1`,
          [refs[0].id, vacatedAt, confirmBy],
        );
        await em.query(`UPDATE vacancy SET status = 'REFERRED' WHERE id = $1`, [vacancyId]);
        const { app } = await this.parties(em, refs[0]);
        await this.ledger.append(em, {
          type: 'referral.offered',
          entity: 'referral',
          entityId: refs[0].id,
          actor: c.actor,
          at: now,
          data: { clockStart: vacatedAt.toISOString(), confirmBy: confirmBy.toISOString() },
        });
        await this.notify(c, app, 'REFERRAL_OFFERED', `REFERRAL_OFFERED:${refs[0].id}`, {
          organization: vac.org_name,
          deadline: deadlineText(confirmBy),
        });
      }
      const out: VacancyRow[] = await em.query(
        `SELECT ${VACANCY_COLUMNS} FROM vacancy v WHERE v.id = $1`,
        [vacancyId],
      );
      return out[0];
    });
  }

  async extend(id: string, until: string, by: Principal): Promise<Referral> {
    if (!isRealDate(until)) throw badInput('until', 'must be a real date YYYY-MM-DD');
    return this.ds.transaction(async (em) => {
      const r = await this.load(em, id, true);
      const { app, vac } = await this.parties(em, r);
      this.assertStaff(by, vac);
      if (r.status !== 'CONFIRMED')
        {throw conflict(
          `id: referral is ${r.status}, only a CONFIRMED referral can be extended`,
          'id',
        );}
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
      if (r.valid_until && newUntil.getTime() <= r.valid_until.getTime())
        {throw badInput('until', 'must be after the current deadline');}
      const now = this.clock.now();
      await em.query(`UPDATE referral SET valid_until = $2, extended = true WHERE id = $1`, [
        id,
        newUntil,
      ]);
      const c = { em, at: now, actor: actorOf(by) };
      await this.ledger.append(em, {
        type: 'referral.extended',
        entity: 'referral',
        entityId: id,
        actor: c.actor,
        at: now,
        data: {
          validUntil: newUntil.toISOString(),
          previous: r.valid_until?.toISOString() ?? null,
        },
      });
      await this.notify(c, app, 'REFERRAL_EXTENDED', `REFERRAL_EXTENDED:${id}`, {
        deadline: deadlineText(newUntil),
      });
      return toReferral(await this.load(em, id));
    });
  }

  async recordDocuments(id: string, kinds: DocumentKind[], by: Principal): Promise<Referral> {
    if (kinds.length === 0) throw badInput('kinds', 'give at least one document kind');
    return this.ds.transaction(async (em) => {
      const r = await this.load(em, id, true);
      const { vac } = await this.parties(em, r);
      this.assertStaff(by, vac);
      if (r.status !== 'CONFIRMED')
        {throw conflict(
          `referralId: referral is ${r.status}; documents are accepted for a CONFIRMED referral`,
          'referralId',
        );}
      const docs = [...new Set([...r.documents, ...kinds])].sort();
      const now = this.clock.now();
      await em.query(`UPDATE referral SET documents = $2::text[] WHERE id = $1`, [id, docs]);
      await this.ledger.append(em, {
        type: 'referral.documents_recorded',
        entity: 'referral',
        entityId: id,
        actor: actorOf(by),
        at: now,
        data: { kinds, documents: docs },
      });
      return toReferral(await this.load(em, id));
    });
  }

  async refuse(id: string, reason: RefusalReason, by: Principal): Promise<Referral> {
    return this.ds.transaction(async (em) => {
      const r = await this.load(em, id, true);
      const { app, vac, orgName } = await this.parties(em, r);
      this.assertStaff(by, vac);
      if (!['OFFERED', 'CONFIRMED'].includes(r.status))
        {throw conflict(`referralId: referral is ${r.status}, no longer live`, 'referralId');}
      const c = { em, at: this.clock.now(), actor: actorOf(by) };
      await this.release(c, r, 'CANCELLED', `admission refused: ${reason}`, 'QUEUED');
      await this.notify(c, app, 'ADMISSION_REFUSED', `ADMISSION_REFUSED:${id}`, {
        organization: orgName,
        reason: REFUSAL_TEXT[reason][app.notification_language],
      });
      return toReferral(await this.load(em, id));
    });
  }

  async enroll(id: string, by: Principal): Promise<Referral> {
    return this.ds.transaction(async (em) => {
      const r = await this.load(em, id, true);
      const { app, vac, orgName } = await this.parties(em, r);
      this.assertStaff(by, vac);
      if (r.status !== 'CONFIRMED')
        {throw conflict(
          `id: referral is ${r.status}; only a CONFIRMED referral leads to enrollment`,
          'id',
        );}
      if (r.valid_until && r.valid_until.getTime() <= this.clock.now().getTime()) {
        throw conflict('id: the documents deadline has passed; the referral expires', 'id');
      }
      const missing = missingDocuments(r.required_documents, r.documents);
      if (missing.length) throw conflict(`id: documents missing: ${missing.join(', ')}`, 'id');
      const now = this.clock.now();
      const c = { em, at: now, actor: actorOf(by) };
      await em.query(
        `UPDATE referral SET status = 'ENROLLED', closed_at = $2, close_reason = 'enrolled' WHERE id = $1`,
        [id, now],
      );
      await em.query(`UPDATE vacancy SET status = 'FILLED' WHERE id = $1`, [vac.id]);
      // Temporary stay: the child attends until attendanceUntil and its own application stays in the
      // queue (rules/NOTES.md "Referral"); only a permanent place archives the application.
      const temporary = vac.admission_mode === AdmissionMode.TEMPORARY_STAY;
      await this.ledger.append(em, {
        type: 'referral.enrolled',
        entity: 'referral',
        entityId: id,
        actor: c.actor,
        at: now,
        data: {
          applicationId: app.id,
          vacancyId: vac.id,
          ...(temporary ? { temporaryStay: true, attendanceUntil: vac.attendance_until } : {}),
        },
      });
      if (temporary) {
        await em.query(
          `UPDATE application SET status = 'QUEUED', updated_at = $2 WHERE id = $1 AND status = 'REFERRED'`,
          [app.id, now],
        );
      } else {
        await this.queue.archive(em, toApplication(app), ArchiveReason.ENROLLED, c.actor, now);
      }
      await this.notify(c, app, 'ENROLLED', temporary ? `ENROLLED:${id}` : `ENROLLED:${app.id}`, {
        organization: orgName,
      });
      return toReferral(await this.load(em, id));
    });
  }

  // ---------- scheduled sweeps ----------

  /**
   * Places past their priority window with no referral are open: the families that fit (same
   * locality, language, group type, work mode, age; choices do not restrict a claim) hear about it,
   * best-ranked first, at most OPEN_NOTICE_LIMIT per place, once per place.
   *
   * At national size (200,000 QUEUED applications in a locality) neither the places nor a locality's queue
   * are read whole: the places come in keyset pages of `seq` (ix_vacancy_open_unnoticed), one transaction per
   * page claims them (open_notified_at) and writes their texts, and each place's families come from one
   * query with fitsForClaim's rules in SQL and compareHeads' order (class, registration instant in
   * milliseconds, seq), limited to OPEN_NOTICE_LIMIT: an index walk in rank order (ix_application_claim_rank)
   * or over the place's birth-date window (ix_application_claim_age), whichever the planner finds cheaper.
   */
  async noticeOpenPlaces(at: Date): Promise<{ places: number; notified: number }> {
    const page = 100;
    let places = 0;
    let notified = 0;
    for (let after = '0'; ; ) {
      const vacs: (VacancyRow & { org_name: string })[] = await this.ds.query(
        `SELECT ${VACANCY_COLUMNS}, o.name AS org_name FROM vacancy v JOIN organization o ON o.id = v.organization_id
         WHERE v.status = 'PUBLISHED' AND v.open_at IS NOT NULL AND v.open_notified_at IS NULL AND v.open_at <= $1
           AND v.seq > $2::bigint
         ORDER BY v.seq LIMIT $3`,
        [at, after, page],
      );
      if (!vacs.length) break;
      after = vacs[vacs.length - 1].seq;
      places += vacs.length;
      notified += await this.ds.transaction(async (em) => {
        const claimed = await returning<{ id: string }>(
          em,
          `UPDATE vacancy SET open_notified_at = $2 WHERE id = ANY($1::uuid[]) AND open_notified_at IS NULL RETURNING id`,
          [vacs.map((v) => v.id), at],
        );
        const mine = new Set(claimed.map((c) => c.id));
        const texts: Parameters<NotificationService['enqueueMany']>[1][number][] = [];
        for (const vac of vacs) {
          if (!mine.has(vac.id)) continue; // another run noticed it
          // fitsForClaim: age in completed months on the start date within the period <=> birth date in this window.
          const { earliest, latest } = birthDateWindow(vac.admission_start_date, vac.age_from_months, vac.age_to_months);
          if (earliest > latest) continue;
          // The registration instant is truncated as UTC wall time: indexable (ix_application_claim_rank), and the
          // same order and ties as compareHeads' epoch milliseconds.
          const fitting: ApplicationRow[] = await em.query(
            `SELECT ${APPLICATION_COLUMNS} FROM application a
             WHERE a.status = 'QUEUED' AND a.locality = $1 AND a.language = $2 AND a.group_type = $3
               ${vac.group_type === 'SPECIAL' ? 'AND a.special_needs_confirmed' : ''}
               AND a.work_modes @> ARRAY[$4::text]
               ${vac.admission_mode === 'TEMPORARY_STAY' ? 'AND a.accepts_temporary_stay' : ''}
               AND a.child_birth_date BETWEEN $5::date AND $6::date
               AND NOT EXISTS (SELECT 1 FROM referral_exclusion x WHERE x.application_id = a.id AND x.vacancy_id = $7)
             ORDER BY a.priority_class, date_trunc('milliseconds', a.registered_at AT TIME ZONE 'UTC'), a.seq
             LIMIT $8`,
            [vac.locality, vac.language, vac.group_type, vac.work_mode, earliest, latest, vac.id, OPEN_NOTICE_LIMIT],
          );
          for (const a of fitting) {
            texts.push({
              applicationId: a.id,
              phone: a.phone,
              language: a.notification_language,
              stage: 'OPEN_PLACE_FITS',
              key: `OPEN_PLACE_FITS:${vac.id}:${a.id}`,
              params: { number: a.number, organization: vac.org_name },
              at,
            });
          }
        }
        await this.notifications.enqueueMany(em, texts);
        return texts.length;
      });
    }
    return { places, notified };
  }

  /**
   * Expires every live referral whose deadline has passed: stop-list for N days, place back to allocation.
   *
   * Set-based, in chunks of due referrals (issue order, keyset pages of ix_referral_live_issued):
   * one transaction per chunk takes the queue-change lock of each locality concerned (in locality order,
   * before any row lock), locks the referrals, re-checks each deadline, and writes what `release` and the
   * stop-listing write for one referral — referral, place, exclusion, application, stop-list entry, ledger
   * events (per referral in the same order as one at a time) and texts — one statement per kind. Tens of
   * thousands of referrals can lapse on one night (the first days of September); none is held in memory
   * beyond its chunk.
   */
  async expireDue(at: Date): Promise<{ expired: number }> {
    const chunk = 500;
    let expired = 0;
    for (let after = { issuedAt: '-infinity', id: '00000000-0000-0000-0000-000000000000' }; ; ) {
      const due: { id: string; issued_at: string; locality: string }[] = await this.ds.query(
        `SELECT r.id, r.issued_at::text AS issued_at, v.locality FROM referral r JOIN vacancy v ON v.id = r.vacancy_id
         WHERE r.status IN ('OFFERED','CONFIRMED')
           AND ((r.status = 'OFFERED' AND r.confirm_by <= $1) OR (r.status = 'CONFIRMED' AND r.valid_until <= $1))
           AND (r.issued_at, r.id) > ($2::timestamptz, $3::uuid)
         ORDER BY r.issued_at, r.id LIMIT $4`,
        [at, after.issuedAt, after.id, chunk],
      );
      if (!due.length) break;
      after = { issuedAt: due[due.length - 1].issued_at, id: due[due.length - 1].id };
      expired += await this.ds.transaction(async (em) => {
        await lockLocalitiesForQueueChange(em, due.map((d) => d.locality));
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
        const apps: ApplicationRow[] = await em.query(
          `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = ANY($1::uuid[])`,
          [lapsed.map((x) => x.r.application_id)],
        );
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
        const referralIds = rows.map((x) => x.r.id);
        const appIds = rows.map((x) => x.r.application_id);
        const vacancyIds = rows.map((x) => x.r.vacancy_id);
        // release(): the referral expires, the place goes back to allocation, the pair is never offered again,
        // the application goes to the stop-list (with its term).
        await em.query(
          `UPDATE referral r SET status = 'EXPIRED', closed_at = $2, close_reason = x.reason
           FROM unnest($1::uuid[], $3::text[]) AS x(id, reason) WHERE r.id = x.id`,
          [referralIds, at, rows.map((x) => x.reason)],
        );
        await em.query(
          `UPDATE vacancy SET status = 'PUBLISHED', open_at = NULL WHERE id = ANY($1::uuid[]) AND status IN ('BOOKED','REFERRED')`,
          [vacancyIds],
        );
        await em.query(
          `INSERT INTO referral_exclusion (application_id, vacancy_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])
           ON CONFLICT DO NOTHING`,
          [appIds, vacancyIds],
        );
        await em.query(
          `UPDATE application a SET status = CASE WHEN a.status = 'REFERRED' THEN 'STOP_LISTED' ELSE a.status END,
                  updated_at = CASE WHEN a.status = 'REFERRED' THEN $2 ELSE a.updated_at END,
                  stop_list_reason = 'referral expired', stop_listed_until = x.until
           FROM unnest($1::uuid[], $3::date[]) AS x(id, until) WHERE a.id = x.id`,
          [appIds, at, rows.map((x) => x.until)],
        );
        await em.query(
          `INSERT INTO stop_list_entry (application_id, reason, starts_on, until, created_at, created_by)
           SELECT id, 'referral expired', starts_on, until, $4, 'system:expiry'
           FROM unnest($1::uuid[], $2::date[], $3::date[]) WITH ORDINALITY AS x(id, starts_on, until, n) ORDER BY n`,
          [appIds, rows.map((x) => x.startsOn), rows.map((x) => x.until), at],
        );
        const actor = 'system:expiry';
        await this.ledger.appendMany(
          em,
          rows.flatMap(({ r, reason, startsOn, until }) => [
            {
              type: 'referral.expired',
              entity: 'referral' as const,
              entityId: r.id,
              actor,
              at,
              data: {
                applicationId: r.application_id,
                vacancyId: r.vacancy_id,
                reason,
                previousStatus: r.status,
                confirmBy: r.confirm_by?.toISOString() ?? null,
                validUntil: r.valid_until?.toISOString() ?? null,
              },
            },
            {
              type: 'stop_list.added',
              entity: 'stop_list' as const,
              entityId: r.application_id,
              actor,
              at,
              data: { reason: 'referral expired', referralId: r.id, startsOn, until },
            },
          ]),
        );
        await this.notifications.enqueueMany(
          em,
          rows.map(({ r, app, until }) => ({
            applicationId: app.id,
            phone: app.phone,
            language: app.notification_language,
            stage: 'REFERRAL_EXPIRED_STOP_LISTED' as const,
            key: `REFERRAL_EXPIRED:${r.id}`,
            params: { number: app.number, until },
            at,
          })),
        );
        return rows.length;
      });
    }
    this.metrics.referralsExpired.inc(expired);
    return { expired };
  }

  /**
   * 00:00 daily: stop-list terms that ended yesterday end now; applications return to the queue.
   *
   * Set-based, in chunks of due terms (by last day, keyset pages of ix_stop_list_entry_due): one transaction
   * per chunk takes the queue-change lock of each locality concerned (in locality order, before any row lock),
   * ends the terms still open, returns their applications to the queue and writes one ledger event and one
   * text per term, one statement per kind.
   */
  async releaseStopList(at: Date): Promise<{ released: number }> {
    const chunk = 500;
    const today = toAlmatyDate(at);
    let released = 0;
    for (let after = { until: '0001-01-01', id: '00000000-0000-0000-0000-000000000000' }; ; ) {
      const due: { id: string; application_id: string; until: string; locality: string }[] = await this.ds.query(
        `SELECT e.id, e.application_id, to_char(e.until, 'YYYY-MM-DD') AS until, a.locality
         FROM stop_list_entry e JOIN application a ON a.id = e.application_id
         WHERE e.ended_at IS NULL AND e.until IS NOT NULL AND e.until < $1::date AND (e.until, e.id) > ($2::date, $3::uuid)
         ORDER BY e.until, e.id LIMIT $4`,
        [today, after.until, after.id, chunk],
      );
      if (!due.length) break;
      after = { until: due[due.length - 1].until, id: due[due.length - 1].id };
      released += await this.ds.transaction(async (em) => {
        await lockLocalitiesForQueueChange(em, due.map((e) => e.locality));
        const ended = await returning<{ id: string }>(
          em,
          `UPDATE stop_list_entry SET ended_at = $2, ended_by = 'system' WHERE id = ANY($1::uuid[]) AND ended_at IS NULL RETURNING id`,
          [due.map((e) => e.id), at],
        );
        const endedIds = new Set(ended.map((e) => e.id));
        const entries = due.filter((e) => endedIds.has(e.id));
        if (!entries.length) return 0;
        const apps = await returning<ApplicationRow>(
          em,
          `UPDATE application a SET status = 'QUEUED', stop_list_reason = NULL, stop_listed_until = NULL, updated_at = $2
           WHERE a.id = ANY($1::uuid[]) AND a.status = 'STOP_LISTED' RETURNING ${APPLICATION_COLUMNS}`,
          [entries.map((e) => e.application_id), at],
        );
        const appById = new Map(apps.map((a) => [a.id, a]));
        await this.ledger.appendMany(
          em,
          entries.map((e) => ({
            type: 'stop_list.ended',
            entity: 'stop_list' as const,
            entityId: e.application_id,
            actor: 'system',
            at,
            data: { entry: e.id },
          })),
        );
        await this.notifications.enqueueMany(
          em,
          entries.flatMap((e) => {
            const app = appById.get(e.application_id);
            return app
              ? [{
                  applicationId: app.id,
                  phone: app.phone,
                  language: app.notification_language,
                  stage: 'STOP_LIST_ENDED' as const,
                  key: `STOP_LIST_ENDED:${e.id}`,
                  params: { number: app.number },
                  at,
                }]
              : [];
          }),
        );
        return entries.length;
      });
    }
    return { released };
  }
}

export function toVacancyView(v: VacancyRow): VacancyView {
  return {
    id: v.id,
    organizationId: v.organization_id,
    locality: v.locality,
    language: v.language,
    ageFromMonths: v.age_from_months,
    ageToMonths: v.age_to_months,
    groupType: v.group_type,
    workMode: v.work_mode,
    admissionMode: v.admission_mode,
    admissionStartDate: v.admission_start_date,
  };
}

export function toApplicationView(a: ApplicationRow): ApplicationView {
  return {
    id: a.id,
    seq: Number(a.seq),
    priorityClass: a.priority_class as 0 | 1 | 2,
    registeredAt: a.registered_at.getTime(),
    locality: a.locality,
    cohort: a.cohort,
    birthDate: a.child_birth_date,
    organizationIds: a.organization_ids,
    language: a.language,
    groupType: a.group_type,
    specialNeedsConfirmed: a.special_needs_confirmed,
    workModes: a.work_modes,
    desiredAdmissionDate: a.desired_admission_date,
    acceptsTemporaryStay: a.accepts_temporary_stay,
    batchId: a.batch_id,
  };
}
