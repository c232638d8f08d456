import { signToken } from '../../src/auth/jwt.js';
import { createDataSource } from '../../src/platform/database/data-source.js';
import type { TestApp } from '../utils/app.js';
import { FakeMobizon } from '../utils/fake-sms-provider.js';
import { applicationInput, createOrg } from '../utils/fixtures.js';
import { assertInvariants } from '../utils/invariants.js';
import { childEnv, ensureBuilt, freePort, gqlAt, startServer, tempDir, type ServerProcess } from '../utils/process.js';
import { hasRedisServer, sql, startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from '../utils/services.js';

/**
 * Fault injection on the services themselves, with real processes: the PostgreSQL under a running
 * server is restarted under load, and the Redis under API and worker is gone for a minute (and comes
 * back empty). The server is never restarted: it must recover by itself, lose no acknowledged write,
 * and send no message twice.
 */

const SECRET = 'fault-secret-fault-secret-fault-secret';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const REDIS_OUTAGE_MS = Number(process.env.KEZEK_REDIS_OUTAGE_MS ?? 60_000);

/** The parts of TestApp the fixtures use, against a spawned server. */
function client(url: string): TestApp {
  const admin = signToken(SECRET, { sub: 'admin-fault', role: 'ADMIN' });
  return {
    admin,
    gql: (query: string, variables?: Record<string, unknown>, token?: string) => gqlAt(url, query, variables, token),
  } as unknown as TestApp;
}

async function healthStatus(url: string): Promise<number> {
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    return r.status;
  } catch {
    return 0;
  }
}

async function waitHealth(url: string, status: number, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if ((await healthStatus(url)) === status) return Date.now() - t0;
    await sleep(100);
  }
  throw new Error(`/health did not answer ${status} within ${timeoutMs} ms`);
}

interface Outcome {
  at: number;
  kind: 'register' | 'position';
  http: number;
  code?: string;
  childIin?: string;
  input?: Record<string, unknown>;
  id?: string;
  network?: string;
}

/** Mixed traffic until stopped: registrations (acknowledged ones remembered) and anonymous queue positions. */
function load(url: string, token: string, concurrency: number, pauseMs = 0): { stop(): Promise<Outcome[]> } {
  const outcomes: Outcome[] = [];
  const known: string[] = [];
  let running = true;
  const loop = async (k: number): Promise<void> => {
    let i = 0;
    while (running) {
      i++;
      if (pauseMs) await sleep(pauseMs);
      if (k % 3 === 0 && known.length) {
        const id = known[(i * 7 + k) % known.length];
        try {
          const r = await gqlAt(url, `query($id: ID) { queuePosition(applicationId: $id) { queueNumber } }`, { id });
          outcomes.push({ at: Date.now(), kind: 'position', http: r.status, code: r.errors?.[0]?.extensions?.code });
        } catch (e) {
          outcomes.push({ at: Date.now(), kind: 'position', http: 0, network: (e as Error).message });
        }
        continue;
      }
      const input = applicationInput({ birthDate: `2023-0${(i % 9) + 1}-1${k % 9}` });
      const childIin = input.childIin as string;
      try {
        const r = await gqlAt<{ registerApplication: { id: string } }>(
          url,
          `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`,
          { i: input },
          token,
        );
        const id = r.data?.registerApplication?.id;
        if (id) known.push(id);
        outcomes.push({ at: Date.now(), kind: 'register', http: r.status, code: r.errors?.[0]?.extensions?.code, childIin, input, id });
      } catch (e) {
        outcomes.push({ at: Date.now(), kind: 'register', http: 0, childIin, input, network: (e as Error).message });
      }
    }
  };
  const loops = Array.from({ length: concurrency }, (_, k) => loop(k));
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

/** SPEC invariants checkable in SQL (test/utils/invariants.ts), plus the ledger as the API verifies it. */
async function assertConsistent(dbUrl: string, serverUrl: string, admin: string): Promise<void> {
  const ds = createDataSource(dbUrl, 2);
  await ds.initialize();
  try {
    await assertInvariants(ds);
  } finally {
    await ds.destroy();
  }
  const v = await gqlAt(serverUrl, `{ ledgerVerify { valid length firstInvalidSeq } }`, {}, admin);
  expect(v.errors).toBeUndefined();
  expect(v.data?.ledgerVerify.valid).toBe(true);
}

describe('fault injection: PostgreSQL and Redis go away under a running service', () => {
  const servers: ServerProcess[] = [];
  let db: OwnPostgres | null = null;
  let redis: OwnRedis | null = null;
  let sms: FakeMobizon | null = null;

  beforeAll(() => ensureBuilt(), 240_000);
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop('SIGKILL').catch(() => undefined);
    await db?.destroy();
    await redis?.destroy();
    await sms?.close();
    db = null;
    redis = null;
    sms = null;
  });

  const spawn = async (env: Record<string, string | undefined>): Promise<ServerProcess> => {
    const s = startServer(
      childEnv({
        PORT: String(await freePort()),
        JWT_SECRET: SECRET,
        DATA_DIR: tempDir('kezek-fault-'),
        RATE_LIMIT_PER_MINUTE: '0',
        LOG_LEVEL: 'warn',
        ...env,
      }),
    );
    servers.push(s);
    return s;
  };

  it('PostgreSQL restarted under load: /health 503 then 200 by itself, no acknowledged write lost', async () => {
    db = await startOwnPostgres();
    await db.createDatabase('kezek');
    const dbUrl = db.url('kezek');
    // The job backend of this run: the machine's Redis when given, else BullMQ on the same PostgreSQL.
    const server = await spawn({
      DATABASE_URL: dbUrl,
      REDIS_URL: process.env.REDIS_URL,
      JOBS_PREFIX: `pgfault${Date.now().toString(36)}`,
      KEZEK_DEBUG_ERRORS: '1',
    });
    await server.waitHealthy(120_000);
    const c = client(server.url);
    await createOrg(c, 'Fault Org', '751110000');

    const traffic = load(server.url, c.admin, 12);
    await sleep(4000);
    const down = Date.now();
    await db.stop();
    const to503 = await waitHealth(server.url, 503, 30_000);
    // Without the database this process cannot serve: /health/serving says so too.
    expect((await fetch(`${server.url}/health/serving`, { signal: AbortSignal.timeout(5000) })).status).toBe(503);
    await sleep(5000);
    await db.start();
    const up = Date.now();
    const to200 = await waitHealth(server.url, 200, 60_000);
    await sleep(5000);
    const outcomes = await traffic.stop();

    const before = outcomes.filter((o) => o.at < down);
    const during = outcomes.filter((o) => o.at >= down && o.at < up + to200);
    const after = outcomes.filter((o) => o.at >= up + to200 + 1000);
    const codes = (os: Outcome[]): Record<string, number> => {
      const m: Record<string, number> = {};
      for (const o of os) {
        const k = o.network ? 'network' : `${o.http}:${o.code ?? 'ok'}`;
        m[k] = (m[k] ?? 0) + 1;
      }
      return m;
    };
    console.log(
      `PostgreSQL restart: /health 503 after ${to503} ms, 200 ${to200} ms after PostgreSQL was back; ` +
        `requests before ${JSON.stringify(codes(before))}, during ${JSON.stringify(codes(during))}, after ${JSON.stringify(codes(after))}`,
    );
    const unmapped = server.stderr().indexOf('unmapped error');
    if (unmapped >= 0) console.log(`errors the server did not map:\n${server.stderr().slice(unmapped, unmapped + 1500)}`);
    // The process rode it out: same pid, still serving.
    expect(server.child.exitCode).toBeNull();
    // Every answer was a well-formed GraphQL answer; a failure says the service is unavailable, never INTERNAL.
    expect(outcomes.filter((o) => o.network)).toEqual([]);
    expect(outcomes.filter((o) => o.http >= 500)).toEqual([]);
    expect(outcomes.filter((o) => o.code && o.code !== 'SERVICE_UNAVAILABLE')).toEqual([]);
    expect(during.some((o) => o.code === 'SERVICE_UNAVAILABLE')).toBe(true);
    // After recovery the service works again.
    expect(after.filter((o) => o.kind === 'register' && o.id).length).toBeGreaterThan(0);
    expect(after.filter((o) => o.code)).toEqual([]);

    // No acknowledged registration lost.
    const acked = outcomes.filter((o) => o.kind === 'register' && o.id).map((o) => o.id!);
    const stored = new Set((await sql<{ id: string }>(dbUrl, `SELECT id FROM application`)).map((r) => r.id));
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    // A registration whose answer was lost is retried by the family: it is either there (CONFLICT) or made now.
    const unknown = outcomes.filter((o) => o.kind === 'register' && !o.id);
    expect(unknown.length).toBeGreaterThan(0);
    const retried: Record<string, number> = {};
    for (const o of unknown.slice(0, 40)) {
      const r = await gqlAt(
        server.url,
        `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`,
        { i: o.input },
        c.admin,
      );
      const k = r.errors?.[0]?.extensions?.code ?? 'ok';
      retried[k] = (retried[k] ?? 0) + 1;
    }
    expect(Object.keys(retried).filter((k) => k !== 'ok' && k !== 'CONFLICT')).toEqual([]);
    // The worker side of the process came back too: the seal tick (every 5 s) seals every event.
    const t0 = Date.now();
    let unsealed = -1;
    while (Date.now() - t0 < 90_000) {
      unsealed = Number((await sql<{ n: string }>(dbUrl, `SELECT count(*) AS n FROM ledger_event WHERE block_seq IS NULL`))[0].n);
      if (unsealed === 0) break;
      await sleep(500);
    }
    expect(unsealed).toBe(0);
    await assertConsistent(dbUrl, server.url, c.admin);
    console.log(
      `PostgreSQL restart: ${acked.length} registrations acknowledged and stored, ${unknown.length} refused while down; retried: ${JSON.stringify(retried)}`,
    );
  }, 300_000);

  const redisIt = hasRedisServer() ? it : it.skip;
  redisIt(
    'Redis gone for a minute and back empty: writes go on, schedules come back, every text sent once',
    async () => {
      db = await startOwnPostgres();
      await db.createDatabase('kezek');
      const dbUrl = db.url('kezek');
      redis = await startOwnRedis();
      sms = await FakeMobizon.start();
      const common = {
        DATABASE_URL: dbUrl,
        REDIS_URL: redis.url,
        JOBS_PREFIX: 'redisfault',
        SMS_PROVIDER: 'mobizon',
        SMS_MOBIZON_API_KEY: sms.apiKey,
        SMS_MOBIZON_URL: sms.url,
        SMS_SENDER: 'Kezek',
      };
      const api = await spawn({ ...common, ROLE: 'api' });
      await api.waitHealthy(120_000);
      const worker = await spawn({ ...common, ROLE: 'worker', LOG_LEVEL: 'info' });
      await worker.waitForOutput('worker started', 120_000);
      const c = client(api.url);
      await createOrg(c, 'Redis Fault Org', '751110000');

      // Paced like families, not like a benchmark: every text owed must be deliverable soon after.
      const traffic = load(api.url, c.admin, 4, 250);
      await sleep(3000);
      const down = Date.now();
      await redis.stop();
      const to503 = await waitHealth(api.url, 503, 30_000);
      // /health/serving keeps the API in rotation: the database answers, the job backend is only reported.
      const serving = await fetch(`${api.url}/health/serving`, { signal: AbortSignal.timeout(5000) });
      expect(serving.status).toBe(200);
      expect(((await serving.json()) as { info: { jobs: unknown } }).info.jobs).toMatchObject({ status: 'up', reachable: false });
      await sleep(REDIS_OUTAGE_MS);
      await redis.start();
      const up = Date.now();
      const to200 = await waitHealth(api.url, 200, 60_000);
      await sleep(3000);
      const outcomes = await traffic.stop();
      const during = outcomes.filter((o) => o.at >= down && o.at < up);
      const acked = outcomes.filter((o) => o.kind === 'register' && o.id);

      // PostgreSQL is the truth: registrations went on while Redis was away.
      expect(during.filter((o) => o.kind === 'register' && o.id).length).toBeGreaterThan(0);
      expect(outcomes.filter((o) => o.network || o.http >= 500 || o.code)).toEqual([]);
      expect(api.child.exitCode).toBeNull();
      expect(worker.child.exitCode).toBeNull();

      // The worker puts its schedules back into the empty Redis and delivers everything owed, once.
      const t0 = Date.now();
      let pending = -1;
      while (Date.now() - t0 < 120_000) {
        pending = Number((await sql<{ n: string }>(dbUrl, `SELECT count(*) AS n FROM notification WHERE status = 'PENDING'`))[0].n);
        if (pending === 0) break;
        await sleep(500);
      }
      const drainedMs = Date.now() - t0;
      if (pending !== 0) console.log(`worker output:\n${worker.stdout().slice(-6000)}\n${worker.stderr().slice(-3000)}`);
      expect(pending).toBe(0);
      const sent = await sql<{ phone: string; text: string; status: string }>(dbUrl, `SELECT phone, text, status FROM notification`);
      expect(sent.length).toBeGreaterThanOrEqual(acked.length);
      expect(sent.filter((n) => n.status !== 'SENT' && n.status !== 'DELIVERED')).toEqual([]);
      expect([...sms.counts().values()].filter((n) => n !== 1)).toEqual([]);
      expect(sms.messages.length).toBe(sent.length);
      const schedules = worker.stdout() + worker.stderr();
      expect(schedules).toContain('job schedules restored');
      await assertConsistent(dbUrl, api.url, c.admin);
      console.log(
        `Redis outage ${REDIS_OUTAGE_MS} ms: /health 503 after ${to503} ms, 200 ${to200} ms after Redis was back; ` +
          `${during.length} requests served during the outage (${during.filter((o) => o.id).length} registrations), ${acked.length} registrations acknowledged in all; ` +
          `${sent.length} texts, each sent once, all sent ${drainedMs} ms after traffic stopped`,
      );
    },
    400_000,
  );
});
