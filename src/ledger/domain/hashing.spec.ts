import fc from 'fast-check';
import { blockHash, canonicalJson, eventHash, merkleProof, merkleRoot, sha256, verifyProof, ZERO_HASH } from './hashing.js';

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const leavesArb = fc.array(hex64, { minLength: 1, maxLength: 70 });

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('does not depend on key order, and survives a JSON round trip (what jsonb gives back)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const back = JSON.parse(JSON.stringify(v)) as unknown;
        const reversed = JSON.parse(
          JSON.stringify(v, (_k, x: unknown) =>
            x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).reverse()) : x,
          ),
        ) as unknown;
        expect(canonicalJson(back)).toBe(canonicalJson(reversed));
        expect(JSON.parse(canonicalJson(back))).toEqual(back);
      }),
    );
  });
});

describe('Merkle tree', () => {
  it('one leaf is its own root; none is ZERO_HASH', () => {
    const a = sha256('a');
    expect(merkleRoot([a])).toBe(a);
    expect(merkleProof([a], 0)).toEqual([]);
    expect(merkleRoot([])).toBe(ZERO_HASH);
  });

  it('the proof of every leaf of a random tree verifies against the root', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const root = merkleRoot(leaves);
        leaves.forEach((leaf, i) => {
          const proof = merkleProof(leaves, i);
          expect(proof).toHaveLength(leaves.length > 1 ? Math.ceil(Math.log2(leaves.length)) : 0);
          expect(verifyProof(leaf, proof, root)).toBe(true);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('a changed leaf fails its proof and changes the root', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), hex64, (leaves, k, other) => {
        const i = k % leaves.length;
        fc.pre(other !== leaves[i]);
        const root = merkleRoot(leaves);
        const proof = merkleProof(leaves, i);
        expect(verifyProof(other, proof, root)).toBe(false);
        const changed = leaves.map((l, j) => (j === i ? other : l));
        expect(merkleRoot(changed)).not.toBe(root);
      }),
      { numRuns: 200 },
    );
  });

  it('a tampered proof step fails', () => {
    fc.assert(
      fc.property(fc.array(hex64, { minLength: 2, maxLength: 40 }), fc.nat(), fc.nat(), hex64, (leaves, k, s, other) => {
        const i = k % leaves.length;
        const proof = merkleProof(leaves, i);
        const j = s % proof.length;
        fc.pre(proof[j].hash !== other);
        const bad = proof.map((p, n) => (n === j ? { ...p, hash: other } : p));
        expect(verifyProof(leaves[i], bad, merkleRoot(leaves))).toBe(false);
      }),
    );
  });

  it('removing or adding a leaf changes the root (distinct leaves; the block hash also covers the count)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(hex64, { minLength: 2, maxLength: 40 }), fc.nat(), (leaves, k) => {
        const root = merkleRoot(leaves);
        expect(merkleRoot(leaves.filter((_, j) => j !== k % leaves.length))).not.toBe(root);
        expect(merkleRoot([...leaves, sha256(`x${k}`)])).not.toBe(root);
      }),
    );
  });
});

describe('eventHash / blockHash', () => {
  it('every fact of an event and of a block is covered', () => {
    const e = { at: '2026-01-01T00:00:00.000Z', type: 't', entity: 'application', entityId: 'x', actor: 'system', data: { a: 1 } };
    const h = eventHash(e);
    for (const k of Object.keys(e) as (keyof typeof e)[]) {
      expect(eventHash({ ...e, [k]: k === 'data' ? { a: 2 } : `${String(e[k])}!` })).not.toBe(h);
    }
    const b = { seq: 1, prevHash: ZERO_HASH, merkleRoot: h, firstEvent: 1, lastEvent: 1, eventCount: 1, sealedAt: e.at };
    const bh = blockHash(b);
    for (const k of Object.keys(b) as (keyof typeof b)[]) {
      expect(blockHash({ ...b, [k]: typeof b[k] === 'number' ? (b[k] as number) + 1 : `${b[k]}0` })).not.toBe(bh);
    }
  });
});
