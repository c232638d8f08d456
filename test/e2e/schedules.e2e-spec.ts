import { Redis } from 'ioredis';
import { JobName, QueueName, SCHEDULES } from '../../src/platform/jobs/job-names.js';
import { JobsService } from '../../src/platform/jobs/jobs.service.js';
import { createTestApp, type TestApp } from '../utils/app.js';
import { childEnv, ensureBuilt, freePort, startServer, tempDir } from '../utils/process.js';

async function schedulerIds(jobs: JobsService): Promise<string[]> {
  const ids: string[] = [];
  for (const q of Object.values(QueueName)) {
    for (const s of await jobs.queue(q).getJobSchedulers()) ids.push(s.key ?? String(s.id));
  }
  return ids.sort();
}

describe('job schedules live in the job backend but are re-derived from code on worker start', () => {
  let t: TestApp;
  beforeAll(async () => {
    ensureBuilt();
    t = await createTestApp();
  }, 240_000);
  afterAll(async () => {
    await t.close();
  });

  it('a worker upserts every declared schedule; after the backend is wiped, a restarted worker restores them', async () => {
    const jobs = t.app.get(JobsService);
    const declared = SCHEDULES.map((s) => s.id).sort();
    expect(await schedulerIds(jobs)).toEqual(declared);
    expect(SCHEDULES.find((s) => s.id === 'bulletin-0900')?.repeat).toEqual({ pattern: '0 9 * * *', tz: 'Asia/Almaty' });
    expect(SCHEDULES.every((s) => Object.values(JobName).includes(s.job))).toBe(true);

    // Wipe the job backend: with Redis, delete every key of our prefix (what FLUSHALL does to us);
    // with the PostgreSQL backend, obliterate the queues and their schedulers.
    await jobs.closeWorkers();
    if (process.env.REDIS_URL) {
      const redis = new Redis(process.env.REDIS_URL);
      const keys = await redis.keys(`${t.ctx.config.JOBS_PREFIX}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    } else {
      for (const q of Object.values(QueueName)) {
        for (const s of await jobs.queue(q).getJobSchedulers()) await jobs.queue(q).removeJobScheduler(s.key ?? String(s.id));
        await jobs.queue(q).obliterate({ force: true });
      }
    }
    expect(await schedulerIds(jobs)).toEqual([]);

    const worker = startServer(
      childEnv({
        ROLE: 'worker',
        PORT: String(await freePort()),
        DATABASE_URL: t.ctx.databaseUrl,
        REDIS_URL: process.env.REDIS_URL,
        JOBS_PREFIX: t.ctx.config.JOBS_PREFIX,
        JWT_SECRET: 'x'.repeat(32),
        DATA_DIR: tempDir('kezek-w-'),
        LOG_LEVEL: 'info',
      }),
    );
    try {
      await worker.waitForOutput('worker started', 90_000);
      expect(await schedulerIds(jobs)).toEqual(declared);
    } finally {
      await worker.stop('SIGTERM');
    }
  }, 180_000);
});
