import fc from 'fast-check';
import {
  advanceCycle,
  aheadByClass,
  aheadFromCounts,
  compareHeads,
  compareWithinClass,
  DEFAULT_RATIO,
  nextTurn,
  pickNext,
  queueNumbers,
  rankQueue,
  type InterleaveRatio,
  type PriorityClass,
  type RankedApplication,
} from './ranking.js';

const app = (id: string, priorityClass: PriorityClass, registeredAt: number, seq: number): RankedApplication => ({
  id,
  priorityClass,
  registeredAt,
  seq,
});

/**
 * Naive reference written straight from the rule, independent of ranking.ts: repeatedly scan the
 * remaining set for the best of each class and take one by the cycle rule.
 */
function naiveRank(apps: readonly RankedApplication[], p0: number, ratio: InterleaveRatio): RankedApplication[] {
  const n = ratio.first + ratio.general;
  let p = ((p0 % n) + n) % n;
  const remaining = [...apps];
  const out: RankedApplication[] = [];
  const better = (x: RankedApplication, y: RankedApplication): boolean =>
    x.registeredAt < y.registeredAt || (x.registeredAt === y.registeredAt && x.seq < y.seq);
  while (remaining.length > 0) {
    const best = new Map<number, RankedApplication>();
    for (const a of remaining) {
      const b = best.get(a.priorityClass);
      if (b === undefined || better(a, b)) best.set(a.priorityClass, a);
    }
    const turn = p < ratio.first ? 1 : 2;
    let chosen: RankedApplication;
    if (best.has(0)) chosen = best.get(0)!;
    else if (best.has(turn)) {
      chosen = best.get(turn)!;
      p = (p + 1) % n;
    } else chosen = best.get(turn === 1 ? 2 : 1)!;
    out.push(chosen);
    remaining.splice(remaining.indexOf(chosen), 1);
  }
  return out;
}

/** Applications with unique ids and seqs, few distinct registeredAt values (to force seq ties). */
const appsArb = (maxLength = 60): fc.Arbitrary<RankedApplication[]> =>
  fc
    .array(
      fc.record({
        priorityClass: fc.constantFrom<PriorityClass>(0, 1, 1, 2, 2, 2),
        registeredAt: fc.integer({ min: 0, max: 12 }).map((k) => 1_700_000_000_000 + k * 1000),
      }),
      { maxLength },
    )
    .chain((rows) =>
      fc
        .shuffledSubarray(
          rows.map((_, i) => i * 7 + 3),
          { minLength: rows.length, maxLength: rows.length },
        )
        .map((seqs) => rows.map((r, i) => app(`a${i}`, r.priorityClass, r.registeredAt, seqs[i]))),
    );

const ratioArb: fc.Arbitrary<InterleaveRatio> = fc
  .record({ first: fc.integer({ min: 0, max: 4 }), general: fc.integer({ min: 0, max: 5 }) })
  .filter((r) => r.first + r.general > 0);

const cycleArb = fc.integer({ min: -3, max: 12 });

describe('cycle rule', () => {
  it.each([
    [0, 1],
    [1, 2],
    [2, 2],
    [3, 2],
    [4, 1],
    [7, 2],
    [-1, 2],
  ] as const)('with 1:3, position %i is the turn of class %i', (p, cls) => {
    expect(nextTurn(p, DEFAULT_RATIO)).toBe(cls);
  });

  it.each([
    // p, chosen class, ratio, expected p
    [0, 0, { first: 1, general: 3 }, 0],
    [0, 1, { first: 1, general: 3 }, 1],
    [0, 2, { first: 1, general: 3 }, 0],
    [1, 2, { first: 1, general: 3 }, 2],
    [3, 2, { first: 1, general: 3 }, 0],
    [3, 1, { first: 1, general: 3 }, 3],
    [2, 0, { first: 1, general: 3 }, 2],
    [1, 1, { first: 2, general: 1 }, 2],
    [2, 2, { first: 2, general: 1 }, 0],
    [5, 1, { first: 1, general: 3 }, 1], // 5 ≡ 1: class 2's turn; class 1 does not advance
    [0, 2, { first: 0, general: 2 }, 1],
    [1, 1, { first: 0, general: 2 }, 1],
  ] as const)('advanceCycle(%i, class %i, %o) = %i', (p, cls, ratio, expected) => {
    expect(advanceCycle(p, cls, ratio)).toBe(expected);
  });

  it('rejects degenerate ratios', () => {
    expect(() => nextTurn(0, { first: 0, general: 0 })).toThrow(RangeError);
    expect(() => nextTurn(0, { first: -1, general: 3 })).toThrow(RangeError);
    expect(() => nextTurn(0, { first: 1.5, general: 3 })).toThrow(RangeError);
  });

  it('pickNext takes class 0, then the turn class, then the other class', () => {
    const c0 = app('z', 0, 50, 9);
    const c1 = app('f', 1, 10, 2);
    const c2 = app('g', 2, 5, 1);
    expect(pickNext([c2, c1, c0], 1)).toBe(c0);
    expect(pickNext([c2, c1], 0)).toBe(c1);
    expect(pickNext([c2, c1], 1)).toBe(c2);
    expect(pickNext([c1], 1)).toBe(c1);
    expect(pickNext([], 0)).toBeUndefined();
  });
});

describe('comparators', () => {
  it('within a class: registeredAt, then seq', () => {
    expect(compareWithinClass(app('a', 1, 10, 5), app('b', 1, 11, 1))).toBeLessThan(0);
    expect(compareWithinClass(app('a', 1, 10, 5), app('b', 1, 10, 4))).toBeGreaterThan(0);
    expect(compareWithinClass(app('a', 1, 10, 5), app('b', 2, 10, 5))).toBe(0);
  });

  it('heads: class, then registeredAt, then seq', () => {
    expect(compareHeads(app('a', 2, 1, 1), app('b', 1, 99, 99))).toBeGreaterThan(0);
    expect(compareHeads(app('a', 0, 99, 99), app('b', 1, 1, 1))).toBeLessThan(0);
    expect(compareHeads(app('a', 2, 7, 3), app('b', 2, 7, 4))).toBeLessThan(0);
  });
});

describe('rankQueue (tables)', () => {
  const classes = (apps: RankedApplication[]): number[] => apps.map((a) => a.priorityClass);

  it('1:3 from p=0 gives 1,2,2,2,1,2,2,2 and then the leftovers', () => {
    const apps = [
      ...[0, 1, 2].map((k) => app(`f${k}`, 1, 100 + k, 10 + k)),
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((k) => app(`g${k}`, 2, k, 20 + k)),
    ];
    const ranked = rankQueue(apps, 0, DEFAULT_RATIO);
    expect(classes(ranked)).toEqual([1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2]);
    expect(ranked.map((a) => a.id)).toEqual(['f0', 'g0', 'g1', 'g2', 'f1', 'g3', 'g4', 'g5', 'f2', 'g6', 'g7']);
  });

  it('starting mid-cycle (p=2 with 1:3): two general, then first', () => {
    const apps = [app('f0', 1, 1, 1), app('f1', 1, 2, 2), app('g0', 2, 0, 3), app('g1', 2, 0, 4), app('g2', 2, 0, 5)];
    expect(rankQueue(apps, 2).map((a) => a.id)).toEqual(['g0', 'g1', 'f0', 'g2', 'f1']);
  });

  it('class 0 goes first regardless of registration; seq breaks ties', () => {
    const apps = [app('g', 2, 1, 1), app('z2', 0, 500, 8), app('z1', 0, 500, 7), app('f', 1, 2, 2)];
    expect(rankQueue(apps, 0).map((a) => a.id)).toEqual(['z1', 'z2', 'f', 'g']);
  });

  it('queue numbers are dense 1..N', () => {
    const apps = [app('a', 2, 3, 3), app('b', 1, 9, 9), app('c', 0, 10, 10)];
    expect([...queueNumbers(apps, 0).entries()]).toEqual([
      ['c', 1],
      ['b', 2],
      ['a', 3],
    ]);
  });

  it('aheadByClass lists all three classes, zeros included', () => {
    const apps = [
      app('z', 0, 9, 1),
      app('f0', 1, 1, 2),
      app('f1', 1, 2, 3),
      app('g0', 2, 0, 4),
      app('g1', 2, 0, 5),
      app('g2', 2, 0, 6),
      app('g3', 2, 0, 7),
    ];
    // order: z, f0, g0, g1, g2, f1, g3
    expect(aheadByClass(apps, 0, DEFAULT_RATIO, 'f1')).toEqual([
      { priorityClass: 0, count: 1 },
      { priorityClass: 1, count: 1 },
      { priorityClass: 2, count: 3 },
    ]);
    expect(aheadByClass(apps, 0, DEFAULT_RATIO, 'z')).toEqual([
      { priorityClass: 0, count: 0 },
      { priorityClass: 1, count: 0 },
      { priorityClass: 2, count: 0 },
    ]);
    expect(() => aheadByClass(apps, 0, DEFAULT_RATIO, 'nope')).toThrow(RangeError);
  });
});

describe('rankQueue (properties)', () => {
  it('queue numbers are a permutation of 1..N', () => {
    fc.assert(
      fc.property(appsArb(), cycleArb, ratioArb, (apps, p, ratio) => {
        const numbers = queueNumbers(apps, p, ratio);
        expect(numbers.size).toBe(apps.length);
        expect([...numbers.values()].sort((x, y) => x - y)).toEqual(apps.map((_, i) => i + 1));
      }),
    );
  });

  it('equals the naive repeated-pick reference', () => {
    fc.assert(
      fc.property(appsArb(), cycleArb, ratioArb, (apps, p, ratio) => {
        expect(rankQueue(apps, p, ratio).map((a) => a.id)).toEqual(naiveRank(apps, p, ratio).map((a) => a.id));
      }),
    );
  });

  it('equals repeated pickNext with advanceCycle', () => {
    fc.assert(
      fc.property(appsArb(30), cycleArb, ratioArb, (apps, p0, ratio) => {
        const remaining = new Set(apps);
        const order: string[] = [];
        let p = p0;
        for (;;) {
          const chosen = pickNext(remaining, p, ratio);
          if (chosen === undefined) break;
          order.push(chosen.id);
          remaining.delete(chosen);
          p = advanceCycle(p, chosen.priorityClass, ratio);
        }
        expect(rankQueue(apps, p0, ratio).map((a) => a.id)).toEqual(order);
      }),
    );
  });

  it('classes 1 and 2 follow the a:b pattern while both have items left', () => {
    fc.assert(
      fc.property(appsArb(), cycleArb, ratioArb, (apps, p, ratio) => {
        const n = ratio.first + ratio.general;
        const start = ((p % n) + n) % n;
        const seq = rankQueue(apps, p, ratio)
          .map((a) => a.priorityClass)
          .filter((c) => c !== 0);
        const left = { 1: seq.filter((c) => c === 1).length, 2: seq.filter((c) => c === 2).length };
        let firstPicks = 0;
        let expectedFirstPicks = 0;
        for (let k = 0; k < seq.length && left[1] > 0 && left[2] > 0; k++) {
          const turn = (start + k) % n < ratio.first ? 1 : 2;
          expect(seq[k]).toBe(turn);
          if (turn === 1) expectedFirstPicks++;
          if (seq[k] === 1) firstPicks++;
          expect(firstPicks).toBe(expectedFirstPicks);
          left[seq[k] as 1 | 2]--;
        }
      }),
    );
  });

  it('class 0 precedes all others; within a class the order is (registeredAt, seq)', () => {
    fc.assert(
      fc.property(appsArb(), cycleArb, ratioArb, (apps, p, ratio) => {
        const ranked = rankQueue(apps, p, ratio);
        const zeros = ranked.filter((a) => a.priorityClass === 0).length;
        expect(ranked.slice(0, zeros).every((a) => a.priorityClass === 0)).toBe(true);
        for (const cls of [0, 1, 2]) {
          const inClass = ranked.filter((a) => a.priorityClass === cls);
          for (let k = 1; k < inClass.length; k++) {
            expect(compareWithinClass(inClass[k - 1], inClass[k])).toBeLessThan(0);
          }
        }
      }),
    );
  });

  it('aheadByClass agrees with the queue number', () => {
    fc.assert(
      fc.property(
        appsArb().filter((a) => a.length > 0),
        cycleArb,
        ratioArb,
        fc.nat(),
        (apps, p, ratio, k) => {
          const target = apps[k % apps.length];
          const ahead = aheadByClass(apps, p, ratio, target.id);
          expect(ahead.map((x) => x.priorityClass)).toEqual([0, 1, 2]);
          const total = ahead.reduce((s, x) => s + x.count, 0);
          expect(total + 1).toBe(queueNumbers(apps, p, ratio).get(target.id));
        },
      ),
    );
  });
});

describe('aheadFromCounts (queue numbers without ranking the queue)', () => {
  it('equals aheadByClass on the whole ranked queue, for every application', () => {
    fc.assert(
      fc.property(appsArb(), cycleArb, ratioArb, (apps, p, ratio) => {
        const totals: [number, number, number] = [0, 0, 0];
        for (const a of apps) totals[a.priorityClass]++;
        for (const x of apps) {
          const index = apps.filter((a) => a.priorityClass === x.priorityClass && compareWithinClass(a, x) < 0).length;
          const expected = aheadByClass(apps, p, ratio, x.id).map((c) => c.count);
          expect(aheadFromCounts(x.priorityClass, index, totals, p, ratio)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('long queues: many rounds of the cycle (1 : 3 at position 2)', () => {
    // 1 000 of class 1 and 5 000 of class 2: the 700th class-1 application (index 699) has 699 class-1
    // turns before it; from position 2 the cycle is 2,2,1,2,2,2,1,…: 2 + 3·699 class-2 turns before it.
    expect(aheadFromCounts(1, 699, [4, 1000, 5000], 2)).toEqual([4, 699, 2 + 3 * 699]);
    // Class 2 runs out: all 100 of them are ahead.
    expect(aheadFromCounts(1, 699, [4, 1000, 100], 2)).toEqual([4, 699, 100]);
    // A ratio that never gives class 1 a turn: every class-2 application is ahead of each class-1 one.
    expect(aheadFromCounts(1, 0, [0, 3, 7], 0, { first: 0, general: 3 })).toEqual([0, 0, 7]);
    expect(aheadFromCounts(2, 5, [0, 3, 7], 0, { first: 0, general: 3 })).toEqual([0, 0, 5]);
  });
});
