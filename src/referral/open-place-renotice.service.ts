/**
 * Open places told again when a family comes back from the stop-list (issue 15 item 7). A family on the
 * stop-list is not told about open places; when its term ends (the 00:00 sweep) or an operator removes it,
 * the open places already noticed in their round that the family fits are marked to be told again
 * (VacancyStore.renotice): the next open-place notice (AllocationService.noticeOpenPlaces, 09:00) recomputes
 * their best-ranked fitting families and texts those not yet told in the round.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service.js';
import { APPLICATION_COLUMNS, type ApplicationRow } from '../queue/application.row.js';
import { VACANCY_COLUMNS, type VacancyRow } from '../vacancy/vacancy.row.js';
import { VacancyStore } from '../vacancy/vacancy.store.js';
import { exclusionKey, fitsForClaim } from './domain/eligibility.js';
import { toApplicationView } from './referral-views.js';
import { judgedVacancyView, nextWorkingDayAfter, RETURNED_SQL } from './returned-places.js';

@Injectable()
export class OpenPlaceRenotices {
  constructor(
    private readonly calendar: CalendarService,
    private readonly places: VacancyStore,
  ) {}

  /**
   * In the caller's transaction: these applications are back in the queue from the stop-list; the open,
   * already noticed places that one of them fits (fitsForClaim on the date the place is judged at) are to be
   * told again. Returns how many places.
   */
  async familiesBack(em: EntityManager, applicationIds: readonly string[], at: Date): Promise<number> {
    if (!applicationIds.length) return 0;
    const apps: ApplicationRow[] = await em.query(
      `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.id = ANY($1::uuid[]) AND a.status = 'QUEUED'`,
      [applicationIds],
    );
    if (!apps.length) return 0;
    const vacs: (VacancyRow & { returned: boolean })[] = await em.query(
      `SELECT ${VACANCY_COLUMNS}, ${RETURNED_SQL} AS returned FROM vacancy v
       WHERE v.status = 'PUBLISHED' AND v.open_at IS NOT NULL AND v.open_notified_at IS NOT NULL
         AND (v.locality, v.language, v.group_type) IN (
           SELECT a.locality, a.language, a.group_type FROM application a WHERE a.id = ANY($1::uuid[]))`,
      [apps.map((a) => a.id)],
    );
    if (!vacs.length) return 0;
    const excl: { application_id: string; vacancy_id: string }[] = await em.query(
      `SELECT application_id, vacancy_id FROM referral_exclusion WHERE application_id = ANY($1::uuid[]) AND vacancy_id = ANY($2::uuid[])`,
      [apps.map((a) => a.id), vacs.map((v) => v.id)],
    );
    const excluded = new Set(excl.map((x) => exclusionKey(x.application_id, x.vacancy_id)));
    const next = nextWorkingDayAfter(await this.calendar.calendar(em), at);
    const views = apps.map(toApplicationView);
    const told = vacs.filter((v) => {
      const place = judgedVacancyView(v, v.returned, next);
      return views.some((a) => fitsForClaim(a, place, excluded));
    });
    await this.places.renotice(em, told);
    return told.length;
  }
}
