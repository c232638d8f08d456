import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SettingsService } from '../platform/settings.service.js';
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
    const rows: { id: string; seq: string; priority_class: 0 | 1 | 2; registered_at: Date; organization_ids: string[] }[] =
      await em.query(
        `SELECT id, seq, priority_class, registered_at, organization_ids::text[] AS organization_ids FROM application
         WHERE locality = $1 AND cohort = $2 AND status = 'QUEUED'`,
        [locality, cohort],
      );
    const cycleRows: { position: number }[] = await em.query(
      `SELECT position FROM queue_cycle WHERE locality = $1 AND cohort = $2`,
      [locality, cohort],
    );
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
   * Where a QUEUED application stands: its queue number and who is ahead by class, from per-class counts
   * and its cycle position ({@link aheadFromCounts}, equal to ranking the whole queue) — one aggregate
   * query instead of loading and sorting the queue. Null when the application is not QUEUED (in `em`'s
   * snapshot). The order inside a class is `date_trunc('milliseconds', registered_at), seq` here, as
   * domain/ranking.ts compares registration instants in milliseconds, then seq.
   */
  async standing(applicationId: string, em: EntityManager | DataSource = this.ds): Promise<Standing | null> {
    const rows: { locality: string; cohort: number; cls: PriorityClass; n0: number; n1: number; n2: number; idx: number; position: number | null }[] =
      await em.query(
        `WITH x AS (SELECT locality, cohort, priority_class, date_trunc('milliseconds', registered_at) AS t, seq
                    FROM application WHERE id = $1 AND status = 'QUEUED')
         SELECT x.locality, x.cohort, x.priority_class AS cls,
                count(*) FILTER (WHERE a.priority_class = 0)::int AS n0,
                count(*) FILTER (WHERE a.priority_class = 1)::int AS n1,
                count(*) FILTER (WHERE a.priority_class = 2)::int AS n2,
                count(*) FILTER (WHERE a.priority_class = x.priority_class AND (date_trunc('milliseconds', a.registered_at), a.seq) < (x.t, x.seq))::int AS idx,
                (SELECT position FROM queue_cycle c WHERE c.locality = x.locality AND c.cohort = x.cohort) AS position
         FROM x JOIN application a ON a.locality = x.locality AND a.cohort = x.cohort AND a.status = 'QUEUED'
         GROUP BY x.locality, x.cohort, x.priority_class`,
        [applicationId],
      );
    const r = rows[0];
    if (!r) return null;
    const s = await this.settings.get(em);
    const ahead = aheadFromCounts(r.cls, r.idx, [r.n0, r.n1, r.n2], r.position ?? 0, s.interleave);
    return { queueNumber: ahead[0] + ahead[1] + ahead[2] + 1, total: r.n0 + r.n1 + r.n2, ahead };
  }

  /**
   * For each organization, how many of the applications `ahead` ([class 0, 1, 2] counts, e.g. of a
   * {@link Standing}) would take a place there: those that chose it or chose "any in the locality".
   * The applications ahead are the first ones of each class in class order.
   */
  async aheadByOrganization(
    locality: string,
    cohort: number,
    ahead: readonly [number, number, number],
    organizationIds: readonly string[],
    em: EntityManager | DataSource = this.ds,
  ): Promise<Map<string, number>> {
    if (!organizationIds.length) return new Map();
    const rows: { id: string; ahead: number }[] = await em.query(
      `WITH q AS (SELECT priority_class, date_trunc('milliseconds', registered_at) AS t, seq AS s, organization_ids
                  FROM application WHERE locality = $1 AND cohort = $2 AND status = 'QUEUED'),
            ahead AS ((SELECT organization_ids FROM q WHERE priority_class = 0 ORDER BY t, s LIMIT $3)
                      UNION ALL (SELECT organization_ids FROM q WHERE priority_class = 1 ORDER BY t, s LIMIT $4)
                      UNION ALL (SELECT organization_ids FROM q WHERE priority_class = 2 ORDER BY t, s LIMIT $5))
       SELECT o::text AS id,
              count(a.organization_ids) FILTER (WHERE cardinality(a.organization_ids) = 0 OR o = ANY(a.organization_ids))::int AS ahead
       FROM unnest($6::uuid[]) AS o LEFT JOIN ahead a ON true GROUP BY o`,
      [locality, cohort, ahead[0], ahead[1], ahead[2], organizationIds],
    );
    return new Map(rows.map((r) => [r.id, r.ahead]));
  }
}
