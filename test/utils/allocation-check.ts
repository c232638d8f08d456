import type { DataSource } from 'typeorm';
import { APPLICATION_COLUMNS, type ApplicationRow } from '../../src/queue/application.row.js';
import { allocate } from '../../src/referral/domain/allocate.js';
import { exclusionKey } from '../../src/referral/domain/eligibility.js';
import { toApplicationView, toVacancyView } from '../../src/referral/referral-views.js';
import { VACANCY_COLUMNS, type VacancyRow } from '../../src/vacancy/vacancy.row.js';
import { LIVE_REFERRAL_STATUSES_SQL } from '../../src/referral/domain/referral-state.js';

/**
 * The allocation a single in-memory run of the pure `allocate()` gives for data in the database, to
 * compare with the referrals the service (any number of processes) issued. Referrals are keyed
 * `applicationId:vacancyId`.
 */

type Ratio = Parameters<typeof allocate>[0]['ratio'];

async function ratioOf(ds: DataSource): Promise<Ratio> {
  const s: { value: Ratio }[] = await ds.query(`SELECT value FROM setting WHERE key = 'interleave'`);
  return s[0].value;
}

/** What one run at `at` would issue now, from the current state (before the run), per locality. */
export async function expected(ds: DataSource, localities: string[], at: Date): Promise<Set<string>> {
  const out = new Set<string>();
  const ratio = await ratioOf(ds);
  for (const loc of localities) {
    const vacs: VacancyRow[] = await ds.query(
      `SELECT ${VACANCY_COLUMNS} FROM vacancy v JOIN bulletin_entry e ON e.vacancy_id = v.id AND e.kind = 'VACATED'
       WHERE v.locality = $1 AND v.status = 'PUBLISHED' AND (v.open_at IS NULL OR v.open_at > $2) ORDER BY e.bulletin_date, e.position`,
      [loc, at],
    );
    const apps: ApplicationRow[] = await ds.query(
      `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.locality = $1 AND a.status = 'QUEUED' ORDER BY a.seq`,
      [loc],
    );
    const excl: { application_id: string; vacancy_id: string }[] = await ds.query(
      `SELECT application_id, vacancy_id FROM referral_exclusion`,
    );
    const cyc: { cohort: number; position: number }[] = await ds.query(`SELECT cohort, position FROM queue_cycle WHERE locality = $1`, [
      loc,
    ]);
    const cycles: Record<string, number> = {};
    for (const c of cyc) cycles[`${loc}:${c.cohort}`] = c.position;
    const r = allocate({
      vacancies: vacs.map(toVacancyView),
      applications: apps.map(toApplicationView),
      cycles,
      ratio,
      excluded: new Set(excl.map((e) => exclusionKey(e.application_id, e.vacancy_id))),
    });
    for (const ref of r.referrals) out.add(`${ref.applicationId}:${ref.vacancyId}`);
  }
  return out;
}

/** The live referrals (BOOKED, OFFERED, CONFIRMED) of places in the localities. */
export async function actual(ds: DataSource, localities: string[]): Promise<Set<string>> {
  const rows: { application_id: string; vacancy_id: string }[] = await ds.query(
    `SELECT r.application_id, r.vacancy_id FROM referral r JOIN vacancy v ON v.id = r.vacancy_id
     WHERE v.locality = ANY($1) AND r.status IN ${LIVE_REFERRAL_STATUSES_SQL}`,
    [localities],
  );
  return new Set(rows.map((r) => `${r.application_id}:${r.vacancy_id}`));
}

/**
 * The same question asked after the fact: rewinds the localities to before their allocation (every
 * bulletined place free, every waiting or referred application queued, every 1 : 3 cycle at its
 * start) and runs the pure function once. Equals the live referrals exactly when the localities were
 * allocated in one pass from a fresh start, whichever processes did it, and nothing was released since
 * (no decline, expiry, cancellation, claim or enrollment) — the caller's scenario must ensure that.
 */
export async function expectedFromScratch(ds: DataSource, localities: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const ratio = await ratioOf(ds);
  for (const loc of localities) {
    const vacs: VacancyRow[] = await ds.query(
      `SELECT ${VACANCY_COLUMNS} FROM vacancy v JOIN bulletin_entry e ON e.vacancy_id = v.id AND e.kind = 'VACATED'
       WHERE v.locality = $1 AND v.status IN ('PUBLISHED','BOOKED','REFERRED') ORDER BY e.bulletin_date, e.position`,
      [loc],
    );
    const apps: ApplicationRow[] = await ds.query(
      `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.locality = $1 AND a.status IN ('QUEUED','REFERRED') ORDER BY a.seq`,
      [loc],
    );
    const r = allocate({
      vacancies: vacs.map(toVacancyView),
      applications: apps.map(toApplicationView),
      cycles: {},
      ratio,
      excluded: new Set(),
    });
    for (const ref of r.referrals) out.add(`${ref.applicationId}:${ref.vacancyId}`);
  }
  return out;
}
