/**
 * The stop-list (SPEC.md "Stop-list"): the only writer of `stop_list_entry`. An operator's term (add,
 * remove), the term a lapsed referral brings (ReferralLifecycleService.expireDue), the end of a term on its
 * last day (the 00:00 sweep) and when the application is archived. The application's own status moves
 * through ApplicationStore; every term's start and end is a `stop_list.*` ledger event.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { actorOf, type Principal } from '../auth/principal.js';
import { toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { record } from '../ledger/event-batch.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { NotificationService } from '../notification/notification.service.js';
import { Clock } from '../platform/clock/clock.js';
import { lockLocalitiesForQueueChange } from '../platform/database/locks.js';
import { returning } from '../platform/database/sql.js';
import { badInput, conflict } from '../platform/errors/app-error.js';
import { decodeCursor, toConnection, type ConnectionShape } from '../platform/graphql/connection.js';
import { ApplicationStatus } from '../queue/domain/vocabulary.js';
import { isRealDate } from '../platform/graphql/scalars.js';
import { ApplicationStore, type Change } from '../queue/application.store.js';
import type { Application } from '../queue/dto/application.model.js';
import { QueueService } from '../queue/queue.service.js';
import type { StopListArgs, StopListEntry } from './dto/stop-list.model.js';
import { OpenPlaceRenotices } from './open-place-renotice.service.js';
import { textFor } from './referral-views.js';

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
  id: r.id,
  applicationId: r.application_id,
  reason: r.reason,
  startsOn: r.starts_on,
  until: r.until,
  createdAt: r.created_at,
  createdBy: r.created_by,
  endedAt: r.ended_at,
  endedBy: r.ended_by,
});
const STOP_COLUMNS = `s.id, s.application_id, s.reason, to_char(s.starts_on, 'YYYY-MM-DD') AS starts_on,
  to_char(s.until, 'YYYY-MM-DD') AS until, s.created_at, s.created_by, s.ended_at, s.ended_by`;

/** Terms that end per transaction of the midnight sweep. */
const RELEASE_CHUNK = 500;

@Injectable()
export class StopListService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly notifications: NotificationService,
    private readonly queue: QueueService,
    private readonly applications: ApplicationStore,
    private readonly openPlaces: OpenPlaceRenotices,
  ) {}

  /** ADMIN: a QUEUED application goes on the stop-list (until a date, or until removed). */
  async add(applicationId: string, reason: string, until: string | null, by: Principal): Promise<Application> {
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
      await this.applications.stopList(em, app, why, until, now);
      await this.ledger.append(em, {
        type: 'stop_list.added',
        entity: 'stop_list',
        entityId: app.id,
        actor: actorOf(by),
        at: now,
        data: { reason: why, startsOn: today, until },
      });
      await this.notifications.notifyApplicant(em, app, 'STOP_LISTED', `STOP_LISTED:${app.id}:${now.getTime()}`, { reason: why }, now);
      return this.queue.load(em, app.id);
    });
  }

  /** ADMIN: ends a term now; the application keeps its registration time. */
  async remove(applicationId: string, by: Principal): Promise<Application> {
    return this.ds.transaction(async (em) => {
      await this.queue.lockQueueOf(em, applicationId);
      const app = await this.queue.load(em, applicationId, true);
      if (app.status !== ApplicationStatus.STOP_LISTED) {
        throw conflict(`applicationId: application is not on the stop-list (status ${app.status})`, 'applicationId');
      }
      const now = this.clock.now();
      await this.endFor(em, [app.id], actorOf(by), now);
      await this.applications.endStopList(em, [app.id], now);
      await this.openPlaces.familiesBack(em, [app.id], now); // open places it fits are told again
      await this.ledger.append(em, {
        type: 'stop_list.ended',
        entity: 'stop_list',
        entityId: app.id,
        actor: actorOf(by),
        at: now,
        data: { manual: true },
      });
      await this.notifications.notifyApplicant(em, app, 'STOP_LIST_ENDED', `STOP_LIST_ENDED:${app.id}:${now.getTime()}`, {}, now);
      return this.queue.load(em, app.id);
    });
  }

  /** Terms of applications whose referral lapsed (their status moved by the caller), in the given order. */
  async addForExpired(
    c: Change,
    items: readonly { applicationId: string; referralId: string; startsOn: string; until: string }[],
  ): Promise<void> {
    if (!items.length) return;
    const reason = 'referral expired';
    await c.em.query(
      `INSERT INTO stop_list_entry (application_id, reason, starts_on, until, created_at, created_by)
       SELECT id, $5, starts_on, until, $4, $6
       FROM unnest($1::uuid[], $2::date[], $3::date[]) WITH ORDINALITY AS x(id, starts_on, until, n) ORDER BY n`,
      [items.map((i) => i.applicationId), items.map((i) => i.startsOn), items.map((i) => i.until), c.at, reason, c.actor],
    );
    await record(
      this.ledger,
      c,
      items.map((i) => ({
        type: 'stop_list.added' as const,
        entity: 'stop_list' as const,
        entityId: i.applicationId,
        actor: c.actor,
        at: c.at,
        data: { reason, referralId: i.referralId, startsOn: i.startsOn, until: i.until },
      })),
      items.map((i) => i.applicationId),
    );
  }

  /**
   * The stop-list term that archiving cut short (ended at the archiving instant) and that still runs on
   * `today`: its reason and last day (null: until removed). Null when there is none or it is over.
   */
  async termCutByArchive(
    em: EntityManager,
    applicationId: string,
    archivedAt: Date | null,
    today: string,
  ): Promise<{ reason: string; until: string | null } | null> {
    if (!archivedAt) return null;
    const rows: { reason: string; until: string | null }[] = await em.query(
      `SELECT s.reason, to_char(s.until, 'YYYY-MM-DD') AS until FROM stop_list_entry s
       WHERE s.application_id = $1 AND s.ended_at = $2 AND (s.until IS NULL OR s.until >= $3::date)
       ORDER BY s.created_at DESC, s.id DESC LIMIT 1`,
      [applicationId, archivedAt, today],
    );
    return rows[0] ?? null;
  }

  /**
   * A restored application whose stop-list term was cut short by archiving serves the rest of it: a new
   * entry from today to the term's last day (the application is QUEUED again, moved by the caller).
   */
  async resumeOnRestore(c: Change & { actor: string }, app: Application, term: { reason: string; until: string | null }): Promise<void> {
    const today = toAlmatyDate(c.at);
    await c.em.query(
      `INSERT INTO stop_list_entry (application_id, reason, starts_on, until, created_at, created_by) VALUES ($1,$2,$3,$4,$5,$6)`,
      [app.id, term.reason, today, term.until, c.at, c.actor],
    );
    await this.applications.stopList(c.em, { ...app, status: ApplicationStatus.QUEUED }, term.reason, term.until, c.at);
    await this.ledger.append(c.em, {
      type: 'stop_list.added',
      entity: 'stop_list',
      entityId: app.id,
      actor: c.actor,
      at: c.at,
      data: { reason: term.reason, startsOn: today, until: term.until },
    });
  }

  /** Ends the running terms of these applications (archiving, a manual removal); no event of its own. */
  async endFor(em: EntityManager, applicationIds: readonly string[], actor: string, at: Date): Promise<void> {
    if (!applicationIds.length) return;
    await em.query(`UPDATE stop_list_entry SET ended_at = $2, ended_by = $3 WHERE application_id = ANY($1::uuid[]) AND ended_at IS NULL`, [
      applicationIds,
      at,
      actor,
    ]);
  }

  /**
   * 00:00 daily: stop-list terms that ended yesterday end now; applications return to the queue.
   *
   * Set-based, in chunks of due terms (by last day, keyset pages of ix_stop_list_entry_due): one transaction
   * per chunk takes the queue-change lock of each locality concerned (in locality order, before any row lock),
   * ends the terms still open, returns their applications to the queue and writes one ledger event and one
   * text per term, one statement per kind.
   */
  async releaseDue(at: Date): Promise<{ released: number }> {
    const today = toAlmatyDate(at);
    let released = 0;
    for (let after = { until: '0001-01-01', id: '00000000-0000-0000-0000-000000000000' }; ;) {
      const due: { id: string; application_id: string; until: string; locality: string }[] = await this.ds.query(
        `SELECT e.id, e.application_id, to_char(e.until, 'YYYY-MM-DD') AS until, a.locality
         FROM stop_list_entry e JOIN application a ON a.id = e.application_id
         WHERE e.ended_at IS NULL AND e.until IS NOT NULL AND e.until < $1::date AND (e.until, e.id) > ($2::date, $3::uuid)
         ORDER BY e.until, e.id LIMIT $4`,
        [today, after.until, after.id, RELEASE_CHUNK],
      );
      if (!due.length) break;
      after = { until: due[due.length - 1].until, id: due[due.length - 1].id };
      released += await this.ds.transaction(async (em) => {
        await lockLocalitiesForQueueChange(
          em,
          due.map((e) => e.locality),
        );
        const ended = await returning<{ id: string }>(
          em,
          `UPDATE stop_list_entry SET ended_at = $2, ended_by = 'system' WHERE id = ANY($1::uuid[]) AND ended_at IS NULL RETURNING id`,
          [due.map((e) => e.id), at],
        );
        const endedIds = new Set(ended.map((e) => e.id));
        const entries = due.filter((e) => endedIds.has(e.id));
        if (!entries.length) return 0;
        const apps = await this.applications.endStopList(
          em,
          entries.map((e) => e.application_id),
          at,
        );
        const appById = new Map(apps.map((a) => [a.id, a]));
        await this.openPlaces.familiesBack(em, [...appById.keys()], at); // open places they fit are told again
        await this.ledger.appendMany(
          em,
          entries.map((e) => ({
            type: 'stop_list.ended' as const,
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
            return app ? [textFor(app, 'STOP_LIST_ENDED', `STOP_LIST_ENDED:${e.id}`, {}, at)] : [];
          }),
        );
        return entries.length;
      });
    }
    return { released };
  }

  /** ADMIN: stop-list terms (running and ended), oldest first. */
  async list(args: StopListArgs): Promise<ConnectionShape<StopListEntry>> {
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
}
