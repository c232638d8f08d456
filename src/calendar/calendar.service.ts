import { Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { Clock } from '../platform/clock/clock.js';
import { badInput } from '../platform/errors/app-error.js';
import { isRealDate } from '../platform/graphql/scalars.js';
import { HealthRegistry } from '../platform/health/health-registry.js';
import { Metrics } from '../platform/metrics/metrics.js';
import { nextYearConfirmation, type NextYearConfirmation } from './domain/confirmation.js';
import type { CalendarDayRow } from './domain/holidays.data.js';
import { KURBAN_AIT_NAME } from './domain/labour-code.js';
import { kazakhstanCalendar, type WorkingCalendar } from './domain/working-days.js';

export type CalendarDayKind = CalendarDayRow['kind'];

export interface CalendarYearRow {
  year: number;
  /** YYYY-MM-DD, or null while the year is not confirmed. */
  kurbanAit: string | null;
  confirmed: boolean;
  confirmedAt: Date | null;
}

/**
 * Working days of Kazakhstan: the Labour Code's holidays and weekend transfers, generated for every year
 * (domain/labour-code.ts), with the `calendar_day` rows on top (the ministry's transfer orders, Kurban Ait and
 * corrections; editable by ADMIN with setCalendarDay). `calendar_year` records which years an ADMIN confirmed.
 */
@Injectable()
export class CalendarService implements OnModuleInit {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    // Optional: command-line tools build this service by hand, without health or metrics.
    @Optional() private readonly health?: HealthRegistry,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  /** /health details `calendar` and the gauge kezek_calendar_next_year_unconfirmed (read at each scrape). */
  onModuleInit(): void {
    this.health?.register({ key: 'calendar', details: async () => this.healthDetails(await this.nextYear()) });
    if (!this.metrics || this.metrics.registry.getSingleMetric('kezek_calendar_next_year_unconfirmed')) return;
    const nextYear = (): Promise<NextYearConfirmation> => this.nextYear();
    new Gauge({
      name: 'kezek_calendar_next_year_unconfirmed',
      help: 'From 1 December: 1 while the next year has no confirmed working calendar (transfer orders, Kurban Ait), else 0',
      labelNames: ['year'],
      registers: [this.metrics.registry],
      async collect() {
        this.reset();
        try {
          const s = await nextYear();
          this.set({ year: String(s.nextYear) }, s.missing ? 1 : 0);
        } catch {
          // database down: /health says so; leave the gauge empty
        }
      },
    });
  }

  async calendar(em: EntityManager | DataSource = this.ds): Promise<WorkingCalendar> {
    const rows: CalendarDayRow[] = await em.query(`SELECT to_char(date, 'YYYY-MM-DD') AS date, kind, name FROM calendar_day ORDER BY date`);
    return kazakhstanCalendar(rows);
  }

  /** The days of `year` that differ from a plain Mon-Fri week: generated rules with the stored rows on top. */
  async days(year: number): Promise<CalendarDayRow[]> {
    return (await this.calendar()).rowsOf(year);
  }

  async setDay(date: string, kind: CalendarDayKind | null, name: string | null, by: Principal): Promise<void> {
    if (kind && !name?.trim()) throw badInput('name', 'is required when setting a day');
    await this.ds.transaction(async (em) => {
      if (kind === null) await em.query(`DELETE FROM calendar_day WHERE date = $1`, [date]);
      else {
        await em.query(
          `INSERT INTO calendar_day (date, kind, name, updated_at) VALUES ($1, $2, $3, now())
           ON CONFLICT (date) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, updated_at = now()`,
          [date, kind, name?.trim()],
        );
      }
      const change = { entity: 'calendar' as const, entityId: date, actor: actorOf(by), at: this.clock.now() };
      await this.ledger.append(
        em,
        kind
          ? { ...change, type: 'calendar.day_set', data: { date, kind } }
          : { ...change, type: 'calendar.day_cleared', data: { date, kind } },
      );
    });
  }

  async year(year: number, em: EntityManager | DataSource = this.ds): Promise<CalendarYearRow> {
    const rows: { kurban_ait: string; confirmed_at: Date }[] = await em.query(
      `SELECT to_char(kurban_ait, 'YYYY-MM-DD') AS kurban_ait, confirmed_at FROM calendar_year WHERE year = $1`,
      [year],
    );
    const r = rows[0];
    return { year, kurbanAit: r?.kurban_ait ?? null, confirmed: !!r, confirmedAt: r?.confirmed_at ?? null };
  }

  /**
   * An ADMIN confirms `year`: its transfer orders are entered (setCalendarDay) and its first day of Kurban Ait
   * is `kurbanAit`. Sets that day as a HOLIDAY (replacing another Kurban Ait row of the year, e.g. an estimate),
   * records the confirmation; each change ledgered. Confirming again with another date moves Kurban Ait.
   */
  async confirmYear(year: number, kurbanAit: string, by: Principal): Promise<CalendarYearRow> {
    if (!Number.isInteger(year) || year < 2000 || year > 2100) throw badInput('year', 'must be between 2000 and 2100');
    if (!isRealDate(kurbanAit)) throw badInput('kurbanAit', 'must be a real date YYYY-MM-DD');
    if (!kurbanAit.startsWith(`${year}-`)) throw badInput('kurbanAit', `must be a date in ${year}`);
    const cal = await this.calendar();
    if (cal.kindOf(kurbanAit) === 'TRANSFERRED_WORKDAY') throw badInput('kurbanAit', 'is a working day by a transfer order');
    const at = this.clock.now();
    const actor = actorOf(by);
    await this.ds.transaction(async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('calendar_year'), $1)`, [year]);
      // (A bare DELETE … RETURNING answers [rows, count] through TypeORM: wrapped, it answers the rows.)
      const stale: { date: string }[] = await em.query(
        `WITH d AS (DELETE FROM calendar_day WHERE name = $1 AND kind = 'HOLIDAY' AND date <> $2
           AND date >= make_date($3, 1, 1) AND date < make_date($3 + 1, 1, 1) RETURNING date)
         SELECT to_char(date, 'YYYY-MM-DD') AS date FROM d ORDER BY date`,
        [KURBAN_AIT_NAME, kurbanAit, year],
      );
      for (const { date } of stale) {
        await this.ledger.append(em, {
          type: 'calendar.day_cleared',
          entity: 'calendar',
          entityId: date,
          actor,
          at,
          data: { date, kind: null },
        });
      }
      const set: unknown[] = await em.query(
        `INSERT INTO calendar_day (date, kind, name, updated_at) VALUES ($1, 'HOLIDAY', $2, now())
         ON CONFLICT (date) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, updated_at = now()
           WHERE calendar_day.kind <> EXCLUDED.kind OR calendar_day.name <> EXCLUDED.name
         RETURNING date`,
        [kurbanAit, KURBAN_AIT_NAME],
      );
      if (set.length) {
        await this.ledger.append(em, {
          type: 'calendar.day_set',
          entity: 'calendar',
          entityId: kurbanAit,
          actor,
          at,
          data: { date: kurbanAit, kind: 'HOLIDAY' },
        });
      }
      await em.query(
        `INSERT INTO calendar_year (year, kurban_ait, confirmed_at, confirmed_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (year) DO UPDATE SET kurban_ait = EXCLUDED.kurban_ait, confirmed_at = EXCLUDED.confirmed_at,
           confirmed_by = EXCLUDED.confirmed_by`,
        [year, kurbanAit, at, actor],
      );
      await this.ledger.append(em, {
        type: 'calendar.year_confirmed',
        entity: 'calendar',
        entityId: String(year),
        actor,
        at,
        data: { year, kurbanAit },
      });
    });
    return this.year(year);
  }

  /** Is the year after today (Asia/Almaty, the service's clock) confirmed, and is its absence to be reported. */
  async nextYear(): Promise<NextYearConfirmation> {
    const now = this.clock.now();
    const rows: { year: number }[] = await this.ds.query(`SELECT year FROM calendar_year WHERE year >= $1`, [now.getUTCFullYear()]);
    return nextYearConfirmation(now, new Set(rows.map((r) => Number(r.year))));
  }

  private healthDetails(s: NextYearConfirmation): Record<string, unknown> {
    return {
      nextYear: s.nextYear,
      nextYearConfirmed: s.confirmed,
      ...(s.missing
        ? {
            warning:
              `the working calendar of ${s.nextYear} is not confirmed: enter the ministry's transfer orders (setCalendarDay) ` +
              `and the date of Kurban Ait (confirmCalendarYear)`,
          }
        : {}),
    };
  }
}
