import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When the families that fit an open place were told about it (once per place). */
export class OpenPlaceNotice1764000000080 implements MigrationInterface {
  name = 'OpenPlaceNotice1764000000080';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vacancy ADD COLUMN open_notified_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vacancy DROP COLUMN open_notified_at`);
  }
}
