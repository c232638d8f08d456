/**
 * The only writer of the `vacancy` table. Every method is a named change of a place's life cycle
 * (domain/vacancy-state.ts), runs in the caller's transaction, checks the state machine first and appends
 * the change's ledger event where the Rules record one. Reads stay with VacancyService and the callers.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LedgerService } from '../ledger/ledger.service.js';
import { returning } from '../platform/database/sql.js';
import { mustStep, sqlStatuses } from '../platform/errors/state-step.js';
import { VACANCY_MOVES, vacancyStep, type VacancyEdit, type VacancyMove, type VacancyState } from './domain/vacancy-state.js';
import { VACANCY_COLUMNS, type VacancyRow } from './vacancy.row.js';

export interface NewPlace {
  organizationId: string;
  locality: string;
  ageGroup: string;
  language: string;
  ageFromMonths: number;
  ageToMonths: number;
  groupType: string;
  workMode: string;
  admissionMode: string;
  admissionStartDate: string;
  attendanceUntil: string | null;
}

interface Change {
  em: EntityManager;
  at: Date;
  actor: string;
}

const check = (row: Pick<VacancyRow, 'id' | 'status'>, action: VacancyMove | VacancyEdit): string =>
  mustStep(vacancyStep(row.status as VacancyState, action), `place ${row.id}`, 'id');

@Injectable()
export class VacancyStore {
  constructor(private readonly ledger: LedgerService) {}

  /** PUBLISH: `count` identical places, each with its `vacancy.published` event. */
  async publish(c: Change, p: NewPlace, count: number, bulletinDate: string): Promise<VacancyRow[]> {
    const out: VacancyRow[] = [];
    for (let k = 0; k < count; k++) {
      const rows: VacancyRow[] = await c.em.query(
        `INSERT INTO vacancy AS v (organization_id, locality, status, age_group, language, age_from_months, age_to_months,
           group_type, work_mode, admission_mode, admission_start_date, attendance_until, published_at, published_by)
         VALUES ($1,$2,'PUBLISHED',$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING ${VACANCY_COLUMNS}`,
        [
          p.organizationId,
          p.locality,
          p.ageGroup,
          p.language,
          p.ageFromMonths,
          p.ageToMonths,
          p.groupType,
          p.workMode,
          p.admissionMode,
          p.admissionStartDate,
          p.attendanceUntil,
          c.at,
          c.actor,
        ],
      );
      const r = rows[0];
      await this.ledger.append(c.em, {
        type: 'vacancy.published',
        entity: 'vacancy',
        entityId: r.id,
        actor: c.actor,
        at: c.at,
        data: {
          organizationId: r.organization_id,
          locality: r.locality,
          seq: Number(r.seq),
          ageGroup: r.age_group,
          language: r.language,
          ageFromMonths: r.age_from_months,
          ageToMonths: r.age_to_months,
          groupType: r.group_type,
          workMode: r.work_mode,
          admissionMode: r.admission_mode,
          admissionStartDate: r.admission_start_date,
          attendanceUntil: r.attendance_until,
          bulletinDate,
        },
      });
      out.push(r);
    }
    return out;
  }

  /** REVOKE: the organization withdraws a published place. */
  async revoke(c: Change, place: Pick<VacancyRow, 'id' | 'status'>, reason: string, bulletinDate: string): Promise<VacancyRow> {
    check(place, 'REVOKE');
    const rows = await returning<VacancyRow>(
      c.em,
      `UPDATE vacancy v SET status = 'REVOKED', revoked_at = $2, revoke_reason = $3 WHERE id = $1 RETURNING ${VACANCY_COLUMNS}`,
      [place.id, c.at, reason],
    );
    await this.ledger.append(c.em, {
      type: 'vacancy.revoked',
      entity: 'vacancy',
      entityId: place.id,
      actor: c.actor,
      at: c.at,
      data: { reason, bulletinDate },
    });
    return rows[0];
  }

  /** ENTER_BULLETIN: the places listed in the day's bulletin (its `bulletin.published` event lists them). */
  async enterBulletin(em: EntityManager, ids: readonly string[], date: string): Promise<void> {
    if (ids.length) await em.query(`UPDATE vacancy SET bulletin_date = $1 WHERE id = ANY($2::uuid[])`, [date, ids]);
  }

  /** BOOK / REFER: referrals were issued for these places (BOOKED while an early-booked place is not yet free). */
  async take(em: EntityManager, places: readonly { place: Pick<VacancyRow, 'id' | 'status'>; booked: boolean }[]): Promise<void> {
    if (!places.length) return;
    const next = places.map(({ place, booked }) => check(place, booked ? 'BOOK' : 'REFER'));
    await em.query(`UPDATE vacancy v SET status = x.status FROM unnest($1::uuid[], $2::text[]) AS x(id, status) WHERE v.id = x.id`, [
      places.map((p) => p.place.id),
      next,
    ]);
  }

  /**
   * OPEN: nobody eligible took these places in the allocation run at `c.at`; they open for claims when the
   * priority window ends (`openAt` = c.at + priorityWindowHours). Each gets its `vacancy.opened` event, so the
   * fairness audit can check that no claim came before the window ended.
   */
  async open(c: Change, places: readonly Pick<VacancyRow, 'id' | 'status'>[], openAt: Date, priorityWindowHours: number): Promise<void> {
    if (!places.length) return;
    for (const p of places) check(p, 'OPEN');
    await c.em.query(`UPDATE vacancy SET open_at = $2 WHERE id = ANY($1::uuid[])`, [places.map((p) => p.id), openAt]);
    await this.ledger.appendMany(
      c.em,
      places.map((p) => ({
        type: 'vacancy.opened' as const,
        entity: 'vacancy' as const,
        entityId: p.id,
        actor: c.actor,
        at: c.at,
        data: { openAt: openAt.toISOString(), priorityWindowHours },
      })),
    );
  }

  /**
   * RENOTICE: open places whose families were told in this round are to be told again (the next notice
   * run recomputes their best-ranked fitting families; a family already told in the round is not texted
   * twice). Places no longer open are left as they are.
   */
  async renotice(em: EntityManager, places: readonly Pick<VacancyRow, 'id' | 'status'>[]): Promise<void> {
    if (!places.length) return;
    for (const p of places) check(p, 'RENOTICE');
    await em.query(
      `UPDATE vacancy SET open_notified_at = NULL WHERE id = ANY($1::uuid[]) AND status = 'PUBLISHED' AND open_at IS NOT NULL`,
      [places.map((p) => p.id)],
    );
  }

  /** NOTICE: claims the open places whose families are told now; returns those not told before. */
  async notice(em: EntityManager, places: readonly Pick<VacancyRow, 'id' | 'status'>[], at: Date): Promise<Set<string>> {
    for (const p of places) check(p, 'NOTICE');
    const claimed = await returning<{ id: string }>(
      em,
      `UPDATE vacancy SET open_notified_at = $2 WHERE id = ANY($1::uuid[]) AND open_notified_at IS NULL RETURNING id`,
      [places.map((p) => p.id), at],
    );
    return new Set(claimed.map((r) => r.id));
  }

  /** MARK_VACATED: an early-booked place frees at `vacatedAt`. */
  async markVacated(c: Change, place: Pick<VacancyRow, 'id' | 'status'>, on: string, vacatedAt: Date): Promise<void> {
    check(place, 'MARK_VACATED');
    await c.em.query(`UPDATE vacancy SET vacated_at = $2 WHERE id = $1`, [place.id, vacatedAt]);
    await this.ledger.append(c.em, {
      type: 'vacancy.vacated',
      entity: 'vacancy',
      entityId: place.id,
      actor: c.actor,
      at: c.at,
      data: { on, vacatedAt: vacatedAt.toISOString() },
    });
  }

  /**
   * RELEASE: the referrals holding these places ended without enrolment; they go back to allocation (and
   * a new priority window). The open round ends too (open_at, open_notified_at): if the place again passes
   * its priority window unreferred, it reopens and the best-ranked fitting families are told again.
   * Set-based: places no longer held (already released) stay as they are.
   */
  async release(em: EntityManager, ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await em.query(
      `UPDATE vacancy SET status = 'PUBLISHED', open_at = NULL, open_notified_at = NULL WHERE id = ANY($1::uuid[]) AND status IN ${sqlStatuses(VACANCY_MOVES.RELEASE.from)}`,
      [ids],
    );
  }

  /** FILL: the child was enrolled on the place. */
  async fill(em: EntityManager, place: Pick<VacancyRow, 'id' | 'status'>): Promise<void> {
    check(place, 'FILL');
    await em.query(`UPDATE vacancy SET status = 'FILLED' WHERE id = $1`, [place.id]);
  }
}
