/**
 * The ledger as a Merkle tree, exactly RFC 9162 §2.1: leaves are the ledger events in `seq` order, a leaf's
 * hash is SHA-256(0x00 ‖ event bytes) and a node's SHA-256(0x01 ‖ left ‖ right); for n > 1 leaves the tree
 * splits at k, the largest power of two below n (no odd leaf is duplicated). Event bytes are the RFC 8785
 * canonical JSON ({@link jcs}) of {actor, at, data, entity, entityId, type}, exactly as stored.
 *
 * Storage model: a *complete subtree* (level L, index i) covers leaves [i·2^L, (i+1)·2^L); its hash never
 * changes once all its leaves exist, so the sealer stores each one once ({@link extendTree}) and every head,
 * inclusion proof and consistency proof below is computed from O(log n) of them through a {@link NodeSource}.
 * {@link nodesNeeded} lists which ones a computation reads, so a caller can fetch them in one query first.
 *
 * Hashes are lower-case hex. Pure TypeScript (node:crypto only), no I/O.
 */
import { createHash } from 'node:crypto';
import { jcsBytes } from './jcs.js';

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT = createHash('sha256').digest('hex');

export interface TreeEvent {
  at: string;
  type: string;
  entity: string;
  entityId: string;
  actor: string;
  data: unknown;
}

/** The bytes of an event as a leaf: RFC 8785 canonical JSON of its six facts. */
export function eventBytes(e: TreeEvent): Buffer {
  return jcsBytes({ actor: e.actor, at: e.at, data: e.data, entity: e.entity, entityId: e.entityId, type: e.type });
}

export function leafHash(bytes: Uint8Array): string {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(bytes)
    .digest('hex');
}

export function eventLeafHash(e: TreeEvent): string {
  return leafHash(eventBytes(e));
}

export function nodeHash(left: string, right: string): string {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(Buffer.from(left, 'hex'))
    .update(Buffer.from(right, 'hex'))
    .digest('hex');
}

/** Hash of the complete subtree (level, index); level 0 = leaf hashes. */
export type NodeSource = (level: number, index: number) => string;

/** Largest power of two strictly below n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPow2 = (n: number): boolean => n > 0 && Number.isInteger(Math.log2(n));

/** MTH(D[start:end]) for a range the RFC's recursion produces (start is a multiple of a power of two ≥ the range's split). */
export function rangeHash(src: NodeSource, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (isPow2(n) && start % n === 0) return src(Math.log2(n), start / n);
  const k = split(n);
  return nodeHash(rangeHash(src, start, start + k), rangeHash(src, start + k, end));
}

/** The root of the first `size` leaves. */
export function treeRoot(src: NodeSource, size: number): string {
  return rangeHash(src, 0, size);
}

/** Inclusion proof of leaf m in the tree of `size` leaves (RFC 9162 §2.1.3.1 PATH), from the leaf up. */
export function inclusionProof(src: NodeSource, m: number, size: number): string[] {
  if (!(m >= 0 && m < size)) throw new RangeError(`leaf ${m} is not in a tree of ${size}`);
  const path = (m: number, start: number, end: number): string[] => {
    const n = end - start;
    if (n <= 1) return [];
    const k = split(n);
    return m < k
      ? [...path(m, start, start + k), rangeHash(src, start + k, end)]
      : [...path(m - k, start + k, end), rangeHash(src, start, start + k)];
  };
  return path(m, 0, size);
}

/** Consistency proof between the trees of `from` and `to` leaves (RFC 9162 §2.1.4.1); empty when from is 0 or equals to. */
export function consistencyProof(src: NodeSource, from: number, to: number): string[] {
  if (!(from >= 0 && from <= to)) throw new RangeError(`no consistency proof from ${from} to ${to}`);
  if (from === 0 || from === to) return [];
  const sub = (m: number, start: number, end: number, b: boolean): string[] => {
    const n = end - start;
    if (m === n) return b ? [] : [rangeHash(src, start, end)];
    const k = split(n);
    return m <= k
      ? [...sub(m, start, start + k, b), rangeHash(src, start + k, end)]
      : [...sub(m - k, start + k, end, false), rangeHash(src, start, start + k)];
  };
  return sub(from, 0, to, true);
}

/** The complete subtrees (level, index) a computation reads; run it once with this to know what to fetch. */
export function nodesNeeded(run: (src: NodeSource) => unknown): { level: number; index: number }[] {
  const seen = new Map<string, { level: number; index: number }>();
  run((level, index) => {
    seen.set(`${level}:${index}`, { level, index });
    return EMPTY_ROOT;
  });
  return [...seen.values()];
}

/** A {@link NodeSource} over fetched nodes; throws on a node that was not fetched. */
export function nodeMap(nodes: readonly { level: number; index: number; hash: string }[]): NodeSource {
  const m = new Map(nodes.map((n) => [`${n.level}:${n.index}`, n.hash]));
  return (level, index) => {
    const h = m.get(`${level}:${index}`);
    if (h === undefined) throw new Error(`Merkle tree node ${level}:${index} is missing`);
    return h;
  };
}

/**
 * Appending leaves: the complete subtrees that become complete when the tree grows from `size` leaves by
 * `leaves` (their hashes, in order), level 0 included. Reads, from the stored tree, at most one node per
 * level (the left sibling of the first new node): list them with {@link frontierNodes}.
 */
export function extendTree(size: number, leaves: readonly string[], stored: NodeSource): { level: number; index: number; hash: string }[] {
  const out: { level: number; index: number; hash: string }[] = [];
  let level = 0;
  let start = size;
  let hashes = [...leaves];
  while (hashes.length) {
    hashes.forEach((hash, i) => out.push({ level, index: start + i, hash }));
    const end = start + hashes.length;
    const pStart = Math.floor(start / 2);
    const pEnd = Math.floor(end / 2);
    const parents: string[] = [];
    for (let p = pStart; p < pEnd; p++) {
      const l = 2 * p;
      const left = l < start ? stored(level, l) : hashes[l - start];
      parents.push(nodeHash(left, hashes[l + 1 - start]));
    }
    hashes = parents;
    start = pStart;
    level++;
  }
  return out;
}

/** The stored nodes {@link extendTree} reads when the tree grows from `size` to `newSize` leaves. */
export function frontierNodes(size: number, newSize: number): { level: number; index: number }[] {
  const out: { level: number; index: number }[] = [];
  let start = size;
  let end = newSize;
  for (let level = 0; end > start; level++) {
    if (start % 2 === 1 && start + 1 <= end) out.push({ level, index: start - 1 });
    start = Math.floor(start / 2);
    end = Math.floor(end / 2);
  }
  return out;
}

const bytes = (hex: string): boolean => /^[0-9a-f]{64}$/.test(hex);

/** RFC 9162 §2.1.3.2: whether `proof` shows leaf `index` (hash `leaf`) in the tree of `size` with root `root`. */
export function verifyInclusion(leaf: string, index: number, size: number, proof: readonly string[], root: string): boolean {
  if (!(Number.isInteger(index) && Number.isInteger(size) && index >= 0 && index < size)) return false;
  if (!proof.every(bytes)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r === root;
}

/** RFC 9162 §2.1.4.2: whether `proof` shows the tree (size1, root1) is a prefix of (size2, root2). */
export function verifyConsistency(size1: number, size2: number, root1: string, root2: string, proof: readonly string[]): boolean {
  if (!(Number.isInteger(size1) && Number.isInteger(size2) && size1 >= 0 && size1 <= size2)) return false;
  if (!proof.every(bytes)) return false;
  if (size1 === size2) return proof.length === 0 && root1 === root2;
  if (size1 === 0) return proof.length === 0 && root1 === EMPTY_ROOT;
  let path = [...proof];
  if (isPow2(size1)) path = [root1, ...path];
  if (path.length === 0) return false;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr === root1 && sr === root2 && sn === 0;
}

/** Naive MTH straight from the RFC's definition (for tests and small trees). */
export function naiveRoot(leaves: readonly string[]): string {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeHash(naiveRoot(leaves.slice(0, k)), naiveRoot(leaves.slice(k)));
}

/** A signed tree head as published (API.md "Additions"). */
export interface SignedTreeHead {
  treeSize: number;
  rootHash: string;
  /** ISO-8601 UTC exactly as signed and returned. */
  timestamp: string;
  keyId: string;
  /** Base64 Ed25519 signature over {@link treeHeadText}. */
  signature: string;
}

/** The exact UTF-8 text a tree head's signature covers. */
export function treeHeadText(h: Pick<SignedTreeHead, 'treeSize' | 'rootHash' | 'timestamp'>): string {
  return `kezek-tree-head-v1\n${h.treeSize}\n${h.rootHash}\n${h.timestamp}`;
}
