import fc from 'fast-check';
import {
  ageInMonths,
  birthDateWindow,
  eligibilityDateOf,
  fitsForClaim,
  isEligible,
  judgedOn,
  NO_EXCLUSIONS,
  type ApplicationView,
  type VacancyView,
} from './eligibility.js';

const application = (over: Partial<ApplicationView> = {}): ApplicationView => ({
  id: 'a1',
  seq: 1,
  priorityClass: 2,
  registeredAt: 1_700_000_000_000,
  locality: '711000000',
  cohort: 2022,
  birthDate: '2022-05-10',
  organizationIds: ['org-1'],
  language: 'kk',
  groupType: 'GENERAL',
  specialNeedsConfirmed: false,
  workModes: ['FULL_DAY'],
  desiredAdmissionDate: '2025-09-01',
  acceptsTemporaryStay: false,
  batchId: null,
  ...over,
});

const vacancy = (over: Partial<VacancyView> = {}): VacancyView => ({
  id: 'v1',
  organizationId: 'org-1',
  locality: '711000000',
  language: 'kk',
  ageFromMonths: 24,
  ageToMonths: 47,
  groupType: 'GENERAL',
  workMode: 'FULL_DAY',
  admissionMode: 'GENERAL',
  admissionStartDate: '2025-09-01',
  ...over,
});

const isoDate = (min: string, max: string): fc.Arbitrary<string> =>
  fc
    .date({
      min: new Date(`${min}T00:00:00Z`),
      max: new Date(`${max}T00:00:00Z`),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));

describe('ageInMonths', () => {
  it.each([
    ['2022-05-10', '2025-09-01', 39],
    ['2022-05-10', '2022-06-09', 0],
    ['2022-05-10', '2022-06-10', 1],
    ['2020-02-29', '2021-02-28', 11],
    ['2020-02-29', '2021-03-01', 12],
    ['2022-01-31', '2022-02-28', 0],
  ])('%s → %s = %i', (birth, on, months) => {
    expect(ageInMonths(birth, on)).toBe(months);
  });
});

describe('birthDateWindow', () => {
  it.each([
    ['2026-09-01', 0, 24, '2024-08-02', '2026-09-01'],
    ['2026-03-31', 1, 1, '2026-02-01', '2026-02-28'],
    ['2026-03-31', 0, 0, '2026-03-01', '2026-03-31'],
    ['2024-03-30', 12, 12, '2023-03-01', '2023-03-30'], // Feb 2023 has no day after the 30th
  ])('on %s for [%i, %i] months: %s..%s', (on, from, to, earliest, latest) => {
    expect(birthDateWindow(on, from, to)).toEqual({ earliest, latest });
  });

  it('contains exactly the birth dates whose age is within the period', () => {
    fc.assert(
      fc.property(
        isoDate('2018-01-01', '2026-12-31'),
        isoDate('2024-01-01', '2027-12-31'),
        fc.integer({ min: 0, max: 84 }),
        fc.integer({ min: -2, max: 40 }),
        (birth, on, from, span) => {
          const to = from + span;
          const { earliest, latest } = birthDateWindow(on, from, to);
          const age = ageInMonths(birth, on);
          expect(earliest <= birth && birth <= latest).toBe(age >= from && age <= to);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('isEligible', () => {
  it('accepts the matching pair', () => {
    expect(isEligible(application(), vacancy(), NO_EXCLUSIONS)).toBe(true);
  });

  it.each<[string, Partial<ApplicationView>, Partial<VacancyView>]>([
    ['other locality', {}, { locality: '751000000' }],
    ['organization not chosen', {}, { organizationId: 'org-2' }],
    ['other language', { language: 'ru' }, {}],
    ['SPECIAL group, general application', {}, { groupType: 'SPECIAL' }],
    ['SPECIAL group, needs not confirmed', { groupType: 'SPECIAL' }, { groupType: 'SPECIAL' }],
    ['GENERAL group, special application', { groupType: 'SPECIAL', specialNeedsConfirmed: true }, {}],
    ['work mode not accepted', {}, { workMode: 'HALF_DAY' }],
    ['too young', {}, { ageFromMonths: 40 }],
    ['too old', {}, { ageToMonths: 38 }],
    ['desired date later', { desiredAdmissionDate: '2025-09-02' }, {}],
    ['temporary stay not accepted', {}, { admissionMode: 'TEMPORARY_STAY' }],
  ])('rejects: %s', (_, appOver, vacancyOver) => {
    expect(isEligible(application(appOver), vacancy(vacancyOver), NO_EXCLUSIONS)).toBe(false);
  });

  it.each<[string, Partial<ApplicationView>, Partial<VacancyView>]>([
    ['no organization chosen = any', { organizationIds: [] }, { organizationId: 'org-9' }],
    ['second choice', { organizationIds: ['org-3', 'org-1'] }, {}],
    ['confirmed special needs', { groupType: 'SPECIAL', specialNeedsConfirmed: true }, { groupType: 'SPECIAL' }],
    ['temporary stay accepted', { acceptsTemporaryStay: true }, { admissionMode: 'TEMPORARY_STAY' }],
    ['age bounds inclusive', {}, { ageFromMonths: 39, ageToMonths: 39 }],
    ['desired date equal', { desiredAdmissionDate: '2025-09-01' }, {}],
    ['early booking', {}, { admissionMode: 'EARLY_BOOKING' }],
  ])('accepts: %s', (_, appOver, vacancyOver) => {
    expect(isEligible(application(appOver), vacancy(vacancyOver), NO_EXCLUSIONS)).toBe(true);
  });

  it('never offers an excluded pair', () => {
    expect(isEligible(application(), vacancy(), new Set(['a1:v1']))).toBe(false);
    expect(isEligible(application(), vacancy(), new Set(['a1:v2']))).toBe(true);
  });
});

describe('fitsForClaim', () => {
  it('ignores the organization choice and the desired date', () => {
    const app = application({ organizationIds: ['org-7'], desiredAdmissionDate: '2026-01-01' });
    expect(isEligible(app, vacancy(), NO_EXCLUSIONS)).toBe(false);
    expect(fitsForClaim(app, vacancy())).toBe(true);
  });

  it('keeps every other restriction', () => {
    expect(fitsForClaim(application({ language: 'ru' }), vacancy())).toBe(false);
    expect(fitsForClaim(application(), vacancy({ ageFromMonths: 40 }))).toBe(false);
    expect(fitsForClaim(application(), vacancy(), new Set(['a1:v1']))).toBe(false);
  });
});

describe('the date a place is judged at (a returned place: max(start, next working day))', () => {
  it.each([
    ['2025-09-01', false, '2025-11-03', '2025-09-01'],
    ['2025-09-01', true, '2025-11-03', '2025-11-03'],
    ['2025-12-01', true, '2025-11-03', '2025-12-01'],
    ['2025-11-03', true, '2025-11-03', '2025-11-03'],
  ])('start %s, returned %s, next working day %s → %s', (start, returned, next, expected) => {
    expect(eligibilityDateOf(start, returned, next)).toBe(expected);
    expect(judgedOn({ admissionStartDate: start, eligibilityDate: eligibilityDateOf(start, returned, next) })).toBe(expected);
  });

  it('age and wanted date are judged on it, for allocation and for claims alike', () => {
    // Born 2023-09-20: 23 months on 2025-09-01, 25 on 2025-11-03 (period [24, 47]).
    const young = application({ birthDate: '2023-09-20', cohort: 2023, desiredAdmissionDate: '2025-11-03' });
    const start = vacancy({ admissionStartDate: '2025-09-01' });
    const returned = vacancy({ admissionStartDate: '2025-09-01', eligibilityDate: '2025-11-03' });
    expect(isEligible(young, start, NO_EXCLUSIONS)).toBe(false);
    expect(fitsForClaim(young, start)).toBe(false);
    expect(isEligible(young, returned, NO_EXCLUSIONS)).toBe(true);
    expect(fitsForClaim(young, returned)).toBe(true);
    expect(isEligible({ ...young, desiredAdmissionDate: '2025-11-04' }, returned, NO_EXCLUSIONS)).toBe(false);
    // A child who ages out of the period by then no longer fits: 48 months on 2025-11-03.
    const old = application({ birthDate: '2021-10-15', cohort: 2021 });
    expect(isEligible(old, start, NO_EXCLUSIONS)).toBe(true);
    expect(isEligible(old, returned, NO_EXCLUSIONS)).toBe(false);
    expect(fitsForClaim(old, returned)).toBe(false);
  });
});
