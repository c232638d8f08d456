import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The age-out sweep (QueueService.ageOut) finds the live applications by birth date, not by reading the table. */
export class AgeOutIndex1764000000096 implements MigrationInterface {
  name = 'AgeOutIndex1764000000096';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_application_live_birth ON application (child_birth_date) WHERE status IN ('QUEUED','STOP_LISTED')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_application_live_birth`);
  }
}
