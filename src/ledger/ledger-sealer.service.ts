import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../platform/clock/clock.js';
import { blockHash, merkleRoot, ZERO_HASH } from './domain/hashing.js';
import type { SignedTreeHead } from './domain/merkle.js';
import { LOCK_KEYS } from '../platform/database/locks.js';
import { LedgerTreeService } from './ledger-tree.service.js';

/** Advisory lock key of the sealer (the append path takes no lock). */
export const SEAL_LOCK_KEY = LOCK_KEYS.ledgerSeal;
export const MAX_EVENTS_PER_BLOCK = 5000;

export interface SealResult {
  /** Blocks written by this call. */
  blocks: number;
  /** Events sealed by this call. */
  events: number;
  /** False when writers still running after `waitMs` kept this call from sealing the newest events. */
  complete: boolean;
}

export interface LedgerHeadInfo {
  length: number;
  headHash: string;
  blocks: number;
  sealedAt: Date | null;
}

interface LastBlockRow {
  seq: string;
  hash: string;
  last_event: string;
}

/**
 * Seals appended events into hash-chained blocks (Merkle root of their stored hashes).
 *
 * Which events: a prefix of `seq`. Appenders take no lock, so sequence values are handed out in one
 * order and committed in another. Sealing "committed events whose xid is below the snapshot xmin"
 * never skips an event but can seal seq 60 while seq 59 is still uncommitted; block ranges would then
 * overlap and an event slipped into an old range could not be told from a late commit. Instead:
 *  1. read H = the sequence's last value (every seq <= H is already handed out);
 *  2. list the transactions of this database holding RowExclusiveLock on ledger_event: an INSERT
 *     takes that lock before it evaluates nextval and keeps it to commit, so every transaction that
 *     could still commit an event with seq <= H is in this list;
 *  3. wait until all of them have ended (their virtual xids hold no such lock any more);
 *  4. now the visible events with seq <= H are final: seal them all, in seq order, 5000 per block.
 * A writer still running after `waitMs` defers sealing to a later call (nothing is sealed past it).
 * Unlike xmin, a long transaction elsewhere in the cluster does not hold sealing back.
 * Only one sealer at a time (pg_advisory_xact_lock); blocks and block_seq are written in one transaction,
 * with the new leaves and complete subtrees of the Merkle tree and the signed tree head (LedgerTreeService.grow).
 */
@Injectable()
export class LedgerSealerService {
  private readonly log = new Logger(LedgerSealerService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly tree: LedgerTreeService,
  ) {}

  private current: Promise<SealResult> | null = null;
  private pending: Promise<SealResult> | null = null;

  /**
   * Seals every event committed before the call (waiting up to `waitMs`, default 3 s, for writers
   * still open). Calls in this process coalesce: while one runs, later callers share a single
   * follow-up run, so a burst of public `ledgerHead` requests holds at most two pool connections.
   */
  seal(now?: Date, opts: { waitMs?: number } = {}): Promise<SealResult> {
    const run = (): Promise<SealResult> => {
      const p: Promise<SealResult> = this.sealOnce(now ?? this.clock.now(), opts.waitMs ?? 3000).finally(() => {
        if (this.current === p) this.current = null;
      });
      this.current = p;
      return p;
    };
    if (!this.current) return run();
    this.pending ??= this.current
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.pending = null;
        return run();
      });
    return this.pending;
  }

  private async sealOnce(now: Date, waitMs: number): Promise<SealResult> {
    const result = await this.ds.transaction(async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock($1)`, [SEAL_LOCK_KEY]);
      const horizon = await this.horizon(em, waitMs);
      if (horizon === null) return { blocks: 0, events: 0, complete: false };
      const last: LastBlockRow[] = await em.query(`SELECT seq, hash, last_event FROM ledger_block ORDER BY seq DESC LIMIT 1`);
      let blockSeq = Number(last[0]?.seq ?? 0);
      let prevHash = last[0]?.hash ?? ZERO_HASH;
      let after = Number(last[0]?.last_event ?? 0);
      const sealedAt = now.toISOString();
      let blocks = 0;
      let events = 0;
      for (;;) {
        // Events at or below the last sealed one that are still unsealed can only be forgeries: left
        // for verification to report, never sealed over.
        const rows: { seq: string; hash: string }[] = await em.query(
          `SELECT seq, hash FROM ledger_event WHERE block_seq IS NULL AND seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
          [after, horizon, MAX_EVENTS_PER_BLOCK],
        );
        if (!rows.length) break;
        blockSeq++;
        const firstEvent = Number(rows[0].seq);
        const lastEvent = Number(rows[rows.length - 1].seq);
        const root = merkleRoot(rows.map((r) => r.hash));
        const facts = { seq: blockSeq, prevHash, merkleRoot: root, firstEvent, lastEvent, eventCount: rows.length, sealedAt };
        const hash = blockHash(facts);
        await em.query(
          `INSERT INTO ledger_block (seq, prev_hash, merkle_root, hash, first_event, last_event, event_count, sealed_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
          [blockSeq, prevHash, root, hash, firstEvent, lastEvent, rows.length, sealedAt],
        );
        const upd: { n: number }[] = await em.query(
          `WITH u AS (UPDATE ledger_event SET block_seq = $1 WHERE block_seq IS NULL AND seq BETWEEN $2 AND $3 RETURNING 1)
           SELECT count(*)::int AS n FROM u`,
          [blockSeq, firstEvent, lastEvent],
        );
        if (upd[0].n !== rows.length) {
          throw new Error(`ledger sealer: block ${blockSeq} expected ${rows.length} events, updated ${upd[0].n}`);
        }
        prevHash = hash;
        after = lastEvent;
        blocks++;
        events += rows.length;
      }
      // The contract: the RFC 9162 tree over every sealed event, and a signed head (same transaction).
      await this.tree.grow(em, now);
      return { blocks, events, complete: true };
    });
    if (result.events) this.log.debug(`sealed ${result.events} events into ${result.blocks} blocks`);
    return result;
  }

  /**
   * Seals what is committed, then returns the head (for the bulletin to pin): the block chain's head and
   * the signed tree head over the same sealed events, read in one snapshot.
   */
  async head(): Promise<{ length: number; headHash: string; signed: SignedTreeHead | null }> {
    await this.seal();
    return this.ds.transaction('REPEATABLE READ', async (em) => {
      const h = await readHead(em);
      return { length: h.length, headHash: h.headHash, signed: await this.tree.latestHead(em) };
    });
  }

  async headInfo(opts: { seal?: boolean } = {}): Promise<LedgerHeadInfo> {
    if (opts.seal !== false) await this.seal();
    return readHead(this.ds);
  }

  /**
   * The highest seq whose events are all final, or null if writers holding lower seqs are still
   * running after `waitMs`. Runs inside the sealer's transaction (its own locks are excluded).
   */
  private async horizon(em: EntityManager, waitMs: number): Promise<number | null> {
    // Step 1 strictly before step 2 (two statements): see the class comment.
    const seqRow: { h: string }[] = await em.query(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS h FROM ledger_event_seq_seq`);
    const h = Number(seqRow[0]?.h ?? 0);
    let holders = await this.writers(em, null);
    const deadline = Date.now() + waitMs;
    let pause = 5;
    while (holders.length) {
      if (Date.now() >= deadline) return null;
      await sleep(pause);
      pause = Math.min(pause * 2, 100);
      holders = await this.writers(em, holders);
    }
    return h;
  }

  /** Virtual xids of other transactions (of this database) holding a write lock on ledger_event. */
  private async writers(em: EntityManager, among: string[] | null): Promise<string[]> {
    const rows: { vx: string }[] = await em.query(
      `SELECT DISTINCT l.virtualtransaction AS vx FROM pg_locks l
       WHERE l.locktype = 'relation' AND l.relation = 'ledger_event'::regclass
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND l.mode = 'RowExclusiveLock' AND l.granted AND l.pid IS DISTINCT FROM pg_backend_pid()
         AND ($1::text[] IS NULL OR l.virtualtransaction = ANY($1::text[]))`,
      [among],
    );
    return rows.map((r) => r.vx);
  }
}

/** Head as stored: O(blocks). */
export async function readHead(em: EntityManager | DataSource): Promise<LedgerHeadInfo> {
  const rows: { hash: string | null; sealed_at: Date | null; length: string; blocks: string }[] = await em.query(
    `SELECT b.hash, b.sealed_at, s.length, s.blocks
     FROM (SELECT COALESCE(sum(event_count), 0) AS length, count(*) AS blocks FROM ledger_block) s
     LEFT JOIN LATERAL (SELECT hash, sealed_at FROM ledger_block ORDER BY seq DESC LIMIT 1) b ON true`,
  );
  const r = rows[0];
  return {
    length: Number(r?.length ?? 0),
    headHash: r?.hash ?? ZERO_HASH,
    blocks: Number(r?.blocks ?? 0),
    sealedAt: r?.sealed_at ?? null,
  };
}
