import { VacancyService } from '../../src/vacancy/vacancy.service.js';
import { createTestApp, ok, type TestApp } from '../utils/app.js';
import { actual as actualIn, expected as expectedIn } from '../utils/allocation-check.js';
import { createOrg, publish, register } from '../utils/fixtures.js';
import { childEnv, ensureBuilt, freePort, startServer, tempDir, type ServerProcess } from '../utils/process.js';
import { LIVE_REFERRAL_STATUSES_SQL } from '../../src/referral/domain/referral-state.js';

/** The referrals a single in-memory run of the pure function would issue, per locality. */
const expected = (t: TestApp, localities: string[], at: Date): Promise<Set<string>> => expectedIn(t.ds, localities, at);
const actual = (t: TestApp, localities: string[]): Promise<Set<string>> => actualIn(t.ds, localities);

async function seed(t: TestApp, prefix: string, n: number): Promise<string[]> {
  const locs: string[] = [];
  for (let i = 0; i < n; i++) {
    const loc = `${prefix}${String(i).padStart(5, '0')}`;
    locs.push(loc);
    const org = await createOrg(t, `Org ${loc}`, loc);
    for (let k = 0; k < 6; k++) {
      await register(t, { locality: loc, birthDate: `2023-0${(k % 9) + 1}-1${k % 9}`, priorityCategories: k === 3 ? ['TEACHER'] : [] });
    }
    await publish(t, org, { count: 4 });
  }
  return locs;
}

describe('scale-out: allocation shared by worker processes; SIGKILL mid-run loses nothing', () => {
  let t: TestApp;
  const workers: ServerProcess[] = [];
  beforeAll(async () => {
    ensureBuilt();
    t = await createTestApp({ worker: false });
  }, 240_000);
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL').catch(() => undefined);
    await t.close();
  });

  const startWorker = async (extra: Record<string, string> = {}): Promise<ServerProcess> => {
    const w = startServer(
      childEnv({
        ...extra,
        ROLE: 'worker',
        PORT: String(await freePort()),
        DATABASE_URL: t.ctx.databaseUrl,
        REDIS_URL: process.env.REDIS_URL,
        JOBS_PREFIX: t.ctx.config.JOBS_PREFIX,
        JWT_SECRET: 'x'.repeat(32),
        DATA_DIR: tempDir('kezek-w-'),
        SCHEDULES: '0',
        LOG_LEVEL: 'info',
      }),
    );
    workers.push(w);
    await w.waitForOutput('worker started', 60_000);
    return w;
  };

  it('two worker processes share one run and give the same result as one pure run', async () => {
    const locs = await seed(t, '7522', 10);
    const at = new Date();
    await t.app.get(VacancyService).publishBulletins(at);
    const want = await expected(t, locs, new Date());
    expect(want.size).toBe(10 * 4);
    await Promise.all([startWorker(), startWorker()]);
    const run = ok(
      await t.gql(`mutation { runAllocation { id referralsIssued vacanciesConsidered localities } }`, {}, t.admin),
    ).runAllocation;
    expect(run.referralsIssued).toBe(40);
    expect(await actual(t, locs)).toEqual(want);
    const byWorker = await t.ds.query(`SELECT worker, count(*)::int AS n FROM allocation_task WHERE run_id = $1 GROUP BY worker`, [run.id]);
    expect(byWorker.length).toBe(2);
    for (const w of workers.splice(0)) await w.stop('SIGTERM');
  }, 180_000);

  it('a worker SIGKILLed in the middle of a run: the restarted worker finishes it, no duplicate, nothing lost', async () => {
    const locs = await seed(t, '7523', 8);
    // Today's bulletin was frozen by the first test: let the bulletin job run again for the new places.
    await t.ds.query(`DELETE FROM bulletin_publication`);
    expect((await t.app.get(VacancyService).publishBulletins(new Date())).vacated).toBe(8 * 4);
    const want = await expected(t, locs, new Date());
    // Fault-injection hook (ignored in production): each locality holds its transaction 400 ms.
    const w1 = await startWorker({ ALLOCATION_TASK_DELAY_MS: '400' });
    const pending = t.gql(`mutation { runAllocation { id referralsIssued } }`, {}, t.admin);
    // Kill as soon as the first locality is committed.
    for (let i = 0; i < 2000; i++) {
      const done = await t.ds.query(
        `SELECT count(*)::int AS n FROM allocation_task t JOIN allocation_run r ON r.id = t.run_id WHERE t.locality LIKE '7523%' AND t.status = 'DONE'`,
      );
      if (done[0].n > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    w1.child.kill('SIGKILL');
    await w1.exited;
    const left = await t.ds.query(`SELECT count(*)::int AS n FROM allocation_task WHERE locality LIKE '7523%' AND status = 'PENDING'`);
    expect(left[0].n).toBeGreaterThan(0);
    await startWorker();
    const run = ok(await pending).runAllocation;
    expect(run.referralsIssued).toBe(want.size);
    expect(await actual(t, locs)).toEqual(want);
    const dupV = await t.ds.query(
      `SELECT vacancy_id FROM referral WHERE status IN ${LIVE_REFERRAL_STATUSES_SQL} GROUP BY vacancy_id HAVING count(*) > 1`,
    );
    const dupA = await t.ds.query(
      `SELECT application_id FROM referral WHERE status IN ${LIVE_REFERRAL_STATUSES_SQL} GROUP BY application_id HAVING count(*) > 1`,
    );
    expect(dupV).toEqual([]);
    expect(dupA).toEqual([]);
    const referred = await t.ds.query(`SELECT count(*)::int AS n FROM application WHERE locality LIKE '7523%' AND status = 'REFERRED'`);
    expect(referred[0].n).toBe(want.size);
  }, 180_000);
});
