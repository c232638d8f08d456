import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The daily open data (OpenDataService, docs/OPEN_DATA.md) reads every queue, one query per (locality,
 * cohort), with the columns the ranking and the published row need. The rows of one queue are scattered
 * over the whole heap (registrations of all queues interleave), so at national size (1,000,000 QUEUED
 * applications) those queries read every heap page many times over (~11 s of the render on the bench
 * machine). This covering partial index answers each of them by an index-only scan of one contiguous
 * range (~2 s for the country); it costs ~115 MB at national size.
 */
export class OpenDataQueueIndex1764000000095 implements MigrationInterface {
  name = 'OpenDataQueueIndex1764000000095';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX ix_application_open_data ON application (locality, cohort)
         INCLUDE (priority_class, registered_at, seq, id, organization_ids, language, group_type)
         WHERE status = 'QUEUED'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_application_open_data`);
  }
}
