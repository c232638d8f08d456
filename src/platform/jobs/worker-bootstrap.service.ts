import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ENV_CONFIG, type EnvConfig } from '../config/config.js';
import { Metrics } from '../metrics/metrics.js';
import { JobName, QueueName, SCHEDULES } from './job-names.js';
import { JobRegistry } from './job-registry.js';
import { JobsService } from './jobs.service.js';
import { SchedulerService } from './scheduler.service.js';

/**
 * Worker start-up: one BullMQ worker per queue dispatching to the registry, the cluster-wide job
 * schedulers upserted (stale ones removed), and an immediate catch-up so missed days run now.
 */
@Injectable()
export class WorkerBootstrap implements OnApplicationBootstrap {
  private readonly log = new Logger('Worker');

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
    if (this.config.SCHEDULES) await this.upsertSchedules();
    for (const hook of this.registry.startHooks) {
      await hook().catch((e: Error) => this.log.warn({ err: e.message }, 'start-up reconciliation failed'));
    }
    // Reconcile on start: whatever fell due while no worker ran is done now (idempotent).
    await this.jobs.add(QueueName.Schedule, JobName.CatchUp, { reason: 'startup' });
    this.log.log(`worker started (${this.jobs.backend} job backend)`);
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
