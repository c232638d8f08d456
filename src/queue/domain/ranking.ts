/**
 * Ranking of one kindergarten queue.
 *
 * A queue is the pair (locality KATO code, birth-year cohort). Every application in it belongs to
 * one priority class:
 *   0 — out of turn (вне очереди): always served before anybody else;
 *   1 — first turn (в первую очередь);
 *   2 — general turn (в общем порядке).
 * Within a class applications are served by `registeredAt` (epoch ms), then by `seq` (the
 * monotonic application number). Ties never fall through to random identifiers.
 *
 * Classes 1 and 2 interleave in the ratio a : b (`InterleaveRatio`, default 1 : 3).
 *
 * Interleave cycle semantics (the single source of truth for allocation and queue numbers):
 *   - each queue keeps a cycle position `p` in [0, a + b);
 *   - the class whose turn it is ("turn class") is 1 when p < a, else 2;
 *   - when choosing among the applications eligible for a place:
 *       1. if any class-0 application is eligible, take the best class-0 one; p is unchanged;
 *       2. otherwise, if the turn class has an eligible application, take its best one and
 *          advance p = (p + 1) mod (a + b);
 *       3. otherwise take the best eligible application of the other class and do NOT advance p:
 *          the turn class keeps the slot it is owed;
 *       4. if nothing is eligible, nothing is taken.
 *   - the cycle advances only with referrals issued from that queue (never with places that
 *     went to another queue, and never on class-0 referrals).
 * A cycle position outside [0, a + b) (e.g. after the ratio setting changed) is read modulo a + b.
 *
 * Pure functions: no clock, no I/O.
 */

export type PriorityClass = 0 | 1 | 2;

export const PRIORITY_CLASSES: readonly PriorityClass[] = [0, 1, 2];

export interface RankedApplication {
  id: string;
  /** Monotonic application number: the final, never-random tie-breaker. */
  seq: number;
  priorityClass: PriorityClass;
  /** Registration instant, epoch milliseconds. */
  registeredAt: number;
}

/** Classes 1 and 2 take `first` : `general` places in turn. */
export interface InterleaveRatio {
  first: number;
  general: number;
}

export const DEFAULT_RATIO: Readonly<InterleaveRatio> = Object.freeze({ first: 1, general: 3 });

/**
 * Length a + b of one interleave cycle.
 * @throws RangeError unless both parts are non-negative integers with a positive sum.
 */
export function cycleLength(ratio: Readonly<InterleaveRatio>): number {
  const { first, general } = ratio;
  if (!Number.isInteger(first) || !Number.isInteger(general) || first < 0 || general < 0) {
    throw new RangeError(`Interleave ratio parts must be non-negative integers: ${first}:${general}`);
  }
  if (first + general === 0) {
    throw new RangeError('Interleave ratio must have a positive sum');
  }
  return first + general;
}

/** The cycle position reduced into [0, a + b). */
export function normalizeCycle(p: number, ratio: Readonly<InterleaveRatio>): number {
  if (!Number.isInteger(p)) throw new RangeError(`Cycle position must be an integer: ${p}`);
  const n = cycleLength(ratio);
  return ((p % n) + n) % n;
}

/** Whose turn it is at cycle position `p`: 1 when p < a, else 2. */
export function nextTurn(p: number, ratio: Readonly<InterleaveRatio> = DEFAULT_RATIO): 1 | 2 {
  return normalizeCycle(p, ratio) < ratio.first ? 1 : 2;
}

/**
 * The cycle position after a referral of class `chosenClass` was issued from the queue:
 * class 0 leaves it unchanged; the turn class advances it by one (mod a + b); the other class
 * leaves it unchanged (the turn class keeps its owed slot). The result is always normalized.
 */
export function advanceCycle(p: number, chosenClass: PriorityClass, ratio: Readonly<InterleaveRatio> = DEFAULT_RATIO): number {
  const q = normalizeCycle(p, ratio);
  if (chosenClass === 0) return q;
  return chosenClass === nextTurn(q, ratio) ? (q + 1) % cycleLength(ratio) : q;
}

/**
 * Which class the pick rule takes at cycle position `p`, given a (lazy) test of whether a class has
 * an eligible application; null when none has. `has` is called at most once per class, in the order
 * 0, turn class, other class, and only as far as needed.
 */
export function pickClass(
  p: number,
  ratio: Readonly<InterleaveRatio>,
  has: (priorityClass: PriorityClass) => boolean,
): PriorityClass | null {
  if (has(0)) return 0;
  const turn = nextTurn(p, ratio);
  if (has(turn)) return turn;
  const other = turn === 1 ? 2 : 1;
  return has(other) ? other : null;
}

/** Order inside one priority class: registeredAt, then seq. */
export function compareWithinClass(a: RankedApplication, b: RankedApplication): number {
  if (a.registeredAt !== b.registeredAt) return a.registeredAt < b.registeredAt ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/**
 * Order between the heads (picks) of different queues contesting one place: by class, then
 * registeredAt, then seq. Queues have independent cycles, so only the class itself is compared.
 */
export function compareHeads(a: RankedApplication, b: RankedApplication): number {
  if (a.priorityClass !== b.priorityClass) return a.priorityClass < b.priorityClass ? -1 : 1;
  return compareWithinClass(a, b);
}

/**
 * The application the pick rule takes from `candidates` (all assumed eligible) at cycle position
 * `p`, or undefined when there are none. O(n).
 */
export function pickNext<T extends RankedApplication>(
  candidates: Iterable<T>,
  p: number,
  ratio: Readonly<InterleaveRatio> = DEFAULT_RATIO,
): T | undefined {
  const best: (T | undefined)[] = [undefined, undefined, undefined];
  for (const c of candidates) {
    const current = best[c.priorityClass];
    if (current === undefined || compareWithinClass(c, current) < 0) best[c.priorityClass] = c;
  }
  const cls = pickClass(p, ratio, (k) => best[k] !== undefined);
  return cls === null ? undefined : best[cls];
}

/**
 * The order in which allocation would pick the applications of one queue if every application
 * were eligible for every place: repeatedly apply the pick rule, advancing the cycle.
 *
 * O(n log n): each class is sorted once; class 0 comes first; classes 1 and 2 are then merged by
 * following the cycle (turn class while it has items, otherwise the other class without advancing).
 */
export function rankQueue<T extends RankedApplication>(
  apps: readonly T[],
  cyclePosition = 0,
  ratio: Readonly<InterleaveRatio> = DEFAULT_RATIO,
): T[] {
  const byClass: [T[], T[], T[]] = [[], [], []];
  for (const app of apps) byClass[app.priorityClass].push(app);
  for (const list of byClass) list.sort(compareWithinClass);

  const [zero, first, general] = byClass;
  const out: T[] = zero.slice();
  const period = cycleLength(ratio);
  let p = normalizeCycle(cyclePosition, ratio);
  let i = 0;
  let j = 0;
  // While both classes have items, the turn class is always taken and the cycle advances.
  while (i < first.length && j < general.length) {
    if (p < ratio.first) out.push(first[i++]);
    else out.push(general[j++]);
    p = (p + 1) % period;
  }
  // Once one class is exhausted, the rest of the other follows in its own order.
  while (i < first.length) out.push(first[i++]);
  while (j < general.length) out.push(general[j++]);
  return out;
}

/** Queue numbers 1..N (dense) of the applications of one queue, by {@link rankQueue}. */
export function queueNumbers(
  apps: readonly RankedApplication[],
  cyclePosition = 0,
  ratio: Readonly<InterleaveRatio> = DEFAULT_RATIO,
): Map<string, number> {
  const numbers = new Map<string, number>();
  rankQueue(apps, cyclePosition, ratio).forEach((app, i) => numbers.set(app.id, i + 1));
  return numbers;
}

export interface AheadCount {
  priorityClass: PriorityClass;
  count: number;
}

/**
 * How many applications of each class are ranked ahead of application `id` in its queue.
 * All three classes are listed (0, 1, 2), zeros included.
 * @throws RangeError when `id` is not among `apps`.
 */
export function aheadByClass(
  apps: readonly RankedApplication[],
  cyclePosition: number,
  ratio: Readonly<InterleaveRatio>,
  id: string,
): AheadCount[] {
  const ranked = rankQueue(apps, cyclePosition, ratio);
  const counts = [0, 0, 0];
  for (const app of ranked) {
    if (app.id === id) {
      return PRIORITY_CLASSES.map((priorityClass) => ({
        priorityClass,
        count: counts[priorityClass],
      }));
    }
    counts[app.priorityClass]++;
  }
  throw new RangeError(`Application ${id} is not in this queue`);
}

/**
 * Applications of each class ahead of one application, from counts alone — the same answer as
 * {@link aheadByClass} on the whole queue, without ranking it: `cls` is the application's class, `index`
 * how many of its own class are before it (by registeredAt, then seq), `totals` the queue's applications
 * per class [n0, n1, n2], `p` the queue's cycle position. A queue number is then 1 + the sum.
 *
 * Class 0 comes first. For class 1 or 2 the merge of {@link rankQueue} follows the cycle while both classes
 * have applications, so the other class has min(its total, its turns before this class's (index+1)-th
 * turn) applications ahead. O(a + b).
 */
export function aheadFromCounts(
  cls: PriorityClass,
  index: number,
  totals: readonly [number, number, number],
  p: number,
  ratio: Readonly<InterleaveRatio> = DEFAULT_RATIO,
): [number, number, number] {
  const [n0, n1, n2] = totals;
  if (cls === 0) return [index, 0, 0];
  const other = cls === 1 ? 2 : 1;
  const ahead = Math.min(other === 1 ? n1 : n2, otherTurnsBefore(cls, index + 1, p, ratio));
  return cls === 1 ? [n0, index, ahead] : [n0, ahead, index];
}

/** Turns of the other class in the cycle from position `p` before the k-th turn (k ≥ 1) of class `cls`. */
function otherTurnsBefore(cls: 1 | 2, k: number, p: number, ratio: Readonly<InterleaveRatio>): number {
  const length = cycleLength(ratio);
  const own = cls === 1 ? ratio.first : ratio.general;
  const other = length - own;
  if (own === 0) return Number.POSITIVE_INFINITY; // never this class's turn: the other goes first, all of it
  if (other === 0) return 0;
  // Every `length` steps from p hold `own` turns of this class and `other` of the other.
  const rounds = Math.floor((k - 1) / own);
  let left = k - rounds * own; // 1..own turns of this class still to pass within one more round
  let before = rounds * other;
  let q = normalizeCycle(p, ratio);
  for (;;) {
    if (nextTurn(q, ratio) === cls) {
      if (--left === 0) return before;
    } else {
      before++;
    }
    q = (q + 1) % length;
  }
}
