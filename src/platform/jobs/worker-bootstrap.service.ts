import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ENV_CONFIG, type EnvConfig } from '../config/config.js';
import { Metrics } from '../metrics/metrics.js';
import { JobName, QueueName, SCHEDULES } from './job-names.js';
import { JobRegistry } from './job-registry.js';
import { JobsService } from './jobs.service.js';
import { SchedulerService } from './scheduler.service.js';

/** How often a worker checks that the job backend still holds every schedule. */
const SCHEDULE_WATCHDOG_MS = 15_000;

/**
 * Worker start-up: one BullMQ worker per queue dispatching to the registry, the cluster-wide job
 * schedulers upserted (stale ones removed), and an immediate catch-up so missed days run now.
 * While running, a watchdog puts back schedules the backend lost (a cache-only Redis restarted empty)
 * and runs the catch-up at once, so an outage of the job backend delays the daily events, never drops them.
 */
@Injectable()
export class WorkerBootstrap implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Worker');
  private watchdog?: NodeJS.Timeout;
  private checking = false;

  constructor(
    @Inject(ENV_CONFIG) private readonly config: EnvConfig,
    private readonly jobs: JobsService,
    private readonly registry: JobRegistry,
    private readonly scheduler: SchedulerService,
    private readonly metrics: Metrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.registry.handle(QueueName.Schedule, JobName.CatchUp, async () => ({ ran: await this.scheduler.catchUp() }));
    for (const [queue, handlers] of this.registry.handlers) {
      const dispatch = async (job: Job): Promise<unknown> => {
        const fn = handlers.get(job.name as JobName);
        if (!fn) throw new Error(`no handler for job ${queue}/${job.name}`);
        const end = this.metrics.jobDuration.startTimer({ queue, name: job.name });
        try {
          const out = await fn((job.data ?? {}) as Record<string, unknown>);
          this.metrics.jobs.inc({ queue, name: job.name, outcome: 'completed' });
          return out;
        } catch (e) {
          this.metrics.jobs.inc({ queue, name: job.name, outcome: 'failed' });
          this.log.warn({ queue, job: job.name, err: (e as Error).message }, 'job failed');
          throw e;
        } finally {
          end();
        }
      };
      this.jobs.work(queue, dispatch, this.registry.concurrency.get(queue) ?? 1);
    }
    if (this.config.SCHEDULES) {
      await this.upsertSchedules();
      this.watchdog = setInterval(() => void this.restoreSchedules(), SCHEDULE_WATCHDOG_MS);
      this.watchdog.unref();
    }
    for (const hook of this.registry.startHooks) {
      await hook().catch((e: Error) => this.log.warn({ err: e.message }, 'start-up reconciliation failed'));
    }
    // Reconcile on start: whatever fell due while no worker ran is done now (idempotent).
    await this.jobs.add(QueueName.Schedule, JobName.CatchUp, { reason: 'startup' });
    this.log.log(`worker started (${this.jobs.backend} job backend)`);
  }

  onApplicationShutdown(): void {
    clearInterval(this.watchdog);
  }

  /** Puts back every declared schedule the backend no longer has (one check at a time). */
  private async restoreSchedules(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const missing: string[] = [];
      for (const s of SCHEDULES) {
        if (await this.jobs.queue(s.queue).getJobScheduler(s.id)) continue;
        await this.jobs.queue(s.queue).upsertJobScheduler(s.id, s.repeat, { name: s.job, data: {} });
        missing.push(s.id);
      }
      if (!missing.length) return;
      await this.jobs.add(QueueName.Schedule, JobName.CatchUp, { reason: 'schedules-restored' });
      this.log.log({ restored: missing }, 'job schedules restored');
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'schedule check failed (job backend unavailable?)');
    } finally {
      this.checking = false;
    }
  }

  private async upsertSchedules(): Promise<void> {
    const byQueue = new Map<QueueName, Set<string>>();
    for (const s of SCHEDULES) {
      await this.jobs.queue(s.queue).upsertJobScheduler(s.id, s.repeat, { name: s.job, data: {} });
      byQueue.set(s.queue, (byQueue.get(s.queue) ?? new Set()).add(s.id));
    }
    for (const queue of Object.values(QueueName)) {
      const declared = byQueue.get(queue) ?? new Set<string>();
      const existing = await this.jobs.queue(queue).getJobSchedulers();
      for (const s of existing) {
        const id = s.key ?? s.id;
        if (id && !declared.has(id)) await this.jobs.queue(queue).removeJobScheduler(id);
      }
    }
  }
}
