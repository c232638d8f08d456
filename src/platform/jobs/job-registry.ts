import { Injectable } from '@nestjs/common';
import type { JobName, QueueName } from './job-names.js';

export type JobFn = (data: Record<string, unknown>) => Promise<unknown>;

/** Modules register what each job does; only the worker turns the registry into BullMQ workers. */
@Injectable()
export class JobRegistry {
  readonly handlers = new Map<QueueName, Map<JobName, JobFn>>();
  readonly concurrency = new Map<QueueName, number>();
  readonly startHooks: (() => Promise<void>)[] = [];

  /** Reconciliation to run when a worker process starts (after a crash, say). */
  onWorkerStart(fn: () => Promise<void>): void {
    this.startHooks.push(fn);
  }

  handle(queue: QueueName, name: JobName, fn: JobFn, concurrency = 1): void {
    const m = this.handlers.get(queue) ?? new Map<JobName, JobFn>();
    m.set(name, fn);
    this.handlers.set(queue, m);
    this.concurrency.set(queue, Math.max(this.concurrency.get(queue) ?? 1, concurrency));
  }
}
