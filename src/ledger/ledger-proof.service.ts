import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { applicantIin, isAdmin, type Principal } from '../auth/principal.js';
import { AppError, badInput, forbidden, notFound } from '../platform/errors/app-error.js';
import { merkleProof, type ProofStep } from './domain/hashing.js';
import { LedgerSealerService } from './ledger-sealer.service.js';
import { LedgerTreeService } from './ledger-tree.service.js';
import { isoFromMicros } from './ledger-verifier.service.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface BlockHeader {
  seq: number;
  prevHash: string;
  merkleRoot: string;
  hash: string;
  firstEvent: number;
  lastEvent: number;
  eventCount: number;
  /** ISO UTC as hashed. */
  sealedAt: string;
}

export interface EventProof {
  seq: number;
  type: string;
  /** ISO UTC as hashed. */
  at: string;
  entity: string;
  entityId: string;
  actor: string;
  /** The event's data as JSON (hashing uses its canonical form: keys sorted). */
  data: string;
  eventHash: string;
  blockSeq: number;
  merkleRoot: string;
  blockHash: string;
  path: ProofStep[];
  block: BlockHeader;
  /** Position among the tree's leaves, and the RFC 9162 inclusion proof in the tree of `treeSize` (null: not in it). */
  leafIndex: number | null;
  treeSize: number | null;
  inclusion: string[] | null;
}

/** Merkle inclusion proofs of an application's sealed events (and of its referrals' events). */
@Injectable()
export class LedgerProofService {
  constructor(
    private readonly ds: DataSource,
    private readonly sealer: LedgerSealerService,
    private readonly tree: LedgerTreeService,
  ) {}

  /** `treeSize`: the tree the inclusion proofs are for (default: the newest signed head). */
  async forApplication(applicationId: string, by: Principal, treeSize?: number | null): Promise<EventProof[]> {
    if (!UUID_RE.test(applicationId)) throw notFound('application', applicationId);
    const apps: { applicant_iin: string }[] = await this.ds.query(`SELECT applicant_iin FROM application WHERE id = $1`, [applicationId]);
    if (!apps[0]) throw notFound('application', applicationId);
    if (!isAdmin(by) && applicantIin(by) !== apps[0].applicant_iin) {
      if (by.kind === 'anonymous') throw new AppError('UNAUTHENTICATED', 'this operation needs a token');
      throw forbidden('application: you may only see your own applications');
    }
    await this.sealer.seal(undefined, { waitMs: 1000 });
    const headSize = (await this.tree.latestHead())?.treeSize ?? 0;
    const size = treeSize ?? headSize;
    if (!Number.isInteger(size) || size < 0 || size > headSize) {
      throw badInput('treeSize', `must be between 0 and the head's tree size (${headSize})`);
    }
    const events: {
      seq: string;
      type: string;
      at: string;
      entity: string;
      entity_id: string;
      actor: string;
      data: unknown;
      hash: string;
      block_seq: string;
    }[] = await this.ds.query(
      `SELECT seq, type, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at, entity, entity_id, actor, data, hash, block_seq
       FROM ledger_event
       WHERE block_seq IS NOT NULL
         AND ((entity = 'application' AND entity_id = $1)
           OR (entity = 'referral' AND entity_id IN (SELECT id::text FROM referral WHERE application_id = $1::uuid)))
       ORDER BY seq`,
      [applicationId],
    );
    const included = await this.tree.inclusion(
      events.map((e) => Number(e.seq)),
      size,
    );
    const blocks = new Map<number, { header: BlockHeader; leaves: string[]; index: Map<number, number> }>();
    const out: EventProof[] = [];
    for (const e of events) {
      const blockSeq = Number(e.block_seq);
      let b = blocks.get(blockSeq);
      if (!b) {
        const rows: {
          seq: string;
          prev_hash: string;
          merkle_root: string;
          hash: string;
          first_event: string;
          last_event: string;
          event_count: number;
          sealed_at: string;
        }[] = await this.ds.query(
          `SELECT seq, prev_hash, merkle_root, hash, first_event, last_event, event_count,
                  to_char(sealed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS sealed_at
           FROM ledger_block WHERE seq = $1`,
          [blockSeq],
        );
        const leafRows: { seq: string; hash: string }[] = await this.ds.query(
          `SELECT seq, hash FROM ledger_event WHERE block_seq = $1 ORDER BY seq`,
          [blockSeq],
        );
        const r = rows[0];
        if (!r) continue; // a dangling block_seq: ledgerVerify reports it
        b = {
          header: {
            seq: Number(r.seq),
            prevHash: r.prev_hash,
            merkleRoot: r.merkle_root,
            hash: r.hash,
            firstEvent: Number(r.first_event),
            lastEvent: Number(r.last_event),
            eventCount: r.event_count,
            sealedAt: isoFromMicros(r.sealed_at),
          },
          leaves: leafRows.map((l) => l.hash),
          index: new Map(leafRows.map((l, i) => [Number(l.seq), i])),
        };
        blocks.set(blockSeq, b);
      }
      const i = b.index.get(Number(e.seq)) ?? 0;
      out.push({
        seq: Number(e.seq),
        type: e.type,
        at: isoFromMicros(e.at),
        entity: e.entity,
        entityId: e.entity_id,
        actor: e.actor,
        data: JSON.stringify(e.data),
        eventHash: e.hash,
        blockSeq,
        merkleRoot: b.header.merkleRoot,
        blockHash: b.header.hash,
        path: merkleProof(b.leaves, i),
        block: b.header,
        leafIndex: included.get(Number(e.seq))?.leafIndex ?? null,
        treeSize: included.has(Number(e.seq)) ? size : null,
        inclusion: included.get(Number(e.seq))?.hashes ?? null,
      });
    }
    return out;
  }
}
