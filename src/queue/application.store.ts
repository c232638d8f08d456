/**
 * The only writer of the `application` and `category_claim` tables. Every method is a named change of the
 * application life cycle (domain/application-state.ts), runs in the caller's transaction, checks the state
 * machine first and appends the change's ledger event where the Rules record one (a referral taking or
 * returning the application is recorded by the referral's own event). Queue-change locks are the caller's
 * (src/platform/database/locks.ts); reads stay with QueueService and the callers.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventBatch, record } from '../ledger/event-batch.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { returning } from '../platform/database/sql.js';
import { conflict } from '../platform/errors/app-error.js';
import { mustStep, sqlStatuses } from '../platform/errors/state-step.js';
import { APPLICATION_COLUMNS, formatNumber, type ApplicationRow } from './application.row.js';
import {
  APPLICATION_MOVES,
  applicationStep,
  type ApplicationEdit,
  type ApplicationMove,
  type ApplicationState,
} from './domain/application-state.js';
import { type ChangeableFacts, type ChangeableField } from './domain/application-changes.js';
import { claimStep, type ClaimMove } from './domain/claim-state.js';
import type { ClaimStatus } from './domain/vocabulary.js';

export interface Change {
  em: EntityManager;
  at: Date;
  actor: string;
  /** Hold the ledger events to append them grouped by application (see EventBatch). */
  batch?: EventBatch;
}

type Current = { id: string; status: string };

const check = (app: Current, action: ApplicationMove | ApplicationEdit): ApplicationState =>
  mustStep(applicationStep(app.status as ApplicationState, action), `application ${app.id}`, 'id');

const checkClaim = (status: ClaimStatus | null, action: ClaimMove, category: string): ClaimStatus =>
  mustStep(claimStep(status, action), `claim ${category}`, 'category');

/** A registration as validated by QueueService.register. */
export interface NewApplication {
  seq: string;
  childIin: string;
  childName: string;
  birthDate: string;
  cohort: number;
  applicantIin: string;
  phone: string;
  locality: string;
  organizationIds: string[];
  language: string;
  groupType: string;
  workModes: string[];
  desiredAdmissionDate: string;
  acceptsTemporaryStay: boolean;
  notificationLanguage: string;
  batchId: string | null;
  /** Priority categories claimed (PENDING until proven by `proofDueAt`). */
  claims: string[];
  proofDueAt: Date | null;
}

@Injectable()
export class ApplicationStore {
  constructor(private readonly ledger: LedgerService) {}

  /** REGISTER: a new QUEUED application (its queue's cycle row created if missing) and its claims. */
  async register(c: Change, a: NewApplication): Promise<ApplicationRow> {
    // The application and its queue's cycle row (kept if there) in one statement.
    const rows: ApplicationRow[] = await c.em.query(
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
        a.seq,
        formatNumber(a.seq),
        c.at,
        a.childIin,
        a.childName,
        a.birthDate,
        a.cohort,
        a.applicantIin,
        a.phone,
        a.locality,
        a.organizationIds,
        a.language,
        a.groupType,
        a.workModes,
        a.desiredAdmissionDate,
        a.acceptsTemporaryStay,
        a.notificationLanguage,
        a.batchId,
        c.actor,
      ],
    );
    const id = rows[0].id;
    if (a.claims.length) {
      await c.em.query(
        `INSERT INTO category_claim (application_id, category_code, status, claimed_at, due_at)
         SELECT $1, unnest($2::text[]), 'PENDING', $3, $4`,
        [id, a.claims, c.at, a.proofDueAt],
      );
    }
    await this.ledger.append(c.em, {
      type: 'application.registered',
      entity: 'application',
      entityId: id,
      actor: c.actor,
      at: c.at,
      data: {
        number: formatNumber(a.seq),
        seq: Number(a.seq),
        locality: a.locality,
        cohort: a.cohort,
        registeredAt: c.at.toISOString(),
        priorityClass: 2,
        claims: a.claims,
        batchId: a.batchId,
        organizationIds: a.organizationIds,
        language: a.language,
        groupType: a.groupType,
        workModes: a.workModes,
        desiredAdmissionDate: a.desiredAdmissionDate,
        acceptsTemporaryStay: a.acceptsTemporaryStay,
        birthDate: a.birthDate,
      },
    });
    return rows[0];
  }

  /** JOIN_BATCH: the first twin becomes the head of its batch (the batch id is its own id). */
  async startBatch(em: EntityManager, app: Current & { batch_id: string | null }): Promise<string> {
    check(app, 'JOIN_BATCH');
    if (!app.batch_id) await em.query(`UPDATE application SET batch_id = $1 WHERE id = $1`, [app.id]);
    return app.batch_id ?? app.id;
  }

  /** REFER: referrals were issued to these QUEUED applications. */
  async refer(em: EntityManager, apps: readonly Current[], at: Date): Promise<void> {
    if (!apps.length) return;
    for (const a of apps) check(a, 'REFER');
    await em.query(`UPDATE application SET status = 'REFERRED', updated_at = $2 WHERE id = ANY($1::uuid[])`, [apps.map((a) => a.id), at]);
  }

  /** RETURN_TO_QUEUE: their referral ended (declined, refused, cancelled, or a temporary place taken); original time kept. */
  async returnToQueue(em: EntityManager, ids: readonly string[], at: Date): Promise<void> {
    if (!ids.length) return;
    await em.query(
      `UPDATE application SET status = 'QUEUED', updated_at = $2 WHERE id = ANY($1::uuid[]) AND status IN ${sqlStatuses(APPLICATION_MOVES.RETURN_TO_QUEUE.from)}`,
      [ids, at],
    );
  }

  /** STOP_LIST: an operator's decision for one QUEUED application (the stop-list entry is StopListService's). */
  async stopList(em: EntityManager, app: Current, reason: string, until: string | null, at: Date): Promise<void> {
    check(app, 'STOP_LIST');
    await em.query(
      `UPDATE application SET status = 'STOP_LISTED', stop_list_reason = $2, stop_listed_until = $3, updated_at = $4 WHERE id = $1`,
      [app.id, reason, until, at],
    );
  }

  /** STOP_LIST: referred applications whose referral expired, each until its own last day. */
  async stopListReferred(em: EntityManager, items: readonly { id: string; until: string }[], reason: string, at: Date): Promise<void> {
    if (!items.length) return;
    await em.query(
      `UPDATE application a SET status = 'STOP_LISTED', updated_at = $2, stop_list_reason = $4, stop_listed_until = x.until
       FROM unnest($1::uuid[], $3::date[]) AS x(id, until) WHERE a.id = x.id AND a.status = 'REFERRED'`,
      [items.map((i) => i.id), at, items.map((i) => i.until), reason],
    );
  }

  /** END_STOP_LIST: back to the queue with the original time. Returns the applications that were stop-listed. */
  async endStopList(em: EntityManager, ids: readonly string[], at: Date): Promise<ApplicationRow[]> {
    if (!ids.length) return [];
    return returning<ApplicationRow>(
      em,
      `UPDATE application a SET status = 'QUEUED', stop_list_reason = NULL, stop_listed_until = NULL, updated_at = $2
       WHERE a.id = ANY($1::uuid[]) AND a.status IN ${sqlStatuses(APPLICATION_MOVES.END_STOP_LIST.from)} RETURNING ${APPLICATION_COLUMNS}`,
      [ids, at],
    );
  }

  /**
   * ARCHIVE: live applications leave the queue (their live referrals were cancelled first: `cancelled`
   * lists them per application for the ledger), one `application.archived` event each, in the given order.
   */
  async archive(c: Change, apps: readonly Current[], reason: string, cancelled: ReadonlyMap<string, readonly string[]>): Promise<void> {
    if (!apps.length) return;
    for (const a of apps) check(a, 'ARCHIVE');
    await c.em.query(
      `UPDATE application SET status = 'ARCHIVED', archive_reason = $2, archived_at = $3, archived_by = $4,
       stop_list_reason = NULL, stop_listed_until = NULL, updated_at = $3 WHERE id = ANY($1::uuid[])`,
      [apps.map((a) => a.id), reason, c.at, c.actor],
    );
    await record(
      this.ledger,
      c,
      apps.map((a) => ({
        type: 'application.archived' as const,
        entity: 'application' as const,
        entityId: a.id,
        actor: c.actor,
        at: c.at,
        data: { reason, previousStatus: a.status, cancelledReferrals: [...(cancelled.get(a.id) ?? [])] },
      })),
      apps.map((a) => a.id),
    );
  }

  /** RESTORE: an application archived in error comes back with its original registration time. */
  async restore(c: Change, app: Current & { archiveReason: string | null; registeredAt: Date }): Promise<void> {
    check(app, 'RESTORE');
    await c.em.query(
      `UPDATE application SET status = 'QUEUED', archive_reason = NULL, archived_at = NULL, archived_by = NULL, updated_at = $2 WHERE id = $1`,
      [app.id, c.at],
    );
    await this.ledger.append(c.em, {
      type: 'application.restored',
      entity: 'application',
      entityId: app.id,
      actor: c.actor,
      at: c.at,
      data: { previousReason: app.archiveReason, registeredAt: app.registeredAt.toISOString() },
    });
  }

  /**
   * AMEND: the family (or an operator) corrects what it entered; number, registration time and status are
   * kept. `changed` lists the fields that differ (domain/application-changes.ts). The queue counts follow
   * a change of choices by the `application` triggers (migration 1764000000090).
   */
  async amend(c: Change, app: Current, next: ChangeableFacts, changed: readonly ChangeableField[]): Promise<void> {
    check(app, 'AMEND');
    if (!changed.length) return;
    await c.em.query(
      `UPDATE application SET phone = $2, organization_ids = $3::uuid[], language = $4, work_modes = $5::text[], group_type = $6,
         accepts_temporary_stay = $7, notification_language = $8, desired_admission_date = $9, updated_at = $10
       WHERE id = $1`,
      [
        app.id,
        next.phone,
        next.organizationIds,
        next.language,
        next.workModes,
        next.groupType,
        next.acceptsTemporaryStay,
        next.notificationLanguage,
        next.desiredAdmissionDate,
        c.at,
      ],
    );
    // The new value of each changed fact, the phone aside (personal: the ledger records only that it changed).
    const values: Record<string, unknown> = {};
    for (const f of changed) if (f !== 'phone') values[f] = next[f];
    await this.ledger.append(c.em, {
      type: 'application.updated',
      entity: 'application',
      entityId: app.id,
      actor: c.actor,
      at: c.at,
      data: { fields: [...changed], ...values },
    });
  }

  /**
   * CLAIM_PRIORITY: a category claimed after registration, PENDING until `dueAt`; a claim that LAPSED or
   * was REJECTED is claimed again (new claim time and deadline). The class is unchanged (only confirmed
   * claims count). `previous`: the claim's current status, null when never claimed.
   */
  async claimPriority(c: Change, app: Current, category: string, previous: ClaimStatus | null, dueAt: Date): Promise<void> {
    check(app, 'CLAIM_PRIORITY');
    checkClaim(previous, 'CLAIM', category);
    const rows = await returning<{ application_id: string }>(
      c.em,
      `INSERT INTO category_claim AS k (application_id, category_code, status, claimed_at, due_at) VALUES ($1, $2, 'PENDING', $3, $4)
       ON CONFLICT (application_id, category_code) DO UPDATE SET status = 'PENDING', claimed_at = $3, due_at = $4, decided_at = NULL,
         decided_by = NULL
       WHERE k.status IN ('LAPSED','REJECTED')
       RETURNING k.application_id`,
      [app.id, category, c.at, dueAt],
    );
    // The row is locked with its application by the caller; a claim that is PENDING or CONFIRMED is left as it is.
    if (!rows.length) throw conflict(`claim ${category}: it is already pending or confirmed`, 'category');
    await this.ledger.append(c.em, {
      type: 'application.priority_claimed',
      entity: 'application',
      entityId: app.id,
      actor: c.actor,
      at: c.at,
      data: { category, dueAt: dueAt.toISOString(), previousStatus: previous as 'LAPSED' | 'REJECTED' | null },
    });
  }

  /**
   * RECLASSIFY: an operator confirms a PENDING claim, or rejects a PENDING or CONFIRMED one (claim-state.ts:
   * a lapsed or rejected claim needs a new claim); the priority class follows the confirmed ones.
   */
  async decideClaim(c: Change, app: Current, category: string, confirmed: boolean, current: ClaimStatus | null): Promise<number> {
    check(app, 'RECLASSIFY');
    checkClaim(current, confirmed ? 'CONFIRM' : 'REJECT', category);
    await c.em.query(
      `UPDATE category_claim SET status = $3, decided_at = $4, decided_by = $5 WHERE application_id = $1 AND category_code = $2`,
      [app.id, category, confirmed ? 'CONFIRMED' : 'REJECTED', c.at, c.actor],
    );
    const rows: { cls: number | null; special: boolean }[] = await c.em.query(
      `SELECT min(pc.priority_class) AS cls, bool_or(c.category_code = 'SPECIAL_NEEDS') AS special
       FROM category_claim c JOIN priority_category pc ON pc.code = c.category_code
       WHERE c.application_id = $1 AND c.status = 'CONFIRMED'`,
      [app.id],
    );
    const cls = rows[0]?.cls ?? 2;
    await c.em.query(`UPDATE application SET priority_class = $2, special_needs_confirmed = $3, updated_at = $4 WHERE id = $1`, [
      app.id,
      cls,
      rows[0]?.special ?? false,
      c.at,
    ]);
    await this.ledger.append(c.em, {
      type: confirmed ? 'application.priority_confirmed' : 'application.priority_rejected',
      entity: 'application',
      entityId: app.id,
      actor: c.actor,
      at: c.at,
      data: { category, priorityClass: cls },
    });
    return cls;
  }

  /**
   * Claims not proven in time lapse (at most `limit`, oldest due first; the class is unchanged: only
   * confirmed claims count). Returns them by application and category, as their ledger events are.
   */
  async lapseClaims(c: Change, limit: number): Promise<{ application_id: string; category_code: string }[]> {
    const rows = await returning<{ application_id: string; category_code: string }>(
      c.em,
      `UPDATE category_claim c SET status = 'LAPSED', decided_at = $1, decided_by = $3
       FROM (SELECT application_id, category_code FROM category_claim WHERE status = 'PENDING' AND due_at <= $1
             ORDER BY due_at, application_id, category_code LIMIT $2 FOR UPDATE) d
       WHERE c.application_id = d.application_id AND c.category_code = d.category_code
       RETURNING c.application_id, c.category_code`,
      [c.at, limit, c.actor],
    );
    rows.sort((x, y) =>
      x.application_id < y.application_id ? -1 : x.application_id > y.application_id ? 1 : x.category_code < y.category_code ? -1 : 1,
    );
    await this.ledger.appendMany(
      c.em,
      rows.map((r) => ({
        type: 'application.priority_lapsed' as const,
        entity: 'application' as const,
        entityId: r.application_id,
        actor: c.actor,
        at: c.at,
        data: { category: r.category_code },
      })),
    );
    return rows;
  }
}
