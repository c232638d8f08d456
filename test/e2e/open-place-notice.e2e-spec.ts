import { compareHeads } from '../../src/queue/domain/ranking.js';
import { APPLICATION_COLUMNS, type ApplicationRow } from '../../src/queue/application.row.js';
import { fitsForClaim } from '../../src/referral/domain/eligibility.js';
import { AllocationService } from '../../src/referral/allocation.service.js';
import { toApplicationView, toVacancyView } from '../../src/referral/referral-views.js';
import { render } from '../../src/notification/templates.js';
import { VACANCY_COLUMNS, type VacancyRow } from '../../src/vacancy/vacancy.row.js';
import { createTestApp, type TestApp } from '../utils/app.js';
import { createOrg } from '../utils/fixtures.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** The `back`-th day before the last day of the month of `date`. */
const monthEnd = (date: string, back: number): string =>
  `${date.slice(0, 8)}${pad(new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)), 0)).getUTCDate() - back, 2)}`;

/**
 * The open-place notice picks each place's families with one SQL query (no whole queue in memory): it must
 * tell exactly the families the reference rule picks — every QUEUED application that fitsForClaim, not
 * excluded, best OPEN_NOTICE_LIMIT by compareHeads — on data built to hit the edges: registration instants
 * sharing a millisecond (and microseconds against seq order), birth dates at month ends against admission
 * dates on 29 February and month ends, special needs confirmed or not, work modes, temporary stay, exclusions,
 * other statuses and another locality.
 */
describe('open-place notices: SQL selection equals fitsForClaim + compareHeads', () => {
  let t: TestApp;
  const L = '751190000';
  const OTHER = '751190001';
  const at = new Date('2026-09-15T09:00:00+05:00');

  beforeAll(async () => {
    t = await createTestApp({ worker: false });
  });
  afterAll(async () => {
    await t.close();
  });

  it('notifies the best-ranked fitting families of every open place, once', async () => {
    const r = rng(20260915);
    const orgs = [await createOrg(t, 'Aq Bota', L), await createOrg(t, 'Balausa', L), await createOrg(t, 'Other', OTHER)];
    // Applications: registration instants in bursts (thirty in one millisecond, microseconds descending while
    // seq ascends), birth dates over seven years with month ends over-represented.
    const base = Date.parse('2021-01-01T00:00:00Z');
    const rows: string[] = [];
    const params: unknown[] = [];
    let seq = 900000;
    for (let i = 0; i < 900; i++) {
      // Bursts of 30 in one millisecond: later seq, earlier microsecond.
      const ms = base + Math.floor(i / 30) * 86_400_000;
      const micros = 999 - (i % 30) * 33;
      const registeredAt = `${new Date(ms).toISOString().slice(0, 23)}${pad(micros, 3)}Z`;
      const birthMs = Date.parse('2019-06-01T00:00:00Z') + Math.floor(r() * 7 * 365) * 86_400_000;
      const birth = r() < 0.3 ? monthEnd(day(birthMs), Math.floor(r() * 3)) : day(birthMs);
      const status = r() < 0.85 ? 'QUEUED' : pick(r, ['REFERRED', 'STOP_LISTED', 'ARCHIVED']);
      const groupType = r() < 0.15 ? 'SPECIAL' : 'GENERAL';
      const modes = pick(r, [['FULL_DAY'], ['FULL_DAY', 'HALF_DAY'], ['HALF_DAY'], ['ROUND_THE_CLOCK'], ['FULL_DAY', 'ROUND_THE_CLOCK']]);
      seq++;
      const k = params.length;
      rows.push(
        `($${k + 1}::bigint, $${k + 2}, $${k + 3}, $${k + 4}::timestamptz, $${k + 5}, 'Child', $${k + 6}::date, $${k + 7}::int, $${k + 8}, $${k + 9},
          $${k + 10}, '{}'::uuid[], $${k + 11}, $${k + 12}, $${k + 13}::text[], $${k + 6}::date, $${k + 14}::boolean, $${k + 15}, $${k + 16}::int,
          $${k + 17}::boolean, $${k + 18}, $${k + 19}::timestamptz, 'test', $${k + 4}::timestamptz)`,
      );
      params.push(
        seq,
        `KZ-${pad(seq, 7)}`,
        status,
        registeredAt,
        pad(700000000000 + seq, 12),
        birth,
        Number(birth.slice(0, 4)),
        pad(800000000000 + seq, 12),
        `+7701${pad(seq, 7)}`,
        r() < 0.9 ? L : OTHER,
        r() < 0.7 ? 'KK' : 'RU',
        groupType,
        modes,
        r() < 0.4,
        r() < 0.5 ? 'kk' : 'ru',
        pick(r, [0, 1, 1, 2, 2, 2, 2]),
        groupType === 'SPECIAL' ? r() < 0.6 : r() < 0.1,
        status === 'ARCHIVED' ? 'WITHDRAWN' : null,
        status === 'ARCHIVED' ? registeredAt : null,
      );
    }
    await t.ds.query(
      `INSERT INTO application (seq, number, status, registered_at, child_iin, child_name, child_birth_date, cohort, applicant_iin, phone,
         locality, organization_ids, language, group_type, work_modes, desired_admission_date, accepts_temporary_stay, notification_language,
         priority_class, special_needs_confirmed, archive_reason, archived_at, created_by, updated_at)
       VALUES ${rows.join(',\n')}`,
      params,
    );
    // Open places: wide and narrow age periods (one nobody fits), admission dates on month ends and 29 February.
    const starts = ['2026-09-16', '2026-01-31', '2028-02-29', '2026-03-31', '2026-02-28', '2027-12-31'];
    const periods: [number, number][] = [
      [0, 83],
      [12, 35],
      [24, 47],
      [30, 30],
      [36, 71],
      [0, 11],
      [59, 61],
      [90, 95],
      [17, 17],
    ];
    const vacancyIds: string[] = [];
    for (let i = 0; i < 48; i++) {
      const [from, to] = pick(r, periods);
      const mode = pick(r, ['GENERAL', 'GENERAL', 'EARLY_BOOKING', 'TEMPORARY_STAY']);
      const start = pick(r, starts);
      const rowsV: { id: string }[] = await t.ds.query(
        `INSERT INTO vacancy (organization_id, locality, status, age_group, language, age_from_months, age_to_months, group_type, work_mode,
           admission_mode, admission_start_date, attendance_until, published_at, published_by, bulletin_date, open_at)
         VALUES ($1, $2, 'PUBLISHED', 'g', $3, $4, $5, $6, $7, $8, $9::date, $10::date, $11, 'test', '2026-09-13', $12) RETURNING id`,
        [
          i % 7 === 6 ? orgs[2] : pick(r, orgs.slice(0, 2)),
          i % 7 === 6 ? OTHER : L,
          r() < 0.7 ? 'KK' : 'RU',
          from,
          to,
          r() < 0.2 ? 'SPECIAL' : 'GENERAL',
          pick(r, ['FULL_DAY', 'FULL_DAY', 'HALF_DAY', 'ROUND_THE_CLOCK']),
          mode,
          start,
          mode === 'TEMPORARY_STAY' ? '2029-06-30' : null,
          new Date('2026-09-13T08:00:00+05:00'),
          // Two places not open yet: they must be left for a later day.
          new Date(i < 46 ? '2026-09-14T09:00:00+05:00' : '2026-09-16T09:00:00+05:00'),
        ],
      );
      vacancyIds.push(rowsV[0].id);
    }
    // Earlier refusals: the best-ranked QUEUED families of some places declined them.
    await t.ds.query(
      `INSERT INTO referral_exclusion (application_id, vacancy_id)
       SELECT a.id, v.id FROM vacancy v CROSS JOIN LATERAL (
         SELECT id FROM application WHERE locality = v.locality AND status = 'QUEUED' AND language = v.language
         ORDER BY priority_class, registered_at, seq LIMIT 3) a
       WHERE v.id = ANY($1::uuid[]) AND v.seq % 2 = 0`,
      [vacancyIds],
    );

    // The reference, from every application row (all statuses, both localities).
    const apps: ApplicationRow[] = await t.ds.query(`SELECT ${APPLICATION_COLUMNS} FROM application a`);
    const vacs: (VacancyRow & { org_name: string })[] = await t.ds.query(
      `SELECT ${VACANCY_COLUMNS}, o.name AS org_name FROM vacancy v JOIN organization o ON o.id = v.organization_id WHERE v.id = ANY($1::uuid[])`,
      [vacancyIds],
    );
    const excluded = new Set(
      (
        (await t.ds.query(`SELECT application_id, vacancy_id FROM referral_exclusion`)) as { application_id: string; vacancy_id: string }[]
      ).map((x) => `${x.application_id}:${x.vacancy_id}`),
    );
    const views = apps.filter((a) => a.status === 'QUEUED').map((a) => ({ row: a, view: toApplicationView(a) }));
    const expected = new Map<string, string[]>();
    let wideTies = 0;
    for (const v of vacs) {
      if (v.open_at === null || v.open_at.getTime() > at.getTime()) continue;
      const vv = toVacancyView(v);
      const fitting = views.filter((a) => fitsForClaim(a.view, vv, excluded)).sort((x, y) => compareHeads(x.view, y.view));
      const [last, next] = [fitting[19]?.view, fitting[20]?.view];
      if (last && next && last.priorityClass === next.priorityClass && last.registeredAt === next.registeredAt) wideTies++;
      expected.set(
        v.id,
        fitting
          .slice(0, 20)
          .map((a) => a.row.id)
          .sort(),
      );
    }
    // The data reaches the edges it is meant to: places with more than 20 families, some cut inside a millisecond, some with none.
    expect([...expected.values()].filter((ids) => ids.length === 20).length).toBeGreaterThan(10);
    expect([...expected.values()].some((ids) => ids.length === 0)).toBe(true);
    expect(wideTies).toBeGreaterThan(0);

    const svc = t.app.get(AllocationService);
    const out = await svc.noticeOpenPlaces(at);
    expect(out.places).toBe(46);
    expect(out.notified).toBe([...expected.values()].reduce((n, ids) => n + ids.length, 0));
    const texts: { idempotency_key: string; application_id: string; text: string; language: string; phone: string; created_at: Date }[] =
      await t.ds.query(
        `SELECT idempotency_key, application_id, text, language, phone, created_at FROM notification WHERE stage = 'OPEN_PLACE_FITS'`,
      );
    const got = new Map<string, string[]>();
    const appById = new Map(apps.map((a) => [a.id, a]));
    const vacById = new Map(vacs.map((v) => [v.id, v]));
    for (const n of texts) {
      const [, vacancyId, applicationId] = n.idempotency_key.split(':');
      expect(applicationId).toBe(n.application_id);
      const a = appById.get(applicationId);
      const v = vacById.get(vacancyId);
      expect(n.text).toBe(render(a!.notification_language, 'OPEN_PLACE_FITS', { number: a!.number, organization: v!.org_name }));
      expect([n.language, n.phone, n.created_at.getTime()]).toEqual([a!.notification_language, a!.phone, at.getTime()]);
      got.set(vacancyId, [...(got.get(vacancyId) ?? []), applicationId]);
    }
    for (const [vacancyId, ids] of expected) expect([vacancyId, (got.get(vacancyId) ?? []).sort()]).toEqual([vacancyId, ids]);
    expect([...got.keys()].every((id) => expected.has(id))).toBe(true);

    // Once per place: the next run finds nothing, the places not yet open wait.
    expect(await svc.noticeOpenPlaces(at)).toEqual({ places: 0, notified: 0 });
    const notified: { n: number }[] = await t.ds.query(
      `SELECT count(*)::int AS n FROM vacancy WHERE id = ANY($1::uuid[]) AND open_notified_at IS NOT NULL`,
      [vacancyIds],
    );
    expect(notified[0].n).toBe(46);
  });
});
