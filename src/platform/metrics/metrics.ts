import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const QUEUE_SAMPLE_TIMEOUT_MS = 2000;
export const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed'] as const;
export interface QueueSample {
  queue: string;
  counts: Partial<Record<(typeof QUEUE_STATES)[number], number>>;
}

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
    collect: () => this.sampleQueues(),
  });
  /** Waiting, delayed, active and failed jobs per queue, read from the job backend at each scrape. */
  readonly queueJobs = new Gauge({
    name: 'kezek_job_queue_jobs',
    help: 'Jobs per job queue and state (sampled at scrape)',
    labelNames: ['queue', 'state'],
    registers: [this.registry],
    collect: () => this.sampleQueues(),
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
  readonly readReplicaFallbacks = new Counter({
    name: 'kezek_read_replica_fallbacks_total',
    help: 'Reads meant for the read replica (DATABASE_READ_URL) that the primary served because the replica could not',
    registers: [this.registry],
  });

  private queueSampler: (() => Promise<QueueSample[]>) | null = null;
  private sampling: Promise<void> | null = null;

  /** The job backend to sample at scrape (JobsService registers itself). */
  sampleJobQueuesWith(sampler: () => Promise<QueueSample[]>): void {
    this.queueSampler = sampler;
  }

  /** One read of the backend per scrape, shared by both gauges; bounded so a scrape always answers. */
  private sampleQueues(): Promise<void> {
    this.sampling ??= this.readQueues().finally(() => {
      this.sampling = null;
    });
    return this.sampling;
  }

  private async readQueues(): Promise<void> {
    const sampler = this.queueSampler;
    if (!sampler) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), QUEUE_SAMPLE_TIMEOUT_MS);
      timer.unref();
    });
    try {
      const samples = await Promise.race([sampler(), timeout]);
      for (const s of samples) {
        for (const state of QUEUE_STATES) this.queueJobs.set({ queue: s.queue, state }, s.counts[state] ?? 0);
        this.queueDepth.set({ queue: s.queue }, s.counts.waiting ?? 0);
      }
    } catch {
      // Backend down or slow: /health reports it; the scrape still answers with the last values.
    } finally {
      clearTimeout(timer);
    }
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'kezek_' });
    // Both series exist from the start (0), so rate() and alerts work before the first failure.
    for (const outcome of ['retry', 'failed']) this.smsFailures.inc({ outcome }, 0);
  }
}
