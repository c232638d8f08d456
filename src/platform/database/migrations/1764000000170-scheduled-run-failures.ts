import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed runs of daily tasks (src/platform/jobs/scheduler.service.ts): a task that throws is recorded here
 * with its error and retried on later ticks up to a bounded number of attempts, then given up; either
 * way the other tasks and the following days go on. `scheduled_run` keeps meaning "done".
 */
export class ScheduledRunFailures1764000000170 implements MigrationInterface {
  name = 'ScheduledRunFailures1764000000170';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scheduled_run_failure (
        kind text NOT NULL,
        due_at timestamptz NOT NULL,
        attempts integer NOT NULL,
        last_error text NOT NULL,
        first_failed_at timestamptz NOT NULL,
        last_failed_at timestamptz NOT NULL,
        gave_up_at timestamptz,
        PRIMARY KEY (kind, due_at)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scheduled_run_failure`);
  }
}
