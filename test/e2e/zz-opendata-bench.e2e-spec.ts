import { OpenDataService } from '../../src/opendata/opendata.service.js';
import { createTestApp, type TestApp } from '../utils/app.js';

const N = Number(process.env.OD_N ?? 50000);
const Q = Number(process.env.OD_Q ?? 100);

describe('open data bench', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp({ simulation: '2026-09-07T10:00:00+05:00' }); });
  afterAll(async () => { await t.close(); });
  it('renders', async () => {
    // Q localities x 6 cohorts share N applications.
    await t.ds.query(`
      INSERT INTO application (number, status, registered_at, child_iin, child_name, child_birth_date, cohort, applicant_iin, phone,
        locality, organization_ids, language, group_type, work_modes, desired_admission_date, notification_language, priority_class, created_by, updated_at)
      SELECT 'KZ-' || lpad((1000000 + g)::text, 7, '0'), 'QUEUED', now() - (g || ' seconds')::interval, lpad(g::text, 12, '0'), 'Name ' || g,
        make_date(2020 + g % 6, 1, 1), 2020 + g % 6, lpad(g::text, 12, '1'), '+77010000000',
        lpad((100000000 + (g / 6) % $2)::text, 9, '0'), ARRAY[gen_random_uuid(), gen_random_uuid()], 'KK', 'GENERAL', ARRAY['FULL_DAY'], '2026-09-01', 'kk',
        (g % 10 = 0)::int + 1, 'bench', now()
      FROM generate_series(1, $1) g`, [N, Q]);
    const { QueueRankingService } = await import('../../src/queue/queue-ranking.service.js');
    const rk = t.app.get(QueueRankingService);
    const qs: { locality: string; cohort: number }[] = await t.ds.query(`SELECT DISTINCT locality, cohort FROM application WHERE status='QUEUED'`);
    const a0 = Date.now();
    for (const q of qs.slice(0, 100)) await rk.rankedQueue(q.locality, q.cohort);
    const a1 = Date.now();
    for (const q of qs.slice(0, 100)) await t.ds.query(`SELECT id, number, language, group_type FROM application WHERE locality = $1 AND cohort = $2 AND status = 'QUEUED'`, [q.locality, q.cohort]);
    const a2 = Date.now();
    for (let i = 0; i < 100; i++) await t.ds.query(`SELECT 1`);
    const a3 = Date.now();
    console.log(JSON.stringify({ rank100: a1 - a0, facts100: a2 - a1, select1x100: a3 - a2 }));
    const s = t.app.get(OpenDataService);
    const t0 = Date.now();
    const csv = await s.file('2026-09-07', 'queues', 'csv');
    const t1 = Date.now();
    const r = await s.freezeDay(new Date('2026-09-07T09:00:00+05:00'));
    const t2 = Date.now();
    const res = await fetch(`${t.url}/opendata/2026-09-07/queues.json`);
    const body = await res.text();
    const t3 = Date.now();
    const sizes: { kind: string; format: string; n: number }[] = await t.ds.query(`SELECT kind, format, octet_length(body) AS n FROM open_data_snapshot`);
    console.log(JSON.stringify({ N, queues: Q * 6, liveCsvMs: t1 - t0, freezeMs: t2 - t1, httpJsonMs: t3 - t2, csvBytes: csv.body.length, jsonBytes: body.length, r, sizes }));
  }, 600000);
});
