#!/usr/bin/env node
// Times the scheduled jobs at the national shape: open-place notices (09:00) and the midnight sweeps
// (referral expiry, stop-list release, age-out, category-claim lapse, proactive-offer lapse).
//
//   npm run -s build
//   node bench/scale-sweeps.mjs [--apps 1000000] [--big 200000] [--open-places 200] [--due 20000]
//                               [--only notice,expire,release,ageout,lapse,proactive] [--dist dist/src,/other/dist/src]
//                               [--keep-template]
//
// Creates kezek_sweeps_<pid>_tpl on BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres),
// migrates it with the first --dist, seeds it (bench/scale-seed-sweeps.mjs), then for every dist and job
// clones it (CREATE DATABASE ... TEMPLATE), boots the Nest context of that build on the clone in a fresh
// process (role api: no scheduler runs by itself), calls the job once at the seed's instant and prints wall
// time, the process's peak RSS and heap growth (sampled every 20 ms) and a digest of what the job wrote
// (ledger events, notifications, states),
// so that two builds can be compared on the same data: the same digest means the same effect.
// Drops every database it created.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { AT_MIDNIGHT, AT_NOTICE, seed } from './scale-seed-sweeps.mjs';

const { values: args } = parseArgs({
  options: {
    apps: { type: 'string' },
    big: { type: 'string' },
    'open-places': { type: 'string' },
    due: { type: 'string' },
    history: { type: 'string' },
    only: { type: 'string' },
    dist: { type: 'string' },
    template: { type: 'string' },
    'keep-template': { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});
const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DISTS = (args.dist ?? 'dist/src').split(',').map((d) => resolve(d));
const JOBS = (args.only ?? 'notice,expire,release,ageout,lapse,proactive').split(',');
const log = (m) => process.stderr.write(`[sweeps] ${m}\n`);
const num = (v) => (v === undefined ? undefined : Number(v));

const dbUrl = (db) => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
};
async function admin(sql) {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** What a job wrote, as digests that two builds must agree on. */
async function digest(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(`SELECT
      (SELECT count(*) FROM ledger_event)::int AS events,
      (SELECT md5(coalesce(string_agg(type || '|' || entity_id || '|' || actor || '|' || at::text || '|' || data::text, ',' ORDER BY entity_id, type, data::text), '')) FROM ledger_event) AS ledger,
      (SELECT count(*) FROM notification WHERE stage <> 'APPLICATION_REGISTERED')::int AS texts,
      (SELECT md5(coalesce(string_agg(idempotency_key || '|' || coalesce(application_id::text, '') || '|' || phone || '|' || text || '|' || created_at::text, ',' ORDER BY idempotency_key), ''))
         FROM notification WHERE stage <> 'APPLICATION_REGISTERED') AS notifications,
      (SELECT md5(string_agg(id::text || status || coalesce(archive_reason, '') || coalesce(stop_listed_until::text, '') || updated_at::text, ',' ORDER BY id)) FROM application) AS applications,
      (SELECT md5(string_agg(id::text || status || coalesce(closed_at::text, '') || coalesce(close_reason, ''), ',' ORDER BY id)) FROM referral) AS referrals,
      (SELECT md5(string_agg(id::text || status || coalesce(open_at::text, '') || coalesce(open_notified_at::text, ''), ',' ORDER BY id)) FROM vacancy) AS vacancies,
      (SELECT md5(coalesce(string_agg(application_id::text || starts_on::text || coalesce(until::text, '') || coalesce(ended_at::text, ''), ',' ORDER BY application_id, starts_on), '')) FROM stop_list_entry) AS stops,
      (SELECT md5(string_agg(application_id::text || category_code || status, ',' ORDER BY application_id, category_code)) FROM category_claim) AS claims,
      (SELECT count(*) FROM referral_exclusion)::int AS exclusions`);
    return r.rows[0];
  } finally {
    await c.end();
  }
}

async function runJob(dist, job, url) {
  const { boot } = await import(join(dist, 'platform/boot.js'));
  const { createKezekApp } = await import(join(dist, 'app.factory.js'));
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: url,
    JWT_SECRET: 'kezek-bench-secret-0123456789abcdef',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'kezek-sweeps-')),
    LOG_LEVEL: 'silent',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    JOBS_PREFIX: `sweeps${process.pid}`,
    ROLE: 'api',
  };
  const ctx = await boot(env);
  const app = await createKezekApp(ctx, 'api');
  await app.init();
  const get = async (path, name) => app.get((await import(join(dist, path)))[name]);
  const call = {
    notice: async () => (await get('referral/allocation.service.js', 'AllocationService')).noticeOpenPlaces(new Date(AT_NOTICE)),
    expire: async () => (await get('referral/referral-lifecycle.service.js', 'ReferralLifecycleService')).expireDue(new Date(AT_MIDNIGHT)),
    release: async () => (await get('referral/stop-list.service.js', 'StopListService')).releaseDue(new Date(AT_MIDNIGHT)),
    ageout: async () => (await get('archive/archive.service.js', 'ArchiveService')).ageOut(new Date(AT_MIDNIGHT)),
    lapse: async () => (await get('queue/priority-claims.service.js', 'PriorityClaimsService')).lapseClaims(new Date(AT_MIDNIGHT)),
    proactive: async () => (await get('proactive/proactive.service.js', 'ProactiveService')).lapse(new Date(AT_MIDNIGHT)),
  }[job];
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  let peak = rss0;
  let heapPeak = heap0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
  }, 20);
  const t0 = process.hrtime.bigint();
  let summary;
  try {
    summary = await call();
  } finally {
    clearInterval(sampler);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  peak = Math.max(peak, process.memoryUsage().rss);

  // A second call must find nothing left to do (idempotency).
  const again = await call();
  await app.close();
  await ctx.shutdown();
  return { ms, rssGrowthMb: (peak - rss0) / 2 ** 20, heapPeakGrowthMb: (heapPeak - heap0) / 2 ** 20, summary, again };
}

// Child mode (one job of one build in a fresh process, so that memory figures are its own):
// --child <job>,<dist>,<database url>; prints the result as JSON.
if (args.child) {
  const [job, dist, url] = args.child.split(',');
  const r = await runJob(dist, job, url);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}

const template = args.template ?? `kezek_sweeps_${process.pid}_tpl`;
const made = [];
try {
  if (!args.template) {
    await admin(`CREATE DATABASE ${template}`);
    made.push(template);
    const { runMigrations, createDataSource } = await import(join(DISTS[0], 'platform/database/data-source.js'));
    const ds = createDataSource(dbUrl(template), 2);
    await ds.initialize();
    await runMigrations(ds);
    await ds.destroy();
    const t = Date.now();
    await seed(dbUrl(template), {
      apps: num(args.apps),
      big: num(args.big),
      openPlaces: num(args['open-places']),
      due: num(args.due),
      history: num(args.history),
      log,
    });
    log(`seeded ${template} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  }
  const out = [];
  for (const job of JOBS) {
    for (const dist of DISTS) {
      const db = `kezek_sweeps_${process.pid}_run`;
      await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin(`CREATE DATABASE ${db} TEMPLATE ${template}`);
      made.push(db);
      // Migrations of this build (an index the build adds) are part of the set-up, not of the timing.
      const { runMigrations, createDataSource } = await import(join(dist, 'platform/database/data-source.js'));
      const ds = createDataSource(dbUrl(db), 2);
      await ds.initialize();
      const applied = await runMigrations(ds);
      if (applied.length) await ds.query('ANALYZE');
      await ds.destroy();
      const r = JSON.parse(
        execFileSync(process.execPath, ['--expose-gc', process.argv[1], '--child', `${job},${dist},${dbUrl(db)}`], {
          encoding: 'utf8',
          maxBuffer: 1 << 26,
          stdio: ['ignore', 'pipe', 'inherit'],
        }),
      );
      const d = await digest(dbUrl(db));
      const line = {
        job,
        dist,
        ms: Math.round(r.ms),
        rssGrowthMb: Math.round(r.rssGrowthMb),
        heapPeakGrowthMb: Math.round(r.heapPeakGrowthMb),
        summary: r.summary,
        again: r.again,
        ...d,
      };
      out.push(line);
      log(JSON.stringify(line));
      await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    }
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
} finally {
  if (!args['keep-template']) {
    for (const db of made) await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
  }
  process.exit(0);
}
