import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ReadDataSource } from '../platform/database/read-data-source.js';
import { returning } from '../platform/database/sql.js';
import { DataSource, type EntityManager } from 'typeorm';
import { actorOf, applicantIin, isAdmin, type Principal } from '../auth/principal.js';
import { CalendarService } from '../calendar/calendar.service.js';
import { toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { workingDaysDeadline } from '../calendar/domain/deadlines.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { NotificationService } from '../notification/notification.service.js';
import { Clock } from '../platform/clock/clock.js';
import { AppError, badInput, conflict, forbidden, notFound } from '../platform/errors/app-error.js';
import { decodeCursor, toConnection, type ConnectionShape } from '../platform/graphql/connection.js';
import { ApplicationStatus, ArchiveReason, ClaimStatus } from '../platform/graphql/enums.js';
import { isRealDate, toAlmatyIso } from '../platform/graphql/scalars.js';
import { ageInYears, parseIin } from '../platform/identifiers/iin.js';
import { normalizeKzPhone } from '../platform/identifiers/phone.js';
import { SchedulerService } from '../platform/jobs/scheduler.service.js';
import { SettingsService } from '../platform/settings.service.js';
import { isUuid } from '../organization/organization.service.js';
import {
  APPLICATION_COLUMNS,
  formatNumber,
  toApplication,
  type ApplicationRow,
} from './application.row.js';
import { PRIORITY_CLASSES } from './domain/ranking.js';
import type { ApplicationsArgs, RegisterApplicationInput } from './dto/application.input.js';
import type { Application, CategoryClaim, PriorityCategory, QueuePosition } from './dto/application.model.js';
import { QueueRankingService } from './queue-ranking.service.js';
import { lockLocalityForQueueChange } from '../platform/database/locks.js';

const LIVE = `('QUEUED','REFERRED','STOP_LISTED')`;

@Injectable()
export class QueueService implements OnModuleInit {
  constructor(
    private readonly ds: DataSource,
    private readonly reads: ReadDataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly notifications: NotificationService,
    private readonly calendar: CalendarService,
    private readonly settings: SettingsService,
    private readonly ranking: QueueRankingService,
    private readonly scheduler: SchedulerService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({ kind: 'claims-lapse', atMinutes: 0, order: 20, run: (at) => this.lapseClaims(at) });
    this.scheduler.register({ kind: 'age-out', atMinutes: 0, order: 30, run: (at) => this.ageOut(at) });
  }

  async categories(): Promise<PriorityCategory[]> {
    const rows: { code: string; priority_class: number; legal_basis: string; name_kk: string; name_ru: string }[] =
      await this.ds.query(`SELECT * FROM priority_category ORDER BY priority_class, code`);
    return rows.map((r) => ({
      code: r.code,
      priorityClass: r.priority_class,
      legalBasis: r.legal_basis,
      nameKk: r.name_kk,
      nameRu: r.name_ru,
    }));
  }

  // ---------- registration ----------

  /**
   * Registers an application. `within`: the caller's transaction (the proactive service registers and
   * marks its offer answered in one), else its own.
   */
  async register(input: RegisterApplicationInput, by: Principal, at?: Date, within?: EntityManager): Promise<Application> {
    const own = applicantIin(by);
    if (!isAdmin(by) && own !== input.applicantIin) {
      throw forbidden('applicantIin: an applicant may register only with their own IIN');
    }
    const child = parseIin(input.childIin);
    if (!child.ok) throw badInput('childIin', child.reason);
    const applicant = parseIin(input.applicantIin);
    if (!applicant.ok) throw badInput('applicantIin', applicant.reason);
    if (input.applicantIin === input.childIin) throw badInput('applicantIin', 'must differ from childIin');
    const phone = normalizeKzPhone(input.phone);
    if (!phone) throw badInput('phone', 'must be a Kazakhstan mobile number +7 7XX XXX XX XX');
    if (!isRealDate(input.desiredAdmissionDate)) throw badInput('desiredAdmissionDate', 'must be a real date YYYY-MM-DD');
    const now = at ?? this.clock.now();
    const today = toAlmatyDate(now);
    const s = await this.settings.get();
    if (child.birthDate > today) throw badInput('childIin', 'birth date from the IIN is in the future');
    if (ageInYears(child.birthDate, today) >= s.ageLimitYears) {
      throw badInput('childIin', `the child is ${s.ageLimitYears} or older: the queue is for children under ${s.ageLimitYears}`);
    }
    if (ageInYears(applicant.birthDate, today) < 14) throw badInput('applicantIin', 'the applicant must be an adult');
    if (input.desiredAdmissionDate < child.birthDate) throw badInput('desiredAdmissionDate', 'is before the birth date');
    const orgIds = input.organizationIds ?? [];
    const inTransaction = <T>(fn: (em: EntityManager) => Promise<T>): Promise<T> => (within ? fn(within) : this.ds.transaction(fn));

    return inTransaction(async (em) => {
      if (orgIds.length) {
        const orgs: { id: string; locality: string }[] = await em.query(
          `SELECT id, locality FROM organization WHERE id = ANY($1::uuid[])`,
          [orgIds],
        );
        for (const id of orgIds) {
          const o = orgs.find((x) => x.id === id);
          if (!o) throw badInput('organizationIds', `organization ${id} does not exist`);
          if (o.locality !== input.locality) throw badInput('organizationIds', `organization ${id} is not in locality ${input.locality}`);
        }
      }
      const cats: { code: string; priority_class: number }[] = input.priorityCategories.length
        ? await em.query(`SELECT code, priority_class FROM priority_category WHERE code = ANY($1)`, [input.priorityCategories])
        : [];
      for (const c of input.priorityCategories) {
        if (!cats.some((x) => x.code === c)) throw badInput('priorityCategories', `unknown category ${c}`);
      }
      let batchId: string | null = null;
      if (input.siblingsOf) {
        const sib: ApplicationRow[] = await em.query(
          `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = $1 FOR UPDATE`,
          [input.siblingsOf],
        );
        const s0 = sib[0];
        if (!s0) throw badInput('siblingsOf', 'application does not exist');
        if (s0.applicant_iin !== input.applicantIin) throw badInput('siblingsOf', 'must be an application of the same applicant');
        if (s0.status === ApplicationStatus.ARCHIVED) throw badInput('siblingsOf', 'application is archived');
        if (s0.locality !== input.locality) throw badInput('siblingsOf', 'must be in the same locality');
        const days = Math.abs(Date.parse(s0.child_birth_date) - Date.parse(child.birthDate)) / 86_400_000;
        if (days > 31) {
          throw badInput('siblingsOf', 'twins/triplets must be born within one month of each other');
        }
        batchId = s0.batch_id ?? s0.id;
        if (!s0.batch_id) await em.query(`UPDATE application SET batch_id = $1 WHERE id = $1`, [s0.id]);
      }
      // One round trip: is the child already waiting, and the next application number.
      const seqRows: { seq: string; dup: boolean }[] = await em.query(
        `SELECT nextval('application_seq')::text AS seq,
                EXISTS (SELECT 1 FROM application WHERE child_iin = $1 AND status IN ${LIVE}) AS dup`,
        [input.childIin],
      );
      if (seqRows[0].dup) throw conflict('childIin: this child already has a live application', 'childIin');
      const seq = seqRows[0].seq;
      const cohort = Number(child.birthDate.slice(0, 4));
      // The application and its queue's cycle row (kept if there) in one statement.
      const rows: ApplicationRow[] = await em.query(
        `WITH a AS (
           INSERT INTO application (seq, number, status, registered_at, child_iin, child_name, child_birth_date, cohort,
             applicant_iin, phone, locality, organization_ids, language, group_type, work_modes, desired_admission_date,
             accepts_temporary_stay, notification_language, batch_id, created_by, updated_at)
           VALUES ($1,$2,'QUEUED',$3,$4,$5,$6,$7,$8,$9,$10,$11::uuid[],$12,$13,$14::text[],$15,$16,$17,$18,$19,$3)
           RETURNING *
         ), cycle AS (
           INSERT INTO queue_cycle (locality, cohort, position) SELECT locality, cohort, 0 FROM a ON CONFLICT DO NOTHING
         )
         SELECT ${APPLICATION_COLUMNS} FROM a`,
        [
          seq, formatNumber(seq), now, input.childIin, input.childName.trim(), child.birthDate,
          cohort, input.applicantIin, phone, input.locality, orgIds, input.language,
          input.groupType, input.workModes, input.desiredAdmissionDate, input.acceptsTemporaryStay,
          input.notificationLanguage, batchId, actorOf(by),
        ],
      );
      const id = rows[0].id;
      const app = toApplication(rows[0]);
      app.claims = [];
      if (input.priorityCategories.length) {
        const due = workingDaysDeadline(await this.calendar.calendar(em), now, s.proofWorkingDays);
        await em.query(
          `INSERT INTO category_claim (application_id, category_code, status, claimed_at, due_at)
           SELECT $1, unnest($2::text[]), 'PENDING', $3, $4`,
          [id, input.priorityCategories, now, due],
        );
        app.claims = input.priorityCategories
          .slice()
          .sort()
          .map((category) => ({ category, status: ClaimStatus.PENDING, claimedAt: now, dueAt: due, decidedAt: null }));
      }
      await this.ledger.append(em, {
        type: 'application.registered',
        entity: 'application',
        entityId: id,
        actor: actorOf(by),
        at: now,
        data: {
          number: formatNumber(seq), seq: Number(seq), locality: input.locality, cohort,
          registeredAt: now.toISOString(), priorityClass: 2, claims: input.priorityCategories, batchId,
          organizationIds: orgIds, language: input.language, groupType: input.groupType, workModes: input.workModes,
          desiredAdmissionDate: input.desiredAdmissionDate, acceptsTemporaryStay: input.acceptsTemporaryStay,
          birthDate: child.birthDate,
        },
      });
      const standing = await this.ranking.standing(id, em);
      await this.notifications.notifyApplicant(em, app, 'APPLICATION_REGISTERED', `APPLICATION_REGISTERED:${id}`, {
        queueNumber: standing?.queueNumber ?? 0,
      }, now);
      for (const category of input.priorityCategories) {
        const dueAt = app.claims.find((c) => c.category === category)?.dueAt ?? now;
        await this.notifications.notifyApplicant(em, app, 'PROOF_REQUESTED', `PROOF_REQUESTED:${id}:${category}`, {
          category, dueDate: toAlmatyIso(dueAt).slice(0, 16).replace('T', ' '),
        }, now);
      }
      return app;
    });
  }

  // ---------- reading ----------

  async load(em: EntityManager | DataSource, id: string, lock = false): Promise<Application> {
    if (!isUuid(id)) throw notFound('application', id);
    const rows: ApplicationRow[] = await em.query(
      `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    if (!rows[0]) throw notFound('application', id);
    const app = toApplication(rows[0]);
    app.claims = await this.claims(em, id);
    return app;
  }

  async loadMany(ids: readonly string[]): Promise<Map<string, Application>> {
    const valid = ids.filter(isUuid);
    const rows: ApplicationRow[] = valid.length
      ? await this.ds.query(`SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = ANY($1::uuid[])`, [valid])
      : [];
    const out = new Map<string, Application>();
    for (const r of rows) {
      const app = toApplication(r);
      app.claims = await this.claims(this.ds, r.id);
      out.set(r.id, app);
    }
    return out;
  }

  private async claims(em: EntityManager | DataSource, id: string): Promise<CategoryClaim[]> {
    const rows: { category_code: string; status: ClaimStatus; claimed_at: Date; due_at: Date; decided_at: Date | null }[] =
      await em.query(`SELECT * FROM category_claim WHERE application_id = $1 ORDER BY category_code`, [id]);
    return rows.map((r) => ({ category: r.category_code, status: r.status, claimedAt: r.claimed_at, dueAt: r.due_at, decidedAt: r.decided_at }));
  }

  /** ADMIN, or the applicant who owns it; anyone else FORBIDDEN. */
  assertCanSee(app: Application, by: Principal): void {
    if (isAdmin(by)) return;
    if (applicantIin(by) === app.applicantIin) return;
    if (by.kind === 'anonymous') throw new AppError('UNAUTHENTICATED', 'this operation needs a token');
    throw forbidden('application: you may only see your own applications');
  }

  async get(id: string, by: Principal): Promise<Application> {
    const app = await this.load(this.ds, id);
    this.assertCanSee(app, by);
    return app;
  }

  async mine(by: Principal): Promise<Application[]> {
    const iin = applicantIin(by);
    if (!iin) return [];
    const rows: ApplicationRow[] = await this.ds.query(
      `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.applicant_iin = $1 ORDER BY a.seq`,
      [iin],
    );
    const apps = rows.map(toApplication);
    for (const a of apps) a.claims = await this.claims(this.ds, a.id);
    return apps;
  }

  async list(args: ApplicationsArgs): Promise<ConnectionShape<Application>> {
    const after = decodeCursor(args.after, 1);
    const params: unknown[] = [args.locality ?? null, args.cohort ?? null, args.status ?? null, args.priorityClass ?? null];
    const where = `($1::text IS NULL OR a.locality = $1) AND ($2::int IS NULL OR a.cohort = $2)
      AND ($3::text IS NULL OR a.status = $3) AND ($4::int IS NULL OR a.priority_class = $4)`;
    const total: { n: number }[] = await this.ds.query(`SELECT count(*)::int AS n FROM application a WHERE ${where}`, params);
    const rows: ApplicationRow[] = await this.ds.query(
      `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE ${where} AND ($5::bigint IS NULL OR a.seq > $5)
       ORDER BY a.seq LIMIT $6`,
      [...params, after ? Number(after[0]) : null, args.first + 1],
    );
    return toConnection(rows, args.first, total[0].n, toApplication, (r) => [Number(r.seq)]);
  }

  /**
   * Anyone: the place of an application (by id or by number) with why, and no personal data. Read from
   * the read replica when there is one (a place may be as old as the replica's lag); an application the
   * replica does not know yet, e.g. registered a moment ago, is looked up on the primary.
   */
  async position(
    applicationId: string | undefined,
    number: string | undefined,
    by?: Principal,
    withOrganizations = true,
  ): Promise<QueuePosition> {
    if (!applicationId && !number) throw badInput('applicationId', 'give applicationId or number');
    if (applicationId && !isUuid(applicationId)) throw notFound('application', applicationId);
    return this.reads.run((db) => this.positionIn(db, applicationId, number, by, withOrganizations), {
      confirmOnPrimary: (e) => e instanceof AppError && e.code === 'NOT_FOUND',
    });
  }

  /** One statement: the application, its standing and the organizations ahead, all from one snapshot. */
  private async positionIn(
    db: EntityManager | DataSource,
    applicationId: string | undefined,
    number: string | undefined,
    by: Principal | undefined,
    withOrganizations: boolean,
  ): Promise<QueuePosition> {
    const found = await this.ranking.positionOf<ApplicationRow>(
      APPLICATION_COLUMNS,
      applicationId ? { id: applicationId } : { number: number?.trim().toUpperCase() ?? '' },
      withOrganizations,
      db,
    );
    if (!found) throw notFound('application', applicationId ?? number ?? '');
    const { row: r, standing, organizations } = found;
    if (r.status !== ApplicationStatus.QUEUED || !standing) {
      throw conflict(`application ${r.number} is not waiting in the queue (status ${r.status})`, 'applicationId');
    }
    return {
      applicationId: r.id,
      number: r.number,
      status: r.status,
      queueNumber: standing.queueNumber,
      total: standing.total,
      locality: r.locality,
      cohort: r.cohort,
      priorityClass: by && (isAdmin(by) || applicantIin(by) === r.applicant_iin) ? r.priority_class : null,
      registeredAt: r.registered_at,
      aheadByClass: PRIORITY_CLASSES.map((priorityClass) => ({ priorityClass, count: standing.ahead[priorityClass] })),
      positionsByOrganization: organizations.map((o) => ({ organizationId: o.id, organizationName: o.name, ahead: o.ahead })),
    };
  }

  // ---------- changes ----------

  async withdraw(id: string, by: Principal): Promise<Application> {
    return this.ds.transaction(async (em) => {
      await this.lockQueueOf(em, id);
      const app = await this.load(em, id, true);
      this.assertCanSee(app, by);
      if (app.status === ApplicationStatus.ARCHIVED) throw conflict(`application ${app.number} is already archived`, 'id');
      const now = this.clock.now();
      await this.archive(em, app, ArchiveReason.WITHDRAWN, actorOf(by), now);
      return this.load(em, id);
    });
  }

  /** Archives a live application (cancelling its live referral and closing any stop-list term). */
  async archive(em: EntityManager, app: Application, reason: ArchiveReason, actor: string, now: Date): Promise<void> {
    const cancelled = await returning<{ id: string; vacancy_id: string }>(
      em,
      `UPDATE referral SET status = 'CANCELLED', closed_at = $2, close_reason = $3
       WHERE application_id = $1 AND status IN ('BOOKED','OFFERED','CONFIRMED') RETURNING id, vacancy_id`,
      [app.id, now, `application ${reason.toLowerCase()}`],
    );
    for (const c of cancelled) {
      await em.query(`UPDATE vacancy SET status = 'PUBLISHED', open_at = NULL WHERE id = $1 AND status IN ('BOOKED','REFERRED')`, [c.vacancy_id]);
      await em.query(`INSERT INTO referral_exclusion (application_id, vacancy_id) VALUES ($1,$2) ON CONFLICT DO NOTHING`, [app.id, c.vacancy_id]);
      await this.ledger.append(em, {
        type: 'referral.cancelled', entity: 'referral', entityId: c.id, actor, at: now,
        data: { applicationId: app.id, vacancyId: c.vacancy_id, reason: `application ${reason}` },
      });
    }
    await em.query(`UPDATE stop_list_entry SET ended_at = $2, ended_by = $3 WHERE application_id = $1 AND ended_at IS NULL`, [app.id, now, actor]);
    await em.query(
      `UPDATE application SET status = 'ARCHIVED', archive_reason = $2, archived_at = $3, archived_by = $4,
       stop_list_reason = NULL, stop_listed_until = NULL, updated_at = $3 WHERE id = $1`,
      [app.id, reason, now, actor],
    );
    await this.ledger.append(em, {
      type: 'application.archived', entity: 'application', entityId: app.id, actor, at: now,
      data: { reason, previousStatus: app.status, cancelledReferrals: cancelled.map((c) => c.id) },
    });
    if (reason !== ArchiveReason.ENROLLED) {
      await this.notifications.notifyApplicant(em, app, 'ARCHIVED', `ARCHIVED:${app.id}:${now.getTime()}`, {
        reason: reasonText(reason, app.notificationLanguage),
      }, now);
    }
  }

  /**
   * Before a change of an application's place in its queue (back in, out of it, another class): the
   * locality's queue-change lock (shared, see lockLocalityForQueueChange), taken before any row lock.
   * Allocation holds it exclusively and reads the queue without row locks, so every such change commits
   * before a run reads the queue or after it. Unknown ids are left to `load`.
   */
  async lockQueueOf(em: EntityManager, id: string): Promise<void> {
    if (!isUuid(id)) return;
    const rows: { locality: string }[] = await em.query(`SELECT locality FROM application WHERE id = $1`, [id]);
    if (rows[0]) await lockLocalityForQueueChange(em, rows[0].locality);
  }

  async confirmPriority(applicationId: string, category: string, confirmed: boolean, by: Principal): Promise<Application> {
    return this.ds.transaction(async (em) => {
      await this.lockQueueOf(em, applicationId);
      const app = await this.load(em, applicationId, true);
      const claim = app.claims.find((c) => c.category === category);
      if (!claim) throw badInput('category', `application ${app.number} has no claim for ${category}`);
      if (claim.status === ClaimStatus.CONFIRMED && confirmed) return app;
      if (app.status === ApplicationStatus.ARCHIVED) throw conflict('applicationId: application is archived', 'applicationId');
      const now = this.clock.now();
      await em.query(
        `UPDATE category_claim SET status = $3, decided_at = $4, decided_by = $5 WHERE application_id = $1 AND category_code = $2`,
        [applicationId, category, confirmed ? 'CONFIRMED' : 'REJECTED', now, actorOf(by)],
      );
      const cls = await this.recomputeClass(em, applicationId, now);
      await this.ledger.append(em, {
        type: confirmed ? 'application.priority_confirmed' : 'application.priority_rejected',
        entity: 'application', entityId: applicationId, actor: actorOf(by), at: now, data: { category, priorityClass: cls },
      });
      await this.notifications.notifyApplicant(em, app, confirmed ? 'PRIORITY_CONFIRMED' : 'PRIORITY_REJECTED',
        `PRIORITY_DECIDED:${applicationId}:${category}:${confirmed}`, { category }, now);
      return this.load(em, applicationId);
    });
  }

  private async recomputeClass(em: EntityManager, applicationId: string, now: Date): Promise<number> {
    const rows: { cls: number | null; special: boolean }[] = await em.query(
      `SELECT min(pc.priority_class) AS cls, bool_or(c.category_code = 'SPECIAL_NEEDS') AS special
       FROM category_claim c JOIN priority_category pc ON pc.code = c.category_code
       WHERE c.application_id = $1 AND c.status = 'CONFIRMED'`,
      [applicationId],
    );
    const cls = rows[0]?.cls ?? 2;
    await em.query(
      `UPDATE application SET priority_class = $2, special_needs_confirmed = $3, updated_at = $4 WHERE id = $1`,
      [applicationId, cls, rows[0]?.special ?? false, now],
    );
    return cls;
  }

  /** 00:00 daily: unconfirmed claims past their due time lapse; registration time unchanged. */
  async lapseClaims(at: Date): Promise<{ lapsed: number }> {
    return this.ds.transaction(async (em) => {
      const rows = await returning<{ application_id: string; category_code: string }>(
        em,
        `UPDATE category_claim SET status = 'LAPSED', decided_at = $1, decided_by = 'system'
         WHERE status = 'PENDING' AND due_at <= $1 RETURNING application_id, category_code`,
        [at],
      );
      for (const r of rows) {
        const app = await this.load(em, r.application_id);
        await this.ledger.append(em, {
          type: 'application.priority_lapsed', entity: 'application', entityId: r.application_id, actor: 'system', at,
          data: { category: r.category_code },
        });
        if (app.status !== ApplicationStatus.ARCHIVED) {
          await this.notifications.notifyApplicant(em, app, 'PRIORITY_LAPSED', `PRIORITY_LAPSED:${app.id}:${r.category_code}`, {
            category: r.category_code,
          }, at);
        }
      }
      return { lapsed: rows.length };
    });
  }

  /** 00:00 daily: children who reached the age limit leave the queue (AGED_OUT). */
  async ageOut(at: Date): Promise<{ agedOut: number }> {
    const s = await this.settings.get();
    const today = toAlmatyDate(at);
    const ids: { id: string }[] = await this.ds.query(
      `SELECT id FROM application WHERE status IN ('QUEUED','STOP_LISTED')
       AND child_birth_date + make_interval(years => $1) <= $2::date ORDER BY seq`,
      [s.ageLimitYears, today],
    );
    for (const { id } of ids) {
      await this.ds.transaction(async (em) => {
        await this.lockQueueOf(em, id);
        const app = await this.load(em, id, true);
        if (app.status !== ApplicationStatus.QUEUED && app.status !== ApplicationStatus.STOP_LISTED) return;
        await this.archive(em, app, ArchiveReason.AGED_OUT, 'system', at);
      });
    }
    return { agedOut: ids.length };
  }
}

export function reasonText(reason: ArchiveReason, lang: string): string {
  const kk: Record<ArchiveReason, string> = {
    ENROLLED: 'балабақшаға қабылданды',
    WITHDRAWN: 'өтініш кері қайтарылды',
    AGED_OUT: 'бала 6 жасқа толды',
    DUPLICATE: 'қайталанған өтініш',
    OTHER: 'өзге себеп',
  };
  const ru: Record<ArchiveReason, string> = {
    ENROLLED: 'ребёнок зачислен',
    WITHDRAWN: 'заявление отозвано',
    AGED_OUT: 'ребёнку исполнилось 6 лет',
    DUPLICATE: 'дублирующее заявление',
    OTHER: 'иная причина',
  };
  return (lang === 'ru' ? ru : kk)[reason];
}
