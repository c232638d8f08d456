import fc from 'fast-check';
import {
  DEFAULT_RATIO,
  type InterleaveRatio,
  type PriorityClass,
} from '../../queue/domain/index.js';
import {
  allocate,
  allocateReference,
  type AllocationInput,
  type AllocationResult,
} from './allocate.js';
import {
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
  .map(
    ({ year, month, day }) =>
      `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
  );

/** Work modes a family accepts: usually including FULL_DAY. */
const workModesArb = fc.oneof(
  fc.constant<WorkMode[]>(['FULL_DAY']),
  fc.subarray(WORK_MODES, { minLength: 1 }),
);

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
  workMode: fc.constantFrom<WorkMode>(
    'FULL_DAY',
    'FULL_DAY',
    'FULL_DAY',
    'HALF_DAY',
    'ROUND_THE_CLOCK',
  ),
  admissionMode: fc.constantFrom<AdmissionMode>(
    'GENERAL',
    'GENERAL',
    'EARLY_BOOKING',
    'TEMPORARY_STAY',
  ),
  admissionStartDate: fc.constantFrom(...ADMISSION_DATES),
});

const ratioArb: fc.Arbitrary<InterleaveRatio> = fc.oneof(
  fc.constant({ first: 1, general: 3 }),
  fc
    .record({ first: fc.integer({ min: 0, max: 3 }), general: fc.integer({ min: 0, max: 4 }) })
    .filter((r) => r.first + r.general > 0),
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
      const f = dense
        ? { ...raw, locality: LOCALITIES[0], language: 'kk', groupType: 'GENERAL' as const }
        : raw;
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
    const seqOrder = applications
      .map((_, i) => i)
      .sort((x, y) => orderKeys[x] - orderKeys[y] || x - y);
    seqOrder.forEach((i, rank) => (applications[i].seq = 1000 + rank));
    applications.sort(
      (x, y) => orderKeys[(x.seq * 7) % 90] - orderKeys[(y.seq * 7) % 90] || x.seq - y.seq,
    );

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
      };
    });
    const excluded = new Set<string>();
    if (applications.length > 0 && vacancyViews.length > 0) {
      for (const [a, v] of exclusionPicks) {
        excluded.add(
          `${applications[a % applications.length].id}:${vacancyViews[v % vacancyViews.length].id}`,
        );
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
        const batched = new Set(
          input.applications.filter((a) => a.batchId !== null).map((a) => a.id),
        );
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

const run = (
  applications: ApplicationView[],
  vacancies: VacancyView[],
  over: Partial<AllocationInput> = {},
): AllocationResult => {
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

const pairs = (r: AllocationResult): string[] =>
  r.referrals.map((x) => `${x.vacancyId}->${x.applicationId}`);

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
      ...[1, 2, 3, 4].map((k) =>
        application(`f${k}`, { priorityClass: 1, registeredAt: T0 + 100 + k, seq: k }),
      ),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((k) =>
        application(`g${k}`, { priorityClass: 2, registeredAt: T0 + k, seq: 10 + k }),
      ),
    ];
    const result = run(
      apps,
      [1, 2, 3, 4, 5, 6, 7, 8].map((k) => vacancy(`v${k}`)),
    );
    expect(result.referrals.map((r) => r.applicationId)).toEqual([
      'f1',
      'g1',
      'g2',
      'g3',
      'f2',
      'g4',
      'g5',
      'g6',
    ]);
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

  it('an excluded pair is never offered', () => {
    const result = run(
      [application('a1', { registeredAt: T0 }), application('a2', { registeredAt: T0 + 1 })],
      [vacancy('v1'), vacancy('v2')],
      { excluded: new Set(['a1:v1']) },
    );
    expect(pairs(result)).toEqual(['v1->a2', 'v2->a1']);
  });

  it('leaves a vacancy nobody fits unallocated', () => {
    const result = run([application('a1')], [vacancy('v1', { language: 'ru' }), vacancy('v2')]);
    expect(pairs(result)).toEqual(['v2->a1']);
  });
});
