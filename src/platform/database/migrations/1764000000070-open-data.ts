import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Frozen daily open-data files (docs/OPEN_DATA.md): one body per (date, kind, format), written once. */
export class OpenData1764000000070 implements MigrationInterface {
  name = 'OpenData1764000000070';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE open_data_snapshot (
        date date NOT NULL,
        kind text NOT NULL CHECK (kind IN ('queues','bulletins')),
        format text NOT NULL CHECK (format IN ('csv','json')),
        body text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (date, kind, format)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS open_data_snapshot`);
  }
}
