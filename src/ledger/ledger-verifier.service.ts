import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type ChainVerification, type StoredBlock, type StoredEvent, verifyChain } from './domain/chain-verifier.js';

export const VERIFY_EVENT_BATCH = 10_000;
const BLOCK_BATCH = 1_000;

/** `at` to the ISO form `append` hashed; microseconds (which append never writes) are kept, so they fail. */
const ISO_US = `to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
export function isoFromMicros(s: string): string {
  return s.endsWith('000') ? `${s.slice(0, -3)}Z` : `${s}Z`;
}

interface EventRow {
  seq: string;
  block_seq: string | null;
  at: string;
  type: string;
  entity: string;
  entity_id: string;
  actor: string;
  data: unknown;
  hash: string;
}

interface BlockRow {
  seq: string;
  prev_hash: string;
  merkle_root: string;
  hash: string;
  first_event: string;
  last_event: string;
  event_count: number;
  sealed_at: string;
}

export type RowQuery = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** Queries on one connection, strictly one after another (two streams share it; pg must not overlap them). */
export function serialQuery(em: EntityManager): RowQuery {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(sql: string, params: unknown[]): Promise<T[]> => {
    const p = tail.then(() => em.query(sql, params) as Promise<T[]>);
    tail = p.catch(() => undefined);
    return p;
  };
}

/**
 * Keyset pagination in seq order (`seq > last ORDER BY seq LIMIT n`: an index range scan per batch,
 * no OFFSET), with the next batch requested before the current one is handed out, so the database
 * works while the caller hashes.
 */
async function* keyset<R extends { seq: string }, T>(q: RowQuery, sql: string, batch: number, map: (r: R) => T): AsyncGenerator<T> {
  const fetch = (after: number): Promise<R[]> => q<R>(sql, [after, batch]);
  let next: Promise<R[]> | null = fetch(0);
  try {
    while (next) {
      const rows: R[] = await next;
      next = rows.length === batch ? fetch(Number(rows[rows.length - 1].seq)) : null;
      for (const r of rows) yield map(r);
    }
  } finally {
    // Stopped early: let the request in flight finish before the connection is used again.
    if (next) await next.catch(() => undefined);
  }
}

export function streamEvents(q: RowQuery, batch = VERIFY_EVENT_BATCH): AsyncGenerator<StoredEvent> {
  return keyset<EventRow, StoredEvent>(
    q,
    `SELECT seq, block_seq, ${ISO_US.replace('%s', 'at')} AS at, type, entity, entity_id, actor, data, hash
     FROM ledger_event WHERE seq > $1 ORDER BY seq LIMIT $2`,
    batch,
    (r) => ({
      seq: Number(r.seq),
      blockSeq: r.block_seq === null ? null : Number(r.block_seq),
      at: isoFromMicros(r.at),
      type: r.type,
      entity: r.entity,
      entityId: r.entity_id,
      actor: r.actor,
      data: r.data,
      hash: r.hash,
    }),
  );
}

export function streamBlocks(q: RowQuery, batch = BLOCK_BATCH): AsyncGenerator<StoredBlock> {
  return keyset<BlockRow, StoredBlock>(
    q,
    `SELECT seq, prev_hash, merkle_root, hash, first_event, last_event, event_count, ${ISO_US.replace('%s', 'sealed_at')} AS sealed_at
     FROM ledger_block WHERE seq > $1 ORDER BY seq LIMIT $2`,
    batch,
    (r) => ({
      seq: Number(r.seq),
      prevHash: r.prev_hash,
      merkleRoot: r.merkle_root,
      hash: r.hash,
      firstEvent: Number(r.first_event),
      lastEvent: Number(r.last_event),
      eventCount: r.event_count,
      sealedAt: isoFromMicros(r.sealed_at),
    }),
  );
}

/**
 * Verifies the whole ledger from the database: one REPEATABLE READ, READ ONLY transaction (a seal
 * committing mid-way cannot make a consistent ledger look broken), streamed in keyset batches.
 * Usable without Nest (the CLI and the benchmark construct it with a DataSource).
 */
@Injectable()
export class LedgerVerifierService {
  private running: Promise<ChainVerification> | null = null;

  constructor(private readonly ds: DataSource) {}

  /** Concurrent callers share one run (the query is public and reads every event). */
  verify(opts: { batch?: number } = {}): Promise<ChainVerification> {
    if (!this.running) {
      this.running = this.run(opts.batch).finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async run(batch?: number): Promise<ChainVerification> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const q = serialQuery(qr.manager);
        return await verifyChain(streamBlocks(q), streamEvents(q, batch));
      } finally {
        await qr.query('COMMIT');
      }
    } finally {
      await qr.release();
    }
  }
}
