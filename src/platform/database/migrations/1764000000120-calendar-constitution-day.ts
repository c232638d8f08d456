import { createHash } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15, item 4: the new Constitution (referendum of 15 March 2026; Law No. 306-VIII of 11 June 2026, in
 * force 1 July 2026) moved Constitution Day from 30 August to 15 March. The first migration stored 30 August
 * 2026 (with Monday 31 August as its day off) and 30 August 2027, and no 15 March 2027: this one corrects those
 * rows, each change ledgered as the ADMIN's setCalendarDay would be (actor `system:migration`). A row an ADMIN
 * has changed since is left alone.
 *
 * It also adds `calendar_year`: the years whose calendar an ADMIN has confirmed (transfer orders entered, the
 * date of Kurban Ait known; confirmCalendarYear). 2024-2026 are confirmed here (their orders and Kurban Ait
 * were checked, see src/calendar/domain/holidays.data.ts); 2027 is not (no ministry order yet, Kurban Ait an
 * estimate), so /health reports it from 1 December 2026.
 *
 * The ledger's event hash is copied here (src/ledger/domain/hashing.ts, eventHash) because platform code
 * imports no concept module; its effect must never change anyway.
 */

const CONSTITUTION_DAY = 'День Конституции Республики Казахстан';
const TRANSFER_31_AUG_2026 = 'Перенос выходного дня (Трудовой кодекс): День Конституции Республики Казахстан, 30.08';

/** [date, kind the first migration wrote, its name]: rows to clear. */
const CLEAR: readonly (readonly [string, string, string])[] = [
  ['2026-08-30', 'HOLIDAY', CONSTITUTION_DAY],
  ['2026-08-31', 'TRANSFERRED_DAY_OFF', TRANSFER_31_AUG_2026],
  ['2027-08-30', 'HOLIDAY', CONSTITUTION_DAY],
];
/** [date, kind, name]: rows to add. */
const SET: readonly (readonly [string, string, string])[] = [['2027-03-15', 'HOLIDAY', CONSTITUTION_DAY]];
/** Years confirmed by this migration, with their first day of Kurban Ait. */
const CONFIRMED: readonly (readonly [number, string])[] = [
  [2024, '2024-06-16'],
  [2025, '2025-06-06'],
  [2026, '2026-05-27'],
];
const ACTOR = 'system:migration';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

async function ledger(q: QueryRunner, at: string, type: string, entityId: string, data: Record<string, unknown>): Promise<void> {
  const hash = sha256(canonicalJson({ at, type, entity: 'calendar', entityId, actor: ACTOR, data }));
  await q.query(
    `INSERT INTO ledger_event (at, type, entity, entity_id, actor, data, hash) VALUES ($1, $2, 'calendar', $3, $4, $5::jsonb, $6)`,
    [at, type, entityId, ACTOR, JSON.stringify(data), hash],
  );
}

export class CalendarConstitutionDay1764000000120 implements MigrationInterface {
  name = 'CalendarConstitutionDay1764000000120';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_year (
        year int PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
        kurban_ait date NOT NULL CHECK (extract(year FROM kurban_ait) = year),
        confirmed_at timestamptz NOT NULL,
        confirmed_by text NOT NULL
      )`);
    // The simulated clock when there is one (a demo or staging database), else real time; in ms like the app.
    const rows = (await q.query(
      `SELECT COALESCE((SELECT sim_base + (now() - real_anchor) FROM clock_state WHERE id = 1), now()) AS now`,
    )) as { now: Date }[];
    const at = new Date(rows[0].now).toISOString();
    for (const [date, kind, name] of CLEAR) {
      // Wrapped: a bare DELETE … RETURNING answers [rows, count] through TypeORM.
      const gone = (await q.query(
        `WITH d AS (DELETE FROM calendar_day WHERE date = $1 AND kind = $2 AND name = $3 RETURNING date) SELECT date FROM d`,
        [date, kind, name],
      )) as unknown[];
      if (gone.length) await ledger(q, at, 'calendar.day_cleared', date, { date, kind: null });
    }
    for (const [date, kind, name] of SET) {
      const added = (await q.query(
        `INSERT INTO calendar_day (date, kind, name, updated_at) VALUES ($1, $2, $3, now()) ON CONFLICT (date) DO NOTHING RETURNING date`,
        [date, kind, name],
      )) as unknown[];
      if (added.length) await ledger(q, at, 'calendar.day_set', date, { date, kind });
    }
    for (const [year, kurbanAit] of CONFIRMED) {
      await q.query(`INSERT INTO calendar_year (year, kurban_ait, confirmed_at, confirmed_by) VALUES ($1, $2, $3, $4)`, [
        year,
        kurbanAit,
        at,
        ACTOR,
      ]);
      await ledger(q, at, 'calendar.year_confirmed', String(year), { year, kurbanAit });
    }
  }

  /** Puts the first migration's rows back (the ledger keeps what happened: it is append-only). */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS calendar_year`);
    for (const [date, kind, name] of SET) {
      await q.query(`DELETE FROM calendar_day WHERE date = $1 AND kind = $2 AND name = $3`, [date, kind, name]);
    }
    for (const [date, kind, name] of CLEAR) {
      await q.query(`INSERT INTO calendar_day (date, kind, name) VALUES ($1, $2, $3) ON CONFLICT (date) DO NOTHING`, [date, kind, name]);
    }
  }
}
