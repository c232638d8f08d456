import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotificationService } from '../../src/notification/notification.service.js';
import { createTestApp, ok, TEST_JWT_SECRET, type TestApp } from '../utils/app.js';
import { childEnv, ensureBuilt, freePort, ROOT, runNode } from '../utils/process.js';

/**
 * Operator tooling (issue 9, points 4-6): the job dashboard at /admin/queues (ADMIN only, on the job
 * backend in use: Redis, or BullMQ's PostgreSQL backend), the operator metrics on /metrics, and the
 * `kezek` CLI run as a real process against this test's database.
 */

const KEZEK = join(ROOT, 'dist/src/cli/kezek.cli.js');
const QUEUES = ['schedule', 'allocation', 'notification', 'ledger'];

let t: TestApp;
let dataDir: string;
let deadSmsPort: number;

beforeAll(async () => {
  ensureBuilt();
  deadSmsPort = await freePort();
  // No worker: the test drives delivery itself. The SMS provider's port has nobody listening, so
  // every attempt fails; the second attempt is the last.
  t = await createTestApp({
    worker: false,
    env: {
      SMS_PROVIDER: 'http',
      SMS_HTTP_URL: `http://127.0.0.1:${deadSmsPort}/sms`,
      SMS_HTTP_TIMEOUT_MS: '500',
      SMS_MAX_ATTEMPTS: '2',
      SMS_RETRY_BASE_MS: '10',
      SMS_UNCERTAIN_RETRY_MS: '0',
    },
  });
  dataDir = mkdtempSync(join(tmpdir(), 'kezek-ops-'));
}, 240_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${t.url}${path}`, { headers, redirect: 'manual' });
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

describe('job dashboard /admin/queues', () => {
  it('401 without a token or with a bad one', async () => {
    const none = await get('/admin/queues');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect((await get('/admin/queues/api/queues')).status).toBe(401);
    expect((await get('/admin/queues', bearer('not.a.jwt'))).status).toBe(401);
    expect((await get('/admin/queues?token=not.a.jwt')).status).toBe(401);
    expect((await get('/admin/queues', { cookie: 'kezek_admin=not.a.jwt' })).status).toBe(401);
  });

  it('403 with a non-admin token', async () => {
    const staff = t.token({ role: 'ORG_STAFF', organizationId: '00000000-0000-4000-8000-000000000001' });
    const applicant = t.token({ role: 'APPLICANT', iin: '220501300017' });
    expect((await get('/admin/queues', bearer(staff))).status).toBe(403);
    expect((await get('/admin/queues/api/queues', bearer(applicant))).status).toBe(403);
    expect((await get(`/admin/queues?token=${staff}`)).status).toBe(403);
  });

  it('200 HTML for ADMIN, and its API lists every job queue on this backend', async () => {
    const page = await get('/admin/queues', bearer(t.admin));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toMatch(/<html/i);
    expect(html).toContain('/admin/queues');

    const api = await get('/admin/queues/api/queues', bearer(t.admin));
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string; counts: Record<string, number> }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual([...QUEUES].sort());
    for (const q of body.queues) expect(q.counts).toEqual(expect.objectContaining({ waiting: expect.any(Number) }));
  });

  it('?token= moves the token into an HttpOnly cookie and redirects; the cookie then serves pages and assets', async () => {
    const first = await get(`/admin/queues?token=${t.admin}`);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/admin/queues');
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^kezek_admin=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/admin\/queues/i);
    const cookie = setCookie.split(';')[0];

    const page = await get('/admin/queues', { cookie });
    expect(page.status).toBe(200);
    const html = await page.text();
    const asset = /(?:src|href)="([^"]*static\/[^"]+\.(?:js|css))"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const assetPath = asset!.startsWith('/') ? asset! : `/admin/queues/${asset!}`;
    expect((await get(assetPath, { cookie })).status).toBe(200);
    expect((await get(assetPath)).status).toBe(401);
  });
});

describe('/metrics for operators', () => {
  it('job queue depth per queue and state, sampled at scrape', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    for (const q of QUEUES) {
      for (const state of ['waiting', 'delayed', 'failed']) {
        expect(text).toMatch(new RegExp(`^kezek_job_queue_jobs\\{queue="${q}",state="${state}"\\} \\d+`, 'm'));
      }
      expect(text).toMatch(new RegExp(`^kezek_job_queue_waiting\\{queue="${q}"\\} \\d+`, 'm'));
    }
  });

  it('allocation run duration histogram', async () => {
    ok(await t.gql('mutation { runAllocation { id } }', {}, t.admin));
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/^kezek_allocation_run_duration_seconds_count\{trigger="manual"\} [1-9]/m);
    expect(text).toMatch(/^kezek_allocation_run_duration_seconds_bucket\{le="\+Inf",trigger="manual"\} [1-9]/m);
  });

  it('SMS delivery failures by outcome: a retry, then the final failure', async () => {
    const before = await (await fetch(`${t.url}/metrics`)).text();
    expect(before).toMatch(/^kezek_sms_delivery_failures_total\{outcome="retry"\} 0$/m);
    expect(before).toMatch(/^kezek_sms_delivery_failures_total\{outcome="failed"\} 0$/m);
    const notifications = t.app.get(NotificationService);
    await t.ds.transaction((em) =>
      notifications.enqueue(em, {
        phone: '+77010000001',
        language: 'kk',
        stage: 'APPLICATION_REGISTERED',
        key: `ops-metrics-test:${Date.now()}`,
        params: { number: 'TEST-1', queueNumber: 1 },
        at: new Date(),
      }),
    );
    // Attempt 1 fails and is retried (the retry is due ~10 ms later), attempt 2 is the last.
    const total = { sent: 0, failed: 0, retried: 0 };
    for (let i = 0; i < 100 && total.failed === 0; i++) {
      const r = await notifications.deliverDue();
      total.sent += r.sent;
      total.failed += r.failed;
      total.retried += r.retried;
      if (total.failed === 0) await new Promise((res) => setTimeout(res, 50));
    }
    expect(total).toEqual({ sent: 0, failed: 1, retried: 1 });
    const after = await (await fetch(`${t.url}/metrics`)).text();
    expect(after).toMatch(/^kezek_sms_delivery_failures_total\{outcome="retry"\} 1$/m);
    expect(after).toMatch(/^kezek_sms_delivery_failures_total\{outcome="failed"\} 1$/m);
  });
});

describe('kezek CLI (built, as a process, on this test database)', () => {
  const env = (): NodeJS.ProcessEnv =>
    childEnv({
      DATABASE_URL: t.ctx.databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      DATA_DIR: dataDir,
      JOBS_PREFIX: t.ctx.config.JOBS_PREFIX,
      REDIS_URL: process.env.REDIS_URL,
    });

  it('help: 0; no command, an unknown one or a bad option: 2', async () => {
    const help = await runNode(KEZEK, ['help'], env());
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/allocate[\s\S]*bulletin --date[\s\S]*catch-up[\s\S]*verify-ledger[\s\S]*export --out/);
    const cases = [
      [],
      ['frobnicate'],
      ['allocate', '--bogus'],
      ['bulletin'],
      ['bulletin', '--date', '2026-02-30'],
      ['token', '--role', 'ROOT'],
    ];
    const results = await Promise.all(cases.map((args) => runNode(KEZEK, args, env(), 90_000)));
    expect(results.map((r) => r.code)).toEqual(cases.map(() => 2));
    expect(results.map((r) => r.stdout)).toEqual(cases.map(() => ''));
  }, 120_000);

  it('token: a JWT the server accepts', async () => {
    const r = await runNode(KEZEK, ['token', '--role', 'ADMIN'], env());
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect((await get('/admin/queues', bearer(token))).status).toBe(200);
  }, 60_000);

  it('allocate: records a run with trigger cli', async () => {
    const r = await runNode(KEZEK, ['allocate', '--json'], env(), 90_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout) as { id: string; referralsIssued: number };
    const rows: { trigger: string; finished_at: Date | null }[] = await t.ds.query(
      `SELECT trigger, finished_at FROM allocation_run WHERE id = $1`,
      [run.id],
    );
    expect(rows[0]).toMatchObject({ trigger: 'cli' });
    expect(rows[0].finished_at).not.toBeNull();
  }, 100_000);

  it('bulletin --date: publishes once, then reports it was already published; a future date is refused', async () => {
    const first = await runNode(KEZEK, ['bulletin', '--date', '2026-01-05'], env(), 90_000);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/bulletins of 2026-01-05 published: 0 vacated, 0 revoked/);
    const again = await runNode(KEZEK, ['bulletin', '--date', '2026-01-05', '--json'], env(), 90_000);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ date: '2026-01-05', alreadyPublished: true });
    const rows: unknown[] = await t.ds.query(`SELECT 1 FROM bulletin_publication WHERE bulletin_date = '2026-01-05'`);
    expect(rows.length).toBe(2);
    const future = await runNode(KEZEK, ['bulletin', '--date', '2999-01-01'], env(), 90_000);
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/has not come yet/);
  }, 200_000);

  it('catch-up and verify-ledger: exit 0 on a sound database', async () => {
    const c = await runNode(KEZEK, ['catch-up'], env(), 90_000);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^catch-up: \d+ scheduled task\(s\) ran/);
    const v = await runNode(KEZEK, ['verify-ledger', '--json'], env(), 90_000);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true });
  }, 200_000);

  it('a database that cannot be reached: exit 1 with one line', async () => {
    const port = await freePort();
    const r = await runNode(KEZEK, ['catch-up'], { ...env(), DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nope` });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/Cannot connect to the database/);
  }, 60_000);
});
