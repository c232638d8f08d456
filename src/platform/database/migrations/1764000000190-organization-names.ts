import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organizations' names in Kazakh and Russian (issue 17 item 5): `name_kk`, `name_ru` beside the existing `name`
 * (kept: the name texts and the bulletin use it). Null means "the same as `name`": organizations created before,
 * and rows that bulk loaders (seeds, benchmarks, imports) write with `name` alone, read their one name in both.
 */
export class OrganizationNames1764000000190 implements MigrationInterface {
  name = 'OrganizationNames1764000000190';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization ADD COLUMN name_kk text, ADD COLUMN name_ru text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization DROP COLUMN name_kk, DROP COLUMN name_ru`);
  }
}
