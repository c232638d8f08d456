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
 *  - when the winner has a batchId with k members still allocatable in this run, the batch is
 *    placed on the current vacancy and k − 1 vacancies LATER in this run's list that are not yet
 *    allocated and are at the SAME organization as the current vacancy, one member per vacancy,
 *    each member eligible for its own — by trying every assignment (a batch is small), so a
 *    workable placement is never missed (a full-or-half-day twin and a half-day-only twin fit a
 *    half-day place followed by a full-day place, the second twin on the first place);
 *  - among the workable assignments the first in this order is taken: members in the order
 *    (winner, then the others by `seq`), each trying the current vacancy first and then the later
 *    ones in bulletin order — so when the winner can take the current vacancy and its siblings the
 *    first later places that fit them, that is the assignment;
 *  - all k referrals are issued, the one for the current vacancy first, then the others in that
 *    member order (the matched later vacancies are consumed and skipped when the run reaches them);
 *    the cycle advances once per referral, in that order, each with the member's own class and queue;
 *  - if no assignment works, the whole batch is treated as ineligible for the current vacancy only,
 *    and the pick is recomputed without it (the batch stays in the run for later vacancies).
 *
 * `allocateReference` implements this literally (O(vacancies × applications)); `allocate` is the
 * indexed version used in production and must return exactly the same result.
 *
 * Pure functions: no clock, no I/O.
 */
import { advanceCycle, compareHeads, pickNext, type InterleaveRatio } from '../../queue/domain/index.js';
import { IndexedAllocation } from './allocate-indexed.js';
import { isEligible, queueKeyOf, type ApplicationView, type VacancyView } from './eligibility.js';

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
      const members = [head, ...[...remaining.values()].filter((a) => a.batchId === batchId && a.id !== head.id).sort(bySeq)];
      // Every assignment, in order: member m tries the current vacancy (i), then each later one.
      const options = [i];
      for (let j = i + 1; j < vacancies.length; j++) {
        if (!consumed.has(j) && vacancies[j].organizationId === vacancy.organizationId) options.push(j);
      }
      const places: number[] = [];
      const assign = (m: number): boolean => {
        if (m === members.length) return places.includes(i);
        for (const j of options) {
          if (places.includes(j) || !isEligible(members[m], vacancies[j], excluded)) continue;
          places.push(j);
          if (assign(m + 1)) return true;
          places.pop();
        }
        return false;
      };
      if (!assign(0)) {
        skippedBatches.add(batchId);
        continue;
      }
      const first = places.indexOf(i);
      issue(members[first], vacancy);
      members.forEach((member, k) => {
        if (k === first) return;
        consumed.add(places[k]);
        issue(member, vacancies[places[k]]);
      });
      break;
    }
  }
  return { referrals, cycles };
}

/**
 * Same result as {@link allocateReference}, indexed ({@link IndexedAllocation}, allocate-indexed.ts):
 * only the applications that pass what some place of the run requires are indexed; they are ranked
 * once and put into per-(queue slice, class, organization) lists, each a segment tree over the
 * desired admission date, birth date and accepted work modes, so a place finds each queue's head
 * without walking the applications that cannot take it. Cost: one pass over the applications, one
 * sort of the indexed ones (a linear check when they come sorted by registeredAt, seq), then
 * O(log n) per list consulted per place and per list left per referral — not places × ineligible
 * applications. Synchronous, like the reference.
 */
export function allocate(input: AllocationInput): AllocationResult {
  return new IndexedAllocation(input).run();
}
