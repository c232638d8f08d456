import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  consistencyProof,
  EMPTY_ROOT,
  eventBytes,
  eventLeafHash,
  extendTree,
  frontierNodes,
  inclusionProof,
  leafHash,
  naiveRoot,
  nodeHash,
  nodeMap,
  nodesNeeded,
  type NodeSource,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const sha = (...parts: Buffer[]): string => createHash('sha256').update(Buffer.concat(parts)).digest('hex');

/** Every complete subtree of `leaves`, naively. */
function naiveSource(leaves: readonly string[]): NodeSource {
  return (level, index) => {
    const w = 2 ** level;
    const slice = leaves.slice(index * w, (index + 1) * w);
    if (slice.length !== w) throw new Error(`node ${level}:${index} is not complete`);
    return naiveRoot(slice);
  };
}

/** RFC 9162 PATH and SUBPROOF straight from the text, over the leaf list. */
function naivePath(m: number, d: readonly string[]): string[] {
  if (d.length <= 1) return [];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m < k ? [...naivePath(m, d.slice(0, k)), naiveRoot(d.slice(k))] : [...naivePath(m - k, d.slice(k)), naiveRoot(d.slice(0, k))];
}
function naiveSubproof(m: number, d: readonly string[], b: boolean): string[] {
  if (m === d.length) return b ? [] : [naiveRoot(d)];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m <= k
    ? [...naiveSubproof(m, d.slice(0, k), b), naiveRoot(d.slice(k))]
    : [...naiveSubproof(m - k, d.slice(k), false), naiveRoot(d.slice(0, k))];
}

describe('Merkle tree (RFC 9162 §2.1)', () => {
  it('hashes: leaf = SHA-256(0x00 ‖ bytes), node = SHA-256(0x01 ‖ left ‖ right), empty = SHA-256("")', () => {
    const bytes = Buffer.from('{"a":1}');
    expect(leafHash(bytes)).toBe(sha(Buffer.from([0]), bytes));
    const [l, r] = [sha(Buffer.from('l')), sha(Buffer.from('r'))];
    expect(nodeHash(l, r)).toBe(sha(Buffer.from([1]), Buffer.from(l, 'hex'), Buffer.from(r, 'hex')));
    expect(EMPTY_ROOT).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(treeRoot(naiveSource([]), 0)).toBe(EMPTY_ROOT);
  });

  it('no duplicated odd leaf: the root of 3 leaves is H(H(a,b), c)', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((s) => leafHash(Buffer.from(s)));
    expect(naiveRoot([a, b, c])).toBe(nodeHash(nodeHash(a, b), c));
    expect(treeRoot(naiveSource([a, b, c]), 3)).toBe(nodeHash(nodeHash(a, b), c));
  });

  it('event bytes are the canonical JSON of the six facts, whatever the key order', () => {
    const e = { type: 't', at: '2026-01-01T00:00:00.000Z', entity: 'clock', entityId: 'x', actor: 'system', data: { b: 1, a: [2.5, 'é'] } };
    expect(eventBytes(e).toString('utf8')).toBe(
      '{"actor":"system","at":"2026-01-01T00:00:00.000Z","data":{"a":[2.5,"é"],"b":1},"entity":"clock","entityId":"x","type":"t"}',
    );
    expect(eventLeafHash({ ...e, data: { a: [2.5, 'é'], b: 1 } })).toBe(eventLeafHash(e));
  });

  it('property: root, inclusion and consistency proofs from stored subtrees equal the naive recomputation, and verify', () => {
    fc.assert(
      fc.property(fc.array(hex64, { minLength: 1, maxLength: 80 }), fc.nat(), fc.nat(), (leaves, a, b) => {
        const src = naiveSource(leaves);
        const n = leaves.length;
        const to = 1 + (a % n);
        const from = b % (to + 1);
        const m = b % to;
        const root = treeRoot(src, to);
        expect(root).toBe(naiveRoot(leaves.slice(0, to)));
        const path = inclusionProof(src, m, to);
        expect(path).toEqual(naivePath(m, leaves.slice(0, to)));
        expect(verifyInclusion(leaves[m], m, to, path, root)).toBe(true);
        const fromRoot = naiveRoot(leaves.slice(0, from));
        const proof = consistencyProof(src, from, to);
        if (from > 0 && from < to) expect(proof).toEqual(naiveSubproof(from, leaves.slice(0, to), true));
        expect(verifyConsistency(from, to, fromRoot, root, proof)).toBe(true);
        // Reads O(log n) stored nodes.
        expect(nodesNeeded((s) => consistencyProof(s, from, to)).length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(to + 1)) + 2);
      }),
      { numRuns: 300 },
    );
  });

  it('property: a changed leaf, a wrong index or root, or a changed proof hash fails verification', () => {
    fc.assert(
      fc.property(fc.uniqueArray(hex64, { minLength: 2, maxLength: 60 }), fc.nat(), fc.nat(), hex64, (leaves, a, b, other) => {
        const n = leaves.length;
        const src = naiveSource(leaves);
        const root = treeRoot(src, n);
        const m = a % n;
        const path = inclusionProof(src, m, n);
        if (other !== leaves[m]) expect(verifyInclusion(other, m, n, path, root)).toBe(false);
        expect(verifyInclusion(leaves[m], (m + 1) % n, n, path, root)).toBe(false);
        expect(verifyInclusion(leaves[m], m, m, path, root)).toBe(false);
        expect(verifyInclusion(leaves[m], m, n, path, treeRoot(src, n - 1))).toBe(false);
        if (path.length) {
          const bad = [...path];
          bad[b % bad.length] = other === bad[b % bad.length] ? EMPTY_ROOT : other;
          expect(verifyInclusion(leaves[m], m, n, bad, root)).toBe(false);
        }
        const from = 1 + (b % (n - 1));
        const proof = consistencyProof(src, from, n);
        const fromRoot = treeRoot(src, from);
        // A history rewritten inside the first `from` leaves: the old head is no longer a prefix.
        const forged = [...leaves];
        forged[b % from] = other === forged[b % from] ? EMPTY_ROOT : other;
        const fsrc = naiveSource(forged);
        expect(verifyConsistency(from, n, fromRoot, treeRoot(fsrc, n), consistencyProof(fsrc, from, n))).toBe(false);
        expect(verifyConsistency(from, n, fromRoot, root, proof.slice(1))).toBe(false);
        expect(verifyConsistency(from, n, fromRoot, treeRoot(src, n - 1), proof)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('property: extendTree, fed batch after batch, stores exactly every complete subtree', () => {
    fc.assert(
      fc.property(fc.array(fc.array(hex64, { maxLength: 20 }), { maxLength: 8 }), (batches) => {
        const stored: { level: number; index: number; hash: string }[] = [];
        let size = 0;
        for (const batch of batches) {
          const needed = frontierNodes(size, size + batch.length);
          const src = nodeMap(stored.filter((s) => needed.some((n) => n.level === s.level && n.index === s.index)));
          stored.push(...extendTree(size, batch, src));
          size += batch.length;
        }
        const leaves = batches.flat();
        const expected: string[] = [];
        for (let level = 0; 2 ** level <= leaves.length; level++) {
          for (let i = 0; (i + 1) * 2 ** level <= leaves.length; i++) expected.push(`${level}:${i}:${naiveSource(leaves)(level, i)}`);
        }
        expect(stored.map((s) => `${s.level}:${s.index}:${s.hash}`).sort()).toEqual(expected.sort());
      }),
    );
  });
});
