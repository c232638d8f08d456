import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const QUEUE_SAMPLE_TIMEOUT_MS = 2000;
export const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed'] as const;
export interface QueueSample {
  queue: string;
  counts: Partial<Record<(typeof QUEUE_STATES)[number], number>>;
}

export interface OutboxSample {
  due: number;
  retry: number;
  overdueSeconds: number;
}
type SampleSource = 'queues' | 'outbox' | 'schedule';

/** One registry per process (prom-client's global one would leak between test apps). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'kezek_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly graphqlDuration = new Histogram({
    name: 'kezek_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency',
    labelNames: ['operation', 'type', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly jobs = new Counter({
    name: 'kezek_jobs_total',
    help: 'Jobs processed by outcome',
    labelNames: ['queue', 'name', 'outcome'],
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'kezek_job_duration_seconds',
    help: 'Job run time',
    labelNames: ['queue', 'name'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
    registers: [this.registry],
  });
  readonly referralsIssued = new Counter({
    name: 'kezek_referrals_issued_total',
    help: 'Referrals issued by allocation runs and claims',
    registers: [this.registry],
  });
  readonly referralsExpired = new Counter({
    name: 'kezek_referrals_expired_total',
    help: 'Referrals expired by the sweep',
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'kezek_job_queue_waiting',
    help: 'Jobs waiting per job queue (sampled at scrape)',
    labelNames: ['queue'],
    registers: [this.registry],
    collect: () => this.sample('queues'),
  });
  /** Waiting, delayed, active and failed jobs per queue, read from the job backend at each scrape. */
  readonly queueJobs = new Gauge({
    name: 'kezek_job_queue_jobs',
    help: 'Jobs per job queue and state (sampled at scrape)',
    labelNames: ['queue', 'state'],
    registers: [this.registry],
    collect: () => this.sample('queues'),
  });
  readonly allocationDuration = new Histogram({
    name: 'kezek_allocation_run_duration_seconds',
    help: 'Wall time of allocation runs (all localities), by trigger',
    labelNames: ['trigger'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly smsFailures = new Counter({
    name: 'kezek_sms_delivery_failures_total',
    help: 'Failed SMS delivery attempts: outcome=retry (will be retried) or failed (given up, FAILED)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly smsSent = new Counter({
    name: 'kezek_sms_sent_total',
    help: 'Texts accepted by the SMS provider',
    registers: [this.registry],
  });
  /** Texts the provider has not accepted yet, read from the outbox at each scrape. */
  readonly smsOutbox = new Gauge({
    name: 'kezek_sms_outbox_pending',
    help: 'Texts not yet accepted by the provider (PENDING): state=due (to send now) or retry (waiting for a retry or a lease); sampled at scrape',
    labelNames: ['state'],
    registers: [this.registry],
    collect: () => this.sample('outbox'),
  });
  readonly smsOverdue = new Gauge({
    name: 'kezek_sms_outbox_overdue_seconds',
    help: 'How long the longest-waiting due text has been due (0 when none): delivery lag; sampled at scrape',
    registers: [this.registry],
    collect: () => this.sample('outbox'),
  });
  readonly readReplicaFallbacks = new Counter({
    name: 'kezek_read_replica_fallbacks_total',
    help: 'Reads meant for the read replica (DATABASE_READ_URL) that the primary served because the replica could not',
    registers: [this.registry],
  });

  /** Daily tasks (SchedulerService) whose run failed: outcome=retry (retried on the next tick) or gave_up. */
  readonly scheduledTaskFailures = new Counter({
    name: 'kezek_scheduled_task_failures_total',
    help: 'Failed runs of daily tasks: outcome=retry (retried on a later tick) or gave_up (recorded in scheduled_run_failure and skipped)',
    labelNames: ['task', 'outcome'],
    registers: [this.registry],
  });
  /** How far behind each daily task is, read from the scheduler at each scrape. */
  readonly scheduleLag = new Gauge({
    name: 'kezek_schedule_lag_seconds',
    help: 'Per daily task: seconds since its oldest due run that is neither done nor given up (0 when up to date); sampled at scrape',
    labelNames: ['task'],
    registers: [this.registry],
    collect: () => this.sample('schedule'),
  });

  private readonly samplers = new Map<SampleSource, () => Promise<void>>();
  private readonly sampling = new Map<SampleSource, Promise<void>>();

  /** The job backend to sample at scrape (JobsService registers itself). */
  sampleJobQueuesWith(sampler: () => Promise<QueueSample[]>): void {
    this.samplers.set('queues', async () => {
      for (const s of await sampler()) {
        for (const state of QUEUE_STATES) this.queueJobs.set({ queue: s.queue, state }, s.counts[state] ?? 0);
        this.queueDepth.set({ queue: s.queue }, s.counts.waiting ?? 0);
      }
    });
  }

  /** The text outbox to sample at scrape (NotificationService registers itself). */
  sampleOutboxWith(sampler: () => Promise<OutboxSample>): void {
    this.samplers.set('outbox', async () => {
      const o = await sampler();
      this.smsOutbox.set({ state: 'due' }, o.due);
      this.smsOutbox.set({ state: 'retry' }, o.retry);
      this.smsOverdue.set(o.overdueSeconds);
    });
  }

  /** The scheduler's lag per task to sample at scrape (SchedulerService registers itself). */
  sampleScheduleLagWith(sampler: () => Promise<Record<string, number>>): void {
    this.samplers.set('schedule', async () => {
      for (const [task, seconds] of Object.entries(await sampler())) this.scheduleLag.set({ task }, seconds);
    });
  }

  /**
   * One read of a source per scrape, shared by its gauges; bounded so a scrape always answers (a source
   * that is down or slow keeps its last values; /health reports it).
   */
  private sample(source: SampleSource): Promise<void> {
    const read = this.samplers.get(source);
    if (!read) return Promise.resolve();
    let p = this.sampling.get(source);
    if (!p) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), QUEUE_SAMPLE_TIMEOUT_MS);
        timer.unref();
      });
      p = Promise.race([read(), timeout])
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(timer);
          this.sampling.delete(source);
        });
      this.sampling.set(source, p);
    }
    return p;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'kezek_' });
    // Both series exist from the start (0), so rate() and alerts work before the first failure.
    for (const outcome of ['retry', 'failed']) this.smsFailures.inc({ outcome }, 0);
  }
}
