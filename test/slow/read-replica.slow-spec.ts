import { rmSync } from 'node:fs';
import { signToken } from '../../src/auth/jwt.js';
import { makeBin } from '../../src/platform/identifiers/iin.js';
import { applicationInput } from '../utils/fixtures.js';
import { childEnv, ensureBuilt, freePort, gqlAt, startServer, tempDir, type ServerProcess } from '../utils/process.js';
import { sql, startOwnPostgres, startStandby, type OwnPostgres, type OwnStandby } from '../utils/services.js';

/**
 * DATABASE_READ_URL against a real physical streaming replica: queuePosition and bulletins are read on
 * the standby (proved by pausing its WAL replay, which makes its answers differ from the primary's),
 * a stopped standby costs nothing but a fallback to the primary (counted, logged without personal data),
 * and reads return to the standby once it is back.
 */

const SECRET = 'read-replica-secret-0123456789-abcdef';
const ADMIN = signToken(SECRET, { sub: 'admin-test', role: 'ADMIN' });
const LOC = '751110000';
/** The places go to another locality: the 09:00 allocation must not refer anyone of the queue under test. */
const PLACES_LOC = '751120000';

const POSITION = `query($n: String) { queuePosition(number: $n) { applicationId number status queueNumber total } }`;
const BULLETIN = `query($d: Date!) { bulletin(date: $d, kind: VACATED) { position vacancy { id } } }`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

describe('read replica: queuePosition and bulletins on a streaming standby, fallback to the primary', () => {
  let primary: OwnPostgres;
  let standby: OwnStandby;
  let server: ServerProcess;
  const iins: string[] = [];
  const apps: { id: string; number: string }[] = [];
  const places: string[] = [];

  const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Record<string, any>> => {
    const r = await gqlAt(server.url, query, variables, token);
    if (r.errors?.length || !r.data) throw new Error(`GraphQL: ${JSON.stringify(r.errors ?? r)}`);
    return r.data;
  };
  const position = async (number: string): Promise<{ queueNumber: number; total: number; applicationId: string }> =>
    (await gql(POSITION, { n: number })).queuePosition;
  const bulletin = async (date: string): Promise<string[]> =>
    ((await gql(BULLETIN, { d: date })).bulletin as { vacancy: { id: string } }[]).map((e) => e.vacancy.id);
  const register = async (): Promise<{ id: string; number: string }> => {
    const input = applicationInput({ locality: LOC });
    iins.push(input.childIin as string, input.applicantIin as string);
    const a = (await gql(`mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id number } }`, { i: input }, ADMIN))
      .registerApplication as { id: string; number: string };
    apps.push(a);
    return a;
  };
  const fallbacks = async (): Promise<number> => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const m = /^kezek_read_replica_fallbacks_total (\d+)/m.exec(text);
    if (!m) throw new Error('no kezek_read_replica_fallbacks_total in /metrics');
    return Number(m[1]);
  };
  /** Transactions the standby has run in the application's database (reads of the kezek-read pool). */
  const standbyXacts = async (): Promise<number> =>
    Number((await sql(standby.adminUrl, `SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = 'kezek'`))[0].n);
  const readConnections = async (): Promise<number> =>
    (
      await sql<{ n: number }>(
        standby.adminUrl,
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'kezek-read' AND datname = 'kezek'`,
      )
    )[0].n;
  const primaryQueued = async (): Promise<number> =>
    (
      await sql<{ n: number }>(
        primary.url('kezek'),
        `SELECT count(*)::int AS n FROM application WHERE locality = $1 AND status = 'QUEUED'`,
        [LOC],
      )
    )[0].n;
  const pauseReplay = async (): Promise<void> => {
    await sql(standby.adminUrl, 'SELECT pg_wal_replay_pause()');
    await until('replay paused', async () =>
      (await sql(standby.adminUrl, 'SELECT pg_get_wal_replay_pause_state() AS s'))[0].s === 'paused' ? true : undefined,
    );
  };
  const resumeReplay = async (): Promise<void> => {
    await sql(standby.adminUrl, 'SELECT pg_wal_replay_resume()');
    await standby.caughtUp();
  };
  /** Publishes one place and moves the simulated clock past the next 09:00, which freezes its bulletin. */
  const placeInBulletin = async (org: string, at: string): Promise<void> => {
    const d = await gql(
      `mutation($i: [PublishVacancyInput!]!) { publishVacancies(input: $i) { id } }`,
      {
        i: [
          {
            organizationId: org,
            ageGroup: 'Middle',
            language: 'KK',
            ageFromMonths: 12,
            ageToMonths: 60,
            groupType: 'GENERAL',
            workMode: 'FULL_DAY',
            admissionMode: 'GENERAL',
            admissionStartDate: '2026-09-01',
            count: 1,
          },
        ],
      },
      ADMIN,
    );
    places.push(...(d.publishVacancies as { id: string }[]).map((v) => v.id));
    await gql(`mutation($to: DateTime!) { advanceClock(to: $to) }`, { to: at }, ADMIN);
  };

  let org: string;
  let dataDir: string;
  const env = (): Record<string, string> => ({
    ROLE: 'all',
    DATABASE_URL: primary.url('kezek'),
    DATABASE_READ_URL: standby.url('kezek'),
    JWT_SECRET: SECRET,
    DATA_DIR: dataDir,
    SIMULATION: '1',
    SIMULATION_START: '2026-03-02T10:00:00+05:00',
    SCHEDULES: '0',
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: '0',
  });

  beforeAll(async () => {
    ensureBuilt();
    primary = await startOwnPostgres();
    standby = await startStandby(primary);
    await primary.createDatabase('kezek');
    await standby.caughtUp();
    dataDir = tempDir('kezek-replica-');
    server = startServer(childEnv({ ...env(), PORT: String(await freePort()) }));
    await server.waitHealthy(180_000);
    org = (
      await gql(
        `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
        { i: { name: 'Replica Balapan', bin: makeBin('2003', 4242), locality: PLACES_LOC } },
        ADMIN,
      )
    ).createOrganization.id;
  }, 300_000);

  afterAll(async () => {
    await server?.stop('SIGTERM').catch(() => undefined);
    await standby?.destroy();
    await primary?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('queuePosition and the bulletin are answered by the standby', async () => {
    for (let i = 0; i < 5; i++) await register();
    await placeInBulletin(org, '2026-03-03T09:00:30+05:00');
    await placeInBulletin(org, '2026-03-04T09:00:30+05:00');
    await standby.caughtUp();

    const xacts0 = await standbyXacts();
    const t0 = Date.now();
    for (const [i, a] of apps.entries()) {
      const p = await position(a.number);
      expect(p).toMatchObject({ applicationId: a.id, queueNumber: i + 1, total: 5 });
    }
    expect(await bulletin('2026-03-03')).toEqual([places[0]]);
    console.log(`read replica: 5 queuePosition + 1 bulletin via the standby in ${Date.now() - t0} ms`);
    expect(await readConnections()).toBeGreaterThan(0);
    // Statistics reach pg_stat_database within about a second of the transactions.
    const xacts = await until(
      'standby transactions counted',
      async () => {
        const n = await standbyXacts();
        return n >= xacts0 + 6 ? n : undefined;
      },
      30_000,
    );
    console.log(`read replica: standby xact_commit ${xacts0} -> ${xacts}`);

    // Freeze the standby in the past: its answers must now differ from the primary's.
    await pauseReplay();
    const late = await register();
    await placeInBulletin(org, '2026-03-05T09:00:30+05:00');
    expect(await primaryQueued()).toBe(6);
    expect((await position(apps[0].number)).total).toBe(5);
    expect(await bulletin('2026-03-05')).toEqual([]);
    // Not yet on the standby: an application registered a moment ago is found on the primary.
    expect(await position(late.number)).toMatchObject({ applicationId: late.id, queueNumber: 6, total: 6 });
    await resumeReplay();
    expect((await position(apps[0].number)).total).toBe(6);
    expect(await bulletin('2026-03-05')).toEqual([places[2]]);
    expect(await fallbacks()).toBe(0);
  }, 300_000);

  it('standby stopped: reads fall back to the primary (counted, logged, /health 200); back up: reads return to it', async () => {
    const before = await fallbacks();
    await standby.stop();
    const t0 = Date.now();
    expect(await position(apps[0].number)).toMatchObject({ queueNumber: 1, total: 6 });
    expect(await position(apps[5].number)).toMatchObject({ queueNumber: 6, total: 6 });
    expect(await bulletin('2026-03-05')).toEqual([places[2]]);
    console.log(`read replica: 3 reads with the standby down in ${Date.now() - t0} ms`);
    const during = await fallbacks();
    // The bulletin's places are a second read: at least four reads went to the primary.
    expect(during).toBeGreaterThanOrEqual(before + 4);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { info: Record<string, Record<string, unknown>> };
    expect(body.info.database.status).toBe('up');
    expect(body.info.database_read).toMatchObject({ status: 'up', replica: 'down', readsFrom: 'primary' });
    const logs = `${server.stdout()}${server.stderr()}`;
    expect(logs).toContain('read replica unavailable');
    console.log(`read replica: ${logs.split('\n').find((l) => l.includes('read replica unavailable'))}`);
    for (const iin of iins) expect(logs).not.toContain(iin);

    await standby.start();
    await standby.caughtUp();
    // Paused again, the standby lags one application behind: reads are back on it when `total` says 6.
    await pauseReplay();
    await register();
    expect(await primaryQueued()).toBe(7);
    const back = Date.now();
    await until('reads back on the standby', async () => ((await position(apps[0].number)).total === 6 ? true : undefined), 60_000);
    console.log(`read replica: reads back on the standby ${Date.now() - back} ms after it caught up`);
    expect(await readConnections()).toBeGreaterThan(0);
    const after = await fallbacks();
    for (let i = 0; i < 3; i++) expect((await position(apps[1].number)).total).toBe(6);
    expect(await fallbacks()).toBe(after);
    expect(server.stdout()).toContain('read replica answers again');
    await resumeReplay();
    expect((await position(apps[0].number)).total).toBe(7);
    console.log(`read replica: fallbacks counted ${before} -> ${during} (down) -> ${after} (back)`);
    const h = (await (await fetch(`${server.url}/health`)).json()) as { info: Record<string, Record<string, unknown>> };
    expect(h.info.database_read).toMatchObject({ status: 'up', replica: 'up' });
  }, 300_000);

  it('a process started while the standby is down starts, reads the primary, and moves to the standby once it answers', async () => {
    await standby.stop();
    const first = server;
    server = startServer(childEnv({ ...env(), ROLE: 'api', PORT: String(await freePort()) }));
    try {
      await server.waitHealthy(180_000);
      expect(server.stdout()).toContain('does not answer');
      expect(await position(apps[0].number)).toMatchObject({ queueNumber: 1, total: 7 });
      expect(await fallbacks()).toBeGreaterThan(0);
      await standby.start();
      await standby.caughtUp();
      await pauseReplay();
      await register();
      expect(await primaryQueued()).toBe(8);
      await until('reads on the standby', async () => ((await position(apps[0].number)).total === 7 ? true : undefined), 60_000);
      await resumeReplay();
      expect((await position(apps[0].number)).total).toBe(8);
    } finally {
      await server.stop('SIGTERM');
      server = first;
    }
  }, 300_000);
});
