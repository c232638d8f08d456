import fc from 'fast-check';
import { type StoredBlock, type StoredEvent, verifyChain } from './chain-verifier.js';
import { blockHash, eventHash, merkleRoot, ZERO_HASH } from './hashing.js';

async function* from<T>(xs: T[]): AsyncGenerator<T> {
  for (const x of xs) yield await Promise.resolve(x);
}

function event(seq: number, i = seq): StoredEvent {
  const e = {
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    type: 'organization.created',
    entity: 'organization',
    entityId: `o${i}`,
    actor: 'ADMIN:a',
    data: { i, tags: ['x', i % 3] },
  };
  return { seq, blockSeq: null, ...e, hash: eventHash(e) };
}

/** What the sealer does: a prefix of seq into blocks of at most `size`. */
function seal(events: StoredEvent[], blocks: StoredBlock[], upTo: number, size: number): void {
  let prev = blocks[blocks.length - 1];
  const todo = events.filter((e) => e.blockSeq === null && e.seq <= upTo && e.seq > (prev?.lastEvent ?? 0));
  for (let i = 0; i < todo.length; i += size) {
    const chunk = todo.slice(i, i + size);
    const seq = (prev?.seq ?? 0) + 1;
    const facts = {
      seq,
      prevHash: prev?.hash ?? ZERO_HASH,
      merkleRoot: merkleRoot(chunk.map((e) => e.hash)),
      firstEvent: chunk[0].seq,
      lastEvent: chunk[chunk.length - 1].seq,
      eventCount: chunk.length,
      sealedAt: '2026-01-02T00:00:00.000Z',
    };
    const b = { ...facts, hash: blockHash(facts) };
    for (const e of chunk) e.blockSeq = seq;
    blocks.push(b);
    prev = b;
  }
}

function ledger(n: number, gaps: number[] = [], size = 4, sealUpTo = n): { events: StoredEvent[]; blocks: StoredBlock[] } {
  const events: StoredEvent[] = [];
  for (let s = 1; s <= n; s++) if (!gaps.includes(s)) events.push(event(s));
  const blocks: StoredBlock[] = [];
  seal(events, blocks, Math.floor(sealUpTo / 2), size);
  seal(events, blocks, sealUpTo, size);
  return { events, blocks };
}

const run = (l: { events: StoredEvent[]; blocks: StoredBlock[] }): ReturnType<typeof verifyChain> =>
  verifyChain(from(l.blocks), from(l.events));
const blockOf = (l: { events: StoredEvent[] }, seq: number): number | null => l.events.find((e) => e.seq === seq)!.blockSeq;

describe('verifyChain', () => {
  it('an untouched ledger is valid; empty too', async () => {
    const l = ledger(23, [5, 6, 14], 4, 20);
    const v = await run(l);
    expect(v).toMatchObject({ valid: true, firstInvalidSeq: null, length: 17, unsealedEvents: 3, checkedEvents: 20 });
    expect(v.headHash).toBe(l.blocks[l.blocks.length - 1].hash);
    expect(await run({ events: [], blocks: [] })).toMatchObject({ valid: true, length: 0, headHash: ZERO_HASH, blocks: 0 });
  });

  it('edited event data → its block', async () => {
    const l = ledger(30);
    const e = l.events[12];
    e.data = { i: 999 };
    const v = await run(l);
    expect(v).toMatchObject({ valid: false, firstInvalidSeq: e.blockSeq });
    expect(v.reason).toMatch(/event 13: its contents/);
  });

  it('edited event with a recomputed hash → Merkle root of its block', async () => {
    const l = ledger(30);
    const e = l.events[7];
    e.actor = 'ADMIN:mallory';
    e.hash = eventHash(e);
    expect(await run(l)).toMatchObject({ valid: false, firstInvalidSeq: e.blockSeq, reason: expect.stringMatching(/Merkle root/) });
  });

  it('deleted event → count of its block', async () => {
    const l = ledger(30);
    const [gone] = l.events.splice(9, 1);
    expect(await run(l)).toMatchObject({
      valid: false,
      firstInvalidSeq: gone.blockSeq,
      reason: expect.stringMatching(/3 events .* sealed with 4/),
    });
  });

  it('forged event in a sealed range (in a gap of seq) → that block, sealed or not', async () => {
    for (const blockSeqOfForgery of ['same', null] as const) {
      const l = ledger(30, [11]);
      const forged = event(11, 500);
      const target = blockOf(l, 12)!;
      forged.blockSeq = blockSeqOfForgery === 'same' ? target : null;
      l.events.splice(10, 0, forged);
      const v = await run(l);
      expect(v).toMatchObject({ valid: false, firstInvalidSeq: target });
    }
  });

  it('forged event between two blocks, or below the first → detected', async () => {
    const l = ledger(12, [5], 4); // blocks: 1-4, 6-9, 10-12 (first seal up to 6)
    const b2 = l.blocks.find((b) => b.firstEvent > 4)!;
    const forged = event(5, 77);
    l.events.splice(4, 0, forged);
    expect(await run(l)).toMatchObject({ valid: false, firstInvalidSeq: b2.seq, reason: expect.stringMatching(/event 5 lies below/) });
  });

  it('edited merkle_root, prev_hash or block hash; deleted or reordered block → detected', async () => {
    const l1 = ledger(30);
    l1.blocks[2].merkleRoot = ZERO_HASH;
    expect(await run(l1)).toMatchObject({ valid: false, firstInvalidSeq: 3 });
    const l2 = ledger(30);
    l2.blocks[3].hash = ZERO_HASH; // breaks block 4 itself
    expect(await run(l2)).toMatchObject({ valid: false, firstInvalidSeq: 4 });
    const l3 = ledger(30);
    l3.blocks.splice(1, 1);
    expect(await run(l3)).toMatchObject({ valid: false, firstInvalidSeq: 2 });
    const l4 = ledger(30);
    const { hash: _old, ...facts } = { ...l4.blocks[1], sealedAt: '2030-01-01T00:00:00.000Z' };
    l4.blocks[1] = { ...facts, hash: blockHash(facts) }; // re-hashed: the next block's prev_hash disagrees
    expect(await run(l4)).toMatchObject({ valid: false, firstInvalidSeq: 3, reason: expect.stringMatching(/prev_hash/) });
  });

  it('the head block deleted (its events left) → detected; an unsealed event edited → detected', async () => {
    const l = ledger(10);
    const last = l.blocks.pop()!;
    expect(await run(l)).toMatchObject({ valid: false, firstInvalidSeq: last.seq });
    const u = ledger(10, [], 4, 6);
    u.events[8].type = 'x';
    expect(await run(u)).toMatchObject({ valid: false, firstInvalidSeq: null, reason: expect.stringMatching(/unsealed event 9/) });
  });

  it('any single-field edit of any event or block is detected (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.nat(), fc.nat(3), async (n, size, k, field) => {
        const l = ledger(n, [], size);
        const e = l.events[k % l.events.length];
        const edits = [
          () => (e.data = { changed: true }),
          () => (e.entityId += '!'),
          () => (e.at = '2020-01-01T00:00:00.000Z'),
          () => (e.blockSeq = (e.blockSeq ?? 0) + 1),
        ];
        edits[field]();
        const v = await run(l);
        expect(v.valid).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});
