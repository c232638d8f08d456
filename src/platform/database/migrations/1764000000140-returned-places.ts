import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Returned places (issue 15 item 9): a free place that had a referral came back to allocation and is judged at
 * max(its start date, the next working day). Allocation, the open-place notices and claims ask it per place
 * (src/referral/returned-places.ts RETURNED_SQL): an index on the referral's place answers without reading
 * the table.
 */
export class ReturnedPlaces1764000000140 implements MigrationInterface {
  name = 'ReturnedPlaces1764000000140';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS ix_referral_vacancy ON referral (vacancy_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_referral_vacancy`);
  }
}
