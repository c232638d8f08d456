/**
 * The indexed allocation behind {@link allocate} (allocate.ts): the same result as
 * `allocateReference`, at a cost that does not grow with places × ineligible applications.
 *
 * Index, built once per run:
 *  - the run's places are grouped by (locality, language, group type); each group keeps what its
 *    places require at the least (latest start date, union of the birth-date windows, work modes and
 *    temporary stay, organizations) — the "start date" of a place being the date it is judged at
 *    (judgedOn: its admission start date, or the next working day for a returned place). One pass over the applications, in input order, keeps only the
 *    candidates: an application that fails these tests for its group can take no place of the run
 *    (most applicants want a later admission date than any place offers);
 *  - candidates are ranked by (registeredAt, seq, input position): a linear check when they come
 *    in that order, otherwise a sort (native numeric pre-sort, then TimSort on the nearly sorted
 *    result), and distributed into queue slices (locality, cohort → queue; language; group type):
 *    for a given place only one slice of a queue can hold eligible applications, so the slice's
 *    pick is the queue's pick;
 *  - within a slice, one list per priority class and organization key, in rank order: applications
 *    choosing no organization are in the class's 'any' list, the others in the list of each chosen
 *    organization that has a place in the group (a family choosing 4 organizations is in at most
 *    4 lists);
 *  - each list is a segment tree ({@link EligibilityForest}) over its members' desired admission
 *    date, birth date and accepted (work mode, temporary stay) kinds, as integers computed once; an
 *    allocated application leaves its lists in O(log n) each.
 * Applications that can never be eligible (an unconfirmed SPECIAL group, an unknown group type or
 * priority class) stay out of the lists, but not out of their twins' batch. Values the index cannot
 * read (a date not of the form YYYY-MM-DD or not a calendar date, an unknown work mode) are never
 * used to prune: such an application is left to {@link isEligible}.
 *
 * Per place, the head of a (slice, class) is the earlier of the first eligible members of the
 * class's list for the place's organization and of its 'any' list: the tree descends straight to the
 * first member whose desired date, birth date and kinds fit, and the full {@link isEligible} (plus a
 * skipped twins batch) is checked on that member only, continuing after it when it fails (an
 * exclusion, a skipped batch: rare). The cycle rule ({@link pickClass}), the comparison of heads and
 * the twins rule are those of `allocateReference`.
 *
 * Cost: O(n) to scan the applications, O(m log m) to rank the m candidates (O(m) when sorted),
 * O(memberships) to build the trees; per place O(log m) per list consulted (a few per queue), per
 * referral O(log m) per list left.
 *
 * Assumes what the data guarantees: `seq` is unique (the application number), so no two
 * applications tie on (registeredAt, seq).
 *
 * Pure: no clock, no I/O.
 */
import { advanceCycle, pickClass, type InterleaveRatio } from '../../queue/domain/index.js';
import type { AllocationInput, AllocationResult, IssuedReferral } from './allocate.js';
import { ALIVE, EligibilityForest, KEY_MAX, KEY_MIN } from './eligibility-forest.js';
import { birthDateWindow, isEligible, judgedOn, queueKeyOf, type ApplicationView, type VacancyView } from './eligibility.js';

/** One queue (locality, cohort) restricted to one language and one group type. */
interface Slice {
  queueKey: string;
  /** Bounds of the members' birth keys (KEY_MIN/KEY_MAX when some birth date is unreadable). */
  minBirth: number;
  maxBirth: number;
  /** List id per class for the applications choosing no organization; -1 when empty. */
  any: Int32Array;
  /** List id of (organization o of the place, class c) at 3·o + c; -1 when empty. */
  orgs: Int32Array;
}

/**
 * One (locality, language, group type) with places in this run: the queue slices its places draw
 * from, and what those places have in common, which no application outside it can meet.
 */
interface Place {
  byCohort: Map<number, Slice>;
  slices: Slice[];
  /** The organizations of its places, numbered 0, 1, … */
  orgs: Map<string, number>;
  /**
   * The latest start date of its places as a string ('' before any), compared as eligibility
   * compares dates: an application that wants a later date fits none of them. No test when some
   * start date is not a string (`startsAreStrings` false).
   */
  latestStart: string;
  startsAreStrings: boolean;
  /** The union of the birth-key windows of its places. */
  minBirth: number;
  maxBirth: number;
  /** The OR of the kind bits its places require. */
  kinds: number;
}

/** 0, 1, 2 for the work modes, -1 for anything else. */
function workModeIndex(mode: string): number {
  switch (mode) {
    case 'FULL_DAY':
      return 0;
    case 'HALF_DAY':
      return 1;
    case 'ROUND_THE_CLOCK':
      return 2;
    default:
      return -1;
  }
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * yyyymmdd of a 'YYYY-MM-DD' string, -1 when the string is not of that form. Between two strings of
 * that form the numeric order is the string order, which is how eligibility compares dates.
 */
function dayKey(s: string): number {
  if (typeof s !== 'string' || s.length !== 10) return -1;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return -1;
  // Straight-line code: this runs for every application, before the JIT has optimized anything.
  const y0 = s.charCodeAt(0) - 48;
  const y1 = s.charCodeAt(1) - 48;
  const y2 = s.charCodeAt(2) - 48;
  const y3 = s.charCodeAt(3) - 48;
  const m0 = s.charCodeAt(5) - 48;
  const m1 = s.charCodeAt(6) - 48;
  const d0 = s.charCodeAt(8) - 48;
  const d1 = s.charCodeAt(9) - 48;
  // A digit is 0..9; anything else is negative or above 9 (`>>> 0` makes negatives huge).
  if (y0 >>> 0 > 9 || y1 >>> 0 > 9 || y2 >>> 0 > 9 || y3 >>> 0 > 9 || m0 >>> 0 > 9 || m1 >>> 0 > 9 || d0 >>> 0 > 9 || d1 >>> 0 > 9) {
    return -1;
  }
  return y0 * 10_000_000 + y1 * 1_000_000 + y2 * 100_000 + y3 * 10_000 + m0 * 1000 + m1 * 100 + d0 * 10 + d1;
}

/** As {@link dayKey}, and -1 unless it is a calendar date (the birth-date window is exact for those). */
function calendarKey(s: string): number {
  const k = dayKey(s);
  if (k < 0) return -1;
  const y = Math.floor(k / 10000);
  const m = Math.floor(k / 100) % 100;
  const d = k % 100;
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) ? k : -1;
}

/**
 * The place kinds an application may take, as bits of (work mode w, temporary stay t):
 * bit 2w for an ordinary place of mode w, bit 2w + 1 for a temporary-stay place of mode w.
 */
function kindMask(app: ApplicationView): number {
  let mask = 0;
  const modes = app.workModes;
  for (let k = 0; k < modes.length; k++) {
    const w = workModeIndex(modes[k]);
    if (w < 0) continue;
    mask |= 1 << (2 * w);
    if (app.acceptsTemporaryStay) mask |= 1 << (2 * w + 1);
  }
  return mask;
}

/** The bit of {@link kindMask} a place requires ({@link ALIVE} — no test — for an unknown mode). */
function kindBit(vacancy: VacancyView): number {
  const w = workModeIndex(vacancy.workMode);
  if (w < 0) return ALIVE;
  return 1 << (2 * w + (vacancy.admissionMode === 'TEMPORARY_STAY' ? 1 : 0));
}

/**
 * The order of items 0 .. n − 1 by (reg, seq, item) — a total order, so the result is unique:
 *  - sorted input (no descent): a linear check;
 *  - nearly sorted (few descents: applications read by number, a few registered with an earlier
 *    date): V8's TimSort with the exact comparator, about linear on such input;
 *  - otherwise: first a native numeric sort of approximate keys that carry the item (reg scaled
 *    down into the bits left beside the item number), which leaves only neighbours with nearly
 *    equal reg out of order, then the same TimSort.
 */
export function rankOrder(reg: Float64Array, seq: Float64Array): Int32Array {
  const n = reg.length;
  const order = new Int32Array(n);
  let descents = 0;
  for (let i = 1; i < n; i++) {
    if (!(reg[i - 1] < reg[i] || (reg[i - 1] === reg[i] && seq[i - 1] <= seq[i]))) descents++;
  }
  if (descents === 0) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order;
  }
  const idx: number[] = new Array<number>(n);
  if (descents * 64 < n) {
    // Nearly sorted (applications read by number, a few registered with an earlier date):
    // TimSort alone is about linear.
    for (let i = 0; i < n; i++) idx[i] = i;
    return sortExactly(idx, reg, seq, order);
  }
  let min = Infinity;
  let max = -Infinity;
  let numbers = true; // no NaN
  for (let i = 0; i < n; i++) {
    const r = reg[i];
    if (r < min) min = r;
    if (r > max) max = r;
    numbers &&= r === r;
  }
  if (numbers && Number.isFinite(min) && Number.isFinite(max)) {
    const itemSpace = 2 ** Math.ceil(Math.log2(n + 1));
    const buckets = 2 ** 53 / itemSpace; // keys stay below 2^53: exact doubles
    const scale = Math.max(1, (max - min) / (buckets - 1));
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const bucket = Math.min(buckets - 1, Math.floor((reg[i] - min) / scale));
      keys[i] = bucket * itemSpace + i;
    }
    keys.sort();
    for (let k = 0; k < n; k++) idx[k] = keys[k] % itemSpace;
  } else {
    for (let i = 0; i < n; i++) idx[i] = i;
  }
  return sortExactly(idx, reg, seq, order);
}

/** Sorts `idx` by (reg, seq, item) with TimSort into `order`. */
function sortExactly(idx: number[], reg: Float64Array, seq: Float64Array, order: Int32Array): Int32Array {
  const n = idx.length;
  idx.sort((x, y) => (reg[x] !== reg[y] ? (reg[x] < reg[y] ? -1 : 1) : seq[x] !== seq[y] ? (seq[x] < seq[y] ? -1 : 1) : x - y));
  for (let i = 0; i < n; i++) order[i] = idx[i];
  return order;
}

const newClassLists = (): Int32Array => new Int32Array(3).fill(-1);

/**
 * The birth-key window [earliest, latest] of the children a place may take ({@link birthDateWindow}),
 * or [KEY_MIN, KEY_MAX] (no test) when its start date or age period cannot be read as such.
 */
function birthKeyWindow(vacancy: VacancyView): [number, number] {
  if (calendarKey(judgedOn(vacancy)) < 0 || !Number.isSafeInteger(vacancy.ageFromMonths) || !Number.isSafeInteger(vacancy.ageToMonths)) {
    return [KEY_MIN, KEY_MAX];
  }
  const w = birthDateWindow(judgedOn(vacancy), vacancy.ageFromMonths, vacancy.ageToMonths);
  const earliest = calendarKey(w.earliest);
  const latest = calendarKey(w.latest);
  return earliest >= 0 && latest >= 0 ? [earliest, latest] : [KEY_MIN, KEY_MAX];
}

/** One allocation run over an index of its input. Single use: build, then {@link run} once. */
export class IndexedAllocation {
  private readonly apps: readonly ApplicationView[];
  private readonly vacancies: readonly VacancyView[];
  private readonly ratio: InterleaveRatio;
  private readonly excluded: ReadonlySet<string>;
  private readonly initialCycles: Record<string, number>;

  // ---- The places of the run.
  /** locality → language → [GENERAL place, SPECIAL place]. */
  private readonly places = new Map<string, Map<string, (Place | undefined)[]>>();
  /** Per vacancy: its place, start day key (KEY_MAX: no test), birth window, kind bit. */
  private readonly vacancyPlace: Place[] = [];
  private readonly vacancyStart: Int32Array;
  private readonly vacancyEarliest: Int32Array;
  private readonly vacancyLatest: Int32Array;
  private readonly vacancyBit: Uint8Array;
  /** Per vacancy: the number of its organization in its place. */
  private readonly vacancyOrg: Int32Array;
  /** Organization → its vacancies (indices) in bulletin order; and each vacancy's position there. */
  private readonly orgVacancies = new Map<string, number[]>();
  private readonly posInOrg: Int32Array;
  /** The latest start date of all places, as {@link Place.latestStart}. */
  private latestStart = '';
  private startsAreStrings = true;

  // ---- The index.
  /**
   * Candidates: the applications that pass the tests of some place of the run (the others can take
   * none). `candidateOf[i]` = 1 + candidate number of application i (input index), 0 for none.
   */
  private readonly candidateOf: Int32Array;
  private candidates = 0;
  /** Per candidate c: its application, registration, number, keys and kinds. */
  private readonly cand: Int32Array;
  private readonly reg: Float64Array;
  private readonly seq: Float64Array;
  private readonly desired: Int32Array;
  private readonly birthLow: Int32Array;
  private readonly birthHigh: Int32Array;
  private readonly masks: Uint8Array;
  /** Rank (registeredAt, seq, input position) among the candidates, by input index. */
  private readonly rank: Int32Array;
  /** Memberships of candidate c: list and position, `memStart[c]` .. `memStart[c + 1]`. */
  private readonly memStart: Int32Array;
  private memList: Int32Array;
  private memPos: Int32Array = new Int32Array(0);
  private members = 0;
  private readonly listSize: number[] = [];
  private readonly forest: EligibilityForest;
  /** Twins: batch id → members (input indices) by seq. */
  private readonly batches = new Map<string, number[]>();
  /** The place of the previous application scanned (consecutive ones mostly share it). */
  private lastLocality: string | undefined = undefined;
  private lastLanguage: string | undefined = undefined;
  private lastGroups: (Place | undefined)[] | undefined = undefined;

  // ---- The run.
  private readonly allocated: Uint8Array;
  private readonly consumed: Uint8Array;
  private cycles: Record<string, number> = {};
  private readonly referrals: IssuedReferral[] = [];
  /** For the current vacancy: the number of its organization in its place, the batches skipped. */
  private vacancyOrgNo = 0;
  private skipped: Set<string> | null = null;

  constructor(input: AllocationInput) {
    const { vacancies, applications: apps } = input;
    this.apps = apps;
    this.vacancies = vacancies;
    this.ratio = input.ratio;
    this.excluded = input.excluded;
    this.initialCycles = input.cycles;

    const v = vacancies.length;
    this.posInOrg = new Int32Array(v);
    this.vacancyStart = new Int32Array(v);
    this.vacancyEarliest = new Int32Array(v);
    this.vacancyLatest = new Int32Array(v);
    this.vacancyBit = new Uint8Array(v);
    this.vacancyOrg = new Int32Array(v);
    this.consumed = new Uint8Array(v);
    for (let j = 0; j < v; j++) this.addVacancy(j);

    const n = apps.length;
    this.allocated = new Uint8Array(n);
    this.candidateOf = new Int32Array(n);
    this.rank = new Int32Array(n);
    this.cand = new Int32Array(n);
    this.reg = new Float64Array(n);
    this.seq = new Float64Array(n);
    this.desired = new Int32Array(n);
    this.birthLow = new Int32Array(n);
    this.birthHigh = new Int32Array(n);
    this.masks = new Uint8Array(n);
    this.memStart = new Int32Array(n + 1);
    this.memList = new Int32Array(Math.max(16, n >> 1));
    // One pass over the applications in input order (the order they sit in memory). Most of them
    // want a later start than any place of the run offers (the comparison of isEligible): that test
    // is inline, as this loop runs before the JIT has optimized anything.
    const { latestStart, startsAreStrings } = this;
    for (let idx = 0; idx < n; idx++) {
      const app = apps[idx];
      if (app.batchId !== null) this.addToBatch(app.batchId, idx);
      if (startsAreStrings && app.desiredAdmissionDate > latestStart) continue;
      this.scan(idx, app);
    }
    this.memStart[this.candidates] = this.members;
    for (const batch of this.batches.values()) {
      if (batch.length > 1) batch.sort((x, y) => apps[x].seq - apps[y].seq);
    }
    this.forest = this.buildForest();
  }

  /** Indexes vacancy j: its organization's list, its place and what that place requires. */
  private addVacancy(j: number): void {
    const vacancy = this.vacancies[j];
    let list = this.orgVacancies.get(vacancy.organizationId);
    if (list === undefined) this.orgVacancies.set(vacancy.organizationId, (list = []));
    this.posInOrg[j] = list.length;
    list.push(j);

    // The date eligibility is judged at (the start date, or the next working day for a returned place).
    const date = judgedOn(vacancy);
    const day = dayKey(date);
    const start = day >= 0 ? day : KEY_MAX;
    const [earliest, latest] = birthKeyWindow(vacancy);
    const bit = kindBit(vacancy);
    this.vacancyStart[j] = start;
    this.vacancyEarliest[j] = earliest;
    this.vacancyLatest[j] = latest;
    this.vacancyBit[j] = bit;
    const place = this.placeFor(vacancy);
    this.vacancyPlace.push(place);
    let org = place.orgs.get(vacancy.organizationId);
    if (org === undefined) place.orgs.set(vacancy.organizationId, (org = place.orgs.size));
    this.vacancyOrg[j] = org;
    if (typeof date !== 'string') place.startsAreStrings = this.startsAreStrings = false;
    else {
      if (date > place.latestStart) place.latestStart = date;
      if (date > this.latestStart) this.latestStart = date;
    }
    place.minBirth = Math.min(place.minBirth, earliest);
    place.maxBirth = Math.max(place.maxBirth, latest);
    place.kinds |= bit;
  }

  private placeFor(vacancy: VacancyView): Place {
    let byLanguage = this.places.get(vacancy.locality);
    if (byLanguage === undefined) {
      this.places.set(vacancy.locality, (byLanguage = new Map<string, (Place | undefined)[]>()));
    }
    let groups = byLanguage.get(vacancy.language);
    if (groups === undefined) byLanguage.set(vacancy.language, (groups = [undefined, undefined]));
    const group = vacancy.groupType === 'SPECIAL' ? 1 : 0;
    let place = groups[group];
    if (place === undefined) {
      groups[group] = place = {
        byCohort: new Map(),
        slices: [],
        orgs: new Map(),
        latestStart: '',
        startsAreStrings: true,
        minBirth: KEY_MAX,
        maxBirth: KEY_MIN,
        kinds: 0,
      };
    }
    return place;
  }

  /**
   * Application idx, which wants a start some place of the run offers: the tests of its places,
   * cheapest first; a candidate joins the 'any' list of its class in its slice, or the lists of
   * those of its organizations that have a place there.
   */
  private scan(idx: number, app: ApplicationView): void {
    const cls = app.priorityClass;
    if (cls !== 0 && cls !== 1 && cls !== 2) return; // never picked
    let group: number;
    if (app.groupType === 'GENERAL') group = 0;
    else if (app.groupType === 'SPECIAL' && app.specialNeedsConfirmed) group = 1;
    else return; // eligible for no group
    const desired = app.desiredAdmissionDate;
    // Comparing strings is cheaper than hashing them (every row brings its own string objects).
    if (app.locality !== this.lastLocality || app.language !== this.lastLanguage) {
      this.lastLocality = app.locality;
      this.lastLanguage = app.language;
      this.lastGroups = this.places.get(app.locality)?.get(app.language);
    }
    const place = this.lastGroups?.[group];
    if (place === undefined || (place.startsAreStrings && desired > place.latestStart)) return;
    const birth = calendarKey(app.birthDate);
    if (birth >= 0 && (birth < place.minBirth || birth > place.maxBirth)) return;
    const mask = kindMask(app) | ALIVE;
    if ((mask & place.kinds) === 0) return;
    this.addCandidate(idx, app, cls, place, birth, mask);
  }

  private addToBatch(batchId: string, idx: number): void {
    const batch = this.batches.get(batchId);
    if (batch) batch.push(idx);
    else this.batches.set(batchId, [idx]);
  }

  /** Application idx (of class `cls`) into the lists of `place`, if it joins any. */
  private addCandidate(idx: number, app: ApplicationView, cls: number, place: Place, birth: number, mask: number): void {
    const c = this.candidates;
    const slice = sliceFor(place, app);
    this.memStart[c] = this.members;
    const chosen = app.organizationIds;
    if (chosen.length === 0) {
      let list = slice.any[cls];
      if (list < 0) slice.any[cls] = list = this.newList();
      this.join(list);
    } else {
      for (let k = 0; k < chosen.length; k++) {
        const org = place.orgs.get(chosen[k]);
        if (org === undefined) continue;
        let repeated = false;
        for (let e = 0; e < k && !repeated; e++) repeated = chosen[e] === chosen[k];
        if (repeated) continue;
        if (slice.orgs.length === 0) slice.orgs = new Int32Array(3 * place.orgs.size).fill(-1);
        let list = slice.orgs[3 * org + cls];
        if (list < 0) slice.orgs[3 * org + cls] = list = this.newList();
        this.join(list);
      }
      if (this.members === this.memStart[c]) return; // none of its organizations has a place here
    }
    this.candidates = c + 1;
    this.cand[c] = idx;
    this.candidateOf[idx] = c + 1;
    this.reg[c] = app.registeredAt;
    this.seq[c] = app.seq;
    const day = dayKey(app.desiredAdmissionDate);
    this.desired[c] = day >= 0 ? day : KEY_MIN;
    const low = birth >= 0 ? birth : KEY_MIN;
    const high = birth >= 0 ? birth : KEY_MAX;
    this.birthLow[c] = low;
    this.birthHigh[c] = high;
    this.masks[c] = mask;
    if (low < slice.minBirth) slice.minBirth = low;
    if (high > slice.maxBirth) slice.maxBirth = high;
  }

  private newList(): number {
    return this.listSize.push(0) - 1;
  }

  private join(list: number): void {
    if (this.members === this.memList.length) {
      const grown = new Int32Array(2 * this.memList.length);
      grown.set(this.memList);
      this.memList = grown;
    }
    this.memList[this.members++] = list;
  }

  /** Ranks the candidates, gives them their positions in their lists, builds the trees. */
  private buildForest(): EligibilityForest {
    const m = this.candidates;
    const { cand, memStart, memList, listSize } = this;
    const order = rankOrder(this.reg.subarray(0, m), this.seq.subarray(0, m));
    const memPos = new Int32Array(this.members);
    for (let r = 0; r < m; r++) {
      const c = order[r];
      this.rank[cand[c]] = r;
      for (let k = memStart[c]; k < memStart[c + 1]; k++) memPos[k] = listSize[memList[k]]++;
    }
    this.memPos = memPos;
    const forest = new EligibilityForest(listSize);
    for (let c = 0; c < m; c++) {
      for (let k = memStart[c]; k < memStart[c + 1]; k++) {
        forest.set(memList[k], memPos[k], cand[c], this.desired[c], this.birthLow[c], this.birthHigh[c], this.masks[c]);
      }
    }
    forest.build();
    return forest;
  }

  /** Runs the allocation (once). */
  run(): AllocationResult {
    const { apps, vacancies } = this;
    this.cycles = { ...this.initialCycles };
    for (let i = 0; i < vacancies.length; i++) {
      if (this.consumed[i] === 1) continue;
      const vacancy = vacancies[i];
      this.vacancyOrgNo = this.vacancyOrg[i];
      this.skipped = null;
      const earliest = this.vacancyEarliest[i];
      const latest = this.vacancyLatest[i];
      this.forest.query(this.vacancyStart[i], earliest, latest, this.vacancyBit[i]);
      const active = this.vacancyPlace[i].slices.filter((s) => s.maxBirth >= earliest && s.minBirth <= latest);
      if (active.length === 0) continue;

      const picks = active.map((slice) => this.pickOf(slice, vacancy));
      for (;;) {
        let best = -1;
        for (const idx of picks) {
          if (idx >= 0 && (best < 0 || this.before(idx, best))) best = idx;
        }
        if (best < 0) break;
        const batchId = apps[best].batchId;
        if (batchId === null) {
          this.issue(best, vacancy);
          break;
        }
        const placed = this.placeBatch(best, i);
        if (placed !== null) {
          const [members, places] = placed;
          const first = places.indexOf(i);
          this.issue(members[first], vacancy);
          members.forEach((member, k) => {
            if (k === first) return;
            this.consumed[places[k]] = 1;
            this.issue(member, vacancies[places[k]]);
          });
          break;
        }
        // The batch cannot be placed together here: drop it for this place and re-pick only the
        // queues whose pick belonged to it (the others' picks cannot change).
        this.skipped ??= new Set<string>();
        this.skipped.add(batchId);
        for (let k = 0; k < picks.length; k++) {
          if (picks[k] >= 0 && apps[picks[k]].batchId === batchId) {
            picks[k] = this.pickOf(active[k], vacancy);
          }
        }
      }
    }
    return { referrals: this.referrals, cycles: this.cycles };
  }

  /**
   * The twins rule of `allocateReference` for the batch of application `best`, the pick for vacancy i:
   * the first workable assignment of its members (best, then the others by seq) to vacancy i and later
   * unconsumed vacancies of its organization, each member trying i first, then the later ones in
   * bulletin order; null when none works. Returns the members and their vacancies.
   *
   * Only the first k − 1 later vacancies each member is eligible for are tried (k members): in the first
   * workable assignment no member sits on a later one beyond those, since at most k − 2 of them are taken
   * by the others (one member sits on vacancy i) and moving it to a free one gives an earlier assignment.
   * So the search is over at most k^k assignments, and the scan of the organization's vacancies is the
   * same as a greedy one.
   */
  private placeBatch(best: number, i: number): [number[], number[]] | null {
    const { apps, vacancies, excluded } = this;
    const batchId = apps[best].batchId;
    const members = [
      best,
      ...(batchId === null ? [] : (this.batches.get(batchId) ?? [])).filter((idx) => idx !== best && this.allocated[idx] === 0),
    ];
    const k = members.length;
    const sameOrg = this.orgVacancies.get(vacancies[i].organizationId) ?? [];
    const options: number[][] = members.map((member, m) => {
      const list = m === 0 || isEligible(apps[member], vacancies[i], excluded) ? [i] : [];
      let later = 0;
      for (let p = this.posInOrg[i] + 1; p < sameOrg.length && later < k - 1; p++) {
        const j = sameOrg[p];
        if (this.consumed[j] === 1 || !isEligible(apps[member], vacancies[j], excluded)) continue;
        list.push(j);
        later++;
      }
      return list;
    });
    const places: number[] = [];
    const assign = (m: number): boolean => {
      if (m === k) return places.includes(i);
      for (const j of options[m]) {
        if (places.includes(j)) continue;
        places.push(j);
        if (assign(m + 1)) return true;
        places.pop();
      }
      return false;
    };
    return assign(0) ? [members, places] : null;
  }

  /** Issues the referral of application idx to `vacancy` and takes it out of its lists. */
  private issue(idx: number, vacancy: VacancyView): void {
    const app = this.apps[idx];
    const key = queueKeyOf(app);
    this.referrals.push({ vacancyId: vacancy.id, applicationId: app.id, queueKey: key });
    this.cycles[key] = advanceCycle(this.cycles[key] ?? 0, app.priorityClass, this.ratio);
    this.allocated[idx] = 1;
    const c = this.candidateOf[idx] - 1;
    if (c < 0) return;
    for (let k = this.memStart[c]; k < this.memStart[c + 1]; k++) {
      this.forest.remove(this.memList[k], this.memPos[k]);
    }
  }

  /** The queue's pick for the current place: the cycle rule over the first eligible per class. */
  private pickOf(slice: Slice, vacancy: VacancyView): number {
    const found = [-1, -1, -1];
    const cls = pickClass(this.cycles[slice.queueKey] ?? 0, this.ratio, (c) => {
      const fromAny = slice.any[c] >= 0 ? this.firstIn(slice.any[c], vacancy) : -1;
      const orgList = slice.orgs.length > 0 ? slice.orgs[3 * this.vacancyOrgNo + c] : -1;
      const fromOrg = orgList >= 0 ? this.firstIn(orgList, vacancy) : -1;
      found[c] = fromAny < 0 || (fromOrg >= 0 && this.rank[fromOrg] < this.rank[fromAny]) ? fromOrg : fromAny;
      return found[c] >= 0;
    });
    return cls === null ? -1 : found[cls];
  }

  /** The first member of `list` eligible for the current place (not in a skipped batch), or -1. */
  private firstIn(list: number, vacancy: VacancyView): number {
    for (let from = 0; ;) {
      const pos = this.forest.first(list, from);
      if (pos < 0) return -1;
      const idx = this.forest.itemAt(list, pos);
      const app = this.apps[idx];
      const skip = this.skipped !== null && app.batchId !== null && this.skipped.has(app.batchId);
      if (!skip && isEligible(app, vacancy, this.excluded)) return idx;
      from = pos + 1;
    }
  }

  /** compareHeads(a, b) < 0: by class, then rank (registeredAt, seq). */
  private before(a: number, b: number): boolean {
    const ca = this.apps[a].priorityClass;
    const cb = this.apps[b].priorityClass;
    return ca !== cb ? ca < cb : this.rank[a] < this.rank[b];
  }
}

/** The slice of `app`'s queue in `place`, created when missing. */
function sliceFor(place: Place, app: ApplicationView): Slice {
  let slice = place.byCohort.get(app.cohort);
  if (slice === undefined) {
    slice = {
      queueKey: queueKeyOf(app),
      minBirth: KEY_MAX,
      maxBirth: KEY_MIN,
      any: newClassLists(),
      orgs: new Int32Array(0),
    };
    place.byCohort.set(app.cohort, slice);
    place.slices.push(slice);
  }
  return slice;
}
