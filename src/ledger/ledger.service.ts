import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { eventHash } from './domain/hashing.js';

export interface LedgerEventInput {
  type: string;
  entity: 'application' | 'vacancy' | 'referral' | 'organization' | 'stop_list' | 'archive' | 'bulletin' | 'calendar' | 'proactive_offer' | 'clock' | 'setting';
  entityId: string;
  actor: string;
  at: Date;
  /** No personal data: ids, statuses, dates, salted hashes only. */
  data: Record<string, unknown>;
}

/**
 * Appends events in the caller's transaction. No global lock: `seq` is a sequence, and the sealer
 * only seals events whose transaction is older than every running one (so none can be skipped).
 */
@Injectable()
export class LedgerService {
  async append(em: EntityManager, e: LedgerEventInput): Promise<void> {
    const at = e.at.toISOString();
    const hash = eventHash({ at, type: e.type, entity: e.entity, entityId: e.entityId, actor: e.actor, data: e.data });
    await em.query(
      `INSERT INTO ledger_event (at, type, entity, entity_id, actor, data, hash) VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7)`,
      [at, e.type, e.entity, e.entityId, e.actor, JSON.stringify(e.data), hash],
    );
  }
}
