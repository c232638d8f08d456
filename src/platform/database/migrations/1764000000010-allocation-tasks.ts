import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One row per (run, locality): workers claim them with SKIP LOCKED, so a run is shared by processes. */
export class AllocationTasks1764000000010 implements MigrationInterface {
  name = 'AllocationTasks1764000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE allocation_task (
        run_id uuid NOT NULL REFERENCES allocation_run(id),
        locality char(9) NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING','DONE','ABANDONED')),
        worker text,
        finished_at timestamptz,
        vacancies_considered int NOT NULL DEFAULT 0,
        referrals_issued int NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, locality)
      )`);
    await q.query(`CREATE INDEX ix_allocation_task_pending ON allocation_task (run_id) WHERE status = 'PENDING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE allocation_task`);
  }
}
