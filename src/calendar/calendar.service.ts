import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { Clock } from '../platform/clock/clock.js';
import { badInput } from '../platform/errors/app-error.js';
import type { CalendarDayRow } from './domain/holidays.data.js';
import { WorkingCalendar } from './domain/working-days.js';

export type CalendarDayKind = CalendarDayRow['kind'];

/** Working days of Kazakhstan from the `calendar_day` table (editable by ADMIN). */
@Injectable()
export class CalendarService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
  ) {}

  async calendar(em: EntityManager | DataSource = this.ds): Promise<WorkingCalendar> {
    const rows: CalendarDayRow[] = await em.query(`SELECT to_char(date, 'YYYY-MM-DD') AS date, kind, name FROM calendar_day ORDER BY date`);
    return new WorkingCalendar(rows);
  }

  async days(year: number): Promise<CalendarDayRow[]> {
    return this.ds.query(
      `SELECT to_char(date, 'YYYY-MM-DD') AS date, kind, name FROM calendar_day
       WHERE date >= make_date($1, 1, 1) AND date < make_date($1 + 1, 1, 1) ORDER BY date`,
      [year],
    );
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
}
