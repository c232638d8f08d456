import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { prepareLedgerEvent, type LedgerEventInput } from './domain/events.js';
import { eventHash, ZERO_HASH } from './domain/hashing.js';

export type { LedgerEvent, LedgerEventInput } from './domain/events.js';

/**
 * Appends typed events (domain/events.ts) in the caller's transaction; each is checked against its kind's
 * schema first (InvalidLedgerEventError, nothing written). No global lock: `seq` is a sequence, and the sealer
 * (ledger-sealer.service.ts) only seals a prefix of `seq` once every transaction that may still hold
 * an event in it has finished (so none can be skipped or slip in later).
 */
/**
 * BENCHMARK ONLY: `LEDGER_DISABLED=1` turns `append` into a no-op, so that bench/run.mjs can measure
 * what the ledger costs a registration. Never set it in a deployment; NODE_ENV=production refuses it.
 */
const LEDGER_DISABLED = process.env.LEDGER_DISABLED === '1';

@Injectable()
export class LedgerService {
  constructor() {
    if (LEDGER_DISABLED && process.env.NODE_ENV === 'production') {
      throw new Error('LEDGER_DISABLED=1 is for benchmarks only and is refused when NODE_ENV=production');
    }
  }

  /**
   * Head of the sealed chain as stored (does not seal; `LedgerSealerService.head()` seals first).
   * Reads blocks only: O(blocks), not O(events).
   */
  async head(em: EntityManager): Promise<{ length: number; headHash: string }> {
    const rows: { hash: string | null; length: string }[] = await em.query(
      `SELECT (SELECT hash FROM ledger_block ORDER BY seq DESC LIMIT 1) AS hash,
              COALESCE((SELECT sum(event_count) FROM ledger_block), 0) AS length`,
    );
    return { length: Number(rows[0]?.length ?? 0), headHash: rows[0]?.hash ?? ZERO_HASH };
  }

  async append(em: EntityManager, e: LedgerEventInput): Promise<void> {
    await this.appendMany(em, [e]);
  }

  /** Appends events in the given order (their `seq`s follow it), in one statement. */
  async appendMany(em: EntityManager, events: readonly LedgerEventInput[]): Promise<void> {
    if (LEDGER_DISABLED || events.length === 0) return;
    const cols: [string[], string[], string[], string[], string[], string[], string[]] = [[], [], [], [], [], [], []];
    // Check every event before writing any; hash exactly what jsonb will give back (Dates become ISO
    // strings, undefined keys vanish, ...), so verification, which re-reads the row, recomputes the same hash.
    for (const p of events.map(prepareLedgerEvent)) {
      const hash = eventHash({ at: p.at, type: p.type, entity: p.entity, entityId: p.entityId, actor: p.actor, data: p.data });
      [p.at, p.type, p.entity, p.entityId, p.actor, p.json, hash].forEach((v, k) => cols[k].push(v));
    }
    if (events.length === 1) {
      await em.query(
        `INSERT INTO ledger_event (at, type, entity, entity_id, actor, data, hash) VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7)`,
        cols.map((c) => c[0]),
      );
      return;
    }
    await em.query(
      `INSERT INTO ledger_event (at, type, entity, entity_id, actor, data, hash)
       SELECT at, type, entity, entity_id, actor, data, hash
       FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[])
            WITH ORDINALITY AS e(at, type, entity, entity_id, actor, data, hash, ord)
       ORDER BY ord`,
      cols,
    );
  }
}
