import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { boot, type BootContext } from '../src/platform/boot.js';
import { SystemClock } from '../src/platform/clock/clock.js';
import { eventHash } from '../src/ledger/domain/hashing.js';
import { LedgerSealerService } from '../src/ledger/ledger-sealer.service.js';
import { LedgerTreeService } from '../src/ledger/ledger-tree.service.js';
import { TreeHeadSigner } from '../src/ledger/tree-head-signer.js';
import { LedgerVerifierService } from '../src/ledger/ledger-verifier.service.js';

/**
 * Measures sealing and full verification of a large ledger in a scratch database:
 *   npm run -s build && node dist/bench/ledger-verify.bench.js
 * DATABASE_URL (any database of a server where we may CREATE DATABASE) → a scratch database
 * kezek_bench_<time> there, dropped afterwards; without it, an embedded PostgreSQL in a temp dir.
 * LEDGER_BENCH_EVENTS (default 1000000), LEDGER_BENCH_BATCH (verify batch, default 10000).
 */
const N = Number(process.env.LEDGER_BENCH_EVENTS ?? 1_000_000);
const BATCH = process.env.LEDGER_BENCH_BATCH ? Number(process.env.LEDGER_BENCH_BATCH) : undefined;

const log = (m: string): void => void process.stdout.write(`${m}\n`);
const secs = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
    srv.on('error', reject);
  });
}

/** Canonical JSON of the synthetic event, built in SQL exactly as canonicalJson() would (keys sorted). */
const CANONICAL = `'{"actor":"system","at":"' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  || '","data":{"i":' || i || ',"kind":"bench"},"entity":"organization","entityId":"bench-' || i || '","type":"bench.event"}'`;

async function fill(ctx: BootContext): Promise<void> {
  const chunk = 100_000;
  for (let from = 1; from <= N; from += chunk) {
    const to = Math.min(N, from + chunk - 1);
    await ctx.dataSource.query(
      `INSERT INTO ledger_event (at, type, entity, entity_id, actor, data, hash)
       SELECT at, 'bench.event', 'organization', 'bench-' || i, 'system', jsonb_build_object('i', i, 'kind', 'bench'),
              encode(digest(${CANONICAL}, 'sha256'), 'hex')
       FROM (SELECT i, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 millisecond' AS at FROM generate_series($1::int, $2::int) i) s
       ORDER BY i`,
      [from, to],
    );
  }
  const [r]: { at: string; i: number; hash: string }[] = await ctx.dataSource.query(
    `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, (data->>'i')::int AS i, hash FROM ledger_event ORDER BY seq LIMIT 1`,
  );
  const js = eventHash({
    at: r.at,
    type: 'bench.event',
    entity: 'organization',
    entityId: `bench-${r.i}`,
    actor: 'system',
    data: { i: r.i, kind: 'bench' },
  });
  if (js !== r.hash) throw new Error('synthetic hashes differ from eventHash(): the SQL canonical form is wrong');
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kezek-bench-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
  };
  let scratch: { admin: string; db: string } | null = null;
  if (process.env.DATABASE_URL) {
    const db = `kezek_bench_${Date.now()}`;
    const admin = process.env.DATABASE_URL;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${db}`);
    await c.end();
    const u = new URL(admin);
    u.pathname = `/${db}`;
    env.DATABASE_URL = u.toString();
    scratch = { admin, db };
  } else {
    env.EMBEDDED_PG_PORT = String(await freePort());
  }
  const ctx = await boot(env, log);
  try {
    const server: { v: string }[] = await ctx.dataSource.query(`SELECT current_setting('server_version') AS v`);
    log(
      `PostgreSQL ${server[0].v}${scratch ? '' : ' (embedded)'}; ${N} events; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    let t0 = process.hrtime.bigint();
    await fill(ctx);
    log(`insert (SQL generate_series, hashes by pgcrypto): ${secs(t0).toFixed(1)} s`);
    await ctx.dataSource.query(`VACUUM ANALYZE ledger_event`);

    const tree = new LedgerTreeService(ctx.dataSource, new TreeHeadSigner(ctx.config));
    const sealer = new LedgerSealerService(ctx.dataSource, new SystemClock(), tree);
    t0 = process.hrtime.bigint();
    const sealed = await sealer.seal();
    log(`seal: ${sealed.events} events into ${sealed.blocks} blocks in ${secs(t0).toFixed(1)} s`);
    await ctx.dataSource.query(`VACUUM ANALYZE ledger_event`);

    const verifier = new LedgerVerifierService(ctx.dataSource);
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const cpu0 = process.cpuUsage();
    t0 = process.hrtime.bigint();
    const v = await verifier.verify({ batch: BATCH });
    const tVerify = secs(t0);
    const cpu = process.cpuUsage(cpu0);
    clearInterval(timer);
    log(
      `verify (valid=${v.valid}): ${v.checkedEvents} events, ${v.blocks} blocks in ${tVerify.toFixed(1)} s ` +
        `= ${Math.round(v.checkedEvents / tVerify)} events/s; Node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; RSS ${(rss0 / 2 ** 20).toFixed(0)} → peak ${(peak / 2 ** 20).toFixed(0)} MiB`,
    );
    if (!v.valid) throw new Error(`untouched ledger reported invalid: ${v.reason}`);

    const mid = Math.floor(N * 0.9);
    // The ledger tables refuse UPDATE (append-only triggers): tamper as a superuser would, triggers off.
    await ctx.dataSource.transaction(async (em) => {
      await em.query(`SET LOCAL session_replication_role = replica`);
      await em.query(`UPDATE ledger_event SET data = jsonb_set(data, '{kind}', '"forged"') WHERE seq = $1`, [mid]);
    });
    t0 = process.hrtime.bigint();
    const bad = await verifier.verify({ batch: BATCH });
    log(`verify after editing event ${mid}: valid=${bad.valid}, block ${bad.firstInvalidSeq} (${bad.reason}) in ${secs(t0).toFixed(1)} s`);
    if (bad.valid) throw new Error('tampering not detected');
  } finally {
    await ctx.shutdown();
    if (scratch) {
      const c = new pg.Client({ connectionString: scratch.admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${scratch.db} WITH (FORCE)`);
      await c.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
