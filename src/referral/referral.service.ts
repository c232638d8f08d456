/**
 * Reading referrals and who may act on them. Changes live in ReferralLifecycleService (a family's and an
 * organization's actions, expiry), AllocationService (runs and open places) and StopListService; the only
 * writer of the table is ReferralStore.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { applicantIin, isAdmin, staffOrg, type Principal } from '../auth/principal.js';
import { isUuid } from '../platform/identifiers/uuid.js';
import { forbidden, notFound, unauthenticated } from '../platform/errors/app-error.js';
import { APPLICATION_COLUMNS, type ApplicationRow } from '../queue/application.row.js';
import { VACANCY_COLUMNS, type VacancyRow } from '../vacancy/vacancy.row.js';
import type { Referral } from './dto/referral.model.js';
import { toReferral, type ReferralRow } from './referral.row.js';
import { LIVE_REFERRAL_STATUSES_SQL } from './domain/referral-state.js';
import { REFERRAL_COLUMNS } from './referral.store.js';

export interface Parties {
  app: ApplicationRow;
  vac: VacancyRow;
  orgName: string;
}

@Injectable()
export class ReferralService {
  constructor(private readonly ds: DataSource) {}

  async load(em: EntityManager | DataSource, id: string, lock = false): Promise<ReferralRow> {
    if (!isUuid(id)) throw notFound('referral', id);
    const rows: ReferralRow[] = await em.query(`SELECT ${REFERRAL_COLUMNS} FROM referral r WHERE r.id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
      id,
    ]);
    if (!rows[0]) throw notFound('referral', id);
    return rows[0];
  }

  /** The application and the place of a referral (and the organization's name, for texts). */
  async parties(em: EntityManager | DataSource, r: Pick<ReferralRow, 'application_id' | 'vacancy_id'>): Promise<Parties> {
    const apps: ApplicationRow[] = await em.query(`SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = $1`, [r.application_id]);
    const vacs: (VacancyRow & { org_name: string })[] = await em.query(
      `SELECT ${VACANCY_COLUMNS}, o.name AS org_name FROM vacancy v JOIN organization o ON o.id = v.organization_id WHERE v.id = $1`,
      [r.vacancy_id],
    );
    return { app: apps[0], vac: vacs[0], orgName: vacs[0].org_name };
  }

  assertOwner(by: Principal, app: ApplicationRow): void {
    if (isAdmin(by) || applicantIin(by) === app.applicant_iin) return;
    if (by.kind === 'anonymous') throw unauthenticated();
    throw forbidden('this referral belongs to another applicant');
  }

  assertStaff(by: Principal, vac: VacancyRow): void {
    if (isAdmin(by) || staffOrg(by) === vac.organization_id) return;
    if (by.kind === 'anonymous') throw unauthenticated();
    throw forbidden('only staff of the organization holding the place may do this');
  }

  async get(id: string, by: Principal): Promise<Referral> {
    const r = await this.load(this.ds, id);
    const { app, vac } = await this.parties(this.ds, r);
    if (!(isAdmin(by) || applicantIin(by) === app.applicant_iin || staffOrg(by) === vac.organization_id)) {
      if (by.kind === 'anonymous') throw unauthenticated();
      throw forbidden('referral: you may see only your own referrals or those of your organization');
    }
    return toReferral(r);
  }

  /** Live referral per application id / vacancy id (for field resolvers). */
  async liveBy(column: 'application_id' | 'vacancy_id', ids: readonly string[]): Promise<Map<string, Referral>> {
    const valid = ids.filter(isUuid);
    const rows: ReferralRow[] = valid.length
      ? await this.ds.query(
          `SELECT ${REFERRAL_COLUMNS} FROM referral r WHERE r.${column} = ANY($1::uuid[]) AND r.status IN ${LIVE_REFERRAL_STATUSES_SQL}`,
          [valid],
        )
      : [];
    return new Map(rows.map((r) => [column === 'application_id' ? r.application_id : r.vacancy_id, toReferral(r)]));
  }

  canSeeVacancyReferral(by: Principal, organizationId: string): boolean {
    return isAdmin(by) || staffOrg(by) === organizationId;
  }
}
