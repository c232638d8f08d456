import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { ALMATY_OFFSET_MS } from '../clock/time-zone.js';
import { LOCK_KEYS } from '../database/locks.js';
import { Metrics } from '../metrics/metrics.js';

const DAY_MS = 24 * 3600_000;

/** Attempts of one due run of a task (one per catch-up tick) before it is given up (recorded, alerted, skipped). */
export const MAX_TASK_ATTEMPTS = 5;

export interface DailyTask {
  /** Stable name, part of the idempotency key (kind, due instant). */
  kind: string;
  /** Local Asia/Almaty time of day, minutes after midnight. */
  atMinutes: number;
  /** Order among tasks due at the same instant (bulletin before allocation, …). */
  order: number;
  run(dueAt: Date): Promise<Record<string, unknown> | void>;
}

/** Instants in (from, to] at which a task with local time `atMinutes` is due. */
export function dueInstants(from: Date, to: Date, atMinutes: number): Date[] {
  const out: Date[] = [];
  const localFromDay = Math.floor((from.getTime() + ALMATY_OFFSET_MS) / DAY_MS);
  const localToDay = Math.floor((to.getTime() + ALMATY_OFFSET_MS) / DAY_MS);
  for (let d = localFromDay; d <= localToDay; d++) {
    const t = d * DAY_MS - ALMATY_OFFSET_MS + atMinutes * 60_000;
    if (t > from.getTime() && t <= to.getTime()) out.push(new Date(t));
  }
  return out;
}

/**
 * Postgres-driven scheduler: every daily event (09:00 bulletins and allocation, 00:00 sweeps) is
 * derived from `scheduler_state.since` and the clock, and recorded in `scheduled_run` once done.
 * The BullMQ job schedulers only wake it up; a worker that was down catches up on start, and
 * `advanceClock` runs the skipped days in time order. Safe to call concurrently (advisory lock).
 */
@Injectable()
export class SchedulerService {
  private readonly log = new Logger(SchedulerService.name);
  private readonly tasks: DailyTask[] = [];

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {
    metrics.sampleScheduleLagWith(() => this.lag());
  }

  register(task: DailyTask): void {
    if (this.tasks.some((t) => t.kind === task.kind)) return;
    this.tasks.push(task);
    // Both series exist from the start (0), so alerts on increase() work before the first failure.
    for (const outcome of ['retry', 'gave_up']) this.metrics.scheduledTaskFailures.inc({ task: task.kind, outcome }, 0);
  }

  /**
   * Seconds each task is behind: now − its oldest due run that is neither done nor given up (0 when none).
   * Read at scrape (kezek_schedule_lag_seconds).
   */
  async lag(now: Date = this.clock.now()): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    const state = (await this.ds.query(`SELECT since FROM scheduler_state WHERE id = 1`)) as { since: Date }[];
    const since = state[0]?.since;
    for (const task of this.tasks) {
      out[task.kind] = 0;
      if (!since) continue;
      const due = dueInstants(since, now, task.atMinutes);
      if (!due.length) continue;
      const settled = (await this.ds.query(
        `SELECT due_at FROM scheduled_run WHERE kind = $1 AND due_at = ANY($2::timestamptz[])
         UNION SELECT due_at FROM scheduled_run_failure WHERE kind = $1 AND due_at = ANY($2::timestamptz[]) AND gave_up_at IS NOT NULL`,
        [task.kind, due.map((d) => d.toISOString())],
      )) as { due_at: Date }[];
      const done = new Set(settled.map((r) => new Date(r.due_at).getTime()));
      const oldest = due.find((d) => !done.has(d.getTime()));
      if (oldest) out[task.kind] = Math.max(0, (now.getTime() - oldest.getTime()) / 1000);
    }
    return out;
  }

  get registered(): readonly DailyTask[] {
    return this.tasks;
  }

  /** Runs every due, not yet done task up to `now`, in time order. Returns how many ran. */
  async catchUp(now: Date = this.clock.now()): Promise<number> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    let ran = 0;
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [LOCK_KEYS.scheduler]);
      await runner.query(`INSERT INTO scheduler_state (id, since) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, [now]);
      const [{ since }] = (await runner.query(`SELECT since FROM scheduler_state WHERE id = 1`)) as { since: Date }[];
      if (now.getTime() <= since.getTime()) return 0;
      const due: { at: Date; task: DailyTask }[] = [];
      for (const task of this.tasks) {
        for (const at of dueInstants(since, now, task.atMinutes)) due.push({ at, task });
      }
      due.sort((a, b) => a.at.getTime() - b.at.getTime() || a.task.order - b.task.order);
      // The first due run that failed and is still to be retried: `since` stays just before it, so that the
      // next tick finds it again; everything after it (other tasks, next days) still runs meanwhile.
      let retryFrom: Date | null = null;
      for (const { at, task } of due) {
        const done = (await runner.query(`SELECT 1 FROM scheduled_run WHERE kind = $1 AND due_at = $2`, [task.kind, at])) as unknown[];
        if (done.length) continue;
        const failed = (await runner.query(`SELECT attempts, gave_up_at FROM scheduled_run_failure WHERE kind = $1 AND due_at = $2`, [
          task.kind,
          at,
        ])) as { attempts: number; gave_up_at: Date | null }[];
        if (failed[0]?.gave_up_at) continue;
        let summary: Record<string, unknown>;
        try {
          summary = (await task.run(at)) ?? {};
        } catch (e) {
          const attempts = (failed[0]?.attempts ?? 0) + 1;
          const gaveUp = attempts >= MAX_TASK_ATTEMPTS;
          const message = ((e as Error)?.message ?? String(e)).slice(0, 2000);
          const failedAt = this.clock.now();
          await runner.query(
            `INSERT INTO scheduled_run_failure (kind, due_at, attempts, last_error, first_failed_at, last_failed_at, gave_up_at)
             VALUES ($1, $2, $3, $4, $5, $5, $6)
             ON CONFLICT (kind, due_at) DO UPDATE SET attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error,
               last_failed_at = EXCLUDED.last_failed_at, gave_up_at = EXCLUDED.gave_up_at`,
            [task.kind, at, attempts, message, failedAt, gaveUp ? failedAt : null],
          );
          this.metrics.scheduledTaskFailures.inc({ task: task.kind, outcome: gaveUp ? 'gave_up' : 'retry' });
          this.log.error(
            { task: task.kind, dueAt: at.toISOString(), attempts, maxAttempts: MAX_TASK_ATTEMPTS, err: message },
            gaveUp ? 'scheduled task failed: given up' : 'scheduled task failed: will retry on the next tick',
          );
          if (!gaveUp) retryFrom ??= at;
          continue;
        }
        await runner.query(
          `INSERT INTO scheduled_run (kind, due_at, done_at, summary) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING`,
          [task.kind, at, this.clock.now(), JSON.stringify(summary)],
        );
        // Progress is durable task by task; since stays just before `at` so that tasks due at the
        // same instant and not yet done are still found after a crash (done ones are skipped above).
        if (!retryFrom) {
          await runner.query(`UPDATE scheduler_state SET since = $1 WHERE id = 1 AND since < $1`, [new Date(at.getTime() - 1)]);
        }
        ran++;
        this.log.log({ task: task.kind, dueAt: at.toISOString(), summary }, 'scheduled task done');
      }
      const upTo = retryFrom ? new Date(retryFrom.getTime() - 1) : now;
      await runner.query(`UPDATE scheduler_state SET since = $1 WHERE id = 1 AND since < $1`, [upTo]);
      return ran;
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [LOCK_KEYS.scheduler]).catch(() => undefined);
      await runner.release();
    }
  }
}
