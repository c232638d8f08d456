import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service.js';
import { Clock } from '../platform/clock/clock.js';
import { badInput } from '../platform/errors/app-error.js';
import { SettingsService } from '../settings/settings.service.js';
import { FairnessAuditor } from './domain/fairness-audit.js';
import type { FairnessReport } from './domain/audit-event.js';

/** Ledger rows read per page (keyset pagination on seq). */
const PAGE = 5000;

interface EventRow {
  seq: string;
  at: Date;
  type: string;
  entity: string;
  entity_id: string;
  data: Record<string, unknown>;
}

/**
 * Reads the whole ledger in one read-only snapshot and replays it through the pure fairness audit
 * (domain/fairness-audit.ts) with the current working calendar and the settings history (each event
 * judged with the settings in force at its time).
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly calendar: CalendarService,
    private readonly settings: SettingsService,
  ) {}

  /**
   * Checks the events with `at` in [from, to] (to defaults to now). The replay always starts at the
   * first event; missed expiries and stop-list releases are judged as of min(to, now).
   */
  async fairness(from: Date | null = null, to: Date | null = null): Promise<FairnessReport> {
    if (from && to && from.getTime() > to.getTime()) throw badInput('from', 'must not be after to');
    const now = this.clock.now();
    const until = to ?? now;
    const asOf = until.getTime() < now.getTime() ? until : now;
    return this.ds.transaction('REPEATABLE READ', async (em) => {
      await em.query('SET TRANSACTION READ ONLY');
      const calendar = await this.calendar.calendar(em);
      // The settings history: each event is judged with the versions in force at its time.
      const settingsAt = await this.settings.timeline(em);
      const auditor = new FairnessAuditor({
        calendar,
        settings: (at) => {
          const s = settingsAt(at);
          return {
            confirmWorkingDays: s.confirmWorkingDays,
            documentsWorkingDays: s.documentsWorkingDays,
            extensionCalendarDays: s.extensionCalendarDays,
            stopListCalendarDays: s.stopListCalendarDays,
            interleave: s.interleave,
            priorityWindowHours: s.priorityWindowHours,
          };
        },
        from,
        to: until,
        asOf,
      });
      await this.replay(em, (rows) => {
        for (const r of rows) {
          auditor.apply({
            seq: Number(r.seq),
            type: r.type,
            entity: r.entity,
            entityId: r.entity_id,
            at: r.at,
            data: r.data,
          });
        }
      });
      return auditor.finish();
    });
  }

  private async replay(em: EntityManager, sink: (rows: EventRow[]) => void): Promise<void> {
    let after = '0';
    for (;;) {
      const rows: EventRow[] = await em.query(
        `SELECT e.seq::text AS seq, e.at, e.type, e.entity, e.entity_id, e.data FROM ledger_event e
         WHERE e.seq > $1::bigint ORDER BY e.seq LIMIT $2`,
        [after, PAGE],
      );
      sink(rows);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].seq;
    }
  }
}
