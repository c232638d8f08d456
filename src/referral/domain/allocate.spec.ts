import fc from 'fast-check';
import { DEFAULT_RATIO, type InterleaveRatio, type PriorityClass } from '../../queue/domain/index.js';
import { allocate, allocateReference, type AllocationInput, type AllocationResult } from './allocate.js';
import { rankOrder } from './allocate-indexed.js';
import { ALIVE, EligibilityForest, KEY_MAX, KEY_MIN } from './eligibility-forest.js';
import {
  birthDateWindow,
  eligibilityDateOf,
  isEligible,
  NO_EXCLUSIONS,
  queueKeyOf,
  type AdmissionMode,
  type ApplicationView,
  type GroupType,
  type VacancyView,
  type WorkMode,
} from './eligibility.js';

const LOCALITIES = ['711000000', '751000000'];
const ORGS: Record<string, string[]> = {
  '711000000': ['org-a1', 'org-a2', 'org-a3'],
  '751000000': ['org-b1', 'org-b2'],
};
const WORK_MODES: WorkMode[] = ['FULL_DAY', 'HALF_DAY', 'ROUND_THE_CLOCK'];
const ADMISSION_DATES = ['2024-09-01', '2025-01-15', '2025-09-01'];
const T0 = 1_700_000_000_000;

// ---------------------------------------------------------------------------------------------
// Random data
// ---------------------------------------------------------------------------------------------

const birthDateArb = fc
  .record({
    year: fc.integer({ min: 2020, max: 2023 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ year, month, day }) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);

/** Work modes a family accepts: usually including FULL_DAY. */
const workModesArb = fc.oneof(fc.constant<WorkMode[]>(['FULL_DAY']), fc.subarray(WORK_MODES, { minLength: 1 }));

/** One family: a child, or twins/triplets sharing everything but the work-mode wishes. */
const familyArb = fc.record({
  locality: fc.constantFrom(LOCALITIES[0], LOCALITIES[0], LOCALITIES[0], LOCALITIES[1]),
  birthDate: birthDateArb,
  priorityClass: fc.constantFrom<PriorityClass>(0, 1, 1, 2, 2, 2, 2),
  registeredAt: fc.integer({ min: 0, max: 15 }).map((k) => T0 + k * 60_000),
  choiceMask: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 7 })),
  language: fc.constantFrom('kk', 'kk', 'kk', 'ru'),
  groupType: fc.constantFrom<GroupType>('GENERAL', 'GENERAL', 'GENERAL', 'GENERAL', 'SPECIAL'),
  specialNeedsConfirmed: fc.constantFrom(true, true, false),
  desiredAdmissionDate: fc.constantFrom('2024-06-01', '2024-06-01', ...ADMISSION_DATES),
  acceptsTemporaryStay: fc.boolean(),
  size: fc.constantFrom(1, 1, 1, 1, 1, 1, 2, 2, 3),
  workModes: fc.array(workModesArb, { minLength: 3, maxLength: 3 }),
});

const vacancyArb = fc.record({
  locality: fc.constantFrom(LOCALITIES[0], LOCALITIES[0], LOCALITIES[0], LOCALITIES[1]),
  orgPick: fc.nat(),
  language: fc.constantFrom('kk', 'kk', 'kk', 'ru'),
  ageFromMonths: fc.constantFrom(0, 12, 18, 24, 36),
  span: fc.constantFrom(11, 23, 35, 47, 59),
  groupType: fc.constantFrom<GroupType>('GENERAL', 'GENERAL', 'GENERAL', 'GENERAL', 'SPECIAL'),
  workMode: fc.constantFrom<WorkMode>('FULL_DAY', 'FULL_DAY', 'FULL_DAY', 'HALF_DAY', 'ROUND_THE_CLOCK'),
  admissionMode: fc.constantFrom<AdmissionMode>('GENERAL', 'GENERAL', 'EARLY_BOOKING', 'TEMPORARY_STAY'),
  admissionStartDate: fc.constantFrom(...ADMISSION_DATES),
  /** A place that came back to allocation, judged on the next working day after this day (null: a fresh place). */
  returnedOn: fc.constantFrom<string | null>(null, null, null, '2024-10-01', '2025-03-03', '2025-09-01'),
});

const ratioArb: fc.Arbitrary<InterleaveRatio> = fc.oneof(
  fc.constant({ first: 1, general: 3 }),
  fc.record({ first: fc.integer({ min: 0, max: 3 }), general: fc.integer({ min: 0, max: 4 }) }).filter((r) => r.first + r.general > 0),
);

const inputArb: fc.Arbitrary<AllocationInput> = fc
  .record({
    families: fc.array(familyArb, { maxLength: 30, size: 'max' }),
    vacancies: fc.array(vacancyArb, { maxLength: 25, size: 'max' }),
    ratio: ratioArb,
    cycleSeeds: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 8, maxLength: 8 }),
    exclusionPicks: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 15 }),
    orderKeys: fc.array(fc.nat(), { minLength: 90, maxLength: 90 }),
    /** One locality, language and group type everywhere: heavy contention for every place. */
    dense: fc.boolean(),
  })
  .map(({ families, vacancies, ratio, cycleSeeds, exclusionPicks, orderKeys, dense }) => {
    const applications: ApplicationView[] = [];
    families.forEach((raw, fi) => {
      const f = dense ? { ...raw, locality: LOCALITIES[0], language: 'kk', groupType: 'GENERAL' as const } : raw;
      const organizationIds = ORGS[f.locality].filter((_, k) => (f.choiceMask >> k) & 1);
      for (let k = 0; k < f.size; k++) {
        const n = applications.length;
        applications.push({
          id: `app-${n}`,
          seq: 0, // assigned below
          priorityClass: f.priorityClass,
          registeredAt: f.registeredAt,
          locality: f.locality,
          cohort: Number(f.birthDate.slice(0, 4)),
          birthDate: f.birthDate,
          organizationIds,
          language: f.language,
          groupType: f.groupType,
          specialNeedsConfirmed: f.specialNeedsConfirmed,
          workModes: f.workModes[k],
          desiredAdmissionDate: f.desiredAdmissionDate,
          acceptsTemporaryStay: f.acceptsTemporaryStay,
          batchId: f.size > 1 ? `batch-${fi}` : null,
        });
      }
    });
    // Unique seqs in an order unrelated to the input order; then shuffle the input order too.
    const seqOrder = applications.map((_, i) => i).sort((x, y) => orderKeys[x] - orderKeys[y] || x - y);
    seqOrder.forEach((i, rank) => (applications[i].seq = 1000 + rank));
    applications.sort((x, y) => orderKeys[(x.seq * 7) % 90] - orderKeys[(y.seq * 7) % 90] || x.seq - y.seq);

    const vacancyViews = vacancies.map((raw, i): VacancyView => {
      const v = dense
        ? {
            ...raw,
            locality: LOCALITIES[0],
            language: 'kk',
            groupType: 'GENERAL' as const,
            workMode: 'FULL_DAY' as const,
          }
        : raw;
      return {
        id: `vac-${i}`,
        organizationId: ORGS[v.locality][v.orgPick % ORGS[v.locality].length],
        locality: v.locality,
        language: v.language,
        ageFromMonths: v.ageFromMonths,
        ageToMonths: v.ageFromMonths + v.span,
        groupType: v.groupType,
        workMode: v.workMode,
        admissionMode: v.admissionMode,
        admissionStartDate: v.admissionStartDate,
        ...(v.returnedOn !== null ? { eligibilityDate: eligibilityDateOf(v.admissionStartDate, true, v.returnedOn) } : {}),
      };
    });
    const excluded = new Set<string>();
    if (applications.length > 0 && vacancyViews.length > 0) {
      for (const [a, v] of exclusionPicks) {
        excluded.add(`${applications[a % applications.length].id}:${vacancyViews[v % vacancyViews.length].id}`);
      }
    }
    const cycles: Record<string, number> = {};
    let c = 0;
    for (const locality of LOCALITIES) {
      for (const cohort of [2020, 2021, 2022, 2023]) {
        if (cycleSeeds[c % 8] % 3 !== 0) cycles[`${locality}:${cohort}`] = cycleSeeds[(c + 3) % 8];
        c++;
      }
    }
    return { vacancies: vacancyViews, applications, cycles, ratio, excluded };
  });

function checkInvariants(input: AllocationInput, result: AllocationResult): void {
  const apps = new Map(input.applications.map((a) => [a.id, a]));
  const vacancies = new Map(input.vacancies.map((v) => [v.id, v]));
  const appIds = result.referrals.map((r) => r.applicationId);
  const vacancyIds = result.referrals.map((r) => r.vacancyId);
  expect(new Set(appIds).size).toBe(appIds.length);
  expect(new Set(vacancyIds).size).toBe(vacancyIds.length);
  const orgOf = new Map<string, string>();
  for (const r of result.referrals) {
    const app = apps.get(r.applicationId)!;
    const vacancy = vacancies.get(r.vacancyId)!;
    expect(isEligible(app, vacancy, input.excluded)).toBe(true);
    expect(r.queueKey).toBe(queueKeyOf(app));
    if (app.batchId !== null) orgOf.set(app.id, vacancy.organizationId);
  }
  // Twins: all members placed at one organization, or none.
  const batches = new Map<string, ApplicationView[]>();
  for (const a of input.applications) {
    if (a.batchId !== null) batches.set(a.batchId, [...(batches.get(a.batchId) ?? []), a]);
  }
  for (const members of batches.values()) {
    const orgs = members.map((m) => orgOf.get(m.id));
    if (orgs[0] === undefined) expect(orgs.every((o) => o === undefined)).toBe(true);
    else expect(new Set(orgs).size).toBe(1);
  }
}

describe('allocate (properties)', () => {
  it('equals the naive reference and keeps the invariants', () => {
    let referralsSeen = 0;
    let twinsPlaced = 0;
    fc.assert(
      fc.property(inputArb, (input) => {
        const expected = allocateReference(input);
        const actual = allocate(input);
        expect(actual).toEqual(expected);
        checkInvariants(input, actual);
        referralsSeen += actual.referrals.length;
        const batched = new Set(input.applications.filter((a) => a.batchId !== null).map((a) => a.id));
        twinsPlaced += actual.referrals.filter((r) => batched.has(r.applicationId)).length;
      }),
      { numRuns: 400 },
    );
    // The generator must actually exercise allocation, including twins.
    expect(referralsSeen).toBeGreaterThan(400);
    expect(twinsPlaced).toBeGreaterThan(20);
  });

  it('does not modify its input', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const cycles = { ...input.cycles };
        const apps = input.applications.map((a) => a.id);
        allocate(input);
        expect(input.cycles).toEqual(cycles);
        expect(input.applications.map((a) => a.id)).toEqual(apps);
      }),
      { numRuns: 50 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// National-shape worlds: what makes most applications ineligible for a given place at scale —
// most families want a later admission date than the place offers, age periods that fit one or two
// cohorts, ~30 % of families choosing 1–4 organizations, twins, exclusions — in worlds small enough
// for the reference, and a few large ones (deep index trees, many removals).
// ---------------------------------------------------------------------------------------------

const NATIONAL = ['711000000', '351010000'];
const NATIONAL_ORGS = ['org-n1', 'org-n2', 'org-n3', 'org-n4', 'org-n5', 'org-n6', 'org-n7', 'org-n8'];
const NATIONAL_STARTS = ['2026-06-01', '2026-09-01', '2026-09-01', '2026-09-01', '2026-10-15', '2027-01-11'];
const NATIONAL_COHORTS = [2020, 2021, 2022, 2023, 2024, 2025];
const DAY_MS = 86_400_000;
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** Desired dates spread over two years from 2026-03-01: about a quarter on or before 2026-09-01. */
const DESIRED_FROM = Date.UTC(2026, 2, 1);
const NATIONAL_WINDOWS: [number, number][] = [
  [12, 23],
  [24, 35],
  [24, 35],
  [36, 47],
  [36, 47],
  [48, 59],
  [60, 71],
  [24, 47],
  [36, 59],
];
const dayBefore = (date: string): string => isoDay(Date.parse(date) - DAY_MS);
const dayAfter = (date: string): string => isoDay(Date.parse(date) + DAY_MS);
/** Birth dates on and next to the edges of the places' age periods (where off-by-one errors live). */
const BIRTH_EDGES = [
  ...new Set(
    NATIONAL_STARTS.flatMap((start) =>
      NATIONAL_WINDOWS.flatMap(([from, to]) => {
        const { earliest, latest } = birthDateWindow(start, from, to);
        return [dayBefore(earliest), earliest, latest, dayAfter(latest)];
      }),
    ),
  ),
].filter((date) => date >= '2020-01-01' && date <= '2025-12-31');
/** Desired dates on and next to the places' start dates. */
const DESIRED_EDGES = [...new Set(NATIONAL_STARTS.flatMap((d) => [dayBefore(d), d, dayAfter(d)]))];

const nationalFamilyArb = fc.record({
  otherLocality: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
  cohort: fc.constantFrom(...NATIONAL_COHORTS),
  dayOfYear: fc.integer({ min: 0, max: 364 }),
  /** Now and then a date of the right form that is no calendar date (never pruned by the index). */
  oddBirth: fc.constantFrom<string | null>(...Array<null>(40).fill(null), '02-29', '02-30', '04-31'),
  registrationDelayDays: fc.integer({ min: 0, max: 900 }),
  /** 0: registered at midnight — ties of registeredAt, broken by seq. */
  registrationMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: DAY_MS - 1 })),
  desiredDay: fc.integer({ min: 0, max: 729 }),
  birthEdge: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...BIRTH_EDGES) }),
  desiredEdge: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...DESIRED_EDGES) }),
  priorityClass: fc.constantFrom<PriorityClass>(0, 1, 1, 2, 2, 2, 2, 2, 2, 2),
  /** ~30 % choose 1–4 organizations (a repeated choice now and then). */
  choices: fc.oneof(
    { weight: 7, arbitrary: fc.constant<string[]>([]) },
    {
      weight: 3,
      arbitrary: fc.array(fc.constantFrom(...NATIONAL_ORGS), { minLength: 1, maxLength: 4 }),
    },
  ),
  language: fc.constantFrom('kk', 'kk', 'kk', 'ru'),
  groupType: fc.constantFrom<GroupType>(...Array<GroupType>(11).fill('GENERAL'), 'SPECIAL'),
  specialNeedsConfirmed: fc.constantFrom(true, true, true, false),
  workModes: fc.array(workModesArb, { minLength: 3, maxLength: 3 }),
  acceptsTemporaryStay: fc.constantFrom(false, false, false, true),
  size: fc.constantFrom(...Array<number>(16).fill(1), 2, 2, 2, 3),
});

const nationalVacancyArb = fc.record({
  otherLocality: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
  /** Skewed: some organizations get many places, some few. */
  org: fc.constantFrom(0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7),
  /** Age periods (months on the start date) that fit one or two cohorts. */
  window: fc.constantFrom(...NATIONAL_WINDOWS),
  language: fc.constantFrom('kk', 'kk', 'kk', 'ru'),
  groupType: fc.constantFrom<GroupType>(...Array<GroupType>(11).fill('GENERAL'), 'SPECIAL'),
  workMode: fc.constantFrom<WorkMode>('FULL_DAY', 'FULL_DAY', 'FULL_DAY', 'FULL_DAY', 'HALF_DAY', 'ROUND_THE_CLOCK'),
  admissionMode: fc.constantFrom<AdmissionMode>('GENERAL', 'GENERAL', 'GENERAL', 'EARLY_BOOKING', 'TEMPORARY_STAY'),
  start: fc.constantFrom(...NATIONAL_STARTS),
  /** A place that came back to allocation: judged on the next working day if later than its start (null: a fresh place). */
  nextWorkingDay: fc.oneof(
    { weight: 4, arbitrary: fc.constant<string | null>(null) },
    { weight: 1, arbitrary: fc.constantFrom('2026-09-01', '2026-09-14', '2026-11-02', '2027-02-01') },
  ),
});

type InputOrder = 'sorted' | 'seq' | 'shuffled';

/** A national-shape world of `families` × `vacancies` (length ranges). */
function nationalArb(
  families: { minLength: number; maxLength: number },
  vacancies: { minLength: number; maxLength: number },
): fc.Arbitrary<AllocationInput & { order: InputOrder }> {
  return fc
    .record({
      families: fc.array(nationalFamilyArb, { ...families, size: 'max' }),
      vacancies: fc.array(nationalVacancyArb, { ...vacancies, size: 'max' }),
      ratio: fc.oneof(fc.constant({ first: 1, general: 3 }), ratioArb),
      cycleSeeds: fc.array(fc.integer({ min: -1, max: 7 }), { minLength: 12, maxLength: 12 }),
      /** Application numbers out of registration order (backdated registrations). */
      seqSwaps: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
      /** Excluded pairs, mostly of an application and a place it is eligible for. */
      exclusions: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 30 }),
      order: fc.constantFrom<InputOrder>('sorted', 'seq', 'shuffled'),
      shuffleSeed: fc.integer(),
    })
    .map(({ families: fams, vacancies: vacs, ratio, cycleSeeds, seqSwaps, exclusions, order, shuffleSeed }) => {
      const applications: ApplicationView[] = [];
      fams.forEach((f, fi) => {
        const born = f.birthEdge !== null ? Date.parse(f.birthEdge) : Date.UTC(f.cohort, 0, 1) + f.dayOfYear * DAY_MS;
        const birthDate = f.oddBirth !== null ? `${f.cohort === 2020 ? 2021 : f.cohort}-${f.oddBirth}` : isoDay(born);
        for (let k = 0; k < f.size; k++) {
          applications.push({
            id: `app-${applications.length}`,
            seq: 0, // assigned below
            priorityClass: f.priorityClass,
            registeredAt: born + f.registrationDelayDays * DAY_MS + f.registrationMs,
            locality: NATIONAL[f.otherLocality ? 1 : 0],
            cohort: Number(birthDate.slice(0, 4)),
            birthDate,
            organizationIds: f.choices,
            language: f.language,
            groupType: f.groupType,
            specialNeedsConfirmed: f.specialNeedsConfirmed,
            workModes: f.workModes[k],
            desiredAdmissionDate: f.desiredEdge ?? isoDay(DESIRED_FROM + f.desiredDay * DAY_MS),
            acceptsTemporaryStay: f.acceptsTemporaryStay,
            batchId: f.size > 1 ? `batch-${fi}` : null,
          });
        }
      });
      // Numbers in registration order, a few swapped.
      applications.sort((x, y) => x.registeredAt - y.registeredAt);
      const seqs = applications.map((_, i) => 5000 + i);
      for (const [a, b] of seqSwaps) {
        if (seqs.length === 0) break;
        const i = a % seqs.length;
        const j = b % seqs.length;
        [seqs[i], seqs[j]] = [seqs[j], seqs[i]];
      }
      applications.forEach((a, i) => (a.seq = seqs[i]));
      if (order === 'sorted') {
        applications.sort((x, y) => x.registeredAt - y.registeredAt || x.seq - y.seq);
      } else if (order === 'seq') {
        applications.sort((x, y) => x.seq - y.seq);
      } else {
        let r = shuffleSeed >>> 0;
        const next = (): number => (r = (Math.imul(r, 1_103_515_245) + 12_345) >>> 0);
        for (let i = applications.length - 1; i > 0; i--) {
          const j = next() % (i + 1);
          [applications[i], applications[j]] = [applications[j], applications[i]];
        }
      }

      const vacancyViews = vacs.map((v, i): VacancyView => ({
        id: `vac-${i}`,
        organizationId: NATIONAL_ORGS[v.org],
        locality: NATIONAL[v.otherLocality ? 1 : 0],
        language: v.language,
        ageFromMonths: v.window[0],
        ageToMonths: v.window[1],
        groupType: v.groupType,
        workMode: v.workMode,
        admissionMode: v.admissionMode,
        admissionStartDate: v.start,
        ...(v.nextWorkingDay !== null ? { eligibilityDate: eligibilityDateOf(v.start, true, v.nextWorkingDay) } : {}),
      }));
      const excluded = new Set<string>();
      for (const [a, v, anyone] of exclusions) {
        if (applications.length === 0 || vacancyViews.length === 0) break;
        const target = vacancyViews[v % vacancyViews.length];
        const fits = anyone ? [] : applications.filter((app) => isEligible(app, target, NO_EXCLUSIONS));
        const pool = fits.length > 0 ? fits : applications;
        excluded.add(`${pool[a % pool.length].id}:${target.id}`);
      }
      const cycles: Record<string, number> = {};
      NATIONAL_COHORTS.forEach((cohort, k) => {
        if (cycleSeeds[k] >= 0) cycles[`${NATIONAL[0]}:${cohort}`] = cycleSeeds[k];
        if (cycleSeeds[k + 6] >= 0) cycles[`${NATIONAL[1]}:${cohort}`] = cycleSeeds[k + 6];
      });
      return { vacancies: vacancyViews, applications, cycles, ratio, excluded, order };
    });
}

describe('allocate (national-shape worlds)', () => {
  it('equals the naive reference on small worlds', () => {
    const seen = {
      apps: 0,
      later: 0,
      referrals: 0,
      twins: 0,
      choosers: 0,
      classZero: 0,
      dense: 0,
      /** Excluded pairs that would otherwise be eligible. */
      exclusions: 0,
    };
    fc.assert(
      fc.property(nationalArb({ minLength: 1, maxLength: 80 }, { minLength: 1, maxLength: 40 }), (input) => {
        const expected = allocateReference(input);
        const actual = allocate(input);
        expect(actual).toEqual(expected);
        checkInvariants(input, actual);
        const byId = new Map(input.applications.map((a) => [a.id, a]));
        seen.apps += input.applications.length;
        seen.later += input.applications.filter((a) => a.desiredAdmissionDate > '2026-09-01').length;
        seen.referrals += actual.referrals.length;
        for (const r of actual.referrals) {
          const app = byId.get(r.applicationId)!;
          if (app.batchId !== null) seen.twins++;
          if (app.organizationIds.length > 0) seen.choosers++;
          if (app.priorityClass === 0) seen.classZero++;
        }
        if (actual.referrals.length >= 5) seen.dense++;
        const vacancyById = new Map(input.vacancies.map((v) => [v.id, v]));
        for (const pair of input.excluded) {
          const [appId, vacancyId] = pair.split(':');
          if (isEligible(byId.get(appId)!, vacancyById.get(vacancyId)!, NO_EXCLUSIONS)) {
            seen.exclusions++;
          }
        }
      }),
      { numRuns: 300 },
    );
    // The worlds have the national shape and still exercise every branch of the rule.
    expect(seen.later / seen.apps).toBeGreaterThan(0.6);
    expect(seen.referrals).toBeGreaterThan(600);
    expect(seen.twins).toBeGreaterThan(30);
    expect(seen.choosers).toBeGreaterThan(60);
    expect(seen.classZero).toBeGreaterThan(50);
    expect(seen.dense).toBeGreaterThan(40);
    expect(seen.exclusions).toBeGreaterThan(80);
  });

  it('equals the naive reference on large worlds (deep index trees, many referrals)', () => {
    let referrals = 0;
    fc.assert(
      fc.property(nationalArb({ minLength: 400, maxLength: 900 }, { minLength: 60, maxLength: 140 }), (input) => {
        const actual = allocate(input);
        expect(actual).toEqual(allocateReference(input));
        checkInvariants(input, actual);
        referrals += actual.referrals.length;
      }),
      // No shrinking: a counterexample of this size takes minutes to shrink (the seed is reported).
      { numRuns: 12, endOnFailure: true },
    );
    expect(referrals).toBeGreaterThan(12 * 30);
  });

  it('equals the naive reference with values outside the types (never pruned unread)', () => {
    // Dates that are not 'YYYY-MM-DD' or not calendar dates, unknown work modes, group types,
    // admission modes, classes, fractional ages: the index must leave them to isEligible.
    const odd = <T>(value: unknown): T => value as T;
    const appFaults: ((a: ApplicationView) => void)[] = [
      (a) => (a.desiredAdmissionDate = ''),
      (a) => (a.desiredAdmissionDate = '2026-9-01'),
      (a) => (a.desiredAdmissionDate = '2026-09-01T00:00'),
      (a) => (a.birthDate = '2023-02-30'),
      (a) => (a.birthDate = '2023-13-01'),
      (a) => (a.birthDate = '23-05-01'),
      (a) => (a.workModes = [odd<WorkMode>('NIGHT')]),
      (a) => (a.workModes = []),
      (a) => (a.groupType = odd<GroupType>('OTHER')),
      (a) => (a.priorityClass = odd<PriorityClass>(3)),
    ];
    const vacancyFaults: ((v: VacancyView) => void)[] = [
      (v) => (v.admissionStartDate = '2026-09-31'),
      (v) => (v.admissionStartDate = '2026-9-1'),
      (v) => (v.workMode = odd<WorkMode>('NIGHT')),
      (v) => (v.groupType = odd<GroupType>('OTHER')),
      (v) => (v.admissionMode = odd<AdmissionMode>('OTHER')),
      (v) => (v.ageFromMonths = 24.5),
      (v) => (v.ageToMonths = v.ageFromMonths - 1),
      (v) => (v.eligibilityDate = '2026-9-14'),
      (v) => (v.eligibilityDate = '2026-09-31'),
    ];
    fc.assert(
      fc.property(
        nationalArb({ minLength: 1, maxLength: 50 }, { minLength: 1, maxLength: 25 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 8 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
        (generated, appPicks, vacancyPicks) => {
          const input = {
            ...generated,
            applications: generated.applications.map((a) => ({ ...a })),
            vacancies: generated.vacancies.map((v) => ({ ...v })),
          };
          for (const [k, f] of appPicks) {
            appFaults[f % appFaults.length](input.applications[k % input.applications.length]);
          }
          for (const [k, f] of vacancyPicks) {
            if (input.vacancies.length === 0) break;
            vacancyFaults[f % vacancyFaults.length](input.vacancies[k % input.vacancies.length]);
          }
          expect(allocate(input)).toEqual(allocateReference(input));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('does not modify its input', () => {
    fc.assert(
      fc.property(nationalArb({ minLength: 1, maxLength: 40 }, { minLength: 1, maxLength: 20 }), (input) => {
        const snapshot = JSON.stringify({ ...input, excluded: [...input.excluded] });
        allocate(input);
        expect(JSON.stringify({ ...input, excluded: [...input.excluded] })).toBe(snapshot);
      }),
      { numRuns: 50 },
    );
  });
});

describe('rankOrder (the ranking of allocate)', () => {
  it('orders by (registeredAt, seq, position) whatever the input order', () => {
    const T = 1_750_000_000_000;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })), {
          maxLength: 400,
        }),
        fc.constantFrom('as is', 'sorted', 'nearly sorted'),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
        fc.constantFrom(1, 86_400_000, 1e9),
        (pairs, shape, swaps, unit) => {
          const items = pairs.map(([r, q]) => [T + r * unit, q] as const);
          if (shape !== 'as is') {
            items.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
            if (shape === 'nearly sorted' && items.length > 0) {
              for (const [a, b] of swaps) {
                const i = a % items.length;
                const j = b % items.length;
                [items[i], items[j]] = [items[j], items[i]];
              }
            }
          }
          const reg = Float64Array.from(items, (x) => x[0]);
          const seq = Float64Array.from(items, (x) => x[1]);
          const expected = items.map((_, i) => i).sort((x, y) => reg[x] - reg[y] || seq[x] - seq[y] || x - y);
          expect([...rankOrder(reg, seq)]).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('EligibilityForest (the index of allocate)', () => {
  const leafArb = fc.record({
    desired: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constant(KEY_MIN)),
    birth: fc.oneof(
      fc.integer({ min: 0, max: 30 }).map((b) => [b, b] as const),
      fc.constant([KEY_MIN, KEY_MAX] as const),
    ),
    mask: fc.integer({ min: 0, max: 63 }),
  });
  const opArb = fc.oneof(
    fc.record({ kind: fc.constant('remove' as const), list: fc.nat(), pos: fc.nat() }),
    fc.record({
      kind: fc.constant('first' as const),
      list: fc.nat(),
      from: fc.nat({ max: 80 }),
      desired: fc.integer({ min: -1, max: 31 }),
      birthFrom: fc.integer({ min: -1, max: 31 }),
      birthSpan: fc.integer({ min: -2, max: 31 }),
      bit: fc.constantFrom(1, 2, 4, 8, 16, 32, ALIVE),
    }),
  );

  it('finds the first live member passing the tests, from any position, after any removals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(leafArb, { maxLength: 70 }), { minLength: 1, maxLength: 4 }),
        fc.array(opArb, { maxLength: 60 }),
        (lists, ops) => {
          const forest = new EligibilityForest(lists.map((l) => l.length));
          lists.forEach((leaves, l) =>
            leaves.forEach((x, pos) => forest.set(l, pos, 1000 * l + pos, x.desired, x.birth[0], x.birth[1], x.mask)),
          );
          forest.build();
          const live = lists.map((l) => l.map(() => true));
          for (const op of ops) {
            const l = op.list % lists.length;
            if (op.kind === 'remove') {
              if (lists[l].length === 0) continue;
              const pos = op.pos % lists[l].length;
              if (!live[l][pos]) continue; // removing twice is not part of the contract
              live[l][pos] = false;
              forest.remove(l, pos);
              continue;
            }
            const birthTo = op.birthFrom + op.birthSpan;
            forest.query(op.desired, op.birthFrom, birthTo, op.bit);
            const expected = lists[l].findIndex(
              (x, pos) =>
                pos >= op.from &&
                live[l][pos] &&
                x.desired <= op.desired &&
                x.birth[1] >= op.birthFrom &&
                x.birth[0] <= birthTo &&
                ((x.mask | ALIVE) & op.bit) !== 0,
            );
            const found = forest.first(l, op.from);
            expect(found).toBe(expected);
            if (found >= 0) expect(forest.itemAt(l, found)).toBe(1000 * l + found);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

const L = '711000000';

const application = (id: string, over: Partial<ApplicationView> = {}): ApplicationView => ({
  id,
  seq: Number(id.replace(/\D/g, '')) || 1,
  priorityClass: 2,
  registeredAt: T0,
  locality: L,
  cohort: 2022,
  birthDate: '2022-03-15',
  organizationIds: [],
  language: 'kk',
  groupType: 'GENERAL',
  specialNeedsConfirmed: false,
  workModes: ['FULL_DAY'],
  desiredAdmissionDate: '2025-09-01',
  acceptsTemporaryStay: false,
  batchId: null,
  ...over,
});

const vacancy = (id: string, over: Partial<VacancyView> = {}): VacancyView => ({
  id,
  organizationId: 'org-1',
  locality: L,
  language: 'kk',
  ageFromMonths: 24,
  ageToMonths: 59,
  groupType: 'GENERAL',
  workMode: 'FULL_DAY',
  admissionMode: 'GENERAL',
  admissionStartDate: '2025-09-01',
  ...over,
});

const run = (applications: ApplicationView[], vacancies: VacancyView[], over: Partial<AllocationInput> = {}): AllocationResult => {
  const input: AllocationInput = {
    applications,
    vacancies,
    cycles: {},
    ratio: DEFAULT_RATIO,
    excluded: NO_EXCLUSIONS,
    ...over,
  };
  const result = allocate(input);
  expect(result).toEqual(allocateReference(input));
  checkInvariants(input, result);
  return result;
};

const pairs = (r: AllocationResult): string[] => r.referrals.map((x) => `${x.vacancyId}->${x.applicationId}`);

describe('allocate (tables)', () => {
  it('class 0 goes first, and does not move the cycle', () => {
    const result = run(
      [
        application('a1', { priorityClass: 2, registeredAt: T0 }),
        application('a2', { priorityClass: 1, registeredAt: T0 + 1 }),
        application('a3', { priorityClass: 0, registeredAt: T0 + 2 }),
      ],
      [vacancy('v1')],
      { cycles: { [`${L}:2022`]: 2 } },
    );
    expect(pairs(result)).toEqual(['v1->a3']);
    expect(result.cycles).toEqual({ [`${L}:2022`]: 2 });
  });

  it('interleaves 1:3 across 8 vacancies', () => {
    const apps = [
      ...[1, 2, 3, 4].map((k) => application(`f${k}`, { priorityClass: 1, registeredAt: T0 + 100 + k, seq: k })),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((k) => application(`g${k}`, { priorityClass: 2, registeredAt: T0 + k, seq: 10 + k })),
    ];
    const result = run(
      apps,
      [1, 2, 3, 4, 5, 6, 7, 8].map((k) => vacancy(`v${k}`)),
    );
    expect(result.referrals.map((r) => r.applicationId)).toEqual(['f1', 'g1', 'g2', 'g3', 'f2', 'g4', 'g5', 'g6']);
    expect(result.cycles).toEqual({ [`${L}:2022`]: 0 });
  });

  it('the turn class keeps its owed slot when it has nobody eligible', () => {
    const apps = [
      application('f1', { priorityClass: 1, seq: 1, organizationIds: ['org-2'] }),
      application('g1', { priorityClass: 2, seq: 2 }),
      application('g2', { priorityClass: 2, seq: 3 }),
    ];
    // v1 (org-1): class 1's turn but f1 only wants org-2 -> g1, cycle stays 0.
    // v2 (org-2): still class 1's turn -> f1, cycle 1.
    const result = run(apps, [vacancy('v1'), vacancy('v2', { organizationId: 'org-2' })]);
    expect(pairs(result)).toEqual(['v1->g1', 'v2->f1']);
    expect(result.cycles).toEqual({ [`${L}:2022`]: 1 });
  });

  it('a place contested by two cohorts goes to the better head; only its queue advances', () => {
    const older = { cohort: 2021, birthDate: '2021-04-01' };
    const result = run(
      [
        application('a1', { ...older, priorityClass: 2, registeredAt: T0 }),
        application('a2', { priorityClass: 1, registeredAt: T0 + 5_000 }),
        application('a3', { priorityClass: 2, registeredAt: T0 + 1_000 }),
      ],
      [vacancy('v1', { ageFromMonths: 24, ageToMonths: 59 })],
      { cycles: { [`${L}:2021`]: 1, [`${L}:2022`]: 0 } },
    );
    // 2021 queue picks a1 (class 2, its turn); 2022 queue picks a2 (class 1, its turn): a2 wins.
    expect(pairs(result)).toEqual(['v1->a2']);
    expect(result.cycles).toEqual({ [`${L}:2021`]: 1, [`${L}:2022`]: 1 });
  });

  it('between heads of one class the earlier registration wins', () => {
    const older = { cohort: 2021, birthDate: '2021-04-01' };
    const result = run(
      [
        application('a1', { priorityClass: 2, registeredAt: T0 + 2 }),
        application('a2', { ...older, priorityClass: 2, registeredAt: T0 + 1 }),
      ],
      [vacancy('v1')],
      { cycles: { [`${L}:2021`]: 1, [`${L}:2022`]: 1 } },
    );
    expect(pairs(result)).toEqual(['v1->a2']);
    expect(result.cycles).toEqual({ [`${L}:2021`]: 2, [`${L}:2022`]: 1 });
  });

  it('twins get two places at one organization', () => {
    const twin = { batchId: 'b1', registeredAt: T0 };
    const result = run(
      [
        application('t1', { ...twin, seq: 1 }),
        application('t2', { ...twin, seq: 2 }),
        application('s3', { registeredAt: T0 + 10, seq: 3 }),
      ],
      [vacancy('v1'), vacancy('v2', { organizationId: 'org-2' }), vacancy('v3')],
      { cycles: { [`${L}:2022`]: 1 } },
    );
    expect(pairs(result)).toEqual(['v1->t1', 'v3->t2', 'v2->s3']);
    // One advance per referral: 1 -> 2 -> 3 -> 0 (all class 2, on class 2's turn).
    expect(result.cycles).toEqual({ [`${L}:2022`]: 0 });
  });

  it('twins get no place when the organization has only one', () => {
    const twin = { batchId: 'b1', registeredAt: T0 };
    const result = run(
      [
        application('t1', { ...twin, seq: 1 }),
        application('t2', { ...twin, seq: 2 }),
        application('s3', { registeredAt: T0 + 10, seq: 3 }),
        application('s4', { registeredAt: T0 + 20, seq: 4 }),
      ],
      [vacancy('v1'), vacancy('v2', { organizationId: 'org-2' })],
    );
    expect(pairs(result)).toEqual(['v1->s3', 'v2->s4']);
  });

  it('twins are not placed when a sibling is not eligible for the later place', () => {
    const twin = { batchId: 'b1', registeredAt: T0 };
    const result = run(
      [
        application('t1', { ...twin, seq: 1 }),
        application('t2', { ...twin, seq: 2, workModes: ['HALF_DAY'] }),
        application('s3', { registeredAt: T0 + 10, seq: 3 }),
      ],
      [vacancy('v1'), vacancy('v2')],
    );
    expect(pairs(result)).toEqual(['v1->s3']);
  });

  it('twins: a full-or-half-day twin and a half-day-only twin take a half-day place then a full-day place (every assignment tried)', () => {
    const twin = { batchId: 'b1', registeredAt: T0 };
    const result = run(
      [
        application('t1', { ...twin, seq: 1, workModes: ['FULL_DAY', 'HALF_DAY'] }),
        application('t2', { ...twin, seq: 2, workModes: ['HALF_DAY'] }),
        application('s3', { registeredAt: T0 + 10, seq: 3, workModes: ['FULL_DAY', 'HALF_DAY'] }),
      ],
      [vacancy('v1', { workMode: 'HALF_DAY' }), vacancy('v2', { workMode: 'FULL_DAY' })],
      { cycles: { [`${L}:2022`]: 1 } },
    );
    // Greedy (t1 on v1, then t2 needs a later half-day place) would lose both places for the twins and leave
    // v2 to s3; trying every assignment puts t2 on v1 and t1 on v2, the place on hand issued first.
    expect(pairs(result)).toEqual(['v1->t2', 'v2->t1']);
    expect(result.cycles).toEqual({ [`${L}:2022`]: 3 });
  });

  it('twins: the winner keeps the current place when an assignment allows it; siblings take the first later places that fit', () => {
    const twin = { batchId: 'b1', registeredAt: T0 };
    const result = run(
      [
        application('t1', { ...twin, seq: 1, workModes: ['FULL_DAY', 'HALF_DAY'] }),
        application('t2', { ...twin, seq: 2, workModes: ['FULL_DAY', 'HALF_DAY'] }),
        application('t3', { ...twin, seq: 3, workModes: ['HALF_DAY'] }),
      ],
      [
        vacancy('v1', { workMode: 'FULL_DAY' }),
        vacancy('v2', { workMode: 'HALF_DAY' }),
        vacancy('v3', { workMode: 'FULL_DAY', organizationId: 'org-2' }),
        vacancy('v4', { workMode: 'HALF_DAY' }),
        vacancy('v5', { workMode: 'FULL_DAY' }),
      ],
    );
    // t1 on v1; t2 first tries v2 (then t3 gets v4): the first workable assignment.
    expect(pairs(result)).toEqual(['v1->t1', 'v2->t2', 'v4->t3']);
  });

  it('twins: a triplet no later place fits keeps the whole batch out (all or none)', () => {
    const twin = { batchId: 'b1', registeredAt: T0 };
    const result = run(
      [
        application('t1', { ...twin, seq: 1, workModes: ['FULL_DAY', 'HALF_DAY'] }),
        application('t2', { ...twin, seq: 2, workModes: ['HALF_DAY'] }),
        application('t3', { ...twin, seq: 3, workModes: ['HALF_DAY'] }),
        application('s4', { registeredAt: T0 + 10, seq: 4, workModes: ['FULL_DAY', 'HALF_DAY'] }),
      ],
      [vacancy('v1', { workMode: 'HALF_DAY' }), vacancy('v2', { workMode: 'FULL_DAY' }), vacancy('v3', { workMode: 'FULL_DAY' })],
    );
    expect(pairs(result)).toEqual(['v1->s4']);
  });

  it('a returned place is judged at its eligibility date: the age on it and the wanted date not after it', () => {
    // Start 2025-09-01, the place came back and is judged on 2025-11-03: a child 23 months old on the start
    // date but 25 on 2025-11-03 fits [24, 59]; a family wanting 2025-11-03 fits; one wanting 2025-11-04 does not.
    const apps = [
      application('later', { registeredAt: T0, seq: 1, desiredAdmissionDate: '2025-11-04' }),
      application('young', { registeredAt: T0 + 1, seq: 2, birthDate: '2023-09-20', cohort: 2023, desiredAdmissionDate: '2025-11-03' }),
    ];
    expect(pairs(run(apps, [vacancy('v1')]))).toEqual([]);
    expect(pairs(run(apps, [vacancy('v1', { eligibilityDate: '2025-11-03' })]))).toEqual(['v1->young']);
    expect(pairs(run(apps, [vacancy('v1', { eligibilityDate: '2025-11-04' })]))).toEqual(['v1->later']);
  });

  it('an excluded pair is never offered', () => {
    const result = run(
      [application('a1', { registeredAt: T0 }), application('a2', { registeredAt: T0 + 1 })],
      [vacancy('v1'), vacancy('v2')],
      { excluded: new Set(['a1:v1']) },
    );
    expect(pairs(result)).toEqual(['v1->a2', 'v2->a1']);
  });

  it('a work mode outside the type is left to isEligible, not pruned', () => {
    const night = 'NIGHT' as WorkMode;
    const result = run(
      [application('a1', { workModes: [night] }), application('a2', { seq: 2, registeredAt: T0 + 1 })],
      [vacancy('v1', { workMode: night }), vacancy('v2')],
    );
    expect(pairs(result)).toEqual(['v1->a1', 'v2->a2']);
  });

  it('a birth date that is no calendar date is left to isEligible, not pruned', () => {
    // Age on 2026-03-30 of "2023-02-29": (3·12 + 1) months, and 30 ≥ 29, so 37: inside [37, 48],
    // although the string is after the window's latest birth date, 2023-02-28.
    const result = run(
      [
        application('a1', {
          cohort: 2023,
          birthDate: '2023-02-29',
          desiredAdmissionDate: '2026-03-01',
        }),
      ],
      [vacancy('v1', { admissionStartDate: '2026-03-30', ageFromMonths: 37, ageToMonths: 48 })],
    );
    expect(pairs(result)).toEqual(['v1->a1']);
  });

  it('leaves a vacancy nobody fits unallocated', () => {
    const result = run([application('a1')], [vacancy('v1', { language: 'ru' }), vacancy('v2')]);
    expect(pairs(result)).toEqual(['v2->a1']);
  });
});
