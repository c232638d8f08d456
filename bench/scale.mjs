#!/usr/bin/env node
// Kezek national-scale benchmark: `npm run bench -- --scale` (builds first; bench/run.mjs dispatches here),
// `--scale-size N` for a smaller country (N applications in all, default 1,000,000, at most about 1,400,000;
// every count below scales with it). Standalone, for development: `node bench/scale.mjs [--size N] [--keep] [--db NAME]` (--keep leaves the
// seeded database as NAME_seed and the measured one as NAME, --db NAME_seed measures a copy of the seed instead of
// seeding again). BENCH_AUDIT_TIMEOUT_S (default 1800) stops the fairness audit CLI; BENCH_PHASE_TIMEOUT_S (1800)
// bounds each scheduled phase.
//
//   seed  a fresh database (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres), migrated with the
//         project's CLI, filled set-based (INSERT ... SELECT generate_series) with the national shape:
//         N QUEUED applications in 200 localities (the largest 0.2 N, its largest birth-year cohort 0.06 N, a long
//         tail of small ones), 2,040 organizations and 20,000 places (× N / 1M) handed over the day before one
//         09:00 bulletin, every fact also in the ledger (hashes computed in SQL, blocks sealed here) so that the
//         fairness audit replays a national ledger; triggers off while loading (session_replication_role =
//         replica), then queue_count_rebuild() when the schema has it, then VACUUM ANALYZE.
//   (a)   queuePosition(number:) deep in the largest cohort: one at a time (p50/p99) and 16 clients (answers/s,
//         p99); baselines: the hand-written per-class count of the cohort (pg, one query) and `{ now }`.
//   (b)   registerApplication into the largest locality, 32 clients, 20 s: registrations/s, p50/p99, API RSS peak;
//         baseline `{ now }` with 32 clients.
//   (c)   the 09:00 run as in production: the simulated clock is moved to just before 09:00 and the worker's own
//         schedule (30 s catch-up tick) runs bulletins, allocation, open-place notices, reminders, open data.
//         Wall time of the allocation run, the largest locality's task (its allocation advisory lock, polled),
//         worker peak RSS, queuePosition p99 from another client during the run; baseline: allocateReference()
//         (the literal rule) on the largest locality's data loaded with pg, and allocate() on the same input.
//   (d)   bulletins, midnight sweeps (clock to 00:00), open-place notices (clock moved by the 24 h priority
//         window to the next 09:00), open data (the 09:00 freeze and one live render over HTTP), fairness audit
//         (the CLI); each against the 30 s target.
// Prints a table and writes it into bench/RESULTS.md as the `## National scale` section (other sections kept).
// Servers: node dist/src/main.js as two processes, ROLE=api and ROLE=worker, SIMULATION=1, RATE_LIMIT_PER_MINUTE=0.
// BENCH_DEBUG=1 prints the servers' output at the end; BENCH_DIST=<dir> measures another build.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.env.BENCH_DIST ?? join(ROOT, 'dist/src');
const RESULTS = join(ROOT, 'bench/RESULTS.md');
const SECTION = '## National scale';

const SECRET = 'kezek-bench-secret-0123456789abcdef';
/** Simulated "now" of the seed and of the servers' start: the morning of the bulletin day. */
const NOW = '2026-09-02T08:00:00+05:00';
const BULLETIN_DATE = '2026-09-02';
const AT_0900 = '2026-09-02T09:00:00+05:00';
const AT_MIDNIGHT = '2026-09-03T00:00:00+05:00';
const AT_NOTICE = '2026-09-03T09:00:00+05:00'; // 09:00 + the 24 h priority window
const BIG = '751110000';
const LOCALITIES = 200;
/** Per 1,000,000 applications: localities ranked 1..10 (the largest is 20 %), then a 1/rank tail. */
const TOP_PER_M = [200_000, 130_000, 110_000, 45_000, 40_000, 35_000, 30_000, 28_000, 25_000, 22_000];
const ORGS_PER_M = 2040;
const PLACES_PER_M = 20_000;
/** Birth-year cohorts of every locality, ‰ of its applications (2022 = 30 %: 60,000 of the largest 200,000). */
const COHORTS = [
  { year: 2020, permille: 30, from: '2020-09-03', to: '2020-12-31' }, // the oldest turn 6 from 3 September
  { year: 2021, permille: 140, from: '2021-01-01', to: '2021-12-31' },
  { year: 2022, permille: 300, from: '2022-01-01', to: '2022-12-31' },
  { year: 2023, permille: 240, from: '2023-01-01', to: '2023-12-31' },
  { year: 2024, permille: 160, from: '2024-01-01', to: '2024-12-31' },
  { year: 2025, permille: 100, from: '2025-01-01', to: '2025-12-31' },
  { year: 2026, permille: 30, from: '2026-01-01', to: '2026-08-25' },
];
const TWINS_PERMILLE = 15; // pairs per 1000 applications: 3 % of the applications are twins
const BLOCK = 5000; // ledger events per sealed block (ledger-sealer.service.ts MAX_EVENTS_PER_BLOCK)
const TARGET_S = 30;
const POSITION_SAMPLE = { 2: 200, 1: 70, 0: 30 };
const A_DURATION_S = 15;
const B_DURATION_S = 20;
/** Development only: BENCH_SCALE_STEPS=a,b,c,d (default all; d needs c). */
const STEPS = new Set((process.env.BENCH_SCALE_STEPS ?? 'a,b,c,d').split(',').map((x) => x.trim()));
const PHASE_TIMEOUT_MS = Number(process.env.BENCH_PHASE_TIMEOUT_S ?? 1800) * 1000;

const log = (m) => process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n, d = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : String(n);
const secs = (ms) => `${fmt(ms / 1000, ms < 10_000 ? 2 : 1)} s`;
const msf = (ms) => `${fmt(ms, ms < 10 ? 1 : 0)} ms`;
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const sortNum = (xs) => [...xs].sort((a, b) => a - b);
const ratio = (a, b, d = 1) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${fmt(a / b, d)}×` : '-');

// ---------------------------------------------------------------- the country

/** Integers proportional to `weights` summing to `total` (largest remainder). */
function apportion(total, weights) {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k][1]]++;
  return out;
}

const dayDiff = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);

/** KATO-like 9-digit codes: the largest is Almaty's, the others regional (region, district, locality). */
function localityCodes() {
  const fixed = [BIG, '711110000', '791110000', '351610000', '151010000', '551010000', '631010000', '311010000', '231010000', '271010000'];
  const regions = ['11', '15', '19', '23', '27', '31', '33', '35', '39', '43', '47', '55', '59', '61', '62', '63', '64'];
  const seen = new Set(fixed);
  const out = [...fixed];
  for (let i = 0; out.length < LOCALITIES; i++) {
    const code = `${regions[i % regions.length]}${String(20 + ((i * 7) % 60)).padStart(2, '0')}${String(30 + Math.floor(i / 17)).padStart(2, '0')}${String(100 + ((i * 37) % 900)).padStart(3, '0')}`;
    if (!seen.has(code)) {
      seen.add(code);
      out.push(code);
    }
  }
  return out;
}

export function plan(n) {
  const scale = n / 1_000_000;
  const tail = Array.from({ length: LOCALITIES - TOP_PER_M.length }, (_, i) => 1 / (i + 1 + TOP_PER_M.length));
  const tailSum = tail.reduce((a, b) => a + b, 0);
  const restPerM = 1_000_000 - TOP_PER_M.reduce((a, b) => a + b, 0);
  const weights = [...TOP_PER_M.slice(1), ...tail.map((w) => (restPerM * w) / tailSum)];
  const big = Math.round(0.2 * n);
  const sizes = [big, ...apportion(n - big, weights)];
  const codes = localityCodes();
  // Organizations by locality size, at least one each; the largest takes what is left of 2,040 × N / 1M, but
  // never less than its share (small N: more organizations than that, each locality still having one).
  const share = (s) => Math.max(1, Math.round((s * ORGS_PER_M) / 1_000_000));
  const orgs = sizes.map(share);
  orgs[0] = Math.max(share(sizes[0]), Math.round(ORGS_PER_M * scale) - orgs.slice(1).reduce((x, y) => x + y, 0));
  const orgTotal = orgs.reduce((x, y) => x + y, 0);
  const places = apportion(Math.round(PLACES_PER_M * scale), sizes);
  const localities = codes.map((code, i) => ({
    code,
    rank: i + 1,
    apps: sizes[i],
    orgs: orgs[i],
    places: places[i],
  }));
  const slots = [];
  const serialOffset = {};
  for (const l of localities) {
    const perCohort = apportion(
      l.apps,
      COHORTS.map((c) => c.permille),
    );
    COHORTS.forEach((c, k) => {
      const apps = perCohort[k];
      if (!apps) return;
      const twins = Math.floor((apps * TWINS_PERMILLE) / 1000);
      const families = apps - twins;
      const days = dayDiff(c.from, c.to) + 1;
      // IIN serials: family f of the slot is born on day (f · 7919) mod days of the cohort's range, and numbered
      // soff + ⌊f / days⌋ + 1 among the families born that day in the country (soff: the slots before it in the cohort).
      const soff = (serialOffset[c.year] ??= 0);
      serialOffset[c.year] += Math.ceil((families + 1) / days);
      slots.push({
        locality: l.code,
        cohort: c.year,
        apps,
        families,
        twins,
        step: twins ? Math.floor(families / twins) : families + 1,
        from: c.from,
        days,
        soff,
      });
    });
  }
  const maxRank = Math.max(...slots.map((x) => x.soff + Math.floor(x.families / x.days) + 1));
  if (2 * maxRank > 2499) {
    throw new Error(`--scale-size ${n}: too many children per birth date for the seed's IIN serials (up to about 1,400,000 applications)`);
  }
  return { n, localities, slots, orgTotal, placeTotal: places.reduce((a, b) => a + b, 0) };
}

// ---------------------------------------------------------------- SQL pieces

/** ISO-8601 UTC with milliseconds, as Date.toISOString() writes it. */
const iso = (col) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The IIN check digit (SPEC.md) of the 11 digits YYMMDD, century-and-sex digit, 4-digit serial, as an SQL
 * expression over integer columns (`base1`/`base2`: weighted sums of the first 7 digits with both weight sets):
 * NULL when both sums give 10 (no valid number with these digits).
 */
function checkDigitSql(base1, base2, serial) {
  const d = (k) => `((${serial}) / ${10 ** (3 - k)} % 10)`; // serial digits k = 0..3 (positions 8..11)
  const s1 = `(${base1} + 8 * ${d(0)} + 9 * ${d(1)} + 10 * ${d(2)} + 11 * ${d(3)}) % 11`;
  const s2 = `(${base2} + 10 * ${d(0)} + 11 * ${d(1)} + 1 * ${d(2)} + 2 * ${d(3)}) % 11`;
  return `CASE WHEN ${s1} <> 10 THEN ${s1} WHEN ${s2} <> 10 THEN ${s2} END`;
}

/** Weighted sums (both weight sets) of the digits of YYMMDD (`ymd`, an integer) and the century/sex digit. */
function baseSumsSql(ymd, sex) {
  const digits = [5, 4, 3, 2, 1, 0].map((k) => `(${ymd}) / ${10 ** k} % 10`).concat(`(${sex})`);
  const w1 = [1, 2, 3, 4, 5, 6, 7];
  const w2 = [3, 4, 5, 6, 7, 8, 9];
  return [digits.map((x, i) => `${w1[i]} * (${x})`).join(' + '), digits.map((x, i) => `${w2[i]} * (${x})`).join(' + ')];
}

/**
 * A valid IIN from the 7-digit text prefix `p7` (YYMMDD + century/sex), its weighted sums `b1`/`b2` and a serial:
 * the serial, else serial + 2500, + 5000, + 7500 (serials stay below 2500 per birth date and sex).
 */
function iinSql(p7, b1, b2, serial) {
  const attempt = (off) => {
    const s = `((${serial}) + ${off})`;
    return `(${p7} || lpad(${s}::text, 4, '0') || (${checkDigitSql(b1, b2, s)})::text)`;
  };
  return `coalesce(${attempt(0)}, ${attempt(2500)}, ${attempt(5000)}, ${attempt(7500)})`;
}

const jsonArr = (col) => `CASE WHEN cardinality(${col}) = 0 THEN '[]' ELSE '["' || array_to_string(${col}, '","') || '"]' END`;
const jsonStr = (expr) => `'"' || (${expr}) || '"'`;

// ---------------------------------------------------------------- seed

async function connect(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

async function timed(label, fn) {
  const t = Date.now();
  const out = await fn();
  log(`  ${label}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return out;
}

export async function seed(url, p) {
  const { makeBin, parseIin } = await import(pathToFileURL(join(DIST, 'platform/identifiers/iin.js')).href);
  const { merkleRoot, blockHash, eventHash } = await import(pathToFileURL(join(DIST, 'ledger/domain/hashing.js')).href);
  const a = await connect(url);
  const b = await connect(url);
  const c3 = await connect(url);
  const steps = {};
  const step = async (label, fn) => {
    const t = Date.now();
    const out = await fn();
    steps[label] = Date.now() - t;
    log(`  ${label}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return out;
  };
  const t0 = Date.now();
  try {
    for (const c of [a, b]) {
      await c.query(`SET session_replication_role = replica`); // no triggers (queue counts, FK checks) while loading
      await c.query(`SET synchronous_commit = off`);
      await c.query(`SET jit = off`); // JIT would compile the long generated expressions for seconds
      // No parallel scans: the staged rows keep registration (= seq) order, so the unique seq and number indexes
      // of application are filled in order rather than at random.
      await c.query(`SET max_parallel_workers_per_gather = 0`);
      // Less WAL for the index builds and first writes after a checkpoint (superuser setting; lz4 if built in).
      await c.query(`SET wal_compression = lz4`).catch(() => c.query(`SET wal_compression = on`).catch(() => {}));
      await c.query(`SET work_mem = '1GB'`); // the staging sorts stay in memory
      await c.query(`SET maintenance_work_mem = '512MB'`);
    }
    const [{ n: events0 }] = (await a.query(`SELECT count(*)::int AS n FROM ledger_event`)).rows;
    if (events0 !== 0) throw new Error(`the freshly migrated database already has ${events0} ledger events; the seed expects none`);
    await a.query(`SELECT setseed(0.2026)`);

    await step('localities, organizations, places', async () => {
      await a.query(`CREATE UNLOGGED TABLE scale_loc (locality char(9) PRIMARY KEY, rank int, apps int, orgs int, places int)`);
      await a.query(`INSERT INTO scale_loc SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::int[])`, [
        p.localities.map((l) => l.code),
        p.localities.map((l) => l.rank),
        p.localities.map((l) => l.apps),
        p.localities.map((l) => l.orgs),
        p.localities.map((l) => l.places),
      ]);
      await a.query(
        `CREATE UNLOGGED TABLE scale_slot (locality char(9), cohort int, apps int, families int, twins int, step int, bfrom date, bdays int, soff int)`,
      );
      await a.query(
        `INSERT INTO scale_slot SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::date[], $8::int[], $9::int[])`,
        ['locality', 'cohort', 'apps', 'families', 'twins', 'step', 'from', 'days', 'soff'].map((k) => p.slots.map((s) => s[k])),
      );
      // Organizations: BINs from the project's generator (unique: serials 3 apart), registered 2005-2020.
      const names = [];
      const bins = [];
      const locs = [];
      const created = [];
      const seen = new Set();
      let k = 0;
      for (const l of p.localities) {
        for (let i = 1; i <= l.orgs; i++, k++) {
          const year = 2005 + (k % 16);
          const month = 1 + (k % 12);
          const bin = makeBin(`${String(year % 100).padStart(2, '0')}${String(month).padStart(2, '0')}`, 3 * k + 1);
          if (seen.has(bin)) throw new Error(`duplicate BIN ${bin}`);
          seen.add(bin);
          names.push(`Балабақша №${i}${l.rank > 1 ? ` (${l.code})` : ''}`);
          bins.push(bin);
          locs.push(l.code);
          created.push(`${year}-${String(month).padStart(2, '0')}-${String(1 + (k % 28)).padStart(2, '0')}T10:00:00+05:00`);
        }
      }
      await a.query(
        `INSERT INTO organization (name, bin, locality, created_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])`,
        [names, bins, locs, created],
      );
      await a.query(`
        CREATE UNLOGGED TABLE scale_orgarr AS
        SELECT locality, array_agg(id ORDER BY created_at, id) AS ids, count(*)::int AS n FROM organization GROUP BY locality`);
      await a.query(`ALTER TABLE scale_orgarr ADD PRIMARY KEY (locality)`);
      // Places handed over during the day before the bulletin (09-01 09:00 .. 09-02 08:00), in bulletin order;
      // three age windows, 80 % KK, a few half-day and temporary-stay places, two admission start dates.
      await a.query(
        `INSERT INTO vacancy (seq, organization_id, locality, status, age_group, language, age_from_months, age_to_months,
           group_type, work_mode, admission_mode, admission_start_date, attendance_until, published_at, published_by)
         SELECT rn, org, locality, 'PUBLISHED', grp, lang, afrom, ato, 'GENERAL', wm, am, start,
                CASE WHEN am = 'TEMPORARY_STAY' THEN start + 90 END,
                date_trunc('milliseconds', timestamptz '2026-09-01T09:00:05+05:00' + (rn - 1)::float8 * (interval '23 hours' / $1::float8)),
                'ORG_STAFF:bench-seed'
         FROM (
           SELECT row_number() OVER (ORDER BY u0) AS rn, o.ids[1 + floor(u1 * o.n)::int] AS org, v.locality,
                  CASE WHEN u2 < 0.30 THEN 'Nursery' WHEN u2 < 0.75 THEN 'Middle' ELSE 'Senior' END AS grp,
                  CASE WHEN u2 < 0.30 THEN 12 WHEN u2 < 0.75 THEN 36 ELSE 60 END AS afrom,
                  CASE WHEN u2 < 0.30 THEN 35 WHEN u2 < 0.75 THEN 59 ELSE 72 END AS ato,
                  CASE WHEN u3 < 0.8 THEN 'KK' ELSE 'RU' END AS lang,
                  CASE WHEN u4 < 0.92 THEN 'FULL_DAY' ELSE 'HALF_DAY' END AS wm,
                  CASE WHEN u5 < 0.05 THEN 'TEMPORARY_STAY' ELSE 'GENERAL' END AS am,
                  CASE WHEN u6 < 0.5 THEN date '2026-09-15' ELSE date '2026-10-01' END AS start
           FROM (SELECT l.locality, random() AS u0, random() AS u1, random() AS u2, random() AS u3, random() AS u4,
                        random() AS u5, random() AS u6
                 FROM scale_loc l, generate_series(1, l.places)) v
           JOIN scale_orgarr o ON o.locality = v.locality
         ) x`,
        [p.placeTotal],
      );
      await a.query(`SELECT setval('vacancy_seq', greatest((SELECT max(seq) FROM vacancy), 1))`);
      await a.query(`INSERT INTO queue_cycle (locality, cohort, position) SELECT DISTINCT locality, cohort, 0 FROM scale_slot`);
    });

    await step('applications staged (IINs, choices, classes, twins)', async () => {
      // Families (a child, or twins) with their random draws. `brank` numbers the families of one birth date (IIN
      // serials 2·brank − 1 and 2·brank: unique per birth date); one window over registration order: `before`
      // counts the applications of the families registered earlier (seq = 1000 + before + twin index), `gap`
      // keeps a second twin's registration before the next family's (seq follows registration time).
      await timed('families', () =>
        a.query(`
        CREATE UNLOGGED TABLE scale_fam AS
        SELECT f.*,
               sum(CASE WHEN twin THEN 2 ELSE 1 END) OVER w - CASE WHEN twin THEN 2 ELSE 1 END AS before,
               least(interval '40 seconds', coalesce((lead(reg) OVER w - reg) / 2, interval '40 seconds')) AS gap
        FROM (
          SELECT q.*, date_trunc('milliseconds', reg_lo + (timestamptz '${NOW}' - interval '1 minute' - reg_lo) * power(u_reg, 1.6)) AS reg
          FROM (
            SELECT s.locality, s.cohort, s.f AS fno, (s.twins > 0 AND s.f % s.step = 0 AND s.f / s.step <= s.twins) AS twin, s.b AS birth, s.brank,
                   ((s.b + 3)::timestamp AT TIME ZONE 'Asia/Almaty') AS reg_lo,
                   random() AS u_reg, random() AS u_lang, random() AS u_cls, random() AS u_cat, random() AS u_org, random() AS u_orgk,
                   random() AS u_choose, random() AS u_des, random() AS u_wm, random() AS u_tmp, random() AS u_sex, random() AS u_sex2,
                   random() AS u_name, random() AS u_ap, random() AS u_ap2, random() AS u_ph, random() AS u_ph2, random() AS u_nl,
                   gen_random_uuid() AS id0
            FROM (SELECT l.locality, l.cohort, l.twins, l.step, f, l.bfrom + (f::bigint * 7919 % l.bdays)::int AS b,
                         l.soff + f / l.bdays + 1 AS brank
                  FROM scale_slot l, generate_series(1, l.families) f) s
          ) q
        ) f
        WINDOW w AS (ORDER BY reg, locality, cohort, fno)`),
      );
      const childSex = `CASE WHEN (CASE WHEN k = 0 THEN u_sex ELSE u_sex2 END) < 0.5 THEN 5 ELSE 6 END`;
      const [cb1, cb2] = baseSumsSql('ymd', 'sexd');
      const [ab1, ab2] = baseSumsSql('ap_ymd', 'ap_sex');
      // One streaming pass (no sort): a row per child.
      await timed('applications', () =>
        a.query(
          `CREATE UNLOGGED TABLE scale_app AS
         SELECT y.*, 'KZ-' || lpad(seq::text, 7, '0') AS number,
                ${iinSql('c_p7', 'c_b1', 'c_b2', 'serial')} AS child_iin,
                ${iinSql('a_p7', 'a_b1', 'a_b2', 'ap_serial')} AS applicant_iin,
                CASE WHEN u_choose < 0.30 THEN (o.ids || o.ids)[1 + floor(o.n * u_org * u_org)::int : floor(o.n * u_org * u_org)::int + least(o.n, 1 + floor(u_orgk * 4)::int)]
                     ELSE '{}'::uuid[] END AS organization_ids,
                CASE WHEN cls = 2 THEN registered_at
                     ELSE least(registered_at + interval '2 days', registered_at + (timestamptz '${NOW}' - registered_at) / 2) END AS decided_at
         FROM (
           SELECT x.*, lpad(ymd::text, 6, '0') || sexd AS c_p7, ${cb1} AS c_b1, ${cb2} AS c_b2,
                  lpad(ap_ymd::text, 6, '0') || ap_sex AS a_p7, ${ab1} AS a_b1, ${ab2} AS a_b2
           FROM (
             SELECT f.locality, f.cohort, f.fno, f.birth, f.twin, k, u_org, u_orgk, u_choose,
                    1000 + f.before + k AS seq, 2 * f.brank - 1 + k AS serial,
                    CASE WHEN k = 0 THEN f.id0 ELSE gen_random_uuid() END AS id,
                    CASE WHEN f.twin THEN f.id0 END AS batch_id,
                    ${childSex} AS sexd,
                    to_char(f.birth, 'YYMMDD')::int AS ymd,
                    to_char(date '1978-01-01' + floor(u_ap * 8000)::int, 'YYMMDD')::int AS ap_ymd, CASE WHEN u_sex2 < 0.5 THEN 3 ELSE 4 END AS ap_sex,
                    1 + floor(u_ap2 * 2400)::int AS ap_serial,
                    date_trunc('milliseconds', f.reg + k * f.gap) AS registered_at,
                    (ARRAY['Айару','Алихан','Аружан','Нұрсұлтан','Томирис','Ерасыл','Інжу','Данияр','Медина','Әли','Айлин','Арсен',
                           'Жансая','Темірлан','Дана','Нұрислам','Амина','Ислам','Зере','Мирас'])[1 + floor(((u_name * 20) + k * 7))::int % 20] AS child_name,
                    '+77' || (ARRAY['01','02','05','07','08','47','75','76','77','78'])[1 + floor(u_ph * 10)::int] || lpad(floor(u_ph2 * 1e7)::int::text, 7, '0') AS phone,
                    CASE WHEN u_lang < 0.8 THEN 'KK' ELSE 'RU' END AS language,
                    CASE WHEN u_lang < 0.8 THEN (CASE WHEN u_nl < 0.95 THEN 'kk' ELSE 'ru' END) ELSE (CASE WHEN u_nl < 0.9 THEN 'ru' ELSE 'kk' END) END AS notification_language,
                    CASE WHEN u_cls < 0.03 THEN 0 WHEN u_cls < 0.15 THEN 1 ELSE 2 END AS cls,
                    CASE WHEN u_cls < 0.03 THEN (CASE WHEN u_cat < 0.8 THEN 'MILITARY' ELSE 'SPECIAL_STATE_BODY' END)
                         WHEN u_cls < 0.15 THEN (CASE WHEN u_cat < 0.55 THEN 'LARGE_FAMILY' WHEN u_cat < 0.70 THEN 'DISABLED_PARENT'
                                                      WHEN u_cat < 0.85 THEN 'TEACHER' WHEN u_cat < 0.93 THEN 'NO_PARENTAL_CARE' ELSE 'ORPHAN' END) END AS category,
                    greatest(date '2025-09-01' + floor(u_des * 730)::int, f.birth + 365) AS desired,
                    CASE WHEN u_wm < 0.90 THEN ARRAY['FULL_DAY'] WHEN u_wm < 0.97 THEN ARRAY['FULL_DAY','HALF_DAY'] ELSE ARRAY['HALF_DAY'] END AS work_modes,
                    u_tmp < 0.15 AS accepts_temporary_stay
             FROM scale_fam f CROSS JOIN LATERAL generate_series(0, CASE WHEN f.twin THEN 1 ELSE 0 END) k
           ) x
         ) y JOIN scale_orgarr o ON o.locality = y.locality`,
        ),
      );
      const [{ bad }] = (
        await a.query(`SELECT count(*)::int AS bad FROM scale_app WHERE child_iin IS NULL OR applicant_iin IS NULL OR serial > 2499`)
      ).rows;
      if (bad) throw new Error(`seed: ${bad} applications without a valid IIN`);
      // The SQL check digits must be the project's: parse a sample with parseIin().
      const sample = await a.query(
        `SELECT child_iin, applicant_iin, to_char(birth, 'YYYY-MM-DD') AS birth FROM scale_app WHERE seq % 97 = 0`,
      );
      for (const x of sample.rows) {
        const child = parseIin(x.child_iin);
        if (!child.ok || child.birthDate !== x.birth || !parseIin(x.applicant_iin).ok) {
          throw new Error(`seed: IIN ${x.child_iin} / ${x.applicant_iin} (born ${x.birth}) does not pass parseIin()`);
        }
      }
    });

    // Plain indexes of the big tables (not those of constraints) are dropped for the load and built again after
    // it, whatever the migrations define (their definitions are read back from the catalog).
    const indexes = (
      await a.query(
        `SELECT c.relname AS tbl, i.relname AS name, pg_get_indexdef(x.indexrelid) AS def, pg_relation_size(c.oid) AS size
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
         WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY($1)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
         ORDER BY c.relname, i.relname`,
        [['application', 'ledger_event', 'category_claim']],
      )
    ).rows;
    for (const ix of indexes) await a.query(`DROP INDEX ${ix.name}`);

    // Two sessions side by side: the rows, and their ledger events (hashes computed by PostgreSQL).
    const appRows = async () => {
      await a.query(
        `INSERT INTO application (id, seq, number, status, registered_at, child_iin, child_name, child_birth_date, cohort,
           applicant_iin, phone, locality, organization_ids, language, group_type, work_modes, desired_admission_date,
           accepts_temporary_stay, notification_language, priority_class, special_needs_confirmed, batch_id, created_by, updated_at)
         SELECT id, seq, number, 'QUEUED', registered_at, child_iin, child_name, birth, cohort, applicant_iin, phone, locality,
                organization_ids, language, 'GENERAL', work_modes, desired, accepts_temporary_stay, notification_language, cls, false,
                batch_id, 'APPLICANT:bench-seed', decided_at
         FROM scale_app`,
      );
      await a.query(`SELECT setval('application_seq', (SELECT max(seq) FROM application))`);
      await a.query(
        `INSERT INTO category_claim (application_id, category_code, status, claimed_at, due_at, decided_at, decided_by)
         SELECT id, category, 'CONFIRMED', registered_at, registered_at + interval '7 days', decided_at, 'ADMIN:bench-seed'
         FROM scale_app WHERE cls < 2`,
      );
    };
    const registered = `'{"acceptsTemporaryStay":' || CASE WHEN accepts_temporary_stay THEN 'true' ELSE 'false' END
      || ',"batchId":' || CASE WHEN batch_id IS NOT NULL AND k = 1 THEN ${jsonStr('batch_id::text')} ELSE 'null' END
      || ',"birthDate":' || ${jsonStr('birth::text')}
      || ',"claims":' || CASE WHEN cls < 2 THEN '["' || category || '"]' ELSE '[]' END
      || ',"cohort":' || cohort
      || ',"desiredAdmissionDate":' || ${jsonStr('desired::text')}
      || ',"groupType":"GENERAL","language":' || ${jsonStr('language')}
      || ',"locality":' || ${jsonStr('locality::text')}
      || ',"number":' || ${jsonStr('number')}
      || ',"organizationIds":' || ${jsonArr('organization_ids')}
      || ',"priorityClass":2,"registeredAt":' || ${jsonStr(iso('registered_at'))}
      || ',"seq":' || seq
      || ',"workModes":' || ${jsonArr('work_modes')} || '}'`;
    const published = `'{"admissionMode":' || ${jsonStr('v.admission_mode')}
      || ',"admissionStartDate":' || ${jsonStr('v.admission_start_date::text')}
      || ',"ageFromMonths":' || v.age_from_months || ',"ageGroup":' || ${jsonStr('v.age_group')}
      || ',"ageToMonths":' || v.age_to_months
      || ',"attendanceUntil":' || coalesce(${jsonStr('v.attendance_until::text')}, 'null')
      || ',"bulletinDate":"${BULLETIN_DATE}","groupType":' || ${jsonStr('v.group_type')}
      || ',"language":' || ${jsonStr('v.language')} || ',"locality":' || ${jsonStr('v.locality::text')}
      || ',"organizationId":' || ${jsonStr('v.organization_id::text')} || ',"seq":' || v.seq
      || ',"workMode":' || ${jsonStr('v.work_mode')} || '}'`;
    const ledgerRows = async () => {
      await b.query(
        `INSERT INTO ledger_event (seq, at, type, entity, entity_id, actor, data, hash, block_seq)
         SELECT rn, at, type, entity, entity_id, actor, canon::jsonb,
                encode(sha256(convert_to('{"actor":' || to_json(actor)::text || ',"at":"' || ${iso('at')} || '","data":' || canon
                  || ',"entity":"' || entity || '","entityId":"' || entity_id || '","type":"' || type || '"}', 'UTF8')), 'hex'),
                (rn - 1) / ${BLOCK} + 1
         FROM (
           SELECT row_number() OVER (ORDER BY at, ord, key) AS rn, * FROM (
             SELECT created_at AS at, 0 AS ord, id::text AS key, 'organization.created' AS type, 'organization' AS entity, id::text AS entity_id,
                    'ADMIN:bench-seed' AS actor, '{"bin":"' || bin || '","locality":"' || locality || '"}' AS canon
             FROM organization
             UNION ALL
             SELECT registered_at, 1, lpad(seq::text, 12, '0'), 'application.registered', 'application', id::text, 'APPLICANT:bench-seed', ${registered}
             FROM scale_app
             UNION ALL
             SELECT decided_at, 2, lpad(seq::text, 12, '0'), 'application.priority_confirmed', 'application', id::text, 'ADMIN:bench-seed',
                    '{"category":"' || category || '","priorityClass":' || cls || '}'
             FROM scale_app WHERE cls < 2
             UNION ALL
             SELECT v.published_at, 3, lpad(v.seq::text, 12, '0'), 'vacancy.published', 'vacancy', v.id::text, v.published_by, ${published}
             FROM vacancy v
           ) u
         ) z`,
      );
      await b.query(`SELECT setval('ledger_event_seq_seq', (SELECT max(seq) FROM ledger_event))`);
    };
    /** As the sealer would have done: a Merkle root per 5,000 events, blocks hash-chained (third connection). */
    const sealBlocks = async () => {
      const a = c3;
      const [{ n: total }] = (await a.query(`SELECT count(*)::int AS n FROM ledger_event`)).rows;
      let prevHash = '0'.repeat(64);
      const rows = [];
      const sealedAt = new Date(NOW).toISOString();
      for (let first = 1; first <= total; first += 20 * BLOCK) {
        const r = await a.query(`SELECT seq::int AS seq, hash FROM ledger_event WHERE seq >= $1 AND seq < $2 ORDER BY seq`, [
          first,
          first + 20 * BLOCK,
        ]);
        for (let i = 0; i < r.rows.length; i += BLOCK) {
          const chunk = r.rows.slice(i, i + BLOCK);
          const facts = {
            seq: rows.length + 1,
            prevHash,
            merkleRoot: merkleRoot(chunk.map((x) => x.hash)),
            firstEvent: chunk[0].seq,
            lastEvent: chunk[chunk.length - 1].seq,
            eventCount: chunk.length,
            sealedAt,
          };
          if ((chunk[0].seq - 1) / BLOCK + 1 !== facts.seq) throw new Error('seed: ledger events are not contiguous');
          const hash = blockHash(facts);
          rows.push({ ...facts, hash });
          prevHash = hash;
        }
      }
      await a.query(
        `INSERT INTO ledger_block (seq, prev_hash, merkle_root, hash, first_event, last_event, event_count, sealed_at)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::int[], $8::timestamptz[])`,
        [
          rows.map((x) => x.seq),
          rows.map((x) => x.prevHash),
          rows.map((x) => x.merkleRoot),
          rows.map((x) => x.hash),
          rows.map((x) => x.firstEvent),
          rows.map((x) => x.lastEvent),
          rows.map((x) => x.eventCount),
          rows.map(() => sealedAt),
        ],
      );
      // The hashes PostgreSQL computed must be the project's: recompute a sample with eventHash().
      const sample = await a.query(
        `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, type, entity, entity_id, actor, data, hash
         FROM ledger_event WHERE seq % 997 = 1 OR seq = $1`,
        [total],
      );
      for (const e of sample.rows) {
        const h = eventHash({
          at: e.at,
          type: e.type,
          entity: e.entity,
          entityId: e.entity_id,
          actor: e.actor,
          data: e.data,
        });
        if (h !== e.hash)
          throw new Error(`seed: ledger hash of a ${e.type} event differs from eventHash(): ${JSON.stringify(e).slice(0, 600)}`);
      }
      return { blocks: rows.length, events: total };
    };

    // The load: session a writes the applications, then recounts the queues; session b writes the ledger; this
    // process seals it (third connection) while both sessions build the dropped indexes again.
    const [{ fn }] = (await a.query(`SELECT to_regproc('queue_count_rebuild') IS NOT NULL AS fn`)).rows;
    let blocks = null;
    await step(
      `load: rows, ledger, ${indexes.length} indexes, seal${fn ? ', queue_count_rebuild()' : ''} (2 sessions + this process)`,
      async () => {
        const appDone = timed('application rows', appRows);
        const ledgerDone = timed('ledger events', ledgerRows);
        const queue = [...indexes].sort((x, y) => (x.tbl === 'ledger_event' ? 0 : 1) - (y.tbl === 'ledger_event' ? 0 : 1));
        const build = async (c) => {
          for (let ix = queue.shift(); ix; ix = queue.shift()) {
            if (ix.tbl !== 'ledger_event') await appDone;
            await c.query(ix.def);
          }
        };
        await Promise.all([
          appDone.then(async () => {
            if (fn) await timed('queue_count_rebuild()', () => a.query(`SELECT queue_count_rebuild()`));
            await build(a);
          }),
          ledgerDone.then(() => build(b)),
          ledgerDone.then(async () => {
            blocks = await timed('ledger sealed into blocks', sealBlocks);
          }),
        ]);
      },
    );
    if (!fn) log('  (no queue_count_rebuild() in this schema)');

    if (!process.env.BENCH_SCALE_KEEP_STAGING)
      await step('staging dropped', () => a.query(`DROP TABLE scale_app, scale_fam, scale_orgarr, scale_slot, scale_loc`));
    for (const c of [a, b]) await c.query(`SET session_replication_role = DEFAULT`);
    await step('VACUUM ANALYZE', async () => {
      // Every table of the database, largest first, on two sessions.
      const tables = (
        await a.query(
          `SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
           ORDER BY pg_total_relation_size(c.oid) DESC`,
        )
      ).rows.map((r) => r.t);
      await Promise.all(
        [a, b].map(async (c) => {
          for (let t = tables.shift(); t; t = tables.shift()) await c.query(`VACUUM (ANALYZE) ${t}`);
        }),
      );
    });
    const ms = Date.now() - t0;
    const counts = (
      await a.query(`SELECT (SELECT count(*) FROM application)::int AS apps, (SELECT count(*) FROM organization)::int AS orgs,
        (SELECT count(*) FROM vacancy)::int AS places, (SELECT count(*) FROM category_claim)::int AS claims,
        (SELECT count(*) FROM application WHERE batch_id IS NOT NULL)::int AS twins,
        (SELECT count(*) FROM application WHERE cardinality(organization_ids) > 0)::int AS choosing,
        pg_database_size(current_database())::bigint AS bytes`)
    ).rows[0];
    return { ms, steps, rebuilt: fn, ...blocks, ...counts };
  } finally {
    for (const c of [a, b, c3]) await c.end().catch(() => {});
  }
}

// ---------------------------------------------------------------- processes

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

const withDb = (url, db) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

async function admin(adminUrl, sql, params) {
  const c = await connect(adminUrl);
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

function procStatus(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)\\s+kB`).exec(s)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** Samples the RSS (MiB) of some processes every `everyMs`; `stop()` gives peaks and the samples. */
function rssSampler(pids, everyMs = 200) {
  const peak = Object.fromEntries(Object.keys(pids).map((k) => [k, 0]));
  const first = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procStatus(pid).rss]));
  const samples = [];
  const take = () => {
    const t = Date.now();
    for (const [k, pid] of Object.entries(pids)) {
      const { rss } = procStatus(pid);
      if (rss > peak[k]) peak[k] = rss;
      samples.push({ t, k, rss });
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      /** Peak RSS of process `k` within [from, to]. */
      const peakIn = (k, from, to) => samples.filter((x) => x.k === k && x.t >= from && x.t <= to).reduce((m, x) => Math.max(m, x.rss), 0);
      return { peak, first, peakIn };
    },
  };
}

/**
 * Samples pg_stat_activity of the measured database every 100 ms: what its active sessions wait on (`CPU` when
 * they wait on nothing). `stop()` gives the shares, most frequent first, as text.
 */
function waitSampler() {
  const counts = new Map();
  const tuples = new Map();
  let total = 0;
  let tupleTotal = 0;
  let running = true;
  const loop = (async () => {
    const c = await connect(DB_URL);
    try {
      while (running) {
        const r = await c.query(
          // Lock waits name the statement that waits (its first words), as evidence of what serializes.
          `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU')
                  || CASE WHEN wait_event_type = 'Lock' THEN ' (' || regexp_replace(left(query, 48), '\\s+', ' ', 'g') || '…)' ELSE '' END AS w
           FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND backend_type = 'client backend'`,
        );
        for (const { w } of r.rows) {
          counts.set(w, (counts.get(w) ?? 0) + 1);
          total++;
        }
        // A session waiting for another's row lock holds the tuple lock of that row: which tables.
        const t = await c.query(
          `SELECT l.relation::regclass::text AS rel FROM pg_locks l
           WHERE l.locktype = 'tuple' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        for (const { rel } of t.rows) {
          tuples.set(rel, (tuples.get(rel) ?? 0) + 1);
          tupleTotal++;
        }
        await sleep(100);
      }
    } finally {
      await c.end();
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.catch(() => {});
      const top = [...counts.entries()].sort((x, y) => y[1] - x[1]).slice(0, 5);
      const rels = [...tuples.entries()].sort((x, y) => y[1] - x[1]).slice(0, 3);
      return (
        (total ? top.map(([w, n]) => `${w} ${fmt((100 * n) / total)} %`).join(', ') : 'no active sessions seen') +
        (tupleTotal
          ? `; row-lock waits (tuple locks sampled) on ${rels.map(([r, n]) => `${r} ${fmt((100 * n) / tupleTotal)} %`).join(', ')}`
          : '')
      );
    },
  };
}

/** `node dist/src/main.js` with ROLE=api (healthy on /health) or ROLE=worker (its "ready" line). */
async function startProcess(role, databaseUrl) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `kezek-scale-${role}-`));
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    ROLE: role,
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    JWT_SECRET: SECRET,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    JOBS_PREFIX: 'bench',
    SIMULATION: '1',
    SIMULATION_START: NOW,
    RATE_LIMIT_PER_MINUTE: '0',
  };
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(DIST, 'main.js')], {
    env,
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let ready = false;
  child.stdout.on('data', (d) => {
    out = (out + d).slice(-40000);
    if (/kezek \w+ ready/.test(out)) ready = true;
  });
  child.stderr.on('data', (d) => (out = (out + d).slice(-40000)));
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  let dead = null;
  void exited.then((e) => (dead = e));
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (dead) throw new Error(`${role} exited ${JSON.stringify(dead)}:\n${out.slice(-4000)}`);
    if (Date.now() - t0 > 300_000) throw new Error(`${role} not ready after 300 s:\n${out.slice(-4000)}`);
    if (role === 'worker') {
      if (ready) break;
    } else {
      try {
        if ((await fetch(`${url}/health`)).status === 200) break;
      } catch {
        /* not yet */
      }
    }
    await sleep(200);
  }
  return {
    role,
    url,
    pid: child.pid,
    startMs: Date.now() - t0,
    output: () => out,
    get dead() {
      return dead;
    },
    async stop() {
      if (process.env.BENCH_DEBUG) log(`${role} output (tail):\n${out.slice(-8000)}`);
      if (!dead) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function gql(url, query, variables, token) {
  const r = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  if (body.errors?.length) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body.data;
}

/** One POST, timed (ms); GraphQL errors, failures and timeouts (120 s) counted, not thrown. */
async function timedPost(url, body) {
  const t = performance.now();
  try {
    const r = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(120_000),
    });
    const text = await r.text();
    return { ms: performance.now() - t, ok: r.status === 200 && !text.includes('"errors"'), text };
  } catch (e) {
    return {
      ms: performance.now() - t,
      ok: false,
      text: `request failed: ${e.message}${e.cause ? ` (${e.cause.message ?? e.cause})` : ''}`,
    };
  }
}

function autocannonRun(opts) {
  return new Promise((res, rej) => {
    const latencies = [];
    const inst = autocannon({ timeout: 60, ...opts }, (err, result) => (err ? rej(err) : res({ result, latencies: sortNum(latencies) })));
    inst.on('response', (_c, _s, _b, ms) => latencies.push(ms));
  });
}

/** autocannon over GraphQL: `make()` gives { body, token } per request; GraphQL errors counted. */
async function load(url, connections, duration, make) {
  let gqlErrors = 0;
  let sample = null;
  const { result, latencies } = await autocannonRun({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req) => {
          const { body, token } = make();
          req.body = body;
          req.headers = {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          };
          return req;
        },
        onResponse: (status, body) => {
          if (typeof body === 'string' && body.includes('"errors"')) {
            gqlErrors++;
            sample ??= body.slice(0, 300);
          }
        },
      },
    ],
  });
  return {
    rps: result.requests.total / duration,
    total: result.requests.total,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    gqlErrors,
    sample,
  };
}

// ---------------------------------------------------------------- measurements

const POSITION = `query($n: String) { queuePosition(number: $n) { queueNumber total aheadByClass { priorityClass count } } }`;
const POSITION_ORGS = `query($n: String) { queuePosition(number: $n) { queueNumber total aheadByClass { priorityClass count } positionsByOrganization { organizationId ahead } } }`;
const NOW_Q = `{ now }`;
const REGISTER = `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id number queueNumber } }`;
/** The baseline of (a): the per-class counts of the application's cohort and its place in its class, one query. */
const HAND_SQL = `WITH x AS (SELECT locality, cohort, priority_class, registered_at, seq FROM application WHERE number = $1 AND status = 'QUEUED')
  SELECT count(*) FILTER (WHERE a.priority_class = 0)::int AS n0, count(*) FILTER (WHERE a.priority_class = 1)::int AS n1,
         count(*) FILTER (WHERE a.priority_class = 2)::int AS n2,
         count(*) FILTER (WHERE a.priority_class = x.priority_class AND (a.registered_at, a.seq) < (x.registered_at, x.seq))::int AS idx
  FROM x JOIN application a ON a.locality = x.locality AND a.cohort = x.cohort AND a.status = 'QUEUED'`;

const rows = [];
const notes = [];
/** The database being measured (the lock poller opens its own connection). */
let DB_URL = null;
const row = (name, figure, baseline, r) => rows.push({ name, figure, baseline, ratio: r });

/** `n` calls one after the other (fewer if they take more than `budgetMs` in all): latency percentiles. */
async function sequential(n, fn, budgetMs = 90_000) {
  const ms = [];
  let errors = 0;
  let sample = null;
  const t0 = Date.now();
  for (let i = 0; i < n && (i < 20 || Date.now() - t0 < budgetMs); i++) {
    const r = await fn(i);
    ms.push(r.ms);
    if (!r.ok) {
      errors++;
      sample ??= r.text?.slice(0, 300);
    }
  }
  const s = sortNum(ms);
  return { p50: pct(s, 50), p99: pct(s, 99), max: s[s.length - 1], n: ms.length, errors, sample };
}

async function pickNumbers(db) {
  const [{ cohort, n }] = (
    await db.query(
      `SELECT cohort, count(*)::int AS n FROM application WHERE locality = $1 AND status = 'QUEUED' GROUP BY cohort ORDER BY 2 DESC LIMIT 1`,
      [BIG],
    )
  ).rows;
  const r = await db.query(
    `SELECT number, priority_class AS cls, cardinality(organization_ids) AS orgs FROM (
       SELECT number, priority_class, organization_ids,
              row_number() OVER (PARTITION BY priority_class ORDER BY registered_at, seq) AS r, count(*) OVER (PARTITION BY priority_class) AS c
       FROM application WHERE locality = $1 AND cohort = $2 AND status = 'QUEUED') q
     WHERE r > c / 2 ORDER BY md5(number)`,
    [BIG, cohort],
  );
  const picked = [];
  for (const cls of [2, 1, 0]) picked.push(...r.rows.filter((x) => x.cls === cls).slice(0, POSITION_SAMPLE[cls]));
  picked.sort((x, y) => (x.number < y.number ? -1 : 1));
  return { cohort, size: n, picked };
}

async function benchPosition(api, db, pickedInfo) {
  const numbers = pickedInfo.picked.map((x) => x.number);
  const body = (q, n) => JSON.stringify({ query: q, variables: { n } });
  log(`(a) queuePosition: ${numbers.length} numbers deep in cohort ${pickedInfo.cohort} of ${BIG} (${fmt(pickedInfo.size)} queued)`);
  for (let i = 0; i < 20; i++) await timedPost(api.url, body(POSITION, numbers[i % numbers.length])); // warm-up
  for (let i = 0; i < 20; i++) await timedPost(api.url, body(NOW_Q));
  const seqPos = await sequential(numbers.length * 2, (i) => timedPost(api.url, body(POSITION, numbers[i % numbers.length])));
  const seqOrgs = await sequential(numbers.length, (i) => timedPost(api.url, body(POSITION_ORGS, numbers[i])));
  const seqNow = await sequential(numbers.length * 2, () => timedPost(api.url, JSON.stringify({ query: NOW_Q })));
  const seqSql = await sequential(numbers.length * 2, async (i) => {
    const t = performance.now();
    const r = await db.query(HAND_SQL, [numbers[i % numbers.length]]);
    return { ms: performance.now() - t, ok: r.rows.length === 1 && r.rows[0].n2 > 0 };
  });
  let k = 0;
  log(`(a) 16 clients × ${A_DURATION_S} s: queuePosition, then { now } …`);
  const par = await load(api.url, 16, A_DURATION_S, () => ({
    body: body(POSITION, numbers[k++ % numbers.length]),
  }));
  const parNow = await load(api.url, 16, A_DURATION_S, () => ({
    body: JSON.stringify({ query: NOW_Q }),
  }));
  const mix = [0, 1, 2].map((c) => `${pickedInfo.picked.filter((x) => x.cls === c).length} of class ${c}`).join(', ');
  const any = pickedInfo.picked.filter((x) => x.orgs === 0).length;
  const what = `${numbers.length} applications from the later half of their class in the largest cohort (${BIG}, born ${pickedInfo.cohort}, ${fmt(pickedInfo.size)} queued; ${mix}; ${any} "any organization")`;
  row(
    `(a) queuePosition(number:), one at a time: p50 (baseline: hand-written per-class count of the cohort, pg direct)`,
    msf(seqPos.p50),
    msf(seqSql.p50),
    ratio(seqPos.p50, seqSql.p50),
  );
  row(
    `(a) queuePosition(number:), one at a time: p99 (baseline: the same SQL)`,
    msf(seqPos.p99),
    msf(seqSql.p99),
    ratio(seqPos.p99, seqSql.p99),
  );
  row(
    `(a) queuePosition one at a time: p50 / p99 (baseline: { now } over HTTP)`,
    `${msf(seqPos.p50)} / ${msf(seqPos.p99)}`,
    `${msf(seqNow.p50)} / ${msf(seqNow.p99)}`,
    ratio(seqPos.p99, seqNow.p99),
  );
  row(
    `(a) queuePosition with positionsByOrganization, one at a time: p50 / p99 (baseline: without it)`,
    `${msf(seqOrgs.p50)} / ${msf(seqOrgs.p99)}`,
    `${msf(seqPos.p50)} / ${msf(seqPos.p99)}`,
    ratio(seqOrgs.p99, seqPos.p99),
  );
  row(
    `(a) queuePosition, 16 clients, ${A_DURATION_S} s: answers/s (baseline: { now }, 16 clients)`,
    fmt(par.rps),
    fmt(parNow.rps),
    fmt(par.rps / parNow.rps, 2),
  );
  row(
    `(a) queuePosition, 16 clients: p50 / p99`,
    `${msf(par.p50)} / ${msf(par.p99)}`,
    `${msf(parNow.p50)} / ${msf(parNow.p99)}`,
    ratio(par.p99, parNow.p99),
  );
  notes.push(
    `(a) numbers: ${what}. One at a time: ${seqPos.n} requests (each number twice), ${seqOrgs.n} with positionsByOrganization, ${seqSql.n} SQL counts, ${seqNow.n} { now }; after 20 warm-up requests. GraphQL errors: one at a time ${seqPos.errors + seqOrgs.errors}, 16 clients ${par.gqlErrors} (non-2xx ${par.non2xx}, timeouts ${par.timeouts}).`,
  );
  for (const [k2, r] of Object.entries({ seqPos, seqOrgs, par }))
    if (r.sample) notes.push(`(a) first GraphQL error (${k2}): ${r.sample.replace(/\s+/g, ' ')}`);
  return { numbers, idleSeqP99: seqPos.p99 };
}

async function benchRegister(api, db, { makeIin, signToken }) {
  const orgIds = (await db.query(`SELECT id FROM organization WHERE locality = $1 ORDER BY created_at, id`, [BIG])).rows.map((r) => r.id);
  const applicants = Array.from({ length: 256 }, (_, i) => {
    const iin = makeIin(`19${82 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}`, i % 2 ? 'M' : 'F', 300 + i);
    return {
      iin,
      token: signToken(SECRET, { sub: `bench-scale-applicant-${i}`, role: 'APPLICANT', iin }, 24 * 3600),
    };
  });
  // Children born 2021-2025 (serials 9000+: the seed's serials stay below 2500, its fallbacks below 9000).
  let n = 0;
  const used = new Set();
  const next = () => {
    for (;;) {
      const i = n++;
      const d = new Date(Date.UTC(2021, 0, 1) + (i % 1800) * 86_400_000).toISOString().slice(0, 10);
      const iin = makeIin(d, i % 2 ? 'M' : 'F', 9000 + (Math.floor(i / 1800) % 999));
      if (used.has(iin)) continue;
      used.add(iin);
      const a = applicants[i % applicants.length];
      const kk = i % 5 !== 0;
      const choose =
        i % 10 < 3 ? [orgIds[(i * 7) % orgIds.length], orgIds[(i * 13 + 1) % orgIds.length]].filter((x, j, xs) => xs.indexOf(x) === j) : [];
      return {
        token: a.token,
        body: JSON.stringify({
          query: REGISTER,
          variables: {
            i: {
              childIin: iin,
              childName: `Bench Child ${i}`,
              applicantIin: a.iin,
              phone: `+7702${String(1000000 + (i % 8999999)).padStart(7, '0')}`,
              locality: BIG,
              organizationIds: choose,
              language: kk ? 'KK' : 'RU',
              desiredAdmissionDate: i % 2 ? '2026-09-01' : '2027-09-01',
              notificationLanguage: kk ? 'kk' : 'ru',
              ...(i % 8 === 0 ? { priorityCategories: ['LARGE_FAMILY'] } : {}),
            },
          },
        }),
      };
    }
  };
  log(`(b) baseline { now }, 32 clients × ${B_DURATION_S} s …`);
  const idle = procStatus(api.pid).rss;
  const base = await load(api.url, 32, B_DURATION_S, () => ({
    body: JSON.stringify({ query: NOW_Q }),
  }));
  log(`(b) registerApplication into ${BIG}, 32 clients × ${B_DURATION_S} s …`);
  const before = (await db.query(`SELECT count(*)::int AS n FROM application WHERE locality = $1`, [BIG])).rows[0].n;
  const rss = rssSampler({ api: api.pid });
  const waits = waitSampler();
  const reg = await load(api.url, 32, B_DURATION_S, next);
  const { peak } = rss.stop();
  const waited = await waits.stop();
  const after = (await db.query(`SELECT count(*)::int AS n FROM application WHERE locality = $1`, [BIG])).rows[0].n;
  row(
    `(b) registerApplication into ${BIG} (${fmt(before)} applications), 32 clients, ${B_DURATION_S} s: registrations/s (baseline: { now }, 32 clients)`,
    fmt(reg.rps, 1),
    fmt(base.rps),
    fmt(reg.rps / base.rps, 3),
  );
  row(
    `(b) registerApplication: p50 / p99`,
    `${msf(reg.p50)} / ${msf(reg.p99)}`,
    `${msf(base.p50)} / ${msf(base.p99)}`,
    ratio(reg.p99, base.p99),
  );
  row(
    `(b) API RSS peak during the registrations (baseline: API RSS before (b))`,
    `${fmt(peak.api)} MiB`,
    `${fmt(idle)} MiB`,
    fmt(peak.api / idle, 2),
  );
  notes.push(
    `(b) ${fmt(after - before)} applications added to ${BIG} (${fmt(reg.total)} responses: GraphQL errors ${reg.gqlErrors}, non-2xx ${reg.non2xx}, timeouts ${reg.timeouts}); 1 in 8 claims a category, 3 in 10 choose organizations. PostgreSQL sessions of the database during the registrations (active-session samples every 100 ms): ${waited}.`,
  );
  if (reg.sample) notes.push(`(b) first GraphQL error: ${reg.sample.replace(/\s+/g, ' ')}`);
}

/** The largest locality's data as allocation sees it (for the naive baseline), read before 09:00. */
async function loadAllocationInput(db) {
  const apps = (
    await db.query(
      `SELECT id, seq::float8 AS seq, priority_class, floor(extract(epoch FROM registered_at) * 1000)::float8 AS t, locality, cohort,
              to_char(child_birth_date, 'YYYY-MM-DD') AS birth, organization_ids::text[] AS orgs, language, group_type,
              special_needs_confirmed AS special, work_modes, to_char(desired_admission_date, 'YYYY-MM-DD') AS desired,
              accepts_temporary_stay AS temporary, batch_id
       FROM application WHERE locality = $1 AND status = 'QUEUED' ORDER BY seq`,
      [BIG],
    )
  ).rows.map((r) => ({
    id: r.id,
    seq: r.seq,
    priorityClass: r.priority_class,
    registeredAt: r.t,
    locality: r.locality,
    cohort: r.cohort,
    birthDate: r.birth,
    organizationIds: r.orgs,
    language: r.language,
    groupType: r.group_type,
    specialNeedsConfirmed: r.special,
    workModes: r.work_modes,
    desiredAdmissionDate: r.desired,
    acceptsTemporaryStay: r.temporary,
    batchId: r.batch_id,
  }));
  const vacancies = (
    await db.query(
      `SELECT id, organization_id, locality, language, age_from_months, age_to_months, group_type, work_mode, admission_mode,
              to_char(admission_start_date, 'YYYY-MM-DD') AS start
       FROM vacancy WHERE locality = $1 AND status = 'PUBLISHED' AND published_at <= $2 ORDER BY published_at, seq`,
      [BIG, AT_0900],
    )
  ).rows.map((v) => ({
    id: v.id,
    organizationId: v.organization_id,
    locality: v.locality,
    language: v.language,
    ageFromMonths: v.age_from_months,
    ageToMonths: v.age_to_months,
    groupType: v.group_type,
    workMode: v.work_mode,
    admissionMode: v.admission_mode,
    admissionStartDate: v.start,
  }));
  const cycles = Object.fromEntries(
    (await db.query(`SELECT cohort, position FROM queue_cycle WHERE locality = $1`, [BIG])).rows.map((c) => [
      `${BIG}:${c.cohort}`,
      c.position,
    ]),
  );
  const [{ value }] = (await db.query(`SELECT value FROM setting WHERE key = 'interleave'`)).rows;
  return { vacancies, applications: apps, cycles, ratio: value, excluded: new Set() };
}

/**
 * Moves the simulated clock to 2 s before `at` (advanceClock: nothing is due in between), then lets the worker's
 * 30 s catch-up tick run every task due at `at`. Polls (25 ms) the scheduler's advisory lock, every locality's
 * allocation lock and scheduled_run; samples RSS; returns per-task real durations and the locality tasks' intervals.
 */
async function scheduledAt(api, worker, db, at, adminToken, opts = {}) {
  const before = new Date(Date.parse(at) - 2000).toISOString();
  await gql(api.url, `mutation($to: DateTime!) { advanceClock(to: $to) }`, { to: before }, adminToken);
  const [{ base, anchor }] = (
    await db.query(`SELECT extract(epoch FROM sim_base) * 1000 AS base, extract(epoch FROM real_anchor) * 1000 AS anchor FROM clock_state`)
  ).rows;
  const [{ skew }] = (await db.query(`SELECT $1::float8 - extract(epoch FROM clock_timestamp()) * 1000 AS skew`, [Date.now()])).rows;
  const toReal = (simMs) => simMs - Number(base) + Number(anchor) + Number(skew);
  // Every locality's allocation lock (pg_advisory_xact_lock(727100, hashtext(locality)), exclusive): who holds it when.
  const keyOf = new Map(
    (
      await db.query(`SELECT DISTINCT locality::text AS l, (hashtext(locality)::bigint & 4294967295)::text AS k FROM organization`)
    ).rows.map((r) => [r.k, r.l]),
  );
  const rss = rssSampler({ api: api.pid, worker: worker.pid });
  const sched = [];
  let schedOn = false;
  const held = new Map(); // locality → since
  const intervals = []; // { locality, start, end }
  let polling = true;
  const poller = (async () => {
    const c = await connect(DB_URL);
    try {
      while (polling) {
        const r = await c.query(
          `SELECT classid::text AS c, objid::text AS o, objsubid AS s, mode FROM pg_locks
           WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        const now = Date.now();
        const on = r.rows.some((x) => x.c === '0' && x.o === '727002' && x.s === 1);
        if (on !== schedOn) {
          schedOn = on;
          sched.push({ t: now, on });
        }
        const locs = new Set(
          r.rows.filter((x) => x.c === '727100' && x.s === 2 && x.mode === 'ExclusiveLock').map((x) => keyOf.get(x.o) ?? x.o),
        );
        for (const l of locs) if (!held.has(l)) held.set(l, now);
        for (const [l, since] of held) {
          if (!locs.has(l)) {
            held.delete(l);
            intervals.push({ locality: l, start: since, end: now, ms: now - since });
          }
        }
        await sleep(25);
      }
    } finally {
      await c.end();
    }
  })();
  const probe = opts.probe ? opts.probe() : null;
  const waits = waitSampler();
  const t0 = Date.now();
  let done = null;
  let quiet = 0;
  let seen = 0;
  try {
    for (;;) {
      if (Date.now() - t0 > PHASE_TIMEOUT_MS) throw new Error(`tasks due ${at} not done after ${PHASE_TIMEOUT_MS / 1000} s`);
      if (worker.dead) throw new Error(`worker died: ${JSON.stringify(worker.dead)}\n${worker.output().slice(-3000)}`);
      const r = await db.query(
        `SELECT kind, extract(epoch FROM done_at) * 1000 AS done, summary FROM scheduled_run WHERE due_at = $1 ORDER BY done_at, kind`,
        [at],
      );
      if (r.rows.length && r.rows.length === seen && !schedOn) quiet++;
      else quiet = 0;
      seen = r.rows.length;
      if (quiet >= 3) {
        done = r.rows;
        break;
      }
      await sleep(100);
    }
  } finally {
    polling = false;
    await poller.catch(() => {});
  }
  const probed = probe ? await probe.stop() : null;
  const waited = await waits.stop();
  const { peak, first, peakIn } = rss.stop();
  const ends = done.map((d) => ({ kind: d.kind, end: toReal(Number(d.done)), summary: d.summary }));
  const firstEnd = ends[0].end;
  const start = sched.filter((e) => e.on && e.t <= firstEnd + 50).pop()?.t ?? NaN;
  let prev = start;
  const tasks = ends.map((e) => {
    const t = {
      ...e,
      start: prev,
      ms: Math.max(0, e.end - prev), // ± the 25 ms lock poll: a task of a few ms could come out negative
      workerPeak: peakIn('worker', prev, e.end + 200),
    };
    prev = e.end;
    return t;
  });
  return {
    tasks,
    start,
    end: prev,
    peak,
    first,
    probed,
    waited,
    intervals,
    big: intervals.find((x) => x.locality === BIG) ?? null,
    waitedMs: start - t0,
  };
}

/** Another client asking queuePosition in a loop (4 connections) while something runs; latencies by time. */
function positionProbe(api, numbers, connections = 4) {
  const samples = [];
  let running = true;
  let k = 0;
  const loops = Array.from({ length: connections }, async () => {
    while (running) {
      const t = Date.now();
      const r = await timedPost(api.url, JSON.stringify({ query: POSITION, variables: { n: numbers[k++ % numbers.length] } })).catch(
        () => ({ ms: NaN, ok: false }),
      );
      samples.push({ t, ms: r.ms, ok: r.ok });
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return samples;
    },
  };
}

const within = (samples, from, to) => sortNum(samples.filter((s) => s.t >= from && s.t <= to && Number.isFinite(s.ms)).map((s) => s.ms));

async function benchMorning(api, worker, db, numbers, adminToken) {
  const dist = (m) => pathToFileURL(join(DIST, m)).href;
  log('(c) loading the largest locality for the naive baseline …');
  const input = await loadAllocationInput(db);
  log(`(c) idle baseline: queuePosition from 4 connections for 10 s, worker and API idle …`);
  const idleProbe = positionProbe(api, numbers);
  await sleep(10_000);
  const idleSamples = await idleProbe.stop();
  const idle = sortNum(idleSamples.filter((s) => Number.isFinite(s.ms)).map((s) => s.ms));
  const workerIdle = procStatus(worker.pid).rss;
  log(`(c) 09:00 of ${BULLETIN_DATE}: clock to 08:59:58, the worker's catch-up tick runs the day's tasks …`);
  const m = await scheduledAt(api, worker, db, AT_0900, adminToken, {
    probe: () => positionProbe(api, numbers),
  });
  const byKind = Object.fromEntries(m.tasks.map((t) => [t.kind, t]));
  const alloc = byKind.allocation;
  const run = (
    await db.query(
      `SELECT id, extract(epoch FROM finished_at - started_at) * 1000 AS ms, vacancies_considered, referrals_issued FROM allocation_run WHERE trigger = 'schedule' ORDER BY started_at LIMIT 1`,
    )
  ).rows[0];
  const tasks = (
    await db.query(`SELECT count(*)::int AS n, count(DISTINCT worker)::int AS workers FROM allocation_task WHERE run_id = $1`, [run.id])
  ).rows[0];
  const bigTask = (
    await db.query(`SELECT vacancies_considered AS v, referrals_issued AS r FROM allocation_task WHERE run_id = $1 AND locality = $2`, [
      run.id,
      BIG,
    ])
  ).rows[0];
  // The locality tasks as their locks showed them (25 ms polls), against the run's wall time.
  const placesOf = new Map(
    (await db.query(`SELECT locality::text AS l, vacancies_considered AS v FROM allocation_task WHERE run_id = $1`, [run.id])).rows.map(
      (r) => [r.l, r.v],
    ),
  );
  const inRun = m.intervals.filter(
    (x) => placesOf.has(x.locality) && x.start >= byKind.allocation.start - 100 && x.end <= byKind.allocation.end + 100,
  );
  const slowest = [...inRun].sort((x, y) => y.ms - x.ms).slice(0, 5);
  const small = sortNum(inRun.filter((x) => (placesOf.get(x.locality) ?? 0) <= 50).map((x) => x.ms));
  // allocation_task has no start column; its finished_at is set in the task's transaction: is it the start or the end?
  const [{ fin }] = (
    await db.query(`SELECT extract(epoch FROM finished_at) * 1000 AS fin FROM allocation_task WHERE run_id = $1 AND locality = $2`, [
      run.id,
      BIG,
    ])
  ).rows;
  const finishedNote = m.big
    ? `allocation_task.finished_at of ${BIG} is ${fmt((Number(fin) - m.big.start) / 1000, 2)} s after its lock was taken and ${fmt((m.big.end - Number(fin)) / 1000, 2)} s before it was released` +
      (Math.abs(Number(fin) - m.big.start) < Math.abs(m.big.end - Number(fin))
        ? ' (it holds the transaction start, now(), not the finish)'
        : '')
    : '';
  const taskNote =
    `locality tasks seen holding their allocation lock: ${inRun.length} of ${placesOf.size}, ${secs(inRun.reduce((n, x) => n + x.ms, 0))} in all ` +
    `(slowest: ${slowest.map((x) => `${x.locality} ${secs(x.ms)} for ${fmt(placesOf.get(x.locality))} places`).join(', ')}; median of the ${small.length} with ≤ 50 places ${msf(pct(small, 50))}); ${finishedNote}`;
  const during = within(m.probed, alloc.start, alloc.end);
  const duringBig = m.big ? within(m.probed, m.big.start, m.big.end) : [];
  const issued = (
    await db.query(
      `SELECT r.application_id, r.vacancy_id FROM referral r JOIN vacancy v ON v.id = r.vacancy_id WHERE r.run_id = $1 AND v.locality = $2`,
      [run.id, BIG],
    )
  ).rows;
  return {
    m,
    byKind,
    run,
    tasks,
    bigTask,
    during,
    duringBig,
    idle,
    workerIdle,
    input,
    issued,
    dist,
    taskNote,
  };
}

function naiveBaseline(mod, input, budgetMs) {
  const { allocate, allocateReference } = mod;
  const t1 = performance.now();
  const fast = allocate(input);
  const fastMs = performance.now() - t1;
  // allocateReference is O(places × applications): time a prefix of the places and extrapolate when the
  // whole list would exceed the budget (a prefix allocates exactly as the whole list does, place by place).
  let n = Math.min(input.vacancies.length, 50);
  let refMs = 0;
  let ref = null;
  for (;;) {
    const t = performance.now();
    ref = allocateReference({ ...input, vacancies: input.vacancies.slice(0, n) });
    refMs = performance.now() - t;
    if (n === input.vacancies.length) break;
    const estimate = (refMs / n) * input.vacancies.length;
    if (estimate > budgetMs) break;
    n = input.vacancies.length;
  }
  const fullMs = n === input.vacancies.length ? refMs : (refMs / n) * input.vacancies.length;
  // Compared only on the whole list: on a prefix a twin batch may miss a sibling's place beyond it.
  const same = n === input.vacancies.length ? JSON.stringify(ref.referrals) === JSON.stringify(fast.referrals) : null;
  return {
    fast,
    fastMs,
    refMs: fullMs,
    refPlaces: n,
    extrapolated: n < input.vacancies.length,
    same,
  };
}

const AUDIT_TIMEOUT_MS = Number(process.env.BENCH_AUDIT_TIMEOUT_S ?? 1800) * 1000;

/** `npm run audit:fairness -- --json` as the built CLI; stopped after AUDIT_TIMEOUT_MS. */
async function runAudit(databaseUrl) {
  const dataDir = mkdtempSync(join(tmpdir(), 'kezek-scale-audit-'));
  const t0 = Date.now();
  const nodeArgs = (process.env.BENCH_AUDIT_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(DIST, 'audit/audit.cli.js'), '--json'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      DATABASE_URL: databaseUrl,
      JWT_SECRET: SECRET,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  let peak = 0;
  const timer = setInterval(() => {
    const { rss } = procStatus(child.pid);
    if (rss > peak) peak = rss;
  }, 200);
  let stopped = false;
  const killer = setTimeout(() => {
    stopped = true;
    child.kill('SIGKILL');
  }, AUDIT_TIMEOUT_MS);
  const code = await new Promise((r) => child.on('exit', (c) => r(c)));
  clearTimeout(killer);
  clearInterval(timer);
  rmSync(dataDir, { recursive: true, force: true });
  let report = null;
  try {
    report = JSON.parse(out.trim().split('\n').pop());
  } catch {
    /* not JSON */
  }
  return {
    code,
    stopped,
    ms: Date.now() - t0,
    peak,
    report,
    err: err.trim(),
    out: out.slice(0, 500),
  };
}

// ---------------------------------------------------------------- the run

function sectionText(meta) {
  const head = ['benchmark', 'figure', 'baseline', 'ratio'];
  const table = [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.name} | ${r.figure} | ${r.baseline} | ${r.ratio} |`),
  ].join('\n');
  return {
    table,
    md: [SECTION, '', meta, '', table, '', ...notes.map((n) => `- ${n}`), ''].join('\n'),
  };
}

/** Puts `md` (a `## National scale` section) into RESULTS.md in place of the old one, keeping the rest. */
export function writeSection(md) {
  const old = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Kezek benchmarks\n';
  const at = old.indexOf(`\n${SECTION}\n`);
  let rest = old;
  if (at >= 0) {
    const after = old.indexOf('\n## ', at + SECTION.length + 1);
    rest = old.slice(0, at) + (after >= 0 ? old.slice(after) : '');
  }
  writeFileSync(RESULTS, `${rest.replace(/\n+$/, '')}\n\n${md.replace(/\n+$/, '')}\n`);
}

export async function runScale({ size = 1_000_000, keep = false, db: reuse = null } = {}) {
  const started = Date.now();
  const load0 = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const { makeIin } = await import(pathToFileURL(join(DIST, 'platform/identifiers/iin.js')).href);
  const { signToken } = await import(pathToFileURL(join(DIST, 'auth/jwt.js')).href);
  const adminToken = signToken(SECRET, { sub: 'bench-scale-admin', role: 'ADMIN' }, 24 * 3600);
  const adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const [{ server_version: pgVersion }] = await admin(adminUrl, 'SHOW server_version');
  const p = plan(size);
  const name = `kezek_scale_${Date.now().toString(36)}${process.pid}`;
  const url = withDb(adminUrl, name);
  DB_URL = url;
  const procs = [];
  let db = null;
  let seeded = null;
  try {
    if (reuse) {
      log(`copying the seeded database ${reuse} …`);
      const t = Date.now();
      await admin(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${reuse}`);
      notes.push(
        `seed: copied from the database ${reuse} seeded earlier (CREATE DATABASE … TEMPLATE, ${secs(Date.now() - t)}); no seed time measured in this run.`,
      );
    } else {
      await admin(adminUrl, `CREATE DATABASE ${name}`);
      log(`migrating ${name} with the project's CLI …`);
      const tm = Date.now();
      await new Promise((res, rej) => {
        const dir = mkdtempSync(join(tmpdir(), 'kezek-scale-migrate-'));
        const c = spawn(process.execPath, [join(DIST, 'platform/database/migrate.cli.js')], {
          env: {
            PATH: process.env.PATH,
            NODE_ENV: 'development',
            DATABASE_URL: url,
            JWT_SECRET: SECRET,
            DATA_DIR: dir,
          },
          cwd: dir,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let o = '';
        c.stdout.on('data', (d) => (o += d));
        c.stderr.on('data', (d) => (o += d));
        c.on('exit', (code) => {
          rmSync(dir, { recursive: true, force: true });
          if (code === 0) res();
          else rej(new Error(`migration failed (${code}): ${o}`));
        });
      });
      const migrateMs = Date.now() - tm;
      log(`seeding ${fmt(size)} applications, ${fmt(p.orgTotal)} organizations, ${fmt(p.placeTotal)} places …`);
      seeded = await seed(url, p);
      log(`seeded in ${(seeded.ms / 1000).toFixed(1)} s`);
      row(
        `seed: ${fmt(seeded.apps)} applications, ${fmt(seeded.orgs)} organizations, ${fmt(seeded.places)} places, ${fmt(seeded.events)} ledger events (set-based SQL; triggers off; then queue_count_rebuild() and VACUUM ANALYZE)`,
        secs(seeded.ms),
        'target ≤ 120 s',
        fmt(seeded.ms / 120_000, 2),
      );
      notes.push(
        `seed: migrations (project CLI) ${secs(migrateMs)}, then ${Object.entries(seeded.steps)
          .map(([k, v]) => `${k} ${secs(v)}`)
          .join('; ')}. Database ${fmt(seeded.bytes / 2 ** 30, 2)} GiB. ` +
          `${LOCALITIES} localities, the largest ${BIG} with ${fmt(p.localities[0].apps)} applications (cohort 2022: ${fmt(p.slots.find((s) => s.locality === BIG && s.cohort === 2022).apps)}), the smallest ${fmt(Math.min(...p.localities.map((l) => l.apps)))}; ` +
          `${fmt(seeded.claims)} confirmed category claims (classes 0 and 1), ${fmt(seeded.twins)} twins, ${fmt(seeded.choosing)} applications choosing 1–4 organizations; registrations spread over the 6 years before ${NOW}, desired admission 2025-09-01..2027-08-31, 80 % KK; ` +
          `places in three age windows (12–35, 36–59, 60–72 months), handed over 2026-09-01 09:00..2026-09-02 08:00 for the bulletin of ${BULLETIN_DATE}; ${fmt(seeded.blocks)} ledger blocks sealed as the sealer does (hashes checked against eventHash()).` +
          (seeded.rebuilt ? ' queue_count_rebuild() ran after the load.' : ' (no queue_count_rebuild() in the schema.)'),
      );
    }
    if (keep && !reuse) {
      await admin(adminUrl, `CREATE DATABASE ${name}_seed TEMPLATE ${name}`);
      log(`kept a copy of the seeded database: ${name}_seed (measure it again with --db ${name}_seed)`);
    }
    db = await connect(url);
    const picked = await pickNumbers(db);

    log('starting the API (ROLE=api) and the worker (ROLE=worker) …');
    const [api, worker] = await Promise.all([startProcess('api', url), startProcess('worker', url)]);
    procs.push(api, worker);
    notes.push(
      `servers: node dist/src/main.js, ROLE=api and ROLE=worker (two processes), SIMULATION=1 from ${NOW}, LOG_LEVEL=warn, RATE_LIMIT_PER_MINUTE=0, BullMQ on PostgreSQL; ready in ${secs(api.startMs)} (API) and ${secs(worker.startMs)} (worker) on the seeded database; RSS at start ${fmt(procStatus(api.pid).rss)} / ${fmt(procStatus(worker.pid).rss)} MiB.`,
    );

    measure: {
      const a = STEPS.has('a') ? await benchPosition(api, db, picked) : { numbers: picked.picked.map((x) => x.number) };
      if (STEPS.has('b')) await benchRegister(api, db, { makeIin, signToken });
      if (!STEPS.has('c')) break measure;

      const c = await benchMorning(api, worker, db, a.numbers, adminToken);
      const { m, byKind } = c;
      const d1 = byKind.bulletins;
      row(
        `(c) 09:00 allocation run of ${fmt(c.run.vacancies_considered)} places (${fmt(c.tasks.n)} locality tasks): wall time (baseline: the 30 s target)`,
        secs(Number(c.run.ms)),
        `${TARGET_S} s`,
        fmt(Number(c.run.ms) / 1000 / TARGET_S, 2),
      );
      const bigFigure = m.big ? secs(m.big.ms) : 'not seen';
      row(
        `(c) largest locality's task (${BIG}: ${fmt(c.input.applications.length)} queued, ${fmt(c.bigTask?.v ?? 0)} places, ${fmt(c.bigTask?.r ?? 0)} referrals), from its allocation lock to commit (baseline: allocateReference(), the literal rule, on the same data loaded with pg, pure; ratio = baseline / figure)`,
        bigFigure,
        '(after the run)',
        '-',
      );
      const rowIndexBig = rows.length - 1;

      /** The naive baseline of (c), once the servers are stopped (the machine is then quiet). */
      const naiveRow = async () => {
        log('(c) baseline: allocate() and allocateReference() on the largest locality (servers stopped) …');
        const mod = await import(c.dist('referral/domain/allocate.js'));
        const { isEligible } = await import(c.dist('referral/domain/eligibility.js'));
        const naive = naiveBaseline(mod, c.input, 180_000);
        const server = new Map(c.issued.map((r) => [r.vacancy_id, r.application_id]));
        const mine = new Map(naive.fast.referrals.map((r) => [r.vacancyId, r.applicationId]));
        const differing = c.input.vacancies.filter((v) => server.get(v.id) !== mine.get(v.id));
        rows[rowIndexBig].baseline =
          `${secs(naive.refMs)}${naive.extrapolated ? ` (extrapolated from its first ${naive.refPlaces} places)` : ''}`;
        rows[rowIndexBig].ratio = m.big ? `${fmt(naive.refMs / m.big.ms, 1)}×` : '-';
        let detail = '';
        if (differing.length) {
          // The first place (bulletin order) the server gave to another application than allocate() on the same data.
          const v = differing[0];
          const byId = new Map(c.input.applications.map((x) => [x.id, x]));
          const show = (id) => {
            const x = byId.get(id);
            if (!x) return id ? `${id} (not among the QUEUED applications read before 09:00)` : 'nobody';
            return `${x.id} class ${x.priorityClass}, cohort ${x.cohort}, registered ${new Date(x.registeredAt).toISOString()}, seq ${x.seq}${x.batchId ? `, twin of batch ${x.batchId}` : ''}, eligible ${isEligible(x, v, new Set())}`;
          };
          detail =
            ` ${fmt(differing.length)} places differ; the first, place ${c.input.vacancies.indexOf(v) + 1} in bulletin order (${v.id}, ${v.language}, ${v.ageFromMonths}–${v.ageToMonths} months from ${v.admissionStartDate}, ${v.workMode}, ${v.admissionMode}),` +
            ` went to ${show(server.get(v.id))}; allocate() gives it to ${show(mine.get(v.id))}.`;
        }
        notes.push(
          `(c) baseline: the largest locality read with pg before 09:00 (${fmt(c.input.applications.length)} applications, ${fmt(c.input.vacancies.length)} places), allocated in this process after the servers stopped; the project's allocate() takes ${secs(naive.fastMs)} on it (pure) → ${fmt(naive.fast.referrals.length)} referrals, ` +
            `${differing.length ? `NOT the referrals the server issued there (${fmt(server.size)} issued).${detail}` : 'exactly the referrals the server issued there'}; ` +
            `${naive.same === null ? `allocateReference() was timed on the first ${naive.refPlaces} places only (its time grows linearly with the places) and not compared` : `allocateReference() gives the same referrals: ${naive.same}`}.`,
        );
      };
      row(
        `(c) worker RSS peak during the allocation run (baseline: worker RSS idle before 09:00)`,
        `${fmt(byKind.allocation.workerPeak)} MiB`,
        `${fmt(c.workerIdle)} MiB`,
        fmt(byKind.allocation.workerPeak / c.workerIdle, 2),
      );
      row(
        `(c) worker RSS peak over all the 09:00 tasks (baseline: the same)`,
        `${fmt(m.peak.worker)} MiB`,
        `${fmt(c.workerIdle)} MiB`,
        fmt(m.peak.worker / c.workerIdle, 2),
      );
      row(
        `(c) queuePosition p50 / p99 from another client (4 connections) during the allocation run (baseline: same client, idle, 10 s before)`,
        `${msf(pct(c.during, 50))} / ${msf(pct(c.during, 99))}`,
        `${msf(pct(c.idle, 50))} / ${msf(pct(c.idle, 99))}`,
        ratio(pct(c.during, 99), pct(c.idle, 99)),
      );
      notes.push(
        `(c) the 09:00 tasks ran in the worker (ROLE=worker) ${secs(m.waitedMs)} after the clock was moved (its 30 s catch-up tick): ${m.tasks.map((t) => `${t.kind} ${secs(t.ms)} (worker RSS peak ${fmt(t.workerPeak)} MiB)`).join(', ')}; ` +
          `allocation run: ${fmt(c.run.referrals_issued)} referrals for ${fmt(c.run.vacancies_considered)} places, ${c.taskNote}; API RSS peak ${fmt(m.peak.api)} MiB. ` +
          `PostgreSQL sessions during the 09:00 tasks: ${m.waited}. queuePosition during the allocation: ${fmt(c.during.length)} answers (${fmt(c.during.length / Math.max(1, c.byKind.allocation.ms / 1000), 1)}/s), during the largest locality's task p50 / p99 ${msf(pct(c.duringBig, 50))} / ${msf(pct(c.duringBig, 99))} (${fmt(c.duringBig.length)} answers); idle ${fmt(c.idle.length)} answers in 10 s.`,
      );
      row(
        `(d) bulletins (09:00 job): ${fmt(d1?.summary?.vacated ?? NaN)} entries (baseline: the 30 s target)`,
        secs(d1?.ms ?? NaN),
        `${TARGET_S} s`,
        fmt((d1?.ms ?? NaN) / 1000 / TARGET_S, 2),
      );
      const od = byKind['open-data'];
      row(
        `(d) open data: the 09:00 freeze of the day's files (baseline: the 30 s target)`,
        secs(od?.ms ?? NaN),
        `${TARGET_S} s`,
        fmt((od?.ms ?? NaN) / 1000 / TARGET_S, 2),
      );
      if (od?.summary?.error) notes.push(`(d) open data freeze reported an error: ${od.summary.error}`);
      const rem = byKind['deadline-reminders'];
      if (rem)
        notes.push(
          `(d) other 09:00 tasks: open-place-notice ${secs(byKind['open-place-notice']?.ms ?? NaN)} (${JSON.stringify(byKind['open-place-notice']?.summary ?? {})}), deadline-reminders ${secs(rem.ms)} (${JSON.stringify(rem.summary)}).`,
        );

      if (!STEPS.has('d')) {
        for (const p2 of procs.splice(0)) await p2.stop();
        await naiveRow();
        break measure;
      }
      // Open data rendered live over HTTP (today's file: every queue), after the morning's changes.
      log("(d) open data: live render of today's queues.csv over HTTP …");
      try {
        const t = performance.now();
        const r = await fetch(`${api.url}/opendata/${BULLETIN_DATE}/queues.csv`);
        const text = await r.text();
        const ms = performance.now() - t;
        const t2 = performance.now();
        const r2 = await fetch(`${api.url}/opendata/${BULLETIN_DATE}/queues.csv`);
        await r2.text();
        const ms2 = performance.now() - t2;
        row(
          `(d) open data: GET /opendata/${BULLETIN_DATE}/queues.csv live, first request (${r.status}, ${fmt(text.length / 2 ** 20, 1)} MiB, ${fmt(text.split('\n').length - 2)} rows) (baseline: the 30 s target)`,
          secs(ms),
          `${TARGET_S} s`,
          fmt(ms / 1000 / TARGET_S, 2),
        );
        notes.push(`(d) open data: a second request for the same file right after took ${msf(ms2)} (${r2.status}).`);
      } catch (e) {
        notes.push(`(d) open data live render failed: ${e.message}`);
      }

      log(`(d) midnight sweeps of ${AT_MIDNIGHT} …`);
      const mid = await scheduledAt(api, worker, db, AT_MIDNIGHT, adminToken);
      const midMs = mid.end - mid.start;
      row(
        `(d) midnight sweeps (${mid.tasks.map((t) => t.kind).join(', ')}): wall time (baseline: the 30 s target)`,
        secs(midMs),
        `${TARGET_S} s`,
        fmt(midMs / 1000 / TARGET_S, 2),
      );
      notes.push(
        `(d) midnight ${AT_MIDNIGHT}: ${mid.tasks.map((t) => `${t.kind} ${secs(t.ms)} ${JSON.stringify(t.summary)}`).join('; ')}; worker RSS peak ${fmt(mid.peak.worker)} MiB.`,
      );

      const open = (
        await db.query(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE locality = $1)::int AS big FROM vacancy WHERE status = 'PUBLISHED' AND open_at IS NOT NULL`,
          [BIG],
        )
      ).rows[0];
      log(`(d) open-place notices at ${AT_NOTICE} (${open.n} places past their window) …`);
      const ntc = await scheduledAt(api, worker, db, AT_NOTICE, adminToken);
      const nk = Object.fromEntries(ntc.tasks.map((t) => [t.kind, t]));
      row(
        `(d) open-place notices, 24 h after the bulletin: ${fmt(open.n)} open places (${fmt(open.big)} in ${BIG}) (baseline: the 30 s target)`,
        secs(nk['open-place-notice']?.ms ?? NaN),
        `${TARGET_S} s`,
        fmt((nk['open-place-notice']?.ms ?? NaN) / 1000 / TARGET_S, 2),
      );
      notes.push(
        `(d) 09:00 of the next day: ${ntc.tasks.map((t) => `${t.kind} ${secs(t.ms)} ${JSON.stringify(t.summary)} (worker RSS peak ${fmt(t.workerPeak)} MiB)`).join('; ')}.`,
      );

      for (const s of procs.splice(0)) await s.stop();

      log('(d) fairness audit (CLI, whole ledger) …');
      const events = (await db.query(`SELECT count(*)::int AS n FROM ledger_event`)).rows[0].n;
      const audit = await runAudit(url);
      const rep = audit.report;
      row(
        `(d) fairness audit, npm run audit:fairness (${fmt(events)} ledger events): wall time of the CLI (baseline: the 30 s target)`,
        audit.stopped
          ? `> ${secs(AUDIT_TIMEOUT_MS)} (stopped)`
          : audit.code === 0 || audit.code === 1
            ? secs(audit.ms)
            : `failed (exit ${audit.code})`,
        `${TARGET_S} s`,
        fmt(audit.ms / 1000 / TARGET_S, 2),
      );
      notes.push(
        `(d) fairness audit: exit ${audit.code}, ${rep ? `ok ${rep.ok}, ${rep.violations?.length ?? '?'} violations, ${fmt(rep.referralsChecked ?? NaN)} referrals checked, ${fmt(rep.ms)} ms inside the CLI` : `no JSON report (${audit.err.slice(0, 300)} ${audit.out})`}; CLI peak RSS ${fmt(audit.peak)} MiB.` +
          (rep?.violations?.length
            ? ` Violations by check: ${JSON.stringify(rep.violations.reduce((m, v) => ({ ...m, [v.check]: (m[v.check] ?? 0) + 1 }), {}))}; the first: ${JSON.stringify(rep.violations[0]).slice(0, 1500)}`
            : ''),
      );

      await naiveRow();
    }
  } finally {
    for (const s of procs.splice(0)) await s.stop().catch(() => {});
    await db?.end().catch(() => {});
    if (keep) log(`kept the measured database ${name}`);
    else await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((e) => log(`drop ${name}: ${e.message}`));
  }
  const load1 = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const meta =
    `\`npm run bench -- --scale${size !== 1_000_000 ? ` --scale-size ${size}` : ''}\` on ${new Date().toISOString()}: ${cpus().length} CPUs (nproc; ${cpus()[0]?.model ?? '?'}), ` +
    `${fmt(totalmem() / 2 ** 30, 0)} GiB memory, load average ${load0} at start and ${load1} at the end, PostgreSQL ${pgVersion} on 127.0.0.1, Node ${process.version}; ` +
    `mode: API and worker as separate processes (ROLE=api, ROLE=worker), simulated clock, BullMQ on PostgreSQL; ${fmt(size)} applications; ${fmt((Date.now() - started) / 1000)} s in all. ` +
    'Load generator, servers and database share the machine.';
  const { table, md } = sectionText(meta);
  process.stdout.write(`\n${table}\n\n`);
  writeSection(md);
  log(`written to ${RESULTS} (${SECTION})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { size: { type: 'string' }, keep: { type: 'boolean' }, db: { type: 'string' } },
  });
  runScale({
    size: Number(values.size ?? 1_000_000),
    keep: values.keep ?? false,
    db: values.db ?? null,
  }).then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${e.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
