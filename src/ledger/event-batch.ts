import type { EntityManager } from 'typeorm';
import type { LedgerService } from './ledger.service.js';

type Event = Parameters<LedgerService['appendMany']>[1][number];

/**
 * Ledger events of one set-based change held back so that they reach the ledger grouped by subject, as
 * if the subjects had changed one at a time: e.g. an expiry chunk appends, referral after referral, its
 * `referral.expired` then its `stop_list.added`, although the stores write all referrals, then all
 * stop-list entries. Groups come in `order`; within a group, events keep the order they were recorded in;
 * events of no listed group follow. Stores record into it when the caller passes one in the change
 * ({@link record}); the caller flushes it before its transaction commits.
 */
export class EventBatch {
  private readonly rank: Map<string, number>;
  private readonly held: { rank: number; n: number; event: Event }[] = [];

  constructor(order: readonly string[]) {
    this.rank = new Map(order.map((g, i) => [g, i]));
  }

  add(events: readonly Event[], groups: readonly string[]): void {
    events.forEach((event, i) => this.held.push({ rank: this.rank.get(groups[i]) ?? this.rank.size, n: this.held.length, event }));
  }

  async flush(em: EntityManager, ledger: LedgerService): Promise<void> {
    const events = this.held.sort((a, b) => a.rank - b.rank || a.n - b.n).map((h) => h.event);
    this.held.length = 0;
    await ledger.appendMany(em, events);
  }
}

/** Appends `events` now, or holds them in the change's batch under their subjects (`groups`, one per event). */
export async function record(
  ledger: LedgerService,
  c: { em: EntityManager; batch?: EventBatch },
  events: readonly Event[],
  groups: readonly string[],
): Promise<void> {
  if (c.batch) c.batch.add(events, groups);
  else await ledger.appendMany(c.em, events);
}
