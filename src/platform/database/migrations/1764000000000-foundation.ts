import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Kazakhstan's non-working days 2024-2027 as this migration first wrote them (date, kind, name): a copy
 * of src/calendar/domain/holidays.data.ts at the time, kept here so the migration's effect never changes
 * when the live calendar does. Later corrections go into a new migration or through setCalendarDay.
 */
const CALENDAR_DAYS: readonly (readonly [date: string, kind: string, name: string])[] = [
  ['2024-01-01', 'HOLIDAY', 'Новый год'],
  ['2024-01-02', 'HOLIDAY', 'Новый год'],
  ['2024-01-07', 'HOLIDAY', 'Православное Рождество'],
  ['2024-03-08', 'HOLIDAY', 'Международный женский день'],
  ['2024-03-21', 'HOLIDAY', 'Наурыз мейрамы'],
  ['2024-03-22', 'HOLIDAY', 'Наурыз мейрамы'],
  ['2024-03-23', 'HOLIDAY', 'Наурыз мейрамы'],
  ['2024-03-25', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): Наурыз мейрамы, 23.03'],
  ['2024-05-01', 'HOLIDAY', 'Праздник единства народа Казахстана'],
  ['2024-05-04', 'TRANSFERRED_WORKDAY', 'Перенос дня отдыха (приказ Министра труда и социальной защиты населения РК)'],
  ['2024-05-07', 'HOLIDAY', 'День защитника Отечества'],
  ['2024-05-08', 'TRANSFERRED_DAY_OFF', 'Перенос дня отдыха (приказ Министра труда и социальной защиты населения РК)'],
  ['2024-05-09', 'HOLIDAY', 'День Победы'],
  ['2024-06-16', 'HOLIDAY', 'Курбан айт (первый день)'],
  ['2024-07-06', 'HOLIDAY', 'День столицы'],
  ['2024-07-08', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): День столицы, 06.07'],
  ['2024-08-30', 'HOLIDAY', 'День Конституции Республики Казахстан'],
  ['2024-10-25', 'HOLIDAY', 'День Республики'],
  ['2024-12-16', 'HOLIDAY', 'День Независимости'],
  ['2025-01-01', 'HOLIDAY', 'Новый год'],
  ['2025-01-02', 'HOLIDAY', 'Новый год'],
  ['2025-01-03', 'TRANSFERRED_DAY_OFF', 'Перенос дня отдыха (приказ Министра труда и социальной защиты населения РК)'],
  ['2025-01-05', 'TRANSFERRED_WORKDAY', 'Перенос дня отдыха (приказ Министра труда и социальной защиты населения РК)'],
  ['2025-01-07', 'HOLIDAY', 'Православное Рождество'],
  ['2025-03-08', 'HOLIDAY', 'Международный женский день'],
  ['2025-03-10', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): Международный женский день, 08.03'],
  ['2025-03-21', 'HOLIDAY', 'Наурыз мейрамы'],
  ['2025-03-22', 'HOLIDAY', 'Наурыз мейрамы'],
  ['2025-03-23', 'HOLIDAY', 'Наурыз мейрамы'],
  ['2025-03-24', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): Наурыз мейрамы, 22.03'],
  ['2025-03-25', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): Наурыз мейрамы, 23.03'],
  ['2025-05-01', 'HOLIDAY', 'Праздник единства народа Казахстана'],
  ['2025-05-07', 'HOLIDAY', 'День защитника Отечества'],
  ['2025-05-09', 'HOLIDAY', 'День Победы'],
  ['2025-06-06', 'HOLIDAY', 'Курбан айт (первый день)'],
  ['2025-07-06', 'HOLIDAY', 'День столицы'],
  ['2025-07-07', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): День столицы, 06.07'],
  ['2025-08-30', 'HOLIDAY', 'День Конституции Республики Казахстан'],
  ['2025-09-01', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): День Конституции Республики Казахстан, 30.08'],
  ['2025-10-25', 'HOLIDAY', 'День Республики'],
  ['2025-10-27', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): День Республики, 25.10'],
  ['2025-12-16', 'HOLIDAY', 'День Независимости'],
  ['2026-01-01', 'HOLIDAY', 'Новый год'],
  ['2026-01-02', 'HOLIDAY', 'Новый год'],
  ['2026-01-07', 'HOLIDAY', 'Православное Рождество'],
  ['2026-03-08', 'HOLIDAY', 'Международный женский день'],
  ['2026-03-09', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): Международный женский день, 08.03'],
  ['2026-03-21', 'HOLIDAY', 'Наурыз мейрамы'],
  ['2026-03-22', 'HOLIDAY', 'Наурыз мейрамы'],
  ['2026-03-23', 'HOLIDAY', 'Наурыз мейрамы'],
  ['2026-03-24', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): Наурыз мейрамы, 21.03'],
  ['2026-03-25', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): Наурыз мейрамы, 22.03'],
  ['2026-05-01', 'HOLIDAY', 'Праздник единства народа Казахстана'],
  ['2026-05-07', 'HOLIDAY', 'День защитника Отечества'],
  ['2026-05-09', 'HOLIDAY', 'День Победы'],
  ['2026-05-11', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): День Победы, 09.05'],
  ['2026-05-27', 'HOLIDAY', 'Курбан айт (первый день)'],
  ['2026-07-06', 'HOLIDAY', 'День столицы'],
  ['2026-08-30', 'HOLIDAY', 'День Конституции Республики Казахстан'],
  ['2026-08-31', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): День Конституции Республики Казахстан, 30.08'],
  ['2026-10-25', 'HOLIDAY', 'День Республики'],
  ['2026-10-26', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): День Республики, 25.10'],
  ['2026-12-16', 'HOLIDAY', 'День Независимости'],
  ['2027-01-01', 'HOLIDAY', 'Новый год'],
  ['2027-01-02', 'HOLIDAY', 'Новый год'],
  ['2027-01-04', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): Новый год, 02.01'],
  ['2027-01-07', 'HOLIDAY', 'Православное Рождество'],
  ['2027-03-08', 'HOLIDAY', 'Международный женский день'],
  ['2027-03-21', 'HOLIDAY', 'Наурыз мейрамы'],
  ['2027-03-22', 'HOLIDAY', 'Наурыз мейрамы'],
  ['2027-03-23', 'HOLIDAY', 'Наурыз мейрамы'],
  ['2027-03-24', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): Наурыз мейрамы, 21.03'],
  ['2027-05-01', 'HOLIDAY', 'Праздник единства народа Казахстана'],
  ['2027-05-03', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): Праздник единства народа Казахстана, 01.05'],
  ['2027-05-07', 'HOLIDAY', 'День защитника Отечества'],
  ['2027-05-09', 'HOLIDAY', 'День Победы'],
  ['2027-05-10', 'TRANSFERRED_DAY_OFF', 'Перенос выходного дня (Трудовой кодекс): День Победы, 09.05'],
  ['2027-05-16', 'HOLIDAY', 'Курбан айт (первый день)'],
  ['2027-07-06', 'HOLIDAY', 'День столицы'],
  ['2027-08-30', 'HOLIDAY', 'День Конституции Республики Казахстан'],
  ['2027-10-25', 'HOLIDAY', 'День Республики'],
  ['2027-12-16', 'HOLIDAY', 'День Независимости'],
];

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
    for (const [date, kind, name] of CALENDAR_DAYS) {
      await q.query(`INSERT INTO calendar_day (date, kind, name) VALUES ($1, $2, $3) ON CONFLICT (date) DO NOTHING`, [date, kind, name]);
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
      await q.query(`INSERT INTO setting (key, value, description) VALUES ($1, $2::jsonb, $3)`, [key, JSON.stringify(value), description]);
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
    for (const t of [
      'ledger_block',
      'ledger_event',
      'scheduled_run',
      'scheduler_state',
      'clock_state',
      'setting',
      'calendar_day',
      'organization',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
