/** Central names of job queues and jobs (jobs carry ids and primitives only). */
export enum QueueName {
  Schedule = 'schedule',
  Allocation = 'allocation',
  Notification = 'notification',
  Ledger = 'ledger',
}

export enum JobName {
  /** Runs every scheduled event (09:00 bulletins + allocation, 00:00 sweeps) that is due and not yet done. */
  CatchUp = 'catch-up',
  AllocateLocality = 'allocate-locality',
  DeliverNotifications = 'deliver-notifications',
  PollDeliveryReports = 'poll-delivery-reports',
  SealLedger = 'seal-ledger',
}

export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} as const;

export interface ScheduleDecl {
  id: string;
  queue: QueueName;
  job: JobName;
  repeat: { pattern: string; tz: string } | { every: number };
}

/** Cluster-wide schedules, upserted by the worker at start (stable ids; stale ids removed). */
export const SCHEDULES: ScheduleDecl[] = [
  { id: 'bulletin-0900', queue: QueueName.Schedule, job: JobName.CatchUp, repeat: { pattern: '0 9 * * *', tz: 'Asia/Almaty' } },
  { id: 'midnight-0000', queue: QueueName.Schedule, job: JobName.CatchUp, repeat: { pattern: '0 0 * * *', tz: 'Asia/Almaty' } },
  { id: 'catch-up-tick', queue: QueueName.Schedule, job: JobName.CatchUp, repeat: { every: 30_000 } },
  { id: 'deliver-tick', queue: QueueName.Notification, job: JobName.DeliverNotifications, repeat: { every: 3_000 } },
  { id: 'delivery-reports-tick', queue: QueueName.Notification, job: JobName.PollDeliveryReports, repeat: { every: 60_000 } },
  { id: 'seal-tick', queue: QueueName.Ledger, job: JobName.SealLedger, repeat: { every: 5_000 } },
];
