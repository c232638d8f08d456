/**
 * Priority categories of an application (SPEC.md "Priority"): a family's claim (at registration or later),
 * an operator's decision, and the 00:00 lapse of claims not proven in time. The claim's life cycle is
 * domain/claim-state.ts; ApplicationStore writes the claim and the class, with their ledger events.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { actorOf, type Principal } from '../auth/principal.js';
import { CalendarService } from '../calendar/calendar.service.js';
import { workingDaysDeadline } from '../calendar/domain/deadlines.js';
import { NotificationService } from '../notification/notification.service.js';
import { Clock } from '../platform/clock/clock.js';
import { badInput, conflict } from '../platform/errors/app-error.js';
import { toAlmatyIso } from '../platform/graphql/scalars.js';
import { SettingsService } from '../settings/settings.service.js';
import { APPLICATION_COLUMNS, type ApplicationRow } from './application.row.js';
import { ApplicationStore } from './application.store.js';
import { ApplicationStatus, ClaimStatus } from './domain/vocabulary.js';
import type { Application } from './dto/application.model.js';
import { QueueService } from './queue.service.js';

/** Claims per transaction of the 00:00 lapse. */
const SWEEP_CHUNK = 500;

@Injectable()
export class PriorityClaimsService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly store: ApplicationStore,
    private readonly notifications: NotificationService,
    private readonly calendar: CalendarService,
    private readonly settings: SettingsService,
    private readonly queue: QueueService,
  ) {}

  /**
   * owner or ADMIN: claims a priority category after registration (or again, after its claim lapsed or was
   * rejected): PENDING, proof due in proofWorkingDays working days; ledgered, PROOF_REQUESTED texted.
   * Refused for an unknown category, an archived application, a category already PENDING or CONFIRMED.
   * The class changes only when an operator confirms the proof (confirmPriority).
   */
  async addPriorityClaim(applicationId: string, category: string, by: Principal): Promise<Application> {
    return this.ds.transaction(async (em) => {
      const app = await this.queue.load(em, applicationId, true);
      this.queue.assertCanSee(app, by);
      const known: { code: string }[] = await em.query(`SELECT code FROM priority_category WHERE code = $1`, [category]);
      if (!known.length) throw badInput('category', `unknown category ${category}`);
      if (app.status === ApplicationStatus.ARCHIVED) {
        throw conflict(`applicationId: application ${app.number} is archived`, 'applicationId');
      }
      const now = this.clock.now();
      const s = await this.settings.get();
      const dueAt = workingDaysDeadline(await this.calendar.calendar(em), now, s.proofWorkingDays);
      const previous = app.claims.find((c) => c.category === category)?.status ?? null;
      await this.store.claimPriority({ em, at: now, actor: actorOf(by) }, app, category, previous, dueAt);
      await this.notifications.notifyApplicant(
        em,
        app,
        'PROOF_REQUESTED',
        `PROOF_REQUESTED:${applicationId}:${category}:${now.toISOString()}`,
        { category, dueDate: toAlmatyIso(dueAt).slice(0, 16).replace('T', ' ') },
        now,
      );
      return this.queue.load(em, applicationId);
    });
  }

  /**
   * ADMIN: confirms a PENDING claim (or rejects a PENDING or CONFIRMED one). A claim that LAPSED or was
   * REJECTED cannot be confirmed: it needs a new claim (addPriorityClaim) with a new proof deadline.
   */
  async confirmPriority(applicationId: string, category: string, confirmed: boolean, by: Principal): Promise<Application> {
    return this.ds.transaction(async (em) => {
      await this.queue.lockQueueOf(em, applicationId);
      const app = await this.queue.load(em, applicationId, true);
      const claim = app.claims.find((c) => c.category === category);
      if (!claim) throw badInput('category', `application ${app.number} has no claim for ${category}`);
      if (claim.status === (confirmed ? ClaimStatus.CONFIRMED : ClaimStatus.REJECTED)) return app;
      if (app.status === ApplicationStatus.ARCHIVED) throw conflict('applicationId: application is archived', 'applicationId');
      const now = this.clock.now();
      await this.store.decideClaim({ em, at: now, actor: actorOf(by) }, app, category, confirmed, claim.status);
      await this.notifications.notifyApplicant(
        em,
        app,
        confirmed ? 'PRIORITY_CONFIRMED' : 'PRIORITY_REJECTED',
        `PRIORITY_DECIDED:${applicationId}:${category}:${confirmed}`,
        { category },
        now,
      );
      return this.queue.load(em, applicationId);
    });
  }

  /**
   * 00:00 daily: unconfirmed claims past their due time lapse; registration time unchanged. In chunks of
   * SWEEP_CHUNK claims (ix_category_claim_pending, oldest due first), each one transaction with its ledger
   * events and texts, so a night with tens of thousands of lapses is neither one huge transaction nor one
   * round trip per claim.
   */
  async lapseClaims(at: Date): Promise<{ lapsed: number }> {
    let lapsed = 0;
    for (;;) {
      const n = await this.ds.transaction(async (em) => {
        const rows = await this.store.lapseClaims({ em, at, actor: 'system' }, SWEEP_CHUNK);
        if (!rows.length) return 0;
        const apps: ApplicationRow[] = await em.query(`SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = ANY($1::uuid[])`, [
          [...new Set(rows.map((r) => r.application_id))],
        ]);
        const appById = new Map(apps.map((a) => [a.id, a]));
        await this.notifications.enqueueMany(
          em,
          rows.flatMap((r) => {
            const app = appById.get(r.application_id);
            return app && app.status !== ApplicationStatus.ARCHIVED
              ? [
                  {
                    applicationId: app.id,
                    phone: app.phone,
                    language: app.notification_language,
                    stage: 'PRIORITY_LAPSED' as const,
                    key: `PRIORITY_LAPSED:${app.id}:${r.category_code}`,
                    params: { number: app.number, category: r.category_code },
                    at,
                  },
                ]
              : [];
          }),
        );
        return rows.length;
      });
      lapsed += n;
      if (n < SWEEP_CHUNK) break;
    }
    return { lapsed };
  }
}
