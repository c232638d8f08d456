/**
 * Allocation (SPEC.md "Allocation"): the 09:00 run that hands every fresh or returned place to the head of
 * its queue, one task per locality shared by the worker processes (allocation_task, SKIP LOCKED), and the
 * open-place notices that follow it. The pure allocator is domain/allocate.ts (reference) and
 * domain/allocate-indexed.ts (the fast one, property-tested equal); issuing goes through
 * ReferralLifecycleService.issue, so the stores write the referral, the place and the application.
 */
import { hostname } from 'node:os';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service.js';
import { toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { NotificationService, type OutboxMessage } from '../notification/notification.service.js';
import { Clock } from '../platform/clock/clock.js';
import { lockLocalityForAllocation } from '../platform/database/locks.js';
import { returning } from '../platform/database/sql.js';
import { JobName, QueueName } from '../platform/jobs/job-names.js';
import { JobRegistry } from '../platform/jobs/job-registry.js';
import { JobsService } from '../platform/jobs/jobs.service.js';
import { Metrics } from '../platform/metrics/metrics.js';
import { SettingsService } from '../settings/settings.service.js';
import { APPLICATION_COLUMNS, type ApplicationRow } from '../queue/application.row.js';
import { inTransferPeriod } from '../vacancy/domain/vacancy-rules.js';
import { VACANCY_COLUMNS, type VacancyRow } from '../vacancy/vacancy.row.js';
import { VacancyStore } from '../vacancy/vacancy.store.js';
import { allocate } from './domain/allocate.js';
import {
  birthDateWindow,
  exclusionKey,
  judgedOn,
  type ApplicationView,
  type GroupType,
  type VacancyView,
  type WorkMode,
} from './domain/eligibility.js';
import type { AllocationRun } from './dto/referral.model.js';
import { HOLDS_TEMPORARY_PLACE_SQL } from './domain/temporary-stay.js';
import { ReferralLifecycleService } from './referral-lifecycle.service.js';
import { textFor } from './referral-views.js';
import { judgedVacancyView, nextWorkingDayAfter, RETURNED_SQL } from './returned-places.js';

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

const WORKER_ID = `${hostname()}:${process.pid}`;
/** Families told about one open place (best-ranked fitting ones). */
const OPEN_NOTICE_LIMIT = 20;
/** Fault-injection hook for the crash tests: hold each locality's transaction open (never in production). */
const TASK_DELAY_MS = process.env.NODE_ENV === 'production' ? 0 : Number(process.env.ALLOCATION_TASK_DELAY_MS ?? 0);

@Injectable()
export class AllocationService implements OnModuleInit {
  private readonly log = new Logger(AllocationService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly notifications: NotificationService,
    private readonly calendar: CalendarService,
    private readonly settings: SettingsService,
    private readonly metrics: Metrics,
    private readonly jobs: JobsService,
    private readonly registry: JobRegistry,
    private readonly lifecycle: ReferralLifecycleService,
    private readonly places: VacancyStore,
  ) {}

  onModuleInit(): void {
    this.registry.handle(QueueName.Allocation, JobName.AllocateLocality, async (data) => ({
      localities: typeof data.runId === 'string' ? await this.drain(data.runId) : 0,
    }));
    this.registry.onWorkerStart(async () => {
      await this.resumeUnfinishedRuns();
    });
  }

  /**
   * One allocation run: one task per locality (localities are independent). The caller enqueues a job
   * per task so that every worker process can take a share (SKIP LOCKED claims), helps itself unless
   * told not to, waits for the last task and records the totals. A worker killed mid-task loses only
   * that uncommitted locality; the task stays PENDING and is resumed on the next worker start.
   */
  async runAllocation(trigger: string, at: Date = this.clock.now(), opts: { selfDrain?: boolean } = {}): Promise<AllocationRun> {
    const observe = this.metrics.allocationDuration.startTimer({ trigger });
    const runRows: { id: string }[] = await this.ds.query(`INSERT INTO allocation_run (started_at, trigger) VALUES ($1, $2) RETURNING id`, [
      at,
      trigger,
    ]);
    const runId = runRows[0].id;
    const localities: { locality: string }[] = await this.ds.query(
      `SELECT DISTINCT locality FROM vacancy WHERE status = 'PUBLISHED' AND bulletin_date IS NOT NULL ORDER BY locality`,
    );
    if (localities.length) {
      await this.ds.query(`INSERT INTO allocation_task (run_id, locality, status) SELECT $1, unnest($2::text[]), 'PENDING'`, [
        runId,
        localities.map((l) => l.locality),
      ]);
      const fanOut = Math.min(localities.length, 8);
      try {
        for (let i = 0; i < fanOut; i++) {
          await this.jobs.add(QueueName.Allocation, JobName.AllocateLocality, { runId }, { jobId: `alloc-${runId}-${i}` });
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
    this.log.log({ run: runId, trigger, considered: run.vacanciesConsidered, issued: run.referralsIssued }, 'allocation run done');
    observe();
    return run;
  }

  /** Claims and allocates PENDING localities of a run until none is left to claim. */
  async drain(runId: string): Promise<number> {
    const runs: { started_at: Date }[] = await this.ds.query(`SELECT started_at FROM allocation_run WHERE id = $1`, [runId]);
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
        this.log.warn({ run: runId }, 'no worker finished the allocation tasks in time; allocating here');
        await this.drain(runId);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async finishRun(runId: string, at: Date, started?: bigint): Promise<AllocationRun> {
    const totals: { considered: number; issued: number; localities: string[] | null }[] = await this.ds.query(
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
  async allocateIn(em: EntityManager, locality: string, at: Date, runId: string | null): Promise<{ considered: number; issued: number }> {
    await lockLocalityForAllocation(em, locality);
    const s = await this.settings.get(em, at);
    if (inTransferPeriod(toAlmatyDate(at), s.transferPeriod)) return { considered: 0, issued: 0 };
    const vacs: (VacancyRow & { org_name: string; returned: boolean })[] = await em.query(
      `SELECT ${VACANCY_COLUMNS}, o.name AS org_name, ${RETURNED_SQL} AS returned FROM vacancy v
         JOIN organization o ON o.id = v.organization_id
         JOIN bulletin_entry e ON e.vacancy_id = v.id AND e.kind = 'VACATED'
         WHERE v.locality = $1 AND v.status = 'PUBLISHED' AND v.bulletin_date IS NOT NULL AND v.bulletin_date <= $2::date
           AND (v.open_at IS NULL OR v.open_at > $3)
         ORDER BY e.bulletin_date, e.position FOR UPDATE OF v`,
      [locality, toAlmatyDate(at), at],
    );
    if (!vacs.length) return { considered: 0, issued: 0 };
    const cal = await this.calendar.calendar(em);
    // A returned place is judged at max(its start date, the next working day): age and wanted date.
    const nextWorkingDay = nextWorkingDayAfter(cal, at);
    const vacancies = vacs.map((v) => judgedVacancyView(v, v.returned, nextWorkingDay));
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
        throw new Error(
          `allocation in ${locality}: ${result.referrals.length - rows.length} referred applications left the queue during the run`,
        );
      }
      const appById = new Map(rows.map((a) => [a.id, a]));
      const vacById = new Map(vacs.map((v) => [v.id, v]));
      await this.lifecycle.issue(
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
    // Nobody eligible now: the place opens for claims when its priority window ends.
    const untaken = vacs.filter((v) => !taken.has(v.id) && v.open_at === null);
    await this.places.open(
      { em, at, actor: 'system:allocation' },
      untaken,
      new Date(at.getTime() + s.priorityWindowHours * 3600_000),
      s.priorityWindowHours,
    );
    this.metrics.referralsIssued.inc(result.referrals.length);
    return { considered: vacs.length, issued: result.referrals.length };
  }

  /**
   * The QUEUED applications of a locality that could be eligible for at least one of `vacancies` (same
   * language and group type, desired date not after the latest date a place is judged at, birth date inside
   * the union of the age windows on those dates — the start date, or the next working day for a returned
   * place: judgedOn), plus every twin (a batch is placed together, so its members count even where one alone
   * would not fit). Leaving out applications that fit no place changes no pick. In (registeredAt, seq)
   * order, so the allocator's sort has nothing to do. No row locks (see allocateIn). A child attending a
   * temporary place is read as not accepting temporary stay (domain/temporary-stay.ts: no second temporary
   * offer; a permanent place may still come).
   */
  private async candidates(em: EntityManager, locality: string, vacancies: VacancyView[]): Promise<ApplicationView[]> {
    const windows = vacancies.map((v) => birthDateWindow(judgedOn(v), v.ageFromMonths, v.ageToMonths));
    const earliest = windows.reduce((m, w) => (w.earliest < m ? w.earliest : m), windows[0].earliest);
    const latest = windows.reduce((m, w) => (w.latest > m ? w.latest : m), windows[0].latest);
    const lastStart = vacancies.reduce((m, v) => (judgedOn(v) > m ? judgedOn(v) : m), '0000-01-01');
    const rows: CandidateRow[] = await em.query(
      `SELECT a.id, a.seq::float8 AS seq, a.priority_class, floor(extract(epoch FROM a.registered_at) * 1000)::float8 AS t, a.cohort,
              to_char(a.child_birth_date, 'YYYY-MM-DD') AS birth, a.organization_ids::text[] AS orgs, a.language, a.group_type,
              a.special_needs_confirmed AS special, a.work_modes, to_char(a.desired_admission_date, 'YYYY-MM-DD') AS desired,
              a.accepts_temporary_stay AND NOT ${HOLDS_TEMPORARY_PLACE_SQL('a')} AS temporary, a.batch_id
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

  /**
   * Places past their priority window with no referral are open: the families that fit (same
   * locality, language, group type, work mode, age; choices do not restrict a claim) hear about it,
   * best-ranked first, at most OPEN_NOTICE_LIMIT per place, once per place and open round.
   *
   * Not during the transfer period (claims are refused then): the places stay unnoticed and are told on the
   * first day after it. A round is one opening of the place (its open_at): when the place is referred and
   * comes back (declined, expired, refused, cancelled), RELEASE ends the round, and when it again passes its
   * priority window unreferred it opens anew and its best-ranked fitting families are told again; a family
   * back from the stop-list makes the open places it fits be told again in their round (OpenPlaceRenotices).
   * The text's key names the place, the family and the round, so no family is texted twice about the same
   * place in the same round. A returned place's age window is judged at max(start, next working day), as
   * allocation and claims judge it (returned-places.ts).
   *
   * At national size (200,000 QUEUED applications in a locality) neither the places nor a locality's queue
   * are read whole: the places come in keyset pages of `seq` (ix_vacancy_open_unnoticed), one transaction per
   * page claims them (open_notified_at) and writes their texts, and each place's families come from one
   * query with fitsForClaim's rules in SQL and compareHeads' order (class, registration instant in
   * milliseconds, seq), limited to OPEN_NOTICE_LIMIT: an index walk in rank order (ix_application_claim_rank)
   * or over the place's birth-date window (ix_application_claim_age), whichever the planner finds cheaper.
   */
  async noticeOpenPlaces(at: Date): Promise<{ places: number; notified: number }> {
    const s = await this.settings.get(this.ds, at);
    if (inTransferPeriod(toAlmatyDate(at), s.transferPeriod)) return { places: 0, notified: 0 };
    const nextWorkingDay = nextWorkingDayAfter(await this.calendar.calendar(), at);
    const page = 100;
    let places = 0;
    let notified = 0;
    for (let after = '0'; ;) {
      const vacs: (VacancyRow & { org_name: string; returned: boolean })[] = await this.ds.query(
        `SELECT ${VACANCY_COLUMNS}, o.name AS org_name, ${RETURNED_SQL} AS returned FROM vacancy v JOIN organization o ON o.id = v.organization_id
         WHERE v.status = 'PUBLISHED' AND v.open_at IS NOT NULL AND v.open_notified_at IS NULL AND v.open_at <= $1
           AND v.seq > $2::bigint
         ORDER BY v.seq LIMIT $3`,
        [at, after, page],
      );
      if (!vacs.length) break;
      after = vacs[vacs.length - 1].seq;
      places += vacs.length;
      notified += await this.ds.transaction(async (em) => {
        const mine = await this.places.notice(em, vacs, at);
        const texts: OutboxMessage[] = [];
        for (const vac of vacs) {
          if (!mine.has(vac.id) || vac.open_at === null) continue; // another run noticed it
          // fitsForClaim: age in completed months on the judging date within the period <=> birth date in this window.
          const judged = judgedVacancyView(vac, vac.returned, nextWorkingDay);
          const { earliest, latest } = birthDateWindow(judgedOn(judged), vac.age_from_months, vac.age_to_months);
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
            texts.push(textFor(a, 'OPEN_PLACE_FITS', openPlaceKey(vac.id, a.id, vac.open_at), { organization: vac.org_name }, at));
          }
        }
        // Families already told in this round (the place told again for a family back from the stop-list).
        const told: { idempotency_key: string }[] = texts.length
          ? await em.query(`SELECT idempotency_key FROM notification WHERE idempotency_key = ANY($1::text[])`, [texts.map((m) => m.key)])
          : [];
        const already = new Set(told.map((r) => r.idempotency_key));
        const fresh = texts.filter((m) => !already.has(m.key));
        await this.notifications.enqueueMany(em, fresh);
        return fresh.length;
      });
    }
    return { places, notified };
  }
}

/** The key of an open-place text: the place, the family and the round (the instant the place opened): once per place and round. */
export function openPlaceKey(vacancyId: string, applicationId: string, openAt: Date): string {
  return `OPEN_PLACE_FITS:${vacancyId}:${applicationId}:${openAt.getTime()}`;
}
