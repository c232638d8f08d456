import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { ALMATY_OFFSET_MS } from '../clock/time-zone.js';
import { LOCK_KEYS } from '../database/locks.js';

const DAY_MS = 24 * 3600_000;

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
  ) {}

  register(task: DailyTask): void {
    if (!this.tasks.some((t) => t.kind === task.kind)) this.tasks.push(task);
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
      for (const { at, task } of due) {
        const done = (await runner.query(`SELECT 1 FROM scheduled_run WHERE kind = $1 AND due_at = $2`, [task.kind, at])) as unknown[];
        if (done.length) continue;
        const summary = (await task.run(at)) ?? {};
        await runner.query(
          `INSERT INTO scheduled_run (kind, due_at, done_at, summary) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING`,
          [task.kind, at, this.clock.now(), JSON.stringify(summary)],
        );
        // Progress is durable task by task; since stays just before `at` so that tasks due at the
        // same instant and not yet done are still found after a crash (done ones are skipped above).
        await runner.query(`UPDATE scheduler_state SET since = $1 WHERE id = 1 AND since < $1`, [new Date(at.getTime() - 1)]);
        ran++;
        this.log.log({ task: task.kind, dueAt: at.toISOString(), summary }, 'scheduled task done');
      }
      await runner.query(`UPDATE scheduler_state SET since = $1 WHERE id = 1 AND since < $1`, [now]);
      return ran;
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [LOCK_KEYS.scheduler]).catch(() => undefined);
      await runner.release();
    }
  }
}
