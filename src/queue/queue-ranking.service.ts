import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SettingsService } from '../settings/settings.service.js';
import { aheadFromCounts, rankQueue, type PriorityClass, type RankedApplication } from './domain/ranking.js';

export interface RankedQueueEntry extends RankedApplication {
  organizationIds: string[];
}

export interface RankedQueue {
  locality: string;
  cohort: number;
  cycle: number;
  /** Allocation order if every application were eligible for every place. */
  order: RankedQueueEntry[];
  numberOf: Map<string, number>;
}

/** Where one application stands in its queue, from counts (no ranking of the whole queue). */
export interface Standing {
  queueNumber: number;
  /** Applications in the queue. */
  total: number;
  /** Applications of class 0, 1 and 2 ahead of it. */
  ahead: [number, number, number];
}

/** Queue numbers: the pure ranking applied to the QUEUED applications of one (locality, cohort). */
@Injectable()
export class QueueRankingService {
  constructor(
    private readonly ds: DataSource,
    private readonly settings: SettingsService,
  ) {}

  async rankedQueue(locality: string, cohort: number, em: EntityManager | DataSource = this.ds): Promise<RankedQueue> {
    // Sequential: `em` may be a transaction's single connection.
    const rows: { id: string; seq: string; priority_class: 0 | 1 | 2; registered_at: Date; organization_ids: string[] }[] = await em.query(
      `SELECT id, seq, priority_class, registered_at, organization_ids::text[] AS organization_ids FROM application
         WHERE locality = $1 AND cohort = $2 AND status = 'QUEUED'`,
      [locality, cohort],
    );
    const cycleRows: { position: number }[] = await em.query(`SELECT position FROM queue_cycle WHERE locality = $1 AND cohort = $2`, [
      locality,
      cohort,
    ]);
    const s = await this.settings.get(em);
    const cycle = cycleRows[0]?.position ?? 0;
    const entries: RankedQueueEntry[] = rows.map((r) => ({
      id: r.id,
      seq: Number(r.seq),
      priorityClass: r.priority_class,
      registeredAt: r.registered_at.getTime(),
      organizationIds: r.organization_ids,
    }));
    const order = rankQueue(entries, cycle, s.interleave) as RankedQueueEntry[];
    const numberOf = new Map(order.map((e, i) => [e.id, i + 1]));
    return { locality, cohort, cycle, order, numberOf };
  }

  /**
   * Where a QUEUED application stands: its queue number and who is ahead by class, from the maintained
   * per-day class counts (migration 1764000000090, `queue_standing`) and its cycle position — one statement,
   * one snapshot, no scan of the cohort. Null when the application is not QUEUED (in `em`'s snapshot).
   */
  async standing(applicationId: string, em: EntityManager | DataSource = this.ds): Promise<Standing | null> {
    const rows: StandingRow[] = await em.query(
      `SELECT s.*, r.first, r.general FROM ${RATIO} CROSS JOIN LATERAL queue_standing($1, r.first, r.general, false) s`,
      [applicationId],
    );
    return rows[0] ? toStanding(rows[0]) : null;
  }

  /**
   * One application (by id or number) with its standing and, when `withOrganizations`, per organization it
   * chose (every organization of the locality when it chose "any") how many of those ahead of it would take
   * a place there — in one statement (one round trip, one snapshot). `standing` is null unless QUEUED.
   */
  async positionOf<R extends object>(
    columns: string,
    by: { id: string } | { number: string },
    withOrganizations: boolean,
    em: EntityManager | DataSource = this.ds,
  ): Promise<{ row: R; standing: Standing | null; organizations: OrganizationAhead[] } | null> {
    const rows: (R & Partial<StandingRow> & { organizations: OrganizationAhead[] | null })[] = await em.query(
      `SELECT ${columns}, s.*, r.first, r.general FROM application a CROSS JOIN ${RATIO}
       LEFT JOIN LATERAL queue_standing(a.id, r.first, r.general, $2) s ON a.status = 'QUEUED'
       WHERE ${'id' in by ? 'a.id = $1' : 'a.number = $1'}`,
      ['id' in by ? by.id : by.number, withOrganizations],
    );
    const r = rows[0];
    if (!r) return null;
    const standing = r.cls === null || r.cls === undefined ? null : toStanding(r as StandingRow);
    return { row: r, standing, organizations: r.organizations ?? [] };
  }
}

/** The interleave ratio from the settings, read in the caller's statement (same snapshot). */
const RATIO = `(SELECT (value->>'first')::int AS first, (value->>'general')::int AS general FROM setting WHERE key = 'interleave') r`;

interface StandingRow {
  cls: PriorityClass;
  idx: number;
  n0: number;
  n1: number;
  n2: number;
  cycle: number;
  ahead: number[];
  first: number;
  general: number;
}

export interface OrganizationAhead {
  id: string;
  name: string;
  ahead: number;
}

/**
 * The standing from the counts by the domain's {@link aheadFromCounts}; the database computed the same
 * ahead (to count the organizations of those ahead) and a difference would mean the two drifted apart.
 */
function toStanding(r: StandingRow): Standing {
  const ratio = { first: r.first, general: r.general };
  const ahead = aheadFromCounts(r.cls, r.idx, [r.n0, r.n1, r.n2], r.cycle, ratio);
  if (ahead.some((n, k) => n !== r.ahead[k])) {
    throw new Error(`queue_standing disagrees with aheadFromCounts: ${r.ahead.join(',')} vs ${ahead.join(',')}`);
  }
  return { queueNumber: ahead[0] + ahead[1] + ahead[2] + 1, total: r.n0 + r.n1 + r.n2, ahead };
}
