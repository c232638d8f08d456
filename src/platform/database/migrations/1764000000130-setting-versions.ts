import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Settings as rules with dates (src/settings/domain/setting-versions.ts): every version of a setting with
 * the Almaty day it takes effect. The values stored so far become the versions in force since the start;
 * `setting` stays the value in force today (kept by SettingsService for SQL that reads it).
 */
export class SettingVersions1764000000130 implements MigrationInterface {
  name = 'SettingVersions1764000000130';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE setting_version (
        key text NOT NULL,
        effective_from date NOT NULL,
        value jsonb NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        changed_by text,
        CONSTRAINT pk_setting_version PRIMARY KEY (key, effective_from)
      )`);
    await q.query(
      `INSERT INTO setting_version (key, effective_from, value, changed_at, changed_by)
       SELECT key, DATE '2000-01-01', value, updated_at, updated_by FROM setting`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS setting_version`);
  }
}
