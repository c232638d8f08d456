import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createPostgresBackend, Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import { ENV_CONFIG, type EnvConfig } from '../config/config.js';
import { DATABASE_URL } from '../database/database.tokens.js';
import { Metrics, QUEUE_STATES, type QueueSample } from '../metrics/metrics.js';
import { DEFAULT_JOB_OPTIONS, QueueName } from './job-names.js';

const ADD_TIMEOUT_MS = 5000;

export type JobHandler = (job: Job) => Promise<unknown>;

/**
 * The job backend: BullMQ on Redis when REDIS_URL is set, otherwise BullMQ's PostgreSQL backend in
 * its own schema of our database. Producers (API and worker) use `add`; only the worker calls `work`.
 */
@Injectable()
export class JobsService implements OnApplicationShutdown {
  private readonly log = new Logger(JobsService.name);
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];

  constructor(
    @Inject(ENV_CONFIG) private readonly config: EnvConfig,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    metrics: Metrics,
  ) {
    metrics.sampleJobQueuesWith(() => this.depths());
  }

  get backend(): 'redis' | 'postgres' {
    return this.config.REDIS_URL ? 'redis' : 'postgres';
  }

  private options(): { connection: never; prefix?: string } {
    if (this.config.REDIS_URL) {
      return {
        connection: { url: this.config.REDIS_URL, maxRetriesPerRequest: null } as never,
        prefix: this.config.JOBS_PREFIX,
      };
    }
    return {
      connection: {
        connectionString: this.databaseUrl,
        schema: `${this.config.JOBS_PREFIX}_jobs`,
        migrate: true,
        max: 5,
      } as never,
    };
  }

  private factory(): typeof createPostgresBackend | undefined {
    return this.config.REDIS_URL ? undefined : createPostgresBackend;
  }

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      const factory = this.factory();
      q = factory
        ? new Queue(name, { ...this.options(), defaultJobOptions: DEFAULT_JOB_OPTIONS }, factory as never)
        : new Queue(name, { ...this.options(), defaultJobOptions: DEFAULT_JOB_OPTIONS });
      q.on('error', (e: Error) => this.log.warn(`queue ${name}: ${e.message}`));
      this.queues.set(name, q);
    }
    return q;
  }

  /**
   * Queues a job. Bounded: with the backend away (Redis reconnecting) the call gives up after
   * ADD_TIMEOUT_MS instead of waiting for it; callers that can do the work themselves then do.
   */
  async add(queue: QueueName, name: string, data: Record<string, string | number | boolean>, opts?: JobsOptions): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`job backend did not take ${queue}/${name} within ${ADD_TIMEOUT_MS} ms`)), ADD_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.queue(queue).add(name, data, opts), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  work(name: QueueName, handler: JobHandler, concurrency: number): Worker {
    const factory = this.factory();
    const opts = { ...this.options(), concurrency, autorun: true };
    const w = factory ? new Worker(name, handler, opts, factory as never) : new Worker(name, handler, opts);
    w.on('error', (e: Error) => this.log.warn(`worker ${name}: ${e.message}`));
    this.workers.push(w);
    return w;
  }

  /** Health probe: the backend answers a cheap call. */
  async ping(): Promise<void> {
    await this.queue(QueueName.Schedule).getJobCounts('waiting');
  }

  /** Waiting, delayed, active and failed jobs of every queue (for /metrics at scrape time). */
  async depths(): Promise<QueueSample[]> {
    return Promise.all(
      Object.values(QueueName).map(async (queue) => ({
        queue,
        counts: await this.queue(queue).getJobCounts(...QUEUE_STATES),
      })),
    );
  }

  async closeWorkers(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.close()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.closeWorkers();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
