/**
 * Allocation of vacancies to queued applications (one allocation run).
 *
 * Rule, applied to the vacancies one by one in bulletin order:
 *  1. For every queue (locality, cohort) that has an application eligible for THIS vacancy
 *     ({@link isEligible}), the queue's pick is chosen among its eligible applications with the
 *     interleave cycle rule of that queue (see queue/domain/ranking.ts): class 0 first; otherwise
 *     the turn class; otherwise the other class.
 *  2. The winner is the best of the queue picks by {@link compareHeads} (class, registeredAt, seq).
 *  3. The referral is issued, the application leaves the run, and ONLY the winner queue's cycle
 *     advances ({@link advanceCycle}). A vacancy with no eligible application stays unallocated.
 *
 * Twins/triplets (applications sharing a `batchId`) are placed together or not at all:
 *  - when the winner has a batchId with k members still allocatable in this run, the other k − 1
 *    siblings, taken in `seq` order, are matched greedily to vacancies LATER in this run's list
 *    that are not yet allocated, are at the SAME organization as the current vacancy, and for
 *    which the sibling is eligible — each sibling takes the first such vacancy not already taken
 *    by an earlier sibling;
 *  - if every sibling is matched, all k referrals are issued (the winner gets the current
 *    vacancy, the siblings the matched later ones, which are then consumed and skipped when the
 *    run reaches them); the cycle advances once per referral, in that order, each with the
 *    sibling's own class and queue (the same class and queue as the batch, for consistent data);
 *  - otherwise the whole batch is treated as ineligible for the current vacancy only, and the
 *    pick is recomputed without it (the batch stays in the run for later vacancies).
 *
 * `allocateReference` implements this literally (O(vacancies × applications)); `allocate` is the
 * indexed version used in production and must return exactly the same result.
 *
 * Pure functions: no clock, no I/O.
 */
import {
  advanceCycle,
  compareHeads,
  compareWithinClass,
  pickClass,
  pickNext,
  type InterleaveRatio,
} from '../../queue/domain/index.js';
import {
  birthDateWindow,
  isEligible,
  queueKeyOf,
  type ApplicationView,
  type VacancyView,
} from './eligibility.js';

export interface AllocationInput {
  /** In bulletin order. */
  vacancies: VacancyView[];
  /** Allocatable applications only. */
  applications: ApplicationView[];
  /** Queue key `${locality}:${cohort}` → cycle position; a missing key means 0. */
  cycles: Record<string, number>;
  ratio: InterleaveRatio;
  /** `${applicationId}:${vacancyId}` pairs never offered again. */
  excluded: ReadonlySet<string>;
}

export interface IssuedReferral {
  vacancyId: string;
  applicationId: string;
  queueKey: string;
}

export interface AllocationResult {
  /** In the order issued. */
  referrals: IssuedReferral[];
  /** The input cycles with the positions of the queues that issued referrals updated. */
  cycles: Record<string, number>;
}

const bySeq = (a: ApplicationView, b: ApplicationView): number => a.seq - b.seq;

/** The literal, naive implementation of the rule above: the oracle for {@link allocate}. */
export function allocateReference(input: AllocationInput): AllocationResult {
  const { vacancies, ratio, excluded } = input;
  const cycles: Record<string, number> = { ...input.cycles };
  const referrals: IssuedReferral[] = [];
  const remaining = new Map(input.applications.map((a) => [a.id, a] as const));
  const consumed = new Set<number>();

  const issue = (app: ApplicationView, vacancy: VacancyView): void => {
    const key = queueKeyOf(app);
    referrals.push({ vacancyId: vacancy.id, applicationId: app.id, queueKey: key });
    cycles[key] = advanceCycle(cycles[key] ?? 0, app.priorityClass, ratio);
    remaining.delete(app.id);
  };

  for (let i = 0; i < vacancies.length; i++) {
    if (consumed.has(i)) continue;
    const vacancy = vacancies[i];
    const skippedBatches = new Set<string>();
    for (;;) {
      const queues = new Map<string, ApplicationView[]>();
      for (const app of remaining.values()) {
        if (app.batchId !== null && skippedBatches.has(app.batchId)) continue;
        if (!isEligible(app, vacancy, excluded)) continue;
        const key = queueKeyOf(app);
        const list = queues.get(key);
        if (list) list.push(app);
        else queues.set(key, [app]);
      }
      let winner: ApplicationView | undefined;
      for (const [key, apps] of queues) {
        const pick = pickNext(apps, cycles[key] ?? 0, ratio);
        if (pick !== undefined && (winner === undefined || compareHeads(pick, winner) < 0)) {
          winner = pick;
        }
      }
      if (winner === undefined) break;
      const head = winner;
      if (head.batchId === null) {
        issue(head, vacancy);
        break;
      }
      const batchId = head.batchId;
      const siblings = [...remaining.values()]
        .filter((a) => a.batchId === batchId && a.id !== head.id)
        .sort(bySeq);
      const places: number[] = [];
      for (const sibling of siblings) {
        let found = -1;
        for (let j = i + 1; j < vacancies.length && found < 0; j++) {
          if (consumed.has(j) || places.includes(j)) continue;
          const later = vacancies[j];
          if (later.organizationId !== vacancy.organizationId) continue;
          if (isEligible(sibling, later, excluded)) found = j;
        }
        if (found < 0) break;
        places.push(found);
      }
      if (places.length < siblings.length) {
        skippedBatches.add(batchId);
        continue;
      }
      issue(head, vacancy);
      siblings.forEach((sibling, k) => {
        consumed.add(places[k]);
        issue(sibling, vacancies[places[k]]);
      });
      break;
    }
  }
  return { referrals, cycles };
}

/** One priority class of one queue slice, sorted once by (registeredAt, seq). */
interface ClassList {
  /** Application indices. */
  items: number[];
  /** Everything before `head` is already allocated (lazy deletion from the front). */
  head: number;
}

/**
 * The applications of one queue with one (language, group type): for a given vacancy only one
 * slice of a queue can hold eligible applications, so the slice's pick is the queue's pick.
 */
interface QueueSlice {
  queueKey: string;
  /** Range of the members' birth years (normally just the cohort). */
  minYear: number;
  maxYear: number;
  lists: [ClassList, ClassList, ClassList];
}

const birthYear = (date: string): number => Number(date.slice(0, 4));

/**
 * Same result as {@link allocateReference}, indexed:
 *  - applications are sorted once by (registeredAt, seq) and distributed into slices
 *    (locality, language, group type → queue), one list per class, so each list is in order;
 *  - per vacancy only the slices of its locality, language and group type whose birth years meet
 *    the vacancy's birth-date window ({@link birthDateWindow}) are consulted, and each is walked
 *    lazily from its head with the cycle rule until the first eligible application of a class
 *    (a string comparison against the window rejects wrong ages before {@link isEligible});
 *  - a skipped batch only invalidates the picks that were members of that batch (the pick of a
 *    queue whose pick is not in the batch cannot change when batch members become ineligible).
 */
export function allocate(input: AllocationInput): AllocationResult {
  const { vacancies, applications: apps, ratio, excluded } = input;
  const cycles: Record<string, number> = { ...input.cycles };
  const referrals: IssuedReferral[] = [];
  const allocated = new Uint8Array(apps.length);
  const consumed = new Uint8Array(vacancies.length);

  // Index applications: slices by (locality, language, group type), batches by id. One sort of
  // all applications by (registeredAt, seq) first, so that every class list is filled in order.
  const order = apps.map((_, idx) => idx).sort((x, y) => compareWithinClass(apps[x], apps[y]));
  const slicesByPlace = new Map<string, QueueSlice[]>();
  const sliceByKey = new Map<string, QueueSlice>();
  const batches = new Map<string, number[]>();
  for (const idx of order) {
    const app = apps[idx];
    const sliceKey = `${app.locality}\u0000${app.cohort}\u0000${app.language}\u0000${app.groupType}`;
    let slice = sliceByKey.get(sliceKey);
    if (slice === undefined) {
      slice = {
        queueKey: queueKeyOf(app),
        minYear: Infinity,
        maxYear: -Infinity,
        lists: [
          { items: [], head: 0 },
          { items: [], head: 0 },
          { items: [], head: 0 },
        ],
      };
      sliceByKey.set(sliceKey, slice);
      const placeKey = `${app.locality}\u0000${app.language}\u0000${app.groupType}`;
      const place = slicesByPlace.get(placeKey);
      if (place) place.push(slice);
      else slicesByPlace.set(placeKey, [slice]);
    }
    const y = birthYear(app.birthDate);
    if (y < slice.minYear) slice.minYear = y;
    if (y > slice.maxYear) slice.maxYear = y;
    slice.lists[app.priorityClass].items.push(idx);
    if (app.batchId !== null) {
      const members = batches.get(app.batchId);
      if (members) members.push(idx);
      else batches.set(app.batchId, [idx]);
    }
  }
  for (const members of batches.values()) members.sort((x, y) => apps[x].seq - apps[y].seq);

  // Index vacancies by organization, keeping bulletin order, for sibling placement.
  const orgVacancies = new Map<string, number[]>();
  const posInOrg = new Int32Array(vacancies.length);
  vacancies.forEach((v, j) => {
    let list = orgVacancies.get(v.organizationId);
    if (list === undefined) orgVacancies.set(v.organizationId, (list = []));
    posInOrg[j] = list.length;
    list.push(j);
  });

  const issue = (idx: number, vacancy: VacancyView): void => {
    const app = apps[idx];
    const key = queueKeyOf(app);
    referrals.push({ vacancyId: vacancy.id, applicationId: app.id, queueKey: key });
    cycles[key] = advanceCycle(cycles[key] ?? 0, app.priorityClass, ratio);
    allocated[idx] = 1;
  };

  // The current vacancy's birth-date window: a cheap string pre-check before isEligible.
  let earliest = '';
  let latest = '';

  const firstEligible = (
    list: ClassList,
    vacancy: VacancyView,
    skipped: ReadonlySet<string> | null,
  ): number => {
    const items = list.items;
    let h = list.head;
    while (h < items.length && allocated[items[h]] === 1) h++;
    list.head = h;
    for (let k = h; k < items.length; k++) {
      const idx = items[k];
      if (allocated[idx] === 1) continue;
      const app = apps[idx];
      if (app.birthDate < earliest || app.birthDate > latest) continue;
      if (skipped !== null && app.batchId !== null && skipped.has(app.batchId)) continue;
      if (isEligible(app, vacancy, excluded)) return idx;
    }
    return -1;
  };

  const pickOf = (
    slice: QueueSlice,
    vacancy: VacancyView,
    skipped: ReadonlySet<string> | null,
  ): number => {
    const found = [-1, -1, -1];
    const cls = pickClass(
      cycles[slice.queueKey] ?? 0,
      ratio,
      (c) => (found[c] = firstEligible(slice.lists[c], vacancy, skipped)) >= 0,
    );
    return cls === null ? -1 : found[cls];
  };

  for (let i = 0; i < vacancies.length; i++) {
    if (consumed[i] === 1) continue;
    const vacancy = vacancies[i];
    const place = slicesByPlace.get(
      `${vacancy.locality}\u0000${vacancy.language}\u0000${vacancy.groupType}`,
    );
    if (place === undefined) continue;
    ({ earliest, latest } = birthDateWindow(
      vacancy.admissionStartDate,
      vacancy.ageFromMonths,
      vacancy.ageToMonths,
    ));
    if (earliest > latest) continue;
    const fromYear = birthYear(earliest);
    const toYear = birthYear(latest);
    const active = place.filter((s) => s.maxYear >= fromYear && s.minYear <= toYear);
    if (active.length === 0) continue;

    let skipped: Set<string> | null = null;
    const picks = active.map((slice) => pickOf(slice, vacancy, null));
    for (;;) {
      let best = -1;
      for (const idx of picks) {
        if (idx >= 0 && (best < 0 || compareHeads(apps[idx], apps[best]) < 0)) best = idx;
      }
      if (best < 0) break;
      const batchId = apps[best].batchId;
      if (batchId === null) {
        issue(best, vacancy);
        break;
      }
      const siblings = (batches.get(batchId) ?? []).filter(
        (idx) => idx !== best && allocated[idx] === 0,
      );
      const sameOrg = orgVacancies.get(vacancy.organizationId) ?? [];
      const places: number[] = [];
      for (const sibling of siblings) {
        let found = -1;
        for (let k = posInOrg[i] + 1; k < sameOrg.length && found < 0; k++) {
          const j = sameOrg[k];
          if (consumed[j] === 1 || places.includes(j)) continue;
          if (isEligible(apps[sibling], vacancies[j], excluded)) found = j;
        }
        if (found < 0) break;
        places.push(found);
      }
      if (places.length === siblings.length) {
        issue(best, vacancy);
        siblings.forEach((sibling, k) => {
          consumed[places[k]] = 1;
          issue(sibling, vacancies[places[k]]);
        });
        break;
      }
      // The batch cannot be placed together here: drop it for this vacancy and re-pick only the
      // slices whose pick belonged to it.
      skipped ??= new Set<string>();
      skipped.add(batchId);
      for (let k = 0; k < picks.length; k++) {
        if (picks[k] >= 0 && apps[picks[k]].batchId === batchId) {
          picks[k] = pickOf(active[k], vacancy, skipped);
        }
      }
    }
  }
  return { referrals, cycles };
}
