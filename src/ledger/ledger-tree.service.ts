import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { badInput } from '../platform/errors/app-error.js';
import { toAlmatyIso } from '../platform/graphql/scalars.js';
import {
  consistencyProof,
  EMPTY_ROOT,
  eventLeafHash,
  extendTree,
  frontierNodes,
  inclusionProof,
  nodeMap,
  nodesNeeded,
  type NodeSource,
  type SignedTreeHead,
  treeRoot,
} from './domain/merkle.js';
import { isoFromMicros } from './ledger-verifier.service.js';
import { TreeHeadSigner } from './tree-head-signer.js';

export const TREE_BATCH = 5000;

type Db = EntityManager | DataSource;

interface HeadRow {
  tree_size: string;
  root_hash: string;
  signed_at: Date;
  key_id: string;
  signature: string;
}

export interface LedgerKeyInfo {
  keyId: string;
  algorithm: string;
  publicKey: string;
  validFrom: Date;
  validUntil: Date | null;
}

/** Reads the stored complete subtrees a computation needs (one query), then runs it. */
async function withNodes<T>(db: Db, run: (src: NodeSource) => T): Promise<T> {
  const keys = nodesNeeded(run);
  if (!keys.length) return run(nodeMap([]));
  const rows: { level: number; idx: string; hash: string }[] = await db.query(
    `SELECT n.level, n.idx, n.hash FROM ledger_tree_node n
     JOIN unnest($1::smallint[], $2::bigint[]) AS k(level, idx) ON n.level = k.level AND n.idx = k.idx`,
    [keys.map((k) => k.level), keys.map((k) => k.index)],
  );
  return run(nodeMap(rows.map((r) => ({ level: r.level, index: Number(r.idx), hash: r.hash }))));
}

const toHead = (r: HeadRow): SignedTreeHead => ({
  treeSize: Number(r.tree_size),
  rootHash: r.root_hash,
  timestamp: toAlmatyIso(r.signed_at),
  keyId: r.key_id,
  signature: r.signature,
});

/**
 * The ledger as an RFC 9162 Merkle tree (domain/merkle.ts) over the sealed events in seq order, kept in
 * `ledger_tree_node` (each complete subtree once) by the sealer, with signed heads in `ledger_tree_head`.
 * Heads, inclusion and consistency proofs read O(log n) nodes; nothing is recomputed from the events.
 */
@Injectable()
export class LedgerTreeService {
  constructor(
    private readonly ds: DataSource,
    private readonly signer: TreeHeadSigner,
  ) {}

  /**
   * In the sealer's transaction (after its blocks): adds every sealed event not yet in the tree as a leaf
   * (catching up on events sealed before the tree existed), and signs a new head when the tree grew, when
   * there is none yet, or when the signing key changed. Returns the leaves added.
   */
  async grow(em: EntityManager, now: Date): Promise<number> {
    await this.signer.publish(em, now);
    const last = await this.latestHead(em);
    let size = last?.treeSize ?? 0;
    const lastLeaf: { seq: string }[] = size
      ? await em.query(`SELECT seq FROM ledger_tree_node WHERE level = 0 AND idx = $1`, [size - 1])
      : [];
    let after = Number(lastLeaf[0]?.seq ?? 0);
    let added = 0;
    for (;;) {
      const rows: { seq: string; at: string; type: string; entity: string; entity_id: string; actor: string; data: unknown }[] =
        await em.query(
          `SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at, type, entity, entity_id, actor, data
         FROM ledger_event WHERE seq > $1 AND block_seq IS NOT NULL ORDER BY seq LIMIT $2`,
          [after, TREE_BATCH],
        );
      if (!rows.length) break;
      const leaves = rows.map((r) =>
        eventLeafHash({ at: isoFromMicros(r.at), type: r.type, entity: r.entity, entityId: r.entity_id, actor: r.actor, data: r.data }),
      );
      const nodes = await withNodes(em, (src) => {
        // Touch the frontier so withNodes fetches it, then extend.
        for (const f of frontierNodes(size, size + leaves.length)) src(f.level, f.index);
        return extendTree(size, leaves, src);
      });
      const seqOf = (n: { level: number; index: number }): string | null => (n.level === 0 ? rows[n.index - size].seq : null);
      await em.query(
        `INSERT INTO ledger_tree_node (level, idx, hash, seq) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::text[], $4::bigint[])`,
        [nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => n.hash), nodes.map(seqOf)],
      );
      size += leaves.length;
      after = Number(rows[rows.length - 1].seq);
      added += leaves.length;
    }
    if (added || !last || last.keyId !== this.signer.keyId) {
      const root = size ? await withNodes(em, (src) => treeRoot(src, size)) : EMPTY_ROOT;
      const head = this.signer.sign(size, root, now);
      await em.query(`INSERT INTO ledger_tree_head (tree_size, root_hash, signed_at, key_id, signature) VALUES ($1,$2,$3,$4,$5)`, [
        head.treeSize,
        head.rootHash,
        now,
        head.keyId,
        head.signature,
      ]);
    }
    return added;
  }

  /** The newest signed head as stored (null before the first seal). */
  async latestHead(db: Db = this.ds): Promise<SignedTreeHead | null> {
    const rows: HeadRow[] = await db.query(
      `SELECT tree_size, root_hash, signed_at, key_id, signature FROM ledger_tree_head ORDER BY id DESC LIMIT 1`,
    );
    return rows[0] ? toHead(rows[0]) : null;
  }

  /** RFC 9162 §2.1.4 proof that the tree of `fromSize` is a prefix of the tree of `toSize` (default: the head). */
  async consistency(
    fromSize: number,
    toSize: number | null | undefined,
    db: Db = this.ds,
  ): Promise<{ fromSize: number; toSize: number; hashes: string[] }> {
    const head = await this.latestHead(db);
    const size = head?.treeSize ?? 0;
    const to = toSize ?? size;
    if (!Number.isInteger(to) || to < 0 || to > size) throw badInput('toSize', `must be between 0 and the head's tree size (${size})`);
    if (!Number.isInteger(fromSize) || fromSize < 0 || fromSize > to) throw badInput('fromSize', `must be between 0 and toSize (${to})`);
    const hashes = await withNodes(db, (src) => consistencyProof(src, fromSize, to));
    return { fromSize, toSize: to, hashes };
  }

  /** Leaf index of each sealed event's seq, and its inclusion proof in the tree of `size` leaves. */
  async inclusion(seqs: readonly number[], size: number, db: Db = this.ds): Promise<Map<number, { leafIndex: number; hashes: string[] }>> {
    const out = new Map<number, { leafIndex: number; hashes: string[] }>();
    if (!seqs.length) return out;
    const rows: { seq: string; idx: string }[] = await db.query(
      `SELECT seq, idx FROM ledger_tree_node WHERE level = 0 AND seq = ANY($1::bigint[]) AND idx < $2`,
      [seqs, size],
    );
    for (const r of rows) {
      const leafIndex = Number(r.idx);
      out.set(Number(r.seq), { leafIndex, hashes: await withNodes(db, (src) => inclusionProof(src, leafIndex, size)) });
    }
    return out;
  }

  /** Every public key that has signed heads; each valid until the next one's valid_from. */
  async keys(db: Db = this.ds): Promise<LedgerKeyInfo[]> {
    const rows: { key_id: string; algorithm: string; public_key: string; valid_from: Date; valid_until: Date | null }[] = await db.query(
      `SELECT key_id, algorithm, public_key, valid_from, lead(valid_from) OVER (ORDER BY valid_from, key_id) AS valid_until
       FROM ledger_key ORDER BY valid_from, key_id`,
    );
    return rows.map((r) => ({
      keyId: r.key_id,
      algorithm: r.algorithm,
      publicKey: r.public_key,
      validFrom: r.valid_from,
      validUntil: r.valid_until,
    }));
  }
}
