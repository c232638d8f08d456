import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SettingsService } from '../platform/settings.service.js';
import { rankQueue, type RankedApplication } from './domain/ranking.js';

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
}
