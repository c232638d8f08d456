import { Injectable } from '@nestjs/common';
import { ReadDataSource } from '../platform/database/read-data-source.js';
import { DataSource, type EntityManager } from 'typeorm';
import { actorOf, applicantIin, isAdmin, type Principal } from '../auth/principal.js';
import { CalendarService } from '../calendar/calendar.service.js';
import { addCalendarDays, toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { workingDaysDeadline } from '../calendar/domain/deadlines.js';
import { NotificationService } from '../notification/notification.service.js';
import { Clock } from '../platform/clock/clock.js';
import { AppError, badInput, conflict, forbidden, notFound } from '../platform/errors/app-error.js';
import { decodeCursor, toConnection, type ConnectionShape } from '../platform/graphql/connection.js';
import { ApplicationStatus, ClaimStatus } from '../queue/domain/vocabulary.js';
import { isRealDate, toAlmatyIso } from '../platform/graphql/scalars.js';
import { ageInYears, parseIin } from '../platform/identifiers/iin.js';
import { normalizeKzPhone } from '../platform/identifiers/phone.js';
import { SettingsService } from '../settings/settings.service.js';
import { isUuid } from '../platform/identifiers/uuid.js';
import { APPLICATION_COLUMNS, toApplication, type ApplicationRow } from './application.row.js';
import { PRIORITY_CLASSES } from './domain/ranking.js';
import type { ApplicationsArgs, RegisterApplicationInput, UpdateApplicationInput } from './dto/application.input.js';
import { bornWithinOneMonth } from './domain/age.js';
import { amendFacts, changedFieldsText, MIN_APPLICANT_AGE_YEARS, type ChangeableFacts } from './domain/application-changes.js';
import type { Application, CategoryClaim, PriorityCategory, QueuePosition } from './dto/application.model.js';
import { sqlStatuses } from '../platform/errors/state-step.js';
import { LIVE_APPLICATION_STATUSES } from './domain/application-state.js';
import { ApplicationStore } from './application.store.js';
import { QueueRankingService } from './queue-ranking.service.js';
import { lockLocalityForQueueChange } from '../platform/database/locks.js';

/** A child's live applications (one at most), for SQL. */
const LIVE = sqlStatuses(LIVE_APPLICATION_STATUSES);

@Injectable()
export class QueueService {
  constructor(
    private readonly ds: DataSource,
    private readonly reads: ReadDataSource,
    private readonly clock: Clock,
    private readonly store: ApplicationStore,
    private readonly notifications: NotificationService,
    private readonly calendar: CalendarService,
    private readonly settings: SettingsService,
    private readonly ranking: QueueRankingService,
  ) {}

  async categories(): Promise<PriorityCategory[]> {
    const rows: { code: string; priority_class: number; legal_basis: string; name_kk: string; name_ru: string }[] = await this.ds.query(
      `SELECT * FROM priority_category ORDER BY priority_class, code`,
    );
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
    const s = await this.settings.get(undefined, now);
    if (child.birthDate > today) throw badInput('childIin', 'birth date from the IIN is in the future');
    if (ageInYears(child.birthDate, today) >= s.ageLimitYears) {
      throw badInput('childIin', `the child is ${s.ageLimitYears} or older: the queue is for children under ${s.ageLimitYears}`);
    }
    if (ageInYears(applicant.birthDate, today) < MIN_APPLICANT_AGE_YEARS) {
      throw badInput('applicantIin', `the applicant must be an adult (${MIN_APPLICANT_AGE_YEARS} or older)`);
    }
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
        const sib: ApplicationRow[] = await em.query(`SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = $1 FOR UPDATE`, [
          input.siblingsOf,
        ]);
        const s0 = sib[0];
        if (!s0) throw badInput('siblingsOf', 'application does not exist');
        if (s0.applicant_iin !== input.applicantIin) throw badInput('siblingsOf', 'must be an application of the same applicant');
        if (s0.status === ApplicationStatus.ARCHIVED) throw badInput('siblingsOf', 'application is archived');
        if (s0.locality !== input.locality) throw badInput('siblingsOf', 'must be in the same locality');
        if (!bornWithinOneMonth(s0.child_birth_date, child.birthDate)) {
          throw badInput('siblingsOf', 'twins/triplets must be born within one month of each other');
        }
        // A sibling joins only within siblingRegistrationCalendarDays of the batch's first registration (its id is the batch id).
        const first: { at: Date }[] = await em.query(`SELECT registered_at AS at FROM application WHERE id = $1`, [s0.batch_id ?? s0.id]);
        const joinBy = addCalendarDays(toAlmatyDate(first[0]?.at ?? s0.registered_at), s.siblingRegistrationCalendarDays);
        if (today > joinBy) {
          throw badInput(
            'siblingsOf',
            `a sibling joins a batch only within ${s.siblingRegistrationCalendarDays} days of its first registration`,
          );
        }
        batchId = await this.store.startBatch(em, s0);
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
      const proofDueAt = input.priorityCategories.length
        ? workingDaysDeadline(await this.calendar.calendar(em), now, s.proofWorkingDays)
        : null;
      const row = await this.store.register(
        { em, at: now, actor: actorOf(by) },
        {
          seq,
          childIin: input.childIin,
          childName: input.childName.trim(),
          birthDate: child.birthDate,
          cohort,
          applicantIin: input.applicantIin,
          phone,
          locality: input.locality,
          organizationIds: orgIds,
          language: input.language,
          groupType: input.groupType,
          workModes: input.workModes,
          desiredAdmissionDate: input.desiredAdmissionDate,
          acceptsTemporaryStay: input.acceptsTemporaryStay,
          notificationLanguage: input.notificationLanguage,
          batchId,
          claims: input.priorityCategories,
          proofDueAt,
        },
      );
      const id = row.id;
      const app = toApplication(row);
      app.claims = input.priorityCategories
        .slice()
        .sort()
        .map((category) => ({ category, status: ClaimStatus.PENDING, claimedAt: now, dueAt: proofDueAt ?? now, decidedAt: null }));
      const standing = await this.ranking.standing(id, em);
      await this.notifications.notifyApplicant(
        em,
        app,
        'APPLICATION_REGISTERED',
        `APPLICATION_REGISTERED:${id}`,
        {
          queueNumber: standing?.queueNumber ?? 0,
        },
        now,
      );
      for (const category of input.priorityCategories) {
        const dueAt = app.claims.find((c) => c.category === category)?.dueAt ?? now;
        await this.notifications.notifyApplicant(
          em,
          app,
          'PROOF_REQUESTED',
          `PROOF_REQUESTED:${id}:${category}`,
          {
            category,
            dueDate: toAlmatyIso(dueAt).slice(0, 16).replace('T', ' '),
          },
          now,
        );
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
    const rows: { category_code: string; status: ClaimStatus; claimed_at: Date; due_at: Date; decided_at: Date | null }[] = await em.query(
      `SELECT * FROM category_claim WHERE application_id = $1 ORDER BY category_code`,
      [id],
    );
    return rows.map((r) => ({
      category: r.category_code,
      status: r.status,
      claimedAt: r.claimed_at,
      dueAt: r.due_at,
      decidedAt: r.decided_at,
    }));
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

  /**
   * owner or ADMIN: corrects phone, organization choices, language, work modes, group type, temporary-stay
   * acceptance, notification language or desired admission date of a live application; number,
   * registration time and status are kept. Validated like registration. One transaction under the
   * queue-change lock (language, group, work modes, choices and dates change which places the child fits,
   * so the change commits before an allocation of the locality reads the queue or after it). Ledgered
   * (`application.updated`) and texted (APPLICATION_UPDATED; a changed phone is told on the old number too).
   * No change: the application as it is, nothing written.
   */
  async update(id: string, input: UpdateApplicationInput, by: Principal): Promise<Application> {
    let phone: string | undefined;
    if (input.phone !== undefined && input.phone !== null) {
      phone = normalizeKzPhone(input.phone) ?? undefined;
      if (!phone) throw badInput('phone', 'must be a Kazakhstan mobile number +7 7XX XXX XX XX');
    }
    const desired = input.desiredAdmissionDate ?? undefined;
    if (desired !== undefined && !isRealDate(desired)) throw badInput('desiredAdmissionDate', 'must be a real date YYYY-MM-DD');
    return this.ds.transaction(async (em) => {
      await this.lockQueueOf(em, id);
      const app = await this.load(em, id, true);
      this.assertCanSee(app, by);
      if (app.status === ApplicationStatus.ARCHIVED) {
        throw conflict(`id: application ${app.number} is archived; an operator can restore it`, 'id');
      }
      if (desired !== undefined && desired < app.childBirthDate) throw badInput('desiredAdmissionDate', 'is before the birth date');
      const orgIds = input.organizationIds ?? undefined;
      if (orgIds?.length) {
        const orgs: { id: string; locality: string }[] = await em.query(
          `SELECT id, locality FROM organization WHERE id = ANY($1::uuid[])`,
          [orgIds],
        );
        for (const o of orgIds) {
          const found = orgs.find((x) => x.id === o);
          if (!found) throw badInput('organizationIds', `organization ${o} does not exist`);
          if (found.locality !== app.locality) throw badInput('organizationIds', `organization ${o} is not in locality ${app.locality}`);
        }
      }
      const current: ChangeableFacts = {
        phone: app.phone,
        organizationIds: app.organizationIds,
        language: app.language,
        workModes: app.workModes,
        groupType: app.groupType,
        acceptsTemporaryStay: app.acceptsTemporaryStay,
        notificationLanguage: app.notificationLanguage,
        desiredAdmissionDate: app.desiredAdmissionDate,
      };
      const { next, changed } = amendFacts(current, {
        phone,
        organizationIds: orgIds,
        language: input.language ?? undefined,
        workModes: input.workModes ?? undefined,
        groupType: input.groupType ?? undefined,
        acceptsTemporaryStay: input.acceptsTemporaryStay ?? undefined,
        notificationLanguage: input.notificationLanguage ?? undefined,
        desiredAdmissionDate: desired,
      });
      if (!changed.length) return app;
      const now = this.clock.now();
      await this.store.amend({ em, at: now, actor: actorOf(by) }, app, next, changed);
      const updated = await this.load(em, id);
      const key = `APPLICATION_UPDATED:${id}:${now.toISOString()}`;
      await this.notifications.notifyApplicant(
        em,
        updated,
        'APPLICATION_UPDATED',
        key,
        { changes: changedFieldsText(changed, updated.notificationLanguage) },
        now,
      );
      if (changed.includes('phone')) {
        // The old number hears of the change too: a family whose phone was changed by someone else finds out.
        await this.notifications.notifyApplicant(
          em,
          { ...updated, phone: app.phone },
          'APPLICATION_UPDATED',
          `${key}:previous-phone`,
          { changes: changedFieldsText(changed, updated.notificationLanguage) },
          now,
        );
      }
      return updated;
    });
  }
}
