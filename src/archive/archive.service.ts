import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { actorOf, type Principal } from '../auth/principal.js';
import { toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { NotificationService } from '../notification/notification.service.js';
import { Clock } from '../platform/clock/clock.js';
import { badInput, conflict } from '../platform/errors/app-error.js';
import { decodeCursor, toConnection, type ConnectionShape } from '../platform/graphql/connection.js';
import { ApplicationStatus, ArchiveReason } from '../platform/graphql/enums.js';
import { isRealDate } from '../platform/graphql/scalars.js';
import { APPLICATION_COLUMNS, toApplication, type ApplicationRow } from '../queue/application.row.js';
import type { Application } from '../queue/dto/application.model.js';
import { QueueService } from '../queue/queue.service.js';
import type { StopListArgs, ArchiveArgs, StopListEntry } from './dto/archive.model.js';

interface StopRow {
  id: string;
  application_id: string;
  reason: string;
  starts_on: string;
  until: string | null;
  created_at: Date;
  created_by: string;
  ended_at: Date | null;
  ended_by: string | null;
}
const toEntry = (r: StopRow): StopListEntry => ({
  id: r.id, applicationId: r.application_id, reason: r.reason, startsOn: r.starts_on, until: r.until,
  createdAt: r.created_at, createdBy: r.created_by, endedAt: r.ended_at, endedBy: r.ended_by,
});
const STOP_COLUMNS = `s.id, s.application_id, s.reason, to_char(s.starts_on, 'YYYY-MM-DD') AS starts_on,
  to_char(s.until, 'YYYY-MM-DD') AS until, s.created_at, s.created_by, s.ended_at, s.ended_by`;

/** Archive and stop-list operations of operators (ADMIN). */
@Injectable()
export class ArchiveService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly notifications: NotificationService,
    private readonly queue: QueueService,
  ) {}

  async addToStopList(applicationId: string, reason: string, until: string | null, by: Principal): Promise<Application> {
    const why = reason.trim();
    if (!why) throw badInput('reason', 'is required');
    if (why.length > 500) throw badInput('reason', 'is too long (500 characters at most)');
    const now = this.clock.now();
    const today = toAlmatyDate(now);
    if (until !== null && (!isRealDate(until) || until < today)) throw badInput('until', 'must be a real date, today or later');
    return this.ds.transaction(async (em) => {
      await this.queue.lockQueueOf(em, applicationId);
      const app = await this.queue.load(em, applicationId, true);
      if (app.status !== ApplicationStatus.QUEUED) {
        throw conflict(`applicationId: only a QUEUED application can be stop-listed (status ${app.status})`, 'applicationId');
      }
      await em.query(
        `INSERT INTO stop_list_entry (application_id, reason, starts_on, until, created_at, created_by) VALUES ($1,$2,$3,$4,$5,$6)`,
        [app.id, why, today, until, now, actorOf(by)],
      );
      await em.query(
        `UPDATE application SET status = 'STOP_LISTED', stop_list_reason = $2, stop_listed_until = $3, updated_at = $4 WHERE id = $1`,
        [app.id, why, until, now],
      );
      await this.ledger.append(em, {
        type: 'stop_list.added', entity: 'stop_list', entityId: app.id, actor: actorOf(by), at: now,
        data: { reason: why, startsOn: today, until },
      });
      await this.notifications.notifyApplicant(em, app, 'STOP_LISTED', `STOP_LISTED:${app.id}:${now.getTime()}`, { reason: why }, now);
      return this.queue.load(em, app.id);
    });
  }

  async removeFromStopList(applicationId: string, by: Principal): Promise<Application> {
    return this.ds.transaction(async (em) => {
      await this.queue.lockQueueOf(em, applicationId);
      const app = await this.queue.load(em, applicationId, true);
      if (app.status !== ApplicationStatus.STOP_LISTED) {
        throw conflict(`applicationId: application is not on the stop-list (status ${app.status})`, 'applicationId');
      }
      const now = this.clock.now();
      await em.query(`UPDATE stop_list_entry SET ended_at = $2, ended_by = $3 WHERE application_id = $1 AND ended_at IS NULL`, [app.id, now, actorOf(by)]);
      await em.query(
        `UPDATE application SET status = 'QUEUED', stop_list_reason = NULL, stop_listed_until = NULL, updated_at = $2 WHERE id = $1`,
        [app.id, now],
      );
      await this.ledger.append(em, { type: 'stop_list.ended', entity: 'stop_list', entityId: app.id, actor: actorOf(by), at: now, data: { manual: true } });
      await this.notifications.notifyApplicant(em, app, 'STOP_LIST_ENDED', `STOP_LIST_ENDED:${app.id}:${now.getTime()}`, {}, now);
      return this.queue.load(em, app.id);
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
      await this.queue.archive(em, app, reason, actorOf(by), this.clock.now());
      return this.queue.load(em, app.id);
    });
  }

  /** Brings an archived application back with its original registration time (not its cancelled referral). */
  async restore(id: string, by: Principal): Promise<Application> {
    return this.ds.transaction(async (em) => {
      await this.queue.lockQueueOf(em, id);
      const app = await this.queue.load(em, id, true);
      if (app.status !== ApplicationStatus.ARCHIVED) throw conflict(`id: application is not archived (status ${app.status})`, 'id');
      if (app.archiveReason === ArchiveReason.ENROLLED) throw conflict('id: an enrolled child holds a place; restore is for applications archived in error', 'id');
      const live: { number: string }[] = await em.query(
        `SELECT number FROM application WHERE child_iin = $1 AND status <> 'ARCHIVED'`,
        [app.childIin],
      );
      if (live.length) throw conflict(`id: the child already has a live application ${live[0].number}`, 'id');
      const now = this.clock.now();
      await em.query(
        `UPDATE application SET status = 'QUEUED', archive_reason = NULL, archived_at = NULL, archived_by = NULL, updated_at = $2 WHERE id = $1`,
        [id, now],
      );
      await this.ledger.append(em, {
        type: 'application.restored', entity: 'application', entityId: id, actor: actorOf(by), at: now,
        data: { previousReason: app.archiveReason, registeredAt: app.registeredAt.toISOString() },
      });
      await this.notifications.notifyApplicant(em, app, 'RESTORED', `RESTORED:${id}:${now.getTime()}`, {}, now);
      return this.queue.load(em, id);
    });
  }

  async stopList(args: StopListArgs): Promise<ConnectionShape<StopListEntry>> {
    const after = decodeCursor(args.after, 2);
    const params: unknown[] = [args.active ?? null];
    const where = `($1::boolean IS NULL OR ($1 AND s.ended_at IS NULL) OR (NOT $1 AND s.ended_at IS NOT NULL))`;
    const total: { n: number }[] = await this.ds.query(`SELECT count(*)::int AS n FROM stop_list_entry s WHERE ${where}`, params);
    const rows: StopRow[] = await this.ds.query(
      `SELECT ${STOP_COLUMNS} FROM stop_list_entry s WHERE ${where}
       AND ($2::timestamptz IS NULL OR (s.created_at, s.id) > ($2::timestamptz, $3::uuid)) ORDER BY s.created_at, s.id LIMIT $4`,
      [...params, after?.[0] ?? null, after?.[1] ?? null, args.first + 1],
    );
    return toConnection(rows, args.first, total[0].n, toEntry, (r) => [r.created_at.toISOString(), r.id]);
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
