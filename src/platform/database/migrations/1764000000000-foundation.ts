import type { MigrationInterface, QueryRunner } from 'typeorm';
import { KZ_CALENDAR_2024_2027 } from '../../../calendar/domain/holidays.data.js';

/** Platform tables: organizations, calendar, settings, simulated clock, scheduler, ledger. */
export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE organization (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
        bin char(12) NOT NULL CHECK (bin ~ '^[0-9]{12}$'),
        locality char(9) NOT NULL CHECK (locality ~ '^[0-9]{9}$'),
        address text,
        created_at timestamptz NOT NULL,
        CONSTRAINT uq_organization_bin UNIQUE (bin)
      )`);
    await q.query(`CREATE INDEX ix_organization_locality ON organization (locality, created_at, id)`);
    await q.query(`
      CREATE TABLE calendar_day (
        date date PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('HOLIDAY','TRANSFERRED_DAY_OFF','TRANSFERRED_WORKDAY')),
        name text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    for (const row of KZ_CALENDAR_2024_2027) {
      await q.query(
        `INSERT INTO calendar_day (date, kind, name) VALUES ($1, $2, $3) ON CONFLICT (date) DO NOTHING`,
        [row.date, row.kind, row.name],
      );
    }
    await q.query(`
      CREATE TABLE setting (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        description text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text
      )`);
    const settings: [string, unknown, string][] = [
      ['confirmWorkingDays', 2, 'working days to confirm or decline an offered referral'],
      ['documentsWorkingDays', 5, 'working days to bring documents after confirming'],
      ['extensionCalendarDays', 30, 'max calendar days of a referral from the start of validity, once extended'],
      ['stopListCalendarDays', 10, 'calendar days on the stop-list after an expired referral'],
      ['priorityWindowHours', 24, 'hours from the bulletin after which an unreferred place is open for claims'],
      ['proofWorkingDays', 5, 'working days to bring proof of a claimed category'],
      ['proactiveReplyCalendarDays', 7, 'calendar days to answer a proactive offer'],
      ['transferPeriod', { from: '08-01', to: '08-31' }, 'yearly transfer period (MM-DD, inclusive): no publishing, no referrals'],
      ['interleave', { first: 1, general: 3 }, 'referrals to class 1 : class 2 within a segment'],
      ['ageLimitYears', 6, 'children of this age leave the queue (AGED_OUT)'],
    ];
    for (const [key, value, description] of settings) {
      await q.query(`INSERT INTO setting (key, value, description) VALUES ($1, $2::jsonb, $3)`, [
        key,
        JSON.stringify(value),
        description,
      ]);
    }
    await q.query(`
      CREATE TABLE clock_state (
        id int PRIMARY KEY CHECK (id = 1),
        sim_base timestamptz NOT NULL,
        real_anchor timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE scheduler_state (
        id int PRIMARY KEY CHECK (id = 1),
        since timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE scheduled_run (
        kind text NOT NULL,
        due_at timestamptz NOT NULL,
        done_at timestamptz NOT NULL,
        summary jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (kind, due_at)
      )`);
    // Ledger: events appended in the business transaction; blocks sealed by a worker.
    await q.query(`
      CREATE TABLE ledger_event (
        seq bigserial PRIMARY KEY,
        tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
        at timestamptz NOT NULL,
        type text NOT NULL,
        entity text NOT NULL,
        entity_id text NOT NULL,
        actor text NOT NULL,
        data jsonb NOT NULL,
        hash char(64) NOT NULL,
        block_seq bigint
      )`);
    await q.query(`CREATE INDEX ix_ledger_event_unsealed ON ledger_event (seq) WHERE block_seq IS NULL`);
    await q.query(`CREATE INDEX ix_ledger_event_entity ON ledger_event (entity, entity_id, seq)`);
    await q.query(`CREATE INDEX ix_ledger_event_block ON ledger_event (block_seq, seq)`);
    await q.query(`
      CREATE TABLE ledger_block (
        seq bigint PRIMARY KEY,
        prev_hash char(64) NOT NULL,
        merkle_root char(64) NOT NULL,
        hash char(64) NOT NULL UNIQUE,
        first_event bigint NOT NULL,
        last_event bigint NOT NULL,
        event_count int NOT NULL,
        sealed_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['ledger_block', 'ledger_event', 'scheduled_run', 'scheduler_state', 'clock_state', 'setting', 'calendar_day', 'organization']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
