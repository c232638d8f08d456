import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { signToken } from '../../src/auth/jwt.js';
import { loadConfig } from '../../src/platform/config/config.js';
import { MIN_JWT_SECRET_BYTES, resolveJwtSecret } from '../../src/platform/config/jwt-secret.js';
import { MAX_TASK_ATTEMPTS, SchedulerService } from '../../src/platform/jobs/scheduler.service.js';
import { createTestApp, errorCode, ok, TEST_JWT_SECRET, type TestApp } from '../utils/app.js';
import { childEnv, ensureBuilt, freePort, MAIN, runNode, startServer, tempDir, TOKEN_CLI } from '../utils/process.js';

/** Issue 18 items 2, 6, 7, 9: metrics, JWT, scheduled work that fails, production guards. */

const SECRET32 = 'hardening-platform-secret-0123456789';

async function metricsText(url: string, token?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, text: await res.text() };
}

function series(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

describe('production guards (item 9)', () => {
  const prod = {
    NODE_ENV: 'production',
    JWT_SECRET: SECRET32,
    LEDGER_SIGNING_KEY: '/nonexistent/key.pem',
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: 'https://sms.example/send',
  };

  it('refuses SIMULATION=1 and SMS_PROVIDER=log under NODE_ENV=production unless ALLOW_IN_PRODUCTION names them', () => {
    expect(() => loadConfig({ ...prod, SIMULATION: '1' })).toThrow(/SIMULATION=1 is refused when NODE_ENV=production/);
    expect(() => loadConfig({ ...prod, SMS_PROVIDER: 'log' })).toThrow(/SMS_PROVIDER=log is refused when NODE_ENV=production/);
    expect(() => loadConfig({ ...prod, SIMULATION: '1', ALLOW_IN_PRODUCTION: 'sms-log' })).toThrow(/SIMULATION=1 is refused/);
    expect(loadConfig({ ...prod, SIMULATION: '1', ALLOW_IN_PRODUCTION: 'simulation' }).SIMULATION).toBe(true);
    expect(loadConfig({ ...prod, SMS_PROVIDER: 'log', ALLOW_IN_PRODUCTION: 'sms-log' }).SMS_PROVIDER).toBe('log');
    expect(
      loadConfig({ ...prod, SIMULATION: '1', SMS_PROVIDER: 'log', ALLOW_IN_PRODUCTION: 'simulation, sms-log,no-civil-registry' })
        .SIMULATION,
    ).toBe(true);
    expect(() => loadConfig({ ...prod, ALLOW_IN_PRODUCTION: 'everything' })).toThrow(/ALLOW_IN_PRODUCTION names everything/);
    // Outside production both stay the development defaults.
    expect(loadConfig({ SIMULATION: '1' }).SMS_PROVIDER).toBe('log');
  });

  it('the built server exits 1 with one line on stderr; named in ALLOW_IN_PRODUCTION it goes on (to the database)', async () => {
    ensureBuilt();
    const dir = tempDir('kezek-guard-');
    const refused = await runNode(MAIN, [], childEnv({ ...prod, SMS_PROVIDER: 'log', DATA_DIR: dir }), 60_000);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^Invalid configuration: SMS_PROVIDER=log is refused when NODE_ENV=production/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    const allowed = await runNode(
      MAIN,
      [],
      childEnv({ ...prod, SMS_PROVIDER: 'log', ALLOW_IN_PRODUCTION: 'sms-log', DATABASE_URL: 'postgres://u@127.0.0.1:1/x', DATA_DIR: dir }),
      60_000,
    );
    expect(allowed.code).toBe(1);
    expect(allowed.stderr).toMatch(/^Cannot connect to the database/);
  }, 240_000);
});

describe('JWT secret file (item 6)', () => {
  it('is generated once, complete, 0600, with no temporary file left; an empty or short file is refused', () => {
    const dir = tempDir('kezek-jwt-');
    const a = resolveJwtSecret(undefined, dir);
    expect(Buffer.byteLength(a)).toBeGreaterThanOrEqual(MIN_JWT_SECRET_BYTES);
    expect(resolveJwtSecret(undefined, dir)).toBe(a);
    expect(readdirSync(dir)).toEqual(['jwt-secret']);
    expect(statSync(join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);

    writeFileSync(join(dir, 'jwt-secret'), '');
    expect(() => resolveJwtSecret(undefined, dir)).toThrow(/empty/);
    writeFileSync(join(dir, 'jwt-secret'), 'short-secret\n');
    expect(() => resolveJwtSecret(undefined, dir)).toThrow(/shorter than 32 bytes/);
    expect(() => resolveJwtSecret('x'.repeat(31), dir)).toThrow(/JWT_SECRET .*shorter than 32 bytes/);
    expect(resolveJwtSecret('x'.repeat(32), dir)).toBe('x'.repeat(32));
  });

  it('the token CLI refuses an empty secret file and a lifetime above the cap', async () => {
    ensureBuilt();
    const dir = tempDir('kezek-jwtcli-');
    writeFileSync(join(dir, 'jwt-secret'), '');
    const empty = await runNode(TOKEN_CLI, ['--role', 'ADMIN'], childEnv({ DATA_DIR: dir }));
    expect(empty.code).toBe(1);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toMatch(/empty/);
    const long = await runNode(TOKEN_CLI, ['--role', 'ADMIN', '--hours', '100'], childEnv({ DATA_DIR: dir, JWT_SECRET: SECRET32 }));
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/--hours must be at most 24/);
    const withIss = await runNode(
      TOKEN_CLI,
      ['--role', 'ADMIN'],
      childEnv({ DATA_DIR: dir, JWT_SECRET: SECRET32, JWT_ISSUER: 'kezek-test', JWT_AUDIENCE: 'kezek-api' }),
    );
    expect(withIss.code).toBe(0);
    expect(jwt.decode(withIss.stdout.trim())).toMatchObject({ iss: 'kezek-test', aud: 'kezek-api' });
    expect(existsSync(join(dir, 'jwt-secret'))).toBe(true);
  }, 240_000);
});

describe('tokens over HTTP, metrics labels and token, failing scheduled work (items 2, 6, 7)', () => {
  let t: TestApp;
  const METRICS_TOKEN = 'metrics-token-0123456789';
  beforeAll(async () => {
    ensureBuilt();
    t = await createTestApp({
      simulation: '2026-09-01T10:00:00+05:00',
      env: { SCHEDULES: '0', METRICS_TOKEN, JWT_ISSUER: 'kezek-test', JWT_AUDIENCE: 'kezek-api' },
    });
  }, 240_000);
  afterAll(async () => {
    await t.close();
  });

  const policy = { issuer: 'kezek-test', audience: 'kezek-api' };
  const admin = (): string => signToken(TEST_JWT_SECRET, { sub: 'admin-hardening', role: 'ADMIN' }, 3600, policy);

  it('a token without exp, one living longer than the cap, or without the configured iss/aud is UNAUTHENTICATED', async () => {
    expect(ok(await t.gql('{ now }', {}, admin()))).toBeDefined();
    const noExp = jwt.sign({ sub: 'a', role: 'ADMIN', iss: 'kezek-test', aud: 'kezek-api' }, TEST_JWT_SECRET, { algorithm: 'HS256' });
    const year = signToken(TEST_JWT_SECRET, { sub: 'a', role: 'ADMIN' }, 365 * 24 * 3600, policy);
    const noIss = signToken(TEST_JWT_SECRET, { sub: 'a', role: 'ADMIN' }, 3600);
    const otherAud = signToken(TEST_JWT_SECRET, { sub: 'a', role: 'ADMIN' }, 3600, { ...policy, audience: 'another-api' });
    for (const tok of [noExp, year, noIss, otherAud]) {
      expect(errorCode(await t.gql('{ now }', {}, tok))).toBe('UNAUTHENTICATED');
    }
  });

  it('/metrics needs METRICS_TOKEN; the GraphQL histogram is labelled by root field or "other", never the operation name', async () => {
    expect((await metricsText(t.url)).status).toBe(401);
    expect((await metricsText(t.url, 'wrong-token-wrong-token')).status).toBe(401);
    for (let i = 0; i < 200; i++) {
      const r = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query Attacker${i} { now }`, operationName: `Attacker${i}` }),
      });
      expect(r.status).toBe(200);
    }
    ok(await t.gql('query Two { now a: now }'));
    ok(await t.gql('query Mixed { now __typename }'));
    const { status, text } = await metricsText(t.url, METRICS_TOKEN);
    expect(status).toBe(200);
    const counts = series(text, 'kezek_graphql_operation_duration_seconds_count');
    expect(counts.some((l) => l.includes('Attacker'))).toBe(false);
    const labels = new Set(counts.map((l) => /operation="([^"]*)"/.exec(l)?.[1]));
    expect(labels.has('now')).toBe(true);
    expect(labels.has('other')).toBe(true);
    expect([...labels].every((l) => l === 'other' || /^[a-zA-Z]+$/.test(l ?? ''))).toBe(true);
    const nowOk = counts.find((l) => l.includes('operation="now"') && l.includes('outcome="ok"'));
    expect(Number(nowOk?.split(' ').pop())).toBeGreaterThanOrEqual(201); // the 200 named ones and "Two" (aliases of one field)
    expect(counts.length).toBeLessThan(20);
  });

  it('a failing daily task is recorded, retried a bounded number of times and given up, and never stops the others or the next day', async () => {
    const scheduler = t.app.get(SchedulerService);
    const afterRuns: string[] = [];
    scheduler.register({
      kind: 'hardening-explode',
      atMinutes: 0,
      order: 0,
      run: () => Promise.reject(new Error('one bad row')),
    });
    scheduler.register({
      kind: 'hardening-after',
      atMinutes: 0,
      order: 99,
      run: (at) => {
        afterRuns.push(at.toISOString());
        return Promise.resolve({ ok: true });
      },
    });
    const day1 = '2026-09-02T10:00:00+05:00';
    ok(await t.gql('mutation ($to: DateTime!) { advanceClock(to: $to) }', { to: day1 }, admin()));
    expect(afterRuns).toEqual(['2026-09-01T19:00:00.000Z']);
    const failures = (): Promise<{ due_at: Date; attempts: number; last_error: string; gave_up_at: Date | null }[]> =>
      t.ds.query(
        `SELECT due_at, attempts, last_error, gave_up_at FROM scheduled_run_failure WHERE kind = 'hardening-explode' ORDER BY due_at`,
      );
    expect(await failures()).toMatchObject([{ attempts: 1, last_error: 'one bad row', gave_up_at: null }]);
    // The 09:00 tasks of the timetable still ran after the failure at midnight.
    const nine = (await t.ds.query(`SELECT kind FROM scheduled_run WHERE due_at = '2026-09-02T04:00:00Z'`)) as { kind: string }[];
    expect(nine.length).toBeGreaterThan(0);

    let m = (await metricsText(t.url, METRICS_TOKEN)).text;
    expect(series(m, 'kezek_scheduled_task_failures_total')).toContain(
      'kezek_scheduled_task_failures_total{task="hardening-explode",outcome="retry"} 1',
    );
    const lag = series(m, 'kezek_schedule_lag_seconds').find((l) => l.includes('task="hardening-explode"'));
    expect(Number(lag?.split(' ').pop())).toBeGreaterThanOrEqual(9 * 3600); // due at 00:00, now 10:00
    expect(series(m, 'kezek_schedule_lag_seconds')).toContain('kezek_schedule_lag_seconds{task="hardening-after"} 0');

    // The next day: the other task runs again; the failing one is tried for both days.
    ok(await t.gql('mutation ($to: DateTime!) { advanceClock(to: $to) }', { to: '2026-09-03T10:00:00+05:00' }, admin()));
    expect(afterRuns).toEqual(['2026-09-01T19:00:00.000Z', '2026-09-02T19:00:00.000Z']);
    expect((await failures()).map((f) => f.attempts)).toEqual([3, 1]); // advanceClock catches up twice (before and after the jump)

    // Later ticks retry until MAX_TASK_ATTEMPTS, then give up: recorded, alerted, skipped.
    for (let i = 0; i < MAX_TASK_ATTEMPTS; i++) await scheduler.catchUp();
    const final = await failures();
    expect(final.map((f) => f.attempts)).toEqual([MAX_TASK_ATTEMPTS, MAX_TASK_ATTEMPTS]);
    expect(final.every((f) => f.gave_up_at !== null)).toBe(true);
    expect(await scheduler.catchUp()).toBe(0); // nothing left to try
    expect((await failures()).map((f) => f.attempts)).toEqual([MAX_TASK_ATTEMPTS, MAX_TASK_ATTEMPTS]);
    const [{ since }] = (await t.ds.query(`SELECT since FROM scheduler_state WHERE id = 1`)) as { since: Date }[];
    expect(new Date(since).getTime()).toBeGreaterThanOrEqual(Date.parse('2026-09-03T05:00:00Z')); // past the given-up runs
    m = (await metricsText(t.url, METRICS_TOKEN)).text;
    expect(series(m, 'kezek_scheduled_task_failures_total')).toContain(
      'kezek_scheduled_task_failures_total{task="hardening-explode",outcome="gave_up"} 2',
    );
    expect(series(m, 'kezek_schedule_lag_seconds')).toContain('kezek_schedule_lag_seconds{task="hardening-explode"} 0');
  });
});

describe('METRICS_PORT (item 2)', () => {
  let t: TestApp;
  beforeAll(async () => {
    ensureBuilt();
    t = await createTestApp({ env: { SCHEDULES: '0' } });
  }, 240_000);
  afterAll(async () => {
    await t.close();
  });

  it('a worker serves /metrics and /health on METRICS_PORT; an API with METRICS_PORT keeps /metrics off its public port', async () => {
    const metricsPort = await freePort();
    const base = {
      DATABASE_URL: t.ctx.databaseUrl,
      REDIS_URL: process.env.REDIS_URL,
      JOBS_PREFIX: t.ctx.config.JOBS_PREFIX,
      JWT_SECRET: SECRET32,
      SCHEDULES: '0',
      LOG_LEVEL: 'info',
    };
    const worker = startServer(
      childEnv({
        ...base,
        ROLE: 'worker',
        PORT: String(await freePort()),
        METRICS_PORT: String(metricsPort),
        DATA_DIR: tempDir('kezek-mw-'),
      }),
    );
    try {
      await worker.waitForOutput('kezek worker ready', 120_000);
      const health = await fetch(`http://127.0.0.1:${metricsPort}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, jobs: { status: 'up' } } });
      const { status, text } = await metricsText(`http://127.0.0.1:${metricsPort}`);
      expect(status).toBe(200);
      expect(text).toContain('kezek_jobs_total');
      expect(text).toContain('kezek_sms_outbox_pending');
      expect(text).toContain('kezek_schedule_lag_seconds{task="bulletins"');
      expect((await fetch(`http://127.0.0.1:${metricsPort}/graphql`)).status).toBe(404);
    } finally {
      await worker.stop('SIGTERM', 30_000);
    }

    const apiMetricsPort = await freePort();
    const api = startServer(
      childEnv({
        ...base,
        ROLE: 'api',
        PORT: String(await freePort()),
        METRICS_PORT: String(apiMetricsPort),
        DATA_DIR: tempDir('kezek-ma-'),
      }),
    );
    try {
      await api.waitHealthy(120_000);
      expect((await metricsText(api.url)).status).toBe(404);
      expect((await metricsText(`http://127.0.0.1:${apiMetricsPort}`)).text).toContain('kezek_http_request_duration_seconds');
    } finally {
      await api.stop('SIGTERM', 30_000);
    }
  }, 300_000);
});
