#!/usr/bin/env node
// Seeds a migrated Kezek database at the national shape for the scheduled-job figures
// (bench/scale-sweeps.mjs): set-based SQL only (INSERT ... SELECT generate_series), deterministic.
//
//   node bench/scale-seed-sweeps.mjs postgres://postgres@127.0.0.1:5432/<db> [options]
//
//   --apps N          live applications in the country (default 1,000,000), in --localities localities
//   --big N           of which in the largest locality BIG_LOCALITY (default 200,000)
//   --localities N    localities (default 200)
//   --open-places N   open places in the largest locality not yet noticed (default 200)
//   --due N           due rows of each midnight sweep (default 20,000): OFFERED/CONFIRMED referrals past
//                     their deadline, stop-list terms ended yesterday, children reaching the age limit,
//                     category claims past due, proactive offers past their reply term
//   --history N       closed referrals / ended stop-list terms / decided claims (default 300,000), so that
//                     the sweeps select their due rows from tables of a national size
//
// The instants the sweeps are timed at: AT_MIDNIGHT (expiry, stop-list release, age-out, claim lapse,
// proactive lapse) and AT_NOTICE (open-place notices). The per-day queue-count triggers on `application`
// are bypassed with session_replication_role = replica while seeding and the counts rebuilt at the end.
import { parseArgs } from 'node:util';
import pg from 'pg';

export const BIG_LOCALITY = '751110000';
export const AT_MIDNIGHT = '2026-09-15T00:00:00+05:00';
export const AT_NOTICE = '2026-09-15T09:00:00+05:00';
/** Almaty date of AT_MIDNIGHT. */
const TODAY = '2026-09-15';

export async function seed(url, o = {}) {
  const apps = o.apps ?? 1_000_000;
  const big = o.big ?? 200_000;
  const localities = o.localities ?? 200;
  const openPlaces = o.openPlaces ?? 200;
  const due = o.due ?? 20_000;
  const history = o.history ?? 300_000;
  const log = o.log ?? ((m) => process.stderr.write(`[seed] ${m}\n`));
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const q = async (label, sql, params = []) => {
    const t = Date.now();
    const r = await c.query(sql, params);
    log(`${label}: ${r.rowCount ?? ''} rows, ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return r;
  };
  try {
    await c.query(`SET session_replication_role = replica`);
    await c.query(`SET maintenance_work_mem = '512MB'`);
    await c.query(`SELECT setseed(0.4242)`);
    // Localities: the big one, then 9-digit codes 71xxxxxxx. Organizations: 20 per locality (100 in the big one).
    await q(
      'localities',
      `CREATE TEMP TABLE seed_locality AS
       SELECT 0 AS k, $1::char(9) AS code UNION ALL
       SELECT k, ('71' || lpad(k::text, 7, '0'))::char(9) FROM generate_series(1, $2 - 1) k`,
      [BIG_LOCALITY, localities],
    );
    await q(
      'organizations',
      `INSERT INTO organization (name, bin, locality, created_at)
       SELECT 'Балабақша №' || n || ' (' || l.code || ')', lpad((100000000 + l.k * 1000 + n)::text, 12, '0'), l.code, '2020-01-01'
       FROM seed_locality l, generate_series(1, CASE WHEN l.k = 0 THEN 100 ELSE 20 END) n`,
    );
    await q(
      'org index',
      `CREATE TEMP TABLE seed_org AS
       SELECT id, locality, row_number() OVER (PARTITION BY locality ORDER BY bin) AS n FROM organization`,
    );
    await c.query(`CREATE INDEX ON seed_org (locality, n)`);
    // Applications: i <= big in the big locality, the rest spread over the others. Children are 0..6 years
    // old on TODAY and were registered within ~400 days of birth (so rank order follows age, as in life);
    // `seq` follows registration order. Registration instants carry microseconds, and every 50th shares the
    // millisecond of the one before it with an earlier microsecond (ties the ranking breaks by seq).
    await q(
      'applications',
      `WITH g AS (
         SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
                random() AS r7, random() AS r8, random() AS r9
         FROM generate_series(1, $1::int) i),
       b AS (
         SELECT g.*, ($3::date - 1 - floor(r1 * 2190)::int) AS birth,
                CASE WHEN i <= $2 THEN $4::char(9)
                     ELSE ('71' || lpad((1 + (i % ($5::int - 1)))::text, 7, '0'))::char(9) END AS loc
         FROM g),
       t AS (
         SELECT b.*, least(b.birth::timestamp AT TIME ZONE 'Asia/Almaty' + interval '1 day' + r2 * interval '400 days',
                           timestamptz '2026-09-13 18:00+05' - r2 * interval '30 days') AS t0
         FROM b),
       o AS (SELECT t.*, row_number() OVER (ORDER BY t0) AS rn, lag(t0) OVER (ORDER BY t0) AS prev FROM t)
       INSERT INTO application (seq, number, status, registered_at, child_iin, child_name, child_birth_date, cohort,
         applicant_iin, phone, locality, organization_ids, language, group_type, work_modes, desired_admission_date,
         accepts_temporary_stay, notification_language, priority_class, special_needs_confirmed, created_by, updated_at)
       SELECT 1000 + rn, 'KZ-' || lpad((1000 + rn)::text, 7, '0'), 'QUEUED',
              CASE WHEN rn % 50 = 0 AND prev IS NOT NULL THEN date_trunc('milliseconds', prev) + interval '0.1 ms' ELSE t0 END,
              lpad(i::text, 12, '0'), 'Бала ' || i, birth, extract(year FROM birth)::int,
              lpad((i + 3000000)::text, 12, '0'), '+77' || lpad((i % 1000000000)::text, 9, '0'), loc,
              '{}'::uuid[],
              CASE WHEN r4 < 0.65 THEN 'KK' ELSE 'RU' END,
              CASE WHEN r5 < 0.02 THEN 'SPECIAL' ELSE 'GENERAL' END,
              CASE WHEN r6 < 0.80 THEN '{FULL_DAY}'::text[] WHEN r6 < 0.95 THEN '{FULL_DAY,HALF_DAY}'
                   WHEN r6 < 0.98 THEN '{HALF_DAY}' ELSE '{FULL_DAY,ROUND_THE_CLOCK}' END,
              birth + 365 + floor(r7 * 700)::int,
              r8 < 0.25,
              CASE WHEN i % 3 = 0 THEN 'ru' ELSE 'kk' END,
              CASE WHEN r9 < 0.03 THEN 0 WHEN r9 < 0.15 THEN 1 ELSE 2 END,
              r5 < 0.01,
              'seed', '2026-09-01'
       FROM o`,
      [apps, big, TODAY, BIG_LOCALITY, localities],
    );
    await c.query(`SELECT setval('application_seq', (SELECT max(seq) + 1 FROM application))`);
    // A few chosen organizations (the claim ignores them; allocation does not).
    await q(
      'choices',
      `UPDATE application a SET organization_ids = ARRAY[o.id]
       FROM seed_org o WHERE a.seq % 7 = 0 AND o.locality = a.locality AND o.n = 1 + (a.seq % 20)`,
    );

    // ---- open places in the big locality (published, past the priority window, not yet noticed)
    await q(
      'open places',
      `WITH shapes(k, age_from, age_to, lang, gtype, wmode, amode) AS (VALUES
         (0, 12, 23, 'KK', 'GENERAL', 'FULL_DAY', 'GENERAL'), (1, 24, 35, 'KK', 'GENERAL', 'FULL_DAY', 'GENERAL'),
         (2, 36, 47, 'RU', 'GENERAL', 'FULL_DAY', 'GENERAL'), (3, 48, 59, 'KK', 'GENERAL', 'HALF_DAY', 'GENERAL'),
         (4, 60, 71, 'RU', 'GENERAL', 'FULL_DAY', 'TEMPORARY_STAY'), (5, 24, 71, 'KK', 'GENERAL', 'FULL_DAY', 'GENERAL'),
         (6, 0, 71, 'RU', 'GENERAL', 'FULL_DAY', 'EARLY_BOOKING'), (7, 30, 30, 'KK', 'GENERAL', 'FULL_DAY', 'GENERAL'),
         (8, 36, 59, 'KK', 'SPECIAL', 'FULL_DAY', 'GENERAL'), (9, 24, 47, 'RU', 'GENERAL', 'ROUND_THE_CLOCK', 'GENERAL'),
         (10, 72, 83, 'KK', 'GENERAL', 'FULL_DAY', 'GENERAL'), (11, 12, 71, 'KK', 'GENERAL', 'FULL_DAY', 'TEMPORARY_STAY'))
       INSERT INTO vacancy (organization_id, locality, status, age_group, language, age_from_months, age_to_months,
         group_type, work_mode, admission_mode, admission_start_date, attendance_until, published_at, published_by,
         bulletin_date, open_at)
       SELECT o.id, $2::char(9), 'PUBLISHED', 'group ' || s.k, s.lang, s.age_from, s.age_to, s.gtype, s.wmode, s.amode,
              date '2026-09-16' + (g.x % 5), CASE WHEN s.amode = 'TEMPORARY_STAY' THEN date '2027-05-31' END,
              '2026-09-13 08:00+05', 'seed', '2026-09-14', '2026-09-14 09:00+05'
       FROM generate_series(1, $1::int) g(x)
       JOIN shapes s ON s.k = g.x % 12
       JOIN seed_org o ON o.locality = $2::char(9) AND o.n = 1 + (g.x % 100)`,
      [openPlaces, BIG_LOCALITY],
    );
    // Earlier refusals: the best-ranked queued families of the big locality declined some open places.
    await q(
      'exclusions',
      `INSERT INTO referral_exclusion (application_id, vacancy_id)
       SELECT a.id, v.id FROM vacancy v
       CROSS JOIN LATERAL (SELECT id FROM application WHERE locality = v.locality AND status = 'QUEUED' AND language = v.language
                           ORDER BY priority_class, registered_at LIMIT 3) a
       WHERE v.status = 'PUBLISHED' AND v.open_at IS NOT NULL`,
    );

    // ---- midnight sweeps: history and due rows
    // Vacancies the referrals point at (referred, filled): one per referral, in the referral's locality.
    await q(
      'referral places',
      `CREATE TEMP TABLE seed_ref AS
       SELECT a.id AS application_id, a.locality, row_number() OVER (ORDER BY a.seq) AS n
       FROM application a WHERE a.seq % 3 = 1 AND a.status = 'QUEUED' ORDER BY a.seq LIMIT $1`,
      [history + 2 * due],
    );
    await q(
      'vacancies',
      `INSERT INTO vacancy (id, organization_id, locality, status, age_group, language, age_from_months, age_to_months,
         group_type, work_mode, admission_mode, admission_start_date, published_at, published_by, bulletin_date)
       SELECT gen_random_uuid(), o.id, r.locality, CASE WHEN r.n <= $1 THEN 'FILLED' ELSE 'REFERRED' END, 'older', 'KK', 0, 83,
              'GENERAL', 'FULL_DAY', 'GENERAL', '2026-09-01', '2026-08-31 08:00+05', 'seed', '2026-09-01'
       FROM seed_ref r JOIN seed_org o ON o.locality = r.locality AND o.n = 1 + (r.n % 20)`,
      [history],
    );
    await c.query(`ALTER TABLE seed_ref ADD COLUMN vacancy_id uuid`);
    await q(
      'pair places',
      `UPDATE seed_ref r SET vacancy_id = v.id FROM (
         SELECT id, row_number() OVER (ORDER BY seq) AS n FROM vacancy WHERE published_by = 'seed' AND open_at IS NULL) v
       WHERE v.n = r.n`,
    );
    // history: closed referrals (ENROLLED/DECLINED/EXPIRED/CANCELLED) of the first `history` pairs; their
    // applications stay QUEUED here (only the status of the referral matters to the sweeps).
    await q(
      'referrals (history)',
      `INSERT INTO referral (application_id, vacancy_id, status, issued_at, clock_start, confirm_by, confirmed_at, valid_until,
         closed_at, close_reason, claimed, queue_key)
       SELECT application_id, vacancy_id, (ARRAY['ENROLLED','DECLINED','EXPIRED','CANCELLED'])[1 + n % 4],
              timestamptz '2025-09-01 09:00+05' + n * interval '1 minute', timestamptz '2025-09-01 09:00+05' + n * interval '1 minute',
              timestamptz '2025-09-03 00:00+05' + n * interval '1 minute', NULL, NULL,
              timestamptz '2025-09-03 00:00+05' + n * interval '1 minute', 'history', false, locality || ':2022'
       FROM seed_ref WHERE n <= $1`,
      [history],
    );
    // due: `due` referrals past their deadline at AT_MIDNIGHT (3/4 OFFERED past confirm_by, 1/4 CONFIRMED past
    // valid_until), and `due` live ones not yet due.
    await q(
      'referrals (live)',
      `INSERT INTO referral (application_id, vacancy_id, status, issued_at, clock_start, confirm_by, confirmed_at, valid_until,
         claimed, queue_key)
       SELECT application_id, vacancy_id, CASE WHEN n % 4 = 0 THEN 'CONFIRMED' ELSE 'OFFERED' END,
              '2026-09-10 09:00+05', '2026-09-10 09:00+05',
              CASE WHEN n <= $1::int + $2::int THEN timestamptz '2026-09-15 00:00+05' ELSE timestamptz '2026-09-17 00:00+05' END,
              CASE WHEN n % 4 = 0 THEN timestamptz '2026-09-11 10:00+05' END,
              CASE WHEN n % 4 <> 0 THEN NULL WHEN n <= $1::int + $2::int THEN timestamptz '2026-09-15 00:00+05' ELSE timestamptz '2026-09-22 00:00+05' END,
              false, locality || ':2022'
       FROM seed_ref WHERE n > $1`,
      [history, due],
    );
    await q(
      'referred applications',
      `UPDATE application a SET status = 'REFERRED' FROM seed_ref r WHERE r.application_id = a.id AND r.n > $1`,
      [history],
    );
    // Stop-list: `history` ended terms, `due` terms whose last day was yesterday, `due` still running.
    await q(
      'stop-list pool',
      `CREATE TEMP TABLE seed_stop AS
       SELECT a.id AS application_id, row_number() OVER (ORDER BY a.seq) AS n
       FROM application a WHERE a.seq % 3 = 2 AND a.status = 'QUEUED' ORDER BY a.seq LIMIT $1`,
      [history + 2 * due],
    );
    await q(
      'stop-list entries',
      `INSERT INTO stop_list_entry (application_id, reason, starts_on, until, created_at, created_by, ended_at, ended_by)
       SELECT application_id, 'referral expired',
              CASE WHEN n <= $1 THEN date '2025-09-05' + (n % 300)::int WHEN n <= $1::int + $2::int THEN date '2026-09-05' ELSE date '2026-09-10' END,
              CASE WHEN n <= $1 THEN date '2025-09-15' + (n % 300)::int WHEN n <= $1::int + $2::int THEN date '2026-09-14' ELSE date '2026-09-19' END,
              '2026-09-01', 'system:expiry',
              CASE WHEN n <= $1 THEN timestamptz '2025-09-16 00:00+05' + (n % 300)::int * interval '1 day' END,
              CASE WHEN n <= $1 THEN 'system' END
       FROM seed_stop`,
      [history, due],
    );
    await q(
      'stop-listed applications',
      `UPDATE application a SET status = 'STOP_LISTED', stop_list_reason = 'referral expired',
              stop_listed_until = CASE WHEN s.n <= $1::int + $2::int THEN date '2026-09-14' ELSE date '2026-09-19' END
       FROM seed_stop s WHERE s.application_id = a.id AND s.n > $1`,
      [history, due],
    );
    // Age-out: `due` children of the other localities turn 6 on TODAY or were 6 already (a catch-up).
    await q(
      'age-out',
      `UPDATE application SET child_birth_date = date '2020-09-15' - (seq % 30)::int, cohort = 2020
       WHERE id IN (SELECT id FROM application WHERE seq % 3 = 0 AND status = 'QUEUED' AND locality <> $2
                    ORDER BY seq LIMIT $1)`,
      [due, BIG_LOCALITY],
    );
    // Category claims: `history` decided, `due` pending past due_at, `due` pending not yet due.
    await q(
      'category claims',
      `INSERT INTO category_claim (application_id, category_code, status, claimed_at, due_at, decided_at, decided_by)
       SELECT a.id, 'LARGE_FAMILY',
              CASE WHEN n <= $1 THEN 'CONFIRMED' ELSE 'PENDING' END, '2026-09-01', 
              CASE WHEN n <= $1 THEN timestamptz '2025-09-10 00:00+05' WHEN n <= $1::int + $2::int THEN timestamptz '2026-09-15 00:00+05'
                   ELSE timestamptz '2026-09-20 00:00+05' END,
              CASE WHEN n <= $1 THEN timestamptz '2025-09-05 00:00+05' END, CASE WHEN n <= $1 THEN 'seed' END
       FROM (SELECT id, row_number() OVER (ORDER BY seq) AS n FROM application WHERE seq % 2 = 1 ORDER BY seq LIMIT $1::int + 2 * $2::int) a`,
      [history, due],
    );
    // Proactive offers: `due` pending past their reply term, `due` pending, `history` answered.
    await q(
      'proactive offers',
      `INSERT INTO proactive_offer (token_hash, status, child_iin, applicant_iin, phone, payload, created_at, expires_at, answered_at)
       SELECT encode(sha256(('t' || n)::bytea), 'hex'), CASE WHEN n <= $1 THEN 'REFUSED' ELSE 'PENDING' END,
              lpad((900000000 + n)::text, 12, '0'), lpad((800000000 + n)::text, 12, '0'), '+77' || lpad((500000000 + n)::text, 9, '0'),
              '{}'::jsonb, '2026-09-07', CASE WHEN n <= $1::int + $2::int THEN timestamptz '2026-09-15 00:00+05' ELSE timestamptz '2026-09-20 00:00+05' END,
              CASE WHEN n <= $1 THEN timestamptz '2026-09-08' END
       FROM generate_series(1, $1::int + 2 * $2::int) n`,
      [history, due],
    );
    // A national history of texts (the outbox grows with every stage).
    await q(
      'notifications (history)',
      `INSERT INTO notification (application_id, stage, idempotency_key, language, phone, text, status, attempts, next_attempt_at, created_at, sent_at)
       SELECT id, 'APPLICATION_REGISTERED', 'APPLICATION_REGISTERED:' || id, notification_language, phone, 'registered', 'SENT', 1,
              registered_at, registered_at, registered_at
       FROM application`,
    );
    await c.query(`SET session_replication_role = origin`);
    // Triggers were off: recount what they maintain (queue_count, migration 1764000000090), when there.
    const rebuild = await c.query(`SELECT 1 FROM pg_proc WHERE proname = 'queue_count_rebuild'`);
    if (rebuild.rowCount) await q('queue counts', `SELECT queue_count_rebuild()`);
    await q('vacuum analyze', `VACUUM ANALYZE`);
  } finally {
    await c.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      apps: { type: 'string' },
      big: { type: 'string' },
      localities: { type: 'string' },
      'open-places': { type: 'string' },
      due: { type: 'string' },
      history: { type: 'string' },
    },
  });
  const url = positionals[0];
  if (!url) {
    process.stderr.write('usage: node bench/scale-seed-sweeps.mjs <database-url> [--apps N] [--big N] [--open-places N] [--due N]\n');
    process.exit(2);
  }
  const num = (v) => (v === undefined ? undefined : Number(v));
  await seed(url, {
    apps: num(values.apps),
    big: num(values.big),
    localities: num(values.localities),
    openPlaces: num(values['open-places']),
    due: num(values.due),
    history: num(values.history),
  });
}
