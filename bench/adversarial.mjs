#!/usr/bin/env node
// Adversarial client (issue 18 item 1): does one anonymous client sending the worst requests it can build
// raise the p99 latency of the other clients above 2×?
//
//   node bench/adversarial.mjs [--duration S] [--clients N] [--attackers N]
//
// Starts the built server (BENCH_DIST, default dist/src: `npm run build` first) on a fresh database on
// BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres), with the production defaults of the
// request limits (RATE_LIMIT_PER_MINUTE 600, cost limits, statement_timeout) and TRUST_PROXY=loopback, so
// that each simulated client has its own address (X-Forwarded-For). Seeds 200 applications, then:
//   phase 1 (baseline): N normal clients (queuePosition by number, bulletin, { now }), each from its own address;
//   phase 2 (attack):   the same clients, plus M attacker loops from ONE anonymous address cycling through
//                       the heaviest requests that pass the limits (10 × queuePosition; 2 × ledgerVerify;
//                       vacancies(first: 100) × 9), the refused ones (500 aliases of queuePosition; a 50 KB
//                       invalid query) and whatever the rate limit answers.
// Prints p50/p99 of the normal clients in both phases and their ratio, and what the attacker got back.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.env.BENCH_DIST ?? join(ROOT, 'dist/src');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    clients: { type: 'string', default: '8' },
    attackers: { type: 'string', default: '8' },
  },
});
const DURATION_MS = Number(args.duration) * 1000;
const CLIENTS = Number(args.clients);
const ATTACKERS = Number(args.attackers);
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
function token(claims) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'bench-admin', ...claims, iat: now, exp: now + 3600 })}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function gql(url, query, variables, { auth, ip } = {}) {
  const started = performance.now();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      ...(ip ? { 'x-forwarded-for': ip } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json().catch(() => ({}));
  return { ms: performance.now() - started, status: res.status, body };
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

async function main() {
  const db = `kezek_adv_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  const dbUrl = new URL(PG_URL);
  dbUrl.pathname = `/${db}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'kezek-adv-'));
  const env = { ...process.env };
  delete env.REDIS_URL; // jobs on PostgreSQL
  delete env.DATABASE_READ_URL;
  const server = spawn(process.execPath, [join(DIST, 'main.js')], {
    env: {
      ...env,
      NODE_ENV: 'development',
      DATABASE_URL: dbUrl.toString(),
      PORT: String(port),
      JWT_SECRET: SECRET,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ROLE: 'all',
      TRUST_PROXY: 'loopback',
    },
    stdio: ['ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      if (i > 600) throw new Error('server did not start in 60 s');
      if ((await fetch(`${url}/health`).catch(() => null))?.ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const { makeBin, makeIin } = await import(join(DIST, 'platform/identifiers/iin.js'));
    const adminToken = token({ role: 'ADMIN' });
    const seedIp = '10.200.0.1';
    const org = await gql(
      url,
      `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
      { i: { name: 'Bench', bin: makeBin('2003', 4242), locality: '751110000' } },
      { auth: adminToken, ip: seedIp },
    );
    const orgId = org.body.data?.createOrganization?.id;
    const numbers = [];
    for (let n = 1; n <= 200; n++) {
      const r = await gql(
        url,
        `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { number } }`,
        {
          i: {
            childIin: makeIin('2023-03-10', n % 2 ? 'M' : 'F', n),
            childName: `Child ${n}`,
            applicantIin: makeIin('1990-01-01', 'F', n),
            phone: `+7701${String(5000000 + n).padStart(7, '0')}`,
            locality: '751110000',
            organizationIds: orgId ? [orgId] : [],
            language: 'KK',
            desiredAdmissionDate: '2025-09-01',
            priorityCategories: [],
            notificationLanguage: 'kk',
          },
        },
        { auth: adminToken, ip: `10.200.${Math.floor(n / 250)}.${(n % 250) + 1}` },
      );
      if (r.body.data?.registerApplication) numbers.push(r.body.data.registerApplication.number);
    }
    if (numbers.length < 100) throw new Error(`seeding failed: ${numbers.length} applications`);

    const today = new Date().toISOString().slice(0, 10);
    const normal = [
      (i) => [`query($n: String!) { queuePosition(number: $n) { queueNumber total } }`, { n: numbers[i % numbers.length] }],
      () => [`query($d: Date!) { bulletin(date: $d, kind: VACATED) { position } }`, { d: today }],
      () => [`{ now }`, {}],
    ];
    const n0 = numbers[0];
    const attacks = [
      `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: queuePosition(number: "${n0}") { queueNumber total }`).join(' ')} }`,
      `{ ${Array.from({ length: 2 }, (_, i) => `a${i}: ledgerVerify { valid length }`).join(' ')} }`,
      `{ ${Array.from({ length: 9 }, (_, i) => `a${i}: vacancies(first: 100) { edges { node { id } } }`).join(' ')} }`,
      `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: queuePosition(number: "${n0}") { queueNumber }`).join(' ')} }`,
      `{ ${'x '.repeat(25_000)} }`,
    ];

    async function phase(withAttack) {
      const lat = [];
      const attackOutcome = {};
      const errors = { normal: 0 };
      const stop = Date.now() + DURATION_MS;
      const clients = Array.from({ length: CLIENTS }, async (_, c) => {
        let i = c;
        while (Date.now() < stop) {
          const [q, v] = normal[i % normal.length](i);
          const r = await gql(url, q, v, { ip: `10.1.${c}.${(i % 200) + 1}` });
          if (r.status !== 200 || r.body.errors) errors.normal++;
          lat.push(r.ms);
          i++;
        }
      });
      const attackers = withAttack
        ? Array.from({ length: ATTACKERS }, async (_, a) => {
            let i = a;
            while (Date.now() < stop) {
              const r = await gql(url, attacks[i % attacks.length], {}, { ip: '10.66.6.6' }).catch(() => ({ status: 0, body: {} }));
              const k = r.body.errors?.[0]?.extensions?.code ?? (r.status === 200 ? 'ok' : `http ${r.status}`);
              attackOutcome[k] = (attackOutcome[k] ?? 0) + 1;
              i++;
            }
          })
        : [];
      await Promise.all([...clients, ...attackers]);
      return { n: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), errors: errors.normal, attackOutcome };
    }

    await phase(false); // warm-up (rate-limit windows are per address, the attacker's is fresh)
    const base = await phase(false);
    const attacked = await phase(true);
    const f = (x) => `${x.toFixed(1)} ms`;
    const out = {
      at: new Date().toISOString(),
      machine: `${cpus().length} CPUs (${cpus()[0]?.model.trim()}), load ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')} at the end; server, database and load generator on the same machine`,
      baseline: { requests: base.n, p50: f(base.p50), p99: f(base.p99), errors: base.errors },
      underAttack: { requests: attacked.n, p50: f(attacked.p50), p99: f(attacked.p99), errors: attacked.errors },
      p99Ratio: +(attacked.p99 / base.p99).toFixed(2),
      attackerGot: attacked.attackOutcome,
      settings: { durationS: DURATION_MS / 1000, clients: CLIENTS, attackerLoops: ATTACKERS },
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
