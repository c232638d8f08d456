/**
 * A forest of segment trees over ordered lists of applications, answering "the first member of this
 * list, from position `from` on, that may be eligible for this place" without walking the members
 * that certainly are not.
 *
 * Every list is a complete binary tree over its positions (padded to a power of two), stored with all
 * the other lists in one set of typed arrays (no objects per node). A leaf holds one member:
 *  - `desired`: its desired admission date as a day key (any order-preserving integer; smaller =
 *    earlier), or {@link KEY_MIN} when unknown (never excludes it);
 *  - `birthLow`..`birthHigh`: its birth date as a day key (low = high), or
 *    [{@link KEY_MIN}, {@link KEY_MAX}] when unknown;
 *  - `mask`: the bits of the place kinds it may take ({@link ALIVE} is always set for a live member).
 * An inner node holds the minimum desired key, the minimum and maximum birth keys and the OR of the
 * masks of the live members below it. A removed member (allocated) becomes neutral: mask 0.
 *
 * {@link EligibilityForest.first} descends left-first and prunes every node in which no live member
 * can pass each test on its own: some desired key ≤ the bound, some birth key in the window, some
 * mask with the required bit. The pruning only ever skips members that fail a test, so the caller's
 * exact check on the returned member decides; the tests are independent per node, so a node may pass
 * on different members and the descent then backtracks — the cost is that of the members close to
 * the answer, never of the list before it.
 *
 * Pure data structure: no clock, no I/O.
 */

/** Greater than every key (an Int32). */
export const KEY_MAX = 0x7fffffff;
/** Less than every key (an Int32). */
export const KEY_MIN = -0x80000000;
/** Set in the mask of every live member: a query with this bit only skips removed members. */
export const ALIVE = 0x80;

export class EligibilityForest {
  /** Per list: offset of its node 0 in the node arrays (node 1 is the root). */
  private readonly base: Int32Array;
  /** Per list: number of leaves (a power of two ≥ its size; at least 1). */
  private readonly width: Int32Array;
  private readonly minDesired: Int32Array;
  private readonly minBirth: Int32Array;
  private readonly maxBirth: Int32Array;
  private readonly mask: Uint8Array;
  /** The caller's item (e.g. an application index) at each leaf; -1 on padding. */
  private readonly item: Int32Array;

  // The current query (set by `query`, read by the descent).
  private qDesired = KEY_MAX;
  private qFrom = KEY_MIN;
  private qTo = KEY_MAX;
  private qBit = ALIVE;
  private qStart = 0;

  /** `sizes[l]`: number of members of list l. All leaves start removed until {@link set}. */
  constructor(sizes: ArrayLike<number>) {
    const lists = sizes.length;
    this.base = new Int32Array(lists);
    this.width = new Int32Array(lists);
    let total = 0;
    for (let l = 0; l < lists; l++) {
      let w = 1;
      while (w < sizes[l]) w <<= 1;
      this.base[l] = total;
      this.width[l] = w;
      total += 2 * w;
    }
    this.minDesired = new Int32Array(total).fill(KEY_MAX);
    this.minBirth = new Int32Array(total).fill(KEY_MAX);
    this.maxBirth = new Int32Array(total).fill(KEY_MIN);
    this.mask = new Uint8Array(total);
    this.item = new Int32Array(total).fill(-1);
  }

  /** Places a live member at `pos` of list `list`. Call {@link build} once all are set. */
  set(list: number, pos: number, item: number, desired: number, birthLow: number, birthHigh: number, mask: number): void {
    const g = this.base[list] + this.width[list] + pos;
    this.item[g] = item;
    this.minDesired[g] = desired;
    this.minBirth[g] = birthLow;
    this.maxBirth[g] = birthHigh;
    this.mask[g] = mask | ALIVE;
  }

  /** Computes every inner node from the leaves: O(total size). */
  build(): void {
    for (let l = 0; l < this.base.length; l++) {
      const b = this.base[l];
      for (let node = this.width[l] - 1; node >= 1; node--) this.pull(b, node);
    }
  }

  /** The item at `pos` of list `list`. */
  itemAt(list: number, pos: number): number {
    return this.item[this.base[list] + this.width[list] + pos];
  }

  /** Makes the member at `pos` of list `list` neutral: O(log size). */
  remove(list: number, pos: number): void {
    const b = this.base[list];
    let node = this.width[list] + pos;
    const g = b + node;
    this.minDesired[g] = KEY_MAX;
    this.minBirth[g] = KEY_MAX;
    this.maxBirth[g] = KEY_MIN;
    this.mask[g] = 0;
    while (node > 1) {
      node >>= 1;
      this.pull(b, node);
    }
  }

  /**
   * Sets the tests of the following {@link first} calls: desired key ≤ `maxDesired`, a birth key in
   * [`birthFrom`, `birthTo`], `mask & bit` ≠ 0.
   */
  query(maxDesired: number, birthFrom: number, birthTo: number, bit: number): void {
    this.qDesired = maxDesired;
    this.qFrom = birthFrom;
    this.qTo = birthTo;
    this.qBit = bit;
  }

  /**
   * The first position ≥ `from` of list `list` whose member is live and passes the query's tests
   * (its own values, not only its ancestors'), or -1.
   */
  first(list: number, from: number): number {
    const w = this.width[list];
    if (from >= w) return -1;
    this.qStart = from;
    return this.descend(this.base[list], 1, 0, w);
  }

  private descend(b: number, node: number, lo: number, span: number): number {
    if (lo + span <= this.qStart) return -1;
    const g = b + node;
    if (
      (this.mask[g] & this.qBit) === 0 ||
      this.minDesired[g] > this.qDesired ||
      this.maxBirth[g] < this.qFrom ||
      this.minBirth[g] > this.qTo
    ) {
      return -1;
    }
    if (span === 1) return lo;
    const half = span >> 1;
    const left = this.descend(b, 2 * node, lo, half);
    return left >= 0 ? left : this.descend(b, 2 * node + 1, lo + half, half);
  }

  private pull(b: number, node: number): void {
    const g = b + node;
    const l = b + 2 * node;
    const r = l + 1;
    this.minDesired[g] = Math.min(this.minDesired[l], this.minDesired[r]);
    this.minBirth[g] = Math.min(this.minBirth[l], this.minBirth[r]);
    this.maxBirth[g] = Math.max(this.maxBirth[l], this.maxBirth[r]);
    this.mask[g] = this.mask[l] | this.mask[r];
  }
}
