/**
 * The archive (SPEC.md "Archive"): withdrawal, operators' archiving and restoring, and the 00:00 age-out.
 * Archiving an application cancels its live referral (the place goes back to allocation, via
 * ReferralLifecycleService), ends its stop-list term (StopListService) and archives it (ApplicationStore),
 * in one transaction under the locality's queue-change lock.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { actorOf, type Principal } from '../auth/principal.js';
import { toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { EventBatch } from '../ledger/event-batch.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { NotificationService } from '../notification/notification.service.js';
import { Clock } from '../platform/clock/clock.js';
import { lockLocalitiesForQueueChange } from '../platform/database/locks.js';
import { badInput, conflict } from '../platform/errors/app-error.js';
import { ageInYears } from '../platform/identifiers/iin.js';
import { decodeCursor, toConnection, type ConnectionShape } from '../platform/graphql/connection.js';
import { ArchiveReason } from '../archive/domain/archive-reason.js';
import { ApplicationStatus } from '../queue/domain/vocabulary.js';
import { SettingsService } from '../settings/settings.service.js';
import { APPLICATION_COLUMNS, toApplication, type ApplicationRow } from '../queue/application.row.js';
import { ApplicationStore } from '../queue/application.store.js';
import type { Application } from '../queue/dto/application.model.js';
import { QueueService } from '../queue/queue.service.js';
import { ReferralLifecycleService } from '../referral/referral-lifecycle.service.js';
import { StopListService } from '../referral/stop-list.service.js';
import type { ArchiveArgs } from './dto/archive.model.js';

/** Applications per transaction of the 00:00 age-out. */
const AGE_OUT_CHUNK = 500;

@Injectable()
export class ArchiveService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly notifications: NotificationService,
    private readonly settings: SettingsService,
    private readonly queue: QueueService,
    private readonly applications: ApplicationStore,
    private readonly referrals: ReferralLifecycleService,
    private readonly stopList: StopListService,
  ) {}

  /** Owner or ADMIN: archive as WITHDRAWN. */
  async withdraw(id: string, by: Principal): Promise<Application> {
    return this.ds.transaction(async (em) => {
      await this.queue.lockQueueOf(em, id);
      const app = await this.queue.load(em, id, true);
      this.queue.assertCanSee(app, by);
      if (app.status === ApplicationStatus.ARCHIVED) throw conflict(`application ${app.number} is already archived`, 'id');
      await this.archiveMany(em, [app], ArchiveReason.WITHDRAWN, actorOf(by), this.clock.now());
      return this.queue.load(em, id);
    });
  }

  /** Operator archiving (duplicate found, other reasons of the Rules). */
  async archive(applicationId: string, reason: ArchiveReason, by: Principal): Promise<Application> {
    if (reason !== ArchiveReason.DUPLICATE && reason !== ArchiveReason.OTHER) {
      throw badInput('reason', 'operators archive as DUPLICATE or OTHER (the other reasons have their own actions)');
    }
    return this.ds.transaction(async (em) => {
      await this.queue.lockQueueOf(em, applicationId);
      const app = await this.queue.load(em, applicationId, true);
      if (app.status === ApplicationStatus.ARCHIVED) throw conflict(`applicationId: already archived`, 'applicationId');
      await this.archiveMany(em, [app], reason, actorOf(by), this.clock.now());
      return this.queue.load(em, app.id);
    });
  }

  /**
   * Archives live applications, set-based: their live referrals are cancelled (places back to allocation),
   * their stop-list terms end, they are archived and (unless enrolled) texted. The caller holds the
   * queue-change locks of their localities and the row locks.
   */
  async archiveMany(em: EntityManager, apps: readonly Application[], reason: ArchiveReason, actor: string, now: Date): Promise<void> {
    if (!apps.length) return;
    const ids = apps.map((a) => a.id);
    // Each application's events together (its cancelled referrals, then its archiving), as one at a time.
    const c = { em, at: now, actor, batch: new EventBatch(ids) };
    const cancelled = await this.referrals.cancelLiveOf(c, ids, `application ${reason.toLowerCase()}`);
    await this.stopList.endFor(em, ids, actor, now);
    await this.applications.archive(c, apps, reason, cancelled);
    await c.batch.flush(em, this.ledger);
    if (reason !== ArchiveReason.ENROLLED) {
      await this.notifications.enqueueMany(
        em,
        apps.map((app) => ({
          applicationId: app.id,
          phone: app.phone,
          language: app.notificationLanguage as 'kk' | 'ru',
          stage: 'ARCHIVED' as const,
          key: `ARCHIVED:${app.id}:${now.getTime()}`,
          params: { number: app.number, reason }, // worded in the family's language by the notification layer
          at: now,
        })),
      );
    }
  }

  /**
   * Brings an archived application back with its original registration time (not its cancelled referral);
   * a stop-list term that archiving cut short resumes for its remaining days; a child who has reached the
   * age limit cannot come back (the 00:00 age-out would archive it again).
   */
  async restore(id: string, by: Principal): Promise<Application> {
    return this.ds.transaction(async (em) => {
      await this.queue.lockQueueOf(em, id);
      const app = await this.queue.load(em, id, true);
      if (app.status !== ApplicationStatus.ARCHIVED) throw conflict(`id: application is not archived (status ${app.status})`, 'id');
      if (app.archiveReason === ArchiveReason.ENROLLED) {
        throw conflict('id: an enrolled child holds a place; restore is for applications archived in error', 'id');
      }
      const live: { number: string }[] = await em.query(`SELECT number FROM application WHERE child_iin = $1 AND status <> 'ARCHIVED'`, [
        app.childIin,
      ]);
      if (live.length) throw conflict(`id: the child already has a live application ${live[0].number}`, 'id');
      const now = this.clock.now();
      const today = toAlmatyDate(now);
      const s = await this.settings.get(em);
      if (ageInYears(app.childBirthDate, today) >= s.ageLimitYears) {
        throw conflict(
          `id: the child has reached the age limit (${s.ageLimitYears} years); the application cannot return to the queue`,
          'id',
        );
      }
      const c = { em, at: now, actor: actorOf(by) };
      // A term cut short by archiving (a stop-listed family withdrew) is served to its end, not forgiven.
      const term = await this.stopList.termCutByArchive(em, app.id, app.archivedAt, today);
      await this.applications.restore(c, app);
      if (term) await this.stopList.resumeOnRestore(c, app, term);
      await this.notifications.notifyApplicant(em, app, 'RESTORED', `RESTORED:${id}:${now.getTime()}`, {}, now);
      return this.queue.load(em, id);
    });
  }

  /**
   * 00:00 daily: children who reached the age limit leave the queue (AGED_OUT). In chunks of AGE_OUT_CHUNK
   * applications (seq order, keyset pages; ix_application_live_birth finds them by birth date): each chunk
   * is one transaction that takes the queue-change lock of its localities (before any row lock), locks the
   * applications still live and archives them set-based with their ledger events and texts.
   */
  async ageOut(at: Date): Promise<{ agedOut: number }> {
    const s = await this.settings.get(undefined, at);
    const today = toAlmatyDate(at);
    let agedOut = 0;
    for (let after = '0'; ;) {
      // Aged out = N·12 completed months (age_in_months, migration 1764000000100: the same count as the
      // TypeScript ageInMonths, so a child born on 29 February leaves on 1 March, as registration and
      // allocation count it). Monotone in the birth date: the range (one day of slack for 29 February)
      // finds the candidates by index, the exact test decides.
      const due: { id: string; seq: string; locality: string }[] = await this.ds.query(
        `SELECT a.id, a.seq::text AS seq, a.locality FROM application a
         WHERE a.status IN ('QUEUED','STOP_LISTED') AND a.child_birth_date <= ($2::date - make_interval(years => $1))::date + 1
           AND age_in_months(a.child_birth_date, $2::date) >= $1 * 12 AND a.seq > $3::bigint
         ORDER BY a.seq LIMIT $4`,
        [s.ageLimitYears, today, after, AGE_OUT_CHUNK],
      );
      if (!due.length) break;
      after = due[due.length - 1].seq;
      agedOut += await this.ds.transaction(async (em) => {
        await lockLocalitiesForQueueChange(
          em,
          due.map((d) => d.locality),
        );
        const rows: ApplicationRow[] = await em.query(
          `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = ANY($1::uuid[]) AND a.status IN ('QUEUED','STOP_LISTED')
           ORDER BY a.seq FOR UPDATE`,
          [due.map((d) => d.id)],
        );
        await this.archiveMany(em, rows.map(toApplication), ArchiveReason.AGED_OUT, 'system', at);
        return rows.length;
      });
    }
    return { agedOut };
  }

  async archived(args: ArchiveArgs): Promise<ConnectionShape<Application>> {
    const after = decodeCursor(args.after, 1);
    const params: unknown[] = [args.reason ?? null, args.locality ?? null];
    const where = `a.status = 'ARCHIVED' AND ($1::text IS NULL OR a.archive_reason = $1) AND ($2::text IS NULL OR a.locality = $2)`;
    const total: { n: number }[] = await this.ds.query(`SELECT count(*)::int AS n FROM application a WHERE ${where}`, params);
    const rows: ApplicationRow[] = await this.ds.query(
      `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE ${where} AND ($3::bigint IS NULL OR a.seq > $3) ORDER BY a.seq LIMIT $4`,
      [...params, after ? Number(after[0]) : null, args.first + 1],
    );
    return toConnection(rows, args.first, total[0].n, toApplication, (r) => [Number(r.seq)]);
  }

  /** Operators' duplicate check: every application of a child (by IIN) in any locality and state. */
  async byChild(childIin: string): Promise<Application[]> {
    if (!/^\d{12}$/.test(childIin)) throw badInput('childIin', 'must be 12 digits');
    const rows: ApplicationRow[] = await this.ds.query(
      `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.child_iin = $1 ORDER BY a.registered_at, a.seq`,
      [childIin],
    );
    return rows.map(toApplication);
  }
}
