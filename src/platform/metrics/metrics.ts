import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'kezek_' });
  }
}
