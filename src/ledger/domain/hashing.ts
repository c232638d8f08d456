import { createHash } from 'node:crypto';

export const ZERO_HASH = '0'.repeat(64);

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Deterministic JSON: keys sorted at every level, so the same fact always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface LedgerEventFact {
  seq: number;
  at: string; // ISO UTC
  type: string;
  entity: string;
  entityId: string;
  actor: string;
  data: unknown;
}

/** Hash of one event (the leaf of its block's Merkle tree). */
export function eventHash(e: Omit<LedgerEventFact, 'seq'>): string {
  return sha256(canonicalJson({ at: e.at, type: e.type, entity: e.entity, entityId: e.entityId, actor: e.actor, data: e.data }));
}

/** Merkle root over leaf hashes (odd node promoted by pairing with itself). */
export function merkleRoot(leaves: string[]): string {
  if (leaves.length === 0) return ZERO_HASH;
  let level = leaves;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256(level[i] + (level[i + 1] ?? level[i])));
    level = next;
  }
  return level[0];
}

export interface ProofStep {
  side: 'L' | 'R';
  hash: string;
}

export function merkleProof(leaves: string[], index: number): ProofStep[] {
  const proof: ProofStep[] = [];
  let level = leaves;
  let i = index;
  while (level.length > 1) {
    const sibling = i % 2 === 0 ? (level[i + 1] ?? level[i]) : level[i - 1];
    proof.push({ side: i % 2 === 0 ? 'R' : 'L', hash: sibling });
    const next: string[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(sha256(level[j] + (level[j + 1] ?? level[j])));
    level = next;
    i = Math.floor(i / 2);
  }
  return proof;
}

export function verifyProof(leaf: string, proof: ProofStep[], root: string): boolean {
  let h = leaf;
  for (const step of proof) h = step.side === 'R' ? sha256(h + step.hash) : sha256(step.hash + h);
  return h === root;
}

export interface BlockFacts {
  seq: number;
  prevHash: string;
  merkleRoot: string;
  firstEvent: number;
  lastEvent: number;
  eventCount: number;
  sealedAt: string;
}

export function blockHash(b: BlockFacts): string {
  return sha256(canonicalJson(b));
}
