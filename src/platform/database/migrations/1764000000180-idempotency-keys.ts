import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `Idempotency-Key` of mutations (src/platform/graphql/idempotency.plugin.ts): one row per caller and key,
 * with the hash of the first request and, once answered, its answer. The primary key is what keeps two
 * concurrent retries from both running; rows expire after a day.
 */
export class IdempotencyKeys1764000000180 implements MigrationInterface {
  name = 'IdempotencyKeys1764000000180';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_key (
        caller char(64) NOT NULL,
        key text NOT NULL,
        request_hash char(64) NOT NULL,
        response jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (caller, key)
      )`);
    await q.query(`CREATE INDEX ix_idempotency_key_expires ON idempotency_key (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_key`);
  }
}
