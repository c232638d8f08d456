/**
 * Deterministic, realistic-looking random input for benchmarking {@link allocate} against
 * {@link allocateReference}. Same options (seed included) → same input, on every machine.
 *
 * Shape: a few localities of very different sizes (one big city, one large, two small towns),
 * birth years 2019–2025, classes 0/1/2 ≈ 3/15/82 %, organization choices (a quarter choose "any"),
 * two languages, a few special-needs applications, twins/triplets, some excluded pairs, and
 * vacancies in bulletin order with the usual age groups around one admission start date.
 *
 * Pure: no clock, no I/O (instants are derived from the seed with Date.UTC).
 */
import { DEFAULT_RATIO, type PriorityClass } from '../src/queue/domain/index.js';
import type { AllocationInput } from '../src/referral/domain/allocate.js';
import type { AdmissionMode, ApplicationView, GroupType, VacancyView, WorkMode } from '../src/referral/domain/eligibility.js';

export interface BenchOptions {
  seed?: number;
  applications?: number;
  vacancies?: number;
  /** Number of random excluded (application, vacancy) pairs. */
  exclusions?: number;
}

/** mulberry32: a tiny deterministic PRNG returning floats in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOCALITIES: { kato: string; weight: number; organizations: number }[] = [
  { kato: '711000000', weight: 0.5, organizations: 60 },
  { kato: '751000000', weight: 0.3, organizations: 45 },
  { kato: '351010000', weight: 0.12, organizations: 10 },
  { kato: '591010000', weight: 0.08, organizations: 6 },
];

const AGE_GROUPS: [number, number][] = [
  [12, 23],
  [24, 35],
  [36, 47],
  [48, 59],
  [60, 71],
  [24, 47],
  [36, 71],
];

const DAY_MS = 86_400_000;
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The benchmark input: by default 20,000 applications × 500 vacancies, seed 20260901. */
export function benchAllocate(options: BenchOptions = {}): AllocationInput {
  const { seed = 20260901, applications: applicationCount = 20_000, vacancies: vacancyCount = 500, exclusions = 300 } = options;
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const chance = (p: number): boolean => rnd() < p;
  const pickWeighted = <T>(items: readonly T[], weights: readonly number[]): T => {
    let r = rnd() * weights.reduce((s, w) => s + w, 0);
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  };
  const locality = (): (typeof LOCALITIES)[number] =>
    pickWeighted(
      LOCALITIES,
      LOCALITIES.map((l) => l.weight),
    );
  const orgId = (kato: string, k: number): string => `org-${kato}-${pad2(k)}`;

  const applications: ApplicationView[] = [];
  let batchNo = 0;
  while (applications.length < applicationCount) {
    const place = locality();
    const year = 2019 + int(7);
    const month = 1 + int(12);
    const day = 1 + int(28);
    const birthDate = `${year}-${pad2(month)}-${pad2(day)}`;
    const registeredAt = Date.UTC(year, month - 1, day) + (10 + int(700)) * DAY_MS + int(DAY_MS);
    const priorityClass = pickWeighted<PriorityClass>([0, 1, 2], [3, 15, 82]);
    const organizationIds: string[] = [];
    if (!chance(0.25)) {
      const wanted = 1 + int(4);
      while (organizationIds.length < wanted) {
        const id = orgId(place.kato, int(place.organizations));
        if (!organizationIds.includes(id)) organizationIds.push(id);
      }
    }
    const groupType: GroupType = chance(0.03) ? 'SPECIAL' : 'GENERAL';
    const workModes = pickWeighted<WorkMode[]>(
      [['FULL_DAY'], ['FULL_DAY', 'HALF_DAY'], ['HALF_DAY'], ['FULL_DAY', 'ROUND_THE_CLOCK']],
      [85, 8, 4, 3],
    );
    const family = chance(0.015) ? (chance(0.07) ? 3 : 2) : 1;
    const batchId = family > 1 ? `batch-${++batchNo}` : null;
    const base = {
      priorityClass,
      registeredAt,
      locality: place.kato,
      cohort: year,
      birthDate,
      organizationIds,
      language: chance(0.6) ? 'kk' : 'ru',
      groupType,
      specialNeedsConfirmed: groupType === 'SPECIAL' && chance(0.8),
      workModes,
      desiredAdmissionDate: pickWeighted(['2025-09-01', '2026-06-01', '2026-09-01', '2027-09-01'], [30, 20, 40, 10]),
      acceptsTemporaryStay: chance(0.2),
      batchId,
    };
    for (let k = 0; k < family && applications.length < applicationCount; k++) {
      const n = applications.length;
      applications.push({ id: `app-${n}`, seq: 0, ...base });
    }
  }
  // Application numbers follow registration order (ties by creation order).
  applications
    .map((a, i) => ({ a, i }))
    .sort((x, y) => x.a.registeredAt - y.a.registeredAt || x.i - y.i)
    .forEach(({ a }, rank) => (a.seq = 100_000 + rank));

  const vacancies: VacancyView[] = [];
  for (let i = 0; i < vacancyCount; i++) {
    const place = locality();
    const [ageFromMonths, ageToMonths] = AGE_GROUPS[int(AGE_GROUPS.length)];
    vacancies.push({
      id: `vac-${i}`,
      organizationId: orgId(place.kato, int(place.organizations)),
      locality: place.kato,
      language: chance(0.6) ? 'kk' : 'ru',
      ageFromMonths,
      ageToMonths,
      groupType: chance(0.03) ? 'SPECIAL' : 'GENERAL',
      workMode: pickWeighted<WorkMode>(['FULL_DAY', 'HALF_DAY', 'ROUND_THE_CLOCK'], [90, 8, 2]),
      admissionMode: pickWeighted<AdmissionMode>(['GENERAL', 'EARLY_BOOKING', 'TEMPORARY_STAY'], [80, 10, 10]),
      admissionStartDate: pickWeighted(['2026-06-01', '2026-09-01', '2026-10-15'], [20, 70, 10]),
    });
  }

  const cycles: Record<string, number> = {};
  for (const l of LOCALITIES) {
    for (let year = 2019; year <= 2025; year++) {
      if (chance(0.8)) cycles[`${l.kato}:${year}`] = int(4);
    }
  }

  const excluded = new Set<string>();
  for (let k = 0; k < exclusions && applications.length > 0 && vacancies.length > 0; k++) {
    excluded.add(`${applications[int(applications.length)].id}:${vacancies[int(vacancies.length)].id}`);
  }

  return { vacancies, applications, cycles, ratio: { ...DEFAULT_RATIO }, excluded };
}
