import { SchedulerService } from '../../src/platform/jobs/scheduler.service.js';
import { createTestApp, errorCode, ok, type GqlResult, type TestApp } from '../utils/app.js';
import {
  advance,
  applicantOf,
  count,
  createOrg,
  ledgerTypes,
  notificationStages,
  publish,
  register,
  setClock,
  staffOf,
  type ChildSpec,
} from '../utils/fixtures.js';
import { LIVE_REFERRAL_STATUSES_SQL } from '../../src/referral/domain/referral-state.js';

/**
 * Allocation and referral cases, one simulated week of December 2026 (Wednesday 16 December is a public holiday).
 * Every scenario lives in its own locality, so that the daily runs do not mix them.
 */
const L = {
  booking: '751410000',
  temporary: '751420000',
  eligibility: '751430000',
  choices: '751440000',
  twins: '751450000',
  interleave: '751460000',
  cohorts: '751470000',
  refuse: '751480000',
  withdraw: '751490000',
  claims: '751510000',
  race: '751520000',
  late: '751530000',
  holiday: '751540000',
} as const;

const REF = `id status issuedAt clockStart confirmBy confirmedAt validUntil extended claimed closedAt closeReason missingDocuments
  vacancy { id status admissionMode attendanceUntil vacatedAt }`;
const APP = `query($id: ID!) { application(id: $id) { id status registeredAt queueNumber priorityClass stopListedUntil referral { ${REF} } } }`;
const REFERRAL = `query($id: ID!) { referral(id: $id) { ${REF} } }`;
const CONFIRM = `mutation($id: ID!) { confirmReferral(id: $id) { ${REF} } }`;
const DECLINE = `mutation($id: ID!) { declineReferral(id: $id) { ${REF} } }`;
const CLAIM = `mutation($v: ID!, $a: ID!) { claimVacancy(vacancyId: $v, applicationId: $a) { ${REF} } }`;
const VACATED = `mutation($v: ID!, $on: Date!) { markPlaceVacated(vacancyId: $v, on: $on) { id status vacatedAt } }`;
const REFUSE = `mutation($id: ID!) { refuseAdmission(referralId: $id, reason: EXPIRED_DOCUMENTS, note: "health passport expired") { ${REF} } }`;
const EXTEND = `mutation($id: ID!, $until: Date!) { extendReferral(id: $id, until: $until) { ${REF} } }`;
const VACANCY = `query($id: ID!) { vacancy(id: $id) { id status openAt openForClaim referral { id status } } }`;

interface App {
  id: string;
  number: string;
  applicantIin: string;
}

interface ReferralView {
  id: string;
  status: string;
  issuedAt: string;
  clockStart: string | null;
  confirmBy: string | null;
  confirmedAt: string | null;
  validUntil: string | null;
  extended: boolean;
  claimed: boolean;
  closedAt: string | null;
  closeReason: string | null;
  missingDocuments: string[];
  vacancy: { id: string; status: string; admissionMode: string; attendanceUntil: string | null; vacatedAt: string | null };
}
interface ApplicationView {
  id: string;
  status: string;
  registeredAt: string;
  queueNumber: number | null;
  priorityClass: number;
  stopListedUntil: string | null;
  referral: ReferralView | null;
}
interface VacancyView {
  id: string;
  status: string;
  openAt: string | null;
  openForClaim: boolean;
  referral: { id: string; status: string } | null;
}

async function application(t: TestApp, id: string): Promise<ApplicationView> {
  return ok(await t.gql<{ application: ApplicationView }>(APP, { id }, t.admin)).application;
}
/** The live referral of an application (fails when there is none). */
async function referralOf(t: TestApp, a: App): Promise<ReferralView> {
  const r = (await application(t, a.id)).referral;
  if (!r) throw new Error(`application ${a.number} has no live referral`);
  return r;
}
async function referral(t: TestApp, id: string): Promise<ReferralView> {
  return ok(await t.gql<{ referral: ReferralView }>(REFERRAL, { id }, t.admin)).referral;
}
async function vacancy(t: TestApp, id: string): Promise<VacancyView> {
  return ok(await t.gql<{ vacancy: VacancyView }>(VACANCY, { id }, t.admin)).vacancy;
}
async function confirmPriority(t: TestApp, a: App, category: string): Promise<void> {
  ok(
    await t.gql(
      `mutation($a: ID!, $c: String!) { confirmPriority(applicationId: $a, category: $c, confirmed: true) { id } }`,
      { a: a.id, c: category },
      t.admin,
    ),
  );
}
const codes = (rs: GqlResult<unknown>[]): string[] => rs.map((r) => errorCode(r) ?? 'OK').sort();

describe('referral cases through a December week (simulated clock)', () => {
  let t: TestApp;
  const org: Record<string, string> = {};
  const a: Record<string, App> = {};
  const v: Record<string, string[]> = {};
  const reg = async (key: string, locality: string, spec: ChildSpec = {}): Promise<App> =>
    (a[key] = await register(t, { locality, ...spec }));

  beforeAll(async () => {
    // Monday 7 December 2026, 10:00 Almaty. Daily tasks run only when the test moves the clock.
    t = await createTestApp({ simulation: '2026-12-07T10:00:00+05:00', env: { SCHEDULES: '0' } });
    // What the worker's start-up catch-up does; done here so that it surely precedes the first advance.
    await t.app.get(SchedulerService).catchUp();
    await Promise.all(
      (
        [
          ['booking', L.booking],
          ['bookingOther', L.booking],
          ['temporary', L.temporary],
          ['eligibility', L.eligibility],
          ['x', L.choices],
          ['y', L.choices],
          ['twinsA', L.twins],
          ['twinsB', L.twins],
          ['interleave', L.interleave],
          ['cohorts', L.cohorts],
          ['refuse', L.refuse],
          ['withdraw', L.withdraw],
          ['p', L.claims],
          ['q', L.claims],
          ['race', L.race],
          ['late', L.late],
          ['holiday', L.holiday],
        ] as const
      ).map(async ([key, locality]) => (org[key] = await createOrg(t, `Org ${key}`, locality))),
    );

    // The scenarios are independent (one locality each): set them up side by side, each in its own order.
    await Promise.all(
      [
        async (): Promise<void> => {
          // Early booking: two children, two places booked before they free, and one ordinary place.
          await reg('e1', L.booking);
          await reg('e2', L.booking);
          v.booking = await publish(t, org.booking, { admissionMode: 'EARLY_BOOKING', count: 2 }, staffOf(t, org.booking));
          v.bookingGeneral = await publish(t, org.booking);
        },
        async (): Promise<void> => {
          // Temporary stay: the older registration does not accept it.
          await reg('ts1', L.temporary, { acceptsTemporaryStay: false });
          await reg('ts2', L.temporary, { acceptsTemporaryStay: true });
          v.temporary = await publish(t, org.temporary, { admissionMode: 'TEMPORARY_STAY', attendanceUntil: '2027-05-31', count: 2 });
        },
        async (): Promise<void> => {
          // Eligibility: everyone registered ahead of el6 misses one attribute of the GENERAL places (24–48 months).
          await reg('el1', L.eligibility, { language: 'RU' });
          await reg('el2', L.eligibility, { workModes: ['HALF_DAY'] });
          await reg('el3', L.eligibility, { birthDate: '2025-01-10' }); // 19 months on 1 Sep 2026
          await reg('el3b', L.eligibility, { birthDate: '2022-03-10' }); // 53 months
          await reg('el4', L.eligibility, { groupType: 'SPECIAL', priorityCategories: ['SPECIAL_NEEDS'] }); // not confirmed
          await reg('el5', L.eligibility, { groupType: 'SPECIAL', priorityCategories: ['SPECIAL_NEEDS'] });
          await confirmPriority(t, a.el5, 'SPECIAL_NEEDS');
          await reg('el6', L.eligibility);
          v.general = await publish(t, org.eligibility, { ageFromMonths: 24, ageToMonths: 48, count: 2 });
          v.special = await publish(t, org.eligibility, { groupType: 'SPECIAL', count: 2 });
        },
        async (): Promise<void> => {
          // Chosen organizations: ch1 only y, ch2 any, ch3 only x.
          await reg('ch1', L.choices, { organizationIds: [org.y] });
          await reg('ch2', L.choices);
          await reg('ch3', L.choices, { organizationIds: [org.x] });
          v.x = await publish(t, org.x);
          v.y = await publish(t, org.y);
        },
        async (): Promise<void> => {
          // Twins (one batch) and a single child registered after them; one place at B first, then two at A.
          await reg('tw1', L.twins, { birthDate: '2023-04-04' });
          await reg('tw2', L.twins, { birthDate: '2023-04-04', applicantIin: a.tw1.applicantIin, siblingsOf: a.tw1.id });
          await reg('s1', L.twins);
          v.twinsB = await publish(t, org.twinsB);
          v.twinsA = await publish(t, org.twinsA, { count: 2 });
        },
        async (): Promise<void> => {
          // Interleave: six general, then three first-priority, then one out-of-turn registration.
          for (let i = 1; i <= 6; i++) await reg(`g${i}`, L.interleave);
          for (let i = 1; i <= 3; i++) {
            await reg(`f${i}`, L.interleave, { priorityCategories: ['LARGE_FAMILY'] });
            await confirmPriority(t, a[`f${i}`], 'LARGE_FAMILY');
          }
          await reg('z1', L.interleave, { priorityCategories: ['MILITARY'] });
          await confirmPriority(t, a.z1, 'MILITARY');
          v.interleave = await publish(t, org.interleave, { count: 8 });
        },
        async (): Promise<void> => {
          // Two cohorts contest one place: the 2023 head registered first (general), the 2022 head later (first priority).
          await reg('co23', L.cohorts, { birthDate: '2023-02-01' });
          await reg('co22', L.cohorts, { birthDate: '2022-06-01', priorityCategories: ['TEACHER'] });
          await confirmPriority(t, a.co22, 'TEACHER');
          v.cohorts = await publish(t, org.cohorts);
        },
        async (): Promise<void> => {
          // Refusal, withdrawal: one place, two children each.
          await reg('r1', L.refuse);
          await reg('r2', L.refuse);
          v.refuse = await publish(t, org.refuse);
        },
        async (): Promise<void> => {
          await reg('w1', L.withdraw);
          await reg('w2', L.withdraw);
          v.withdraw = await publish(t, org.withdraw);
        },
        async (): Promise<void> => {
          // A confirm/decline race, a late confirmation, and the holiday case (its place comes on Friday).
          await reg('k1', L.race);
          v.race = await publish(t, org.race);
          await reg('y1', L.late);
          v.late = await publish(t, org.late);
          await reg('x1', L.holiday);
        },
        async (): Promise<void> => {
          // Claims: everyone chose q, the places are at p: nobody is eligible, everyone but clBad fits for a claim.
          await reg('cl1', L.claims, { organizationIds: [org.q] });
          await reg('clBad', L.claims, { organizationIds: [org.q], language: 'RU' });
          await Promise.all(Array.from({ length: 10 }, (_, i) => reg(`cc${i + 1}`, L.claims, { organizationIds: [org.q] })));
          v.claims = await publish(t, org.p, { count: 2 });
        },
      ].map((setup) => setup()),
    );

    // Tuesday 8 December, 09:00: bulletin, then allocation.
    await advance(t, '2026-12-08T09:00:30+05:00');
  });
  afterAll(async () => {
    await t.close();
  });

  it('early booking: BOOKED without deadlines; marking the place vacated starts the clocks (only its staff)', async () => {
    const r1 = await referralOf(t, a.e1);
    expect(r1).toMatchObject({
      status: 'BOOKED',
      clockStart: null,
      confirmBy: null,
      validUntil: null,
      vacancy: { id: v.booking[0], status: 'BOOKED', vacatedAt: null },
    });
    const r2 = await referralOf(t, a.e2);
    expect(r2).toMatchObject({ status: 'BOOKED', vacancy: { id: v.booking[1], status: 'BOOKED' } });
    expect(errorCode(await t.gql(CONFIRM, { id: r1.id }, applicantOf(t, a.e1)))).toBe('CONFLICT');

    await advance(t, '2026-12-08T10:00:00+05:00');
    const staff = staffOf(t, org.booking);
    expect(errorCode(await t.gql(VACATED, { v: v.booking[0], on: '2026-12-10' }, staffOf(t, org.bookingOther)))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(VACATED, { v: v.booking[0], on: '2026-12-10' }, applicantOf(t, a.e1)))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(VACATED, { v: v.bookingGeneral[0], on: '2026-12-10' }, staff))).toBe('CONFLICT');
    expect(errorCode(await t.gql(VACATED, { v: v.booking[1], on: '2026-10-01' }, staff))).toBe('BAD_USER_INPUT');
    expect(await ledgerTypes(t, v.booking[0])).toEqual(['vacancy.published']);

    // Frees on Thursday 10 Dec: the clock starts at its 00:00 → Fri 11, Mon 14 → confirm by 15 Dec 00:00.
    const m1 = ok(await t.gql(VACATED, { v: v.booking[0], on: '2026-12-10' }, staff));
    expect(m1.markPlaceVacated).toMatchObject({ status: 'REFERRED', vacatedAt: '2026-12-10T00:00:00.000+05:00' });
    expect(await referral(t, r1.id)).toMatchObject({
      status: 'OFFERED',
      clockStart: '2026-12-10T00:00:00.000+05:00',
      confirmBy: '2026-12-15T00:00:00.000+05:00',
    });
    expect(errorCode(await t.gql(VACATED, { v: v.booking[0], on: '2026-12-11' }, staff))).toBe('CONFLICT');
    // Freed already (7 Dec, before now): the clock starts now → Wed 9, Thu 10 → 11 Dec 00:00.
    const m2 = ok(await t.gql(VACATED, { v: v.booking[1], on: '2026-12-07' }, t.admin));
    expect(m2.markPlaceVacated.vacatedAt).toMatch(/^2026-12-08T10:00:0/);
    expect(await referral(t, r2.id)).toMatchObject({
      status: 'OFFERED',
      clockStart: m2.markPlaceVacated.vacatedAt,
      confirmBy: '2026-12-11T00:00:00.000+05:00',
    });

    // Confirmed before the place frees: the documents clock also starts on 10 Dec → Fri 11, Mon 14, Tue 15,
    // (Wed 16 holiday), Thu 17, Fri 18 → 19 Dec 00:00.
    const c1 = ok(await t.gql(CONFIRM, { id: r1.id }, applicantOf(t, a.e1))).confirmReferral;
    expect(c1).toMatchObject({ status: 'CONFIRMED', validUntil: '2026-12-19T00:00:00.000+05:00' });

    expect(await ledgerTypes(t, r1.id)).toEqual(['referral.issued', 'referral.offered', 'referral.confirmed']);
    expect(await ledgerTypes(t, v.booking[0])).toEqual(['vacancy.published', 'vacancy.vacated']);
    expect(await notificationStages(t, a.e1.id)).toEqual([
      'APPLICATION_REGISTERED',
      'REFERRAL_BOOKED',
      'REFERRAL_OFFERED',
      'REFERRAL_CONFIRMED',
    ]);
  });

  it('temporary stay places go only to families that accept one; enrolment keeps the child in the queue', async () => {
    const r = await referralOf(t, a.ts2);
    expect(r).toMatchObject({
      status: 'OFFERED',
      vacancy: { id: v.temporary[0], admissionMode: 'TEMPORARY_STAY', attendanceUntil: '2027-05-31' },
    });
    expect(await application(t, a.ts1.id)).toMatchObject({ status: 'QUEUED', referral: null, queueNumber: 1 });
    expect(await vacancy(t, v.temporary[1])).toMatchObject({
      status: 'PUBLISHED',
      openAt: '2026-12-09T09:00:00.000+05:00',
      referral: null,
    });

    // Enrolled for the temporary stay: the child's own application stays in the queue, with its time.
    const before = await application(t, a.ts2.id);
    ok(await t.gql(CONFIRM, { id: r.id }, applicantOf(t, a.ts2)));
    const staff = staffOf(t, org.temporary);
    ok(
      await t.gql(
        `mutation($id: ID!) { recordDocuments(referralId: $id, kinds: [BIRTH_CERTIFICATE, HEALTH_PASSPORT, VACCINATION_CARD, APPLICANT_ID]) { id } }`,
        { id: r.id },
        staff,
      ),
    );
    const e = ok(
      await t.gql(`mutation($id: ID!) { enrollByReferral(id: $id) { status vacancy { status attendanceUntil } } }`, { id: r.id }, staff),
    );
    expect(e.enrollByReferral).toEqual({ status: 'ENROLLED', vacancy: { status: 'FILLED', attendanceUntil: '2027-05-31' } });
    expect(await application(t, a.ts2.id)).toMatchObject({
      status: 'QUEUED',
      registeredAt: before.registeredAt,
      referral: null,
      queueNumber: 2,
    });
    expect(await ledgerTypes(t, r.id)).toEqual([
      'referral.issued',
      'referral.confirmed',
      'referral.documents_recorded',
      'referral.enrolled',
    ]);
    expect(await ledgerTypes(t, a.ts2.id)).toEqual(['application.registered']);
    expect(await notificationStages(t, a.ts2.id)).toEqual([
      'APPLICATION_REGISTERED',
      'REFERRAL_OFFERED',
      'REFERRAL_CONFIRMED',
      'ENROLLED_TEMPORARY',
    ]);
  });

  it('language, work mode, age and group type: only fitting children get places; SPECIAL needs a confirmed conclusion', async () => {
    expect((await referralOf(t, a.el6)).vacancy.id).toBe(v.general[0]);
    expect((await referralOf(t, a.el5)).vacancy.id).toBe(v.special[0]);
    expect((await application(t, a.el5.id)).priorityClass).toBe(1);
    for (const k of ['el1', 'el2', 'el3', 'el3b', 'el4']) {
      expect([k, (await application(t, a[k].id)).status]).toEqual([k, 'QUEUED']);
    }
    // The second place of each kind found nobody among them.
    expect((await vacancy(t, v.general[1])).status).toBe('PUBLISHED');
    expect((await vacancy(t, v.special[1])).status).toBe('PUBLISHED');
  });

  it('chosen organizations narrow eligibility but do not reorder the queue', async () => {
    expect((await referralOf(t, a.ch2)).vacancy.id).toBe(v.x[0]);
    expect((await referralOf(t, a.ch1)).vacancy.id).toBe(v.y[0]);
    expect(await application(t, a.ch3.id)).toMatchObject({ status: 'QUEUED', referral: null });
  });

  it('twins get places together at one organization or not at all', async () => {
    // One place at B: the twins would be split, so the next single child gets it.
    expect((await referralOf(t, a.s1)).vacancy.id).toBe(v.twinsB[0]);
    // Two places at A: both twins.
    expect((await referralOf(t, a.tw1)).vacancy.id).toBe(v.twinsA[0]);
    expect((await referralOf(t, a.tw2)).vacancy.id).toBe(v.twinsA[1]);
  });

  it('class 0 first, then classes 1 and 2 interleave 1 : 3 across 8 places in one run; the cycle position is kept', async () => {
    const order = ['z1', 'f1', 'g1', 'g2', 'g3', 'f2', 'g4', 'g5'];
    for (const [i, k] of order.entries()) {
      expect([k, (await application(t, a[k].id)).referral?.vacancy.id]).toEqual([k, v.interleave[i]]);
    }
    const cycle: { position: number }[] = await t.ds.query(`SELECT position FROM queue_cycle WHERE locality = $1 AND cohort = 2023`, [
      L.interleave,
    ]);
    expect(cycle[0].position).toBe(3);
    // The queue numbers follow the kept position: a general turn comes next.
    expect((await application(t, a.g6.id)).queueNumber).toBe(1);
    expect((await application(t, a.f3.id)).queueNumber).toBe(2);
  });

  it('a place contested by two cohorts goes to the better head; only its queue cycle moves', async () => {
    expect((await referralOf(t, a.co22)).vacancy.id).toBe(v.cohorts[0]);
    expect((await application(t, a.co23.id)).status).toBe('QUEUED');
    const cycles: { cohort: number; position: number }[] = await t.ds.query(
      `SELECT cohort, position FROM queue_cycle WHERE locality = $1 ORDER BY cohort`,
      [L.cohorts],
    );
    expect(cycles).toEqual([
      { cohort: 2022, position: 1 },
      { cohort: 2023, position: 0 },
    ]);
  });

  it('refuseAdmission: CANCELLED with the reason, the child back in the queue with its time, the place back to allocation', async () => {
    const before = await application(t, a.r1.id);
    const r = await referralOf(t, a.r1);
    ok(await t.gql(CONFIRM, { id: r.id }, applicantOf(t, a.r1)));
    expect(errorCode(await t.gql(REFUSE, { id: r.id }, staffOf(t, org.withdraw)))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(REFUSE, { id: r.id }, applicantOf(t, a.r1)))).toBe('FORBIDDEN');
    const refused = ok(await t.gql(REFUSE, { id: r.id }, staffOf(t, org.refuse))).refuseAdmission;
    expect(refused).toMatchObject({
      status: 'CANCELLED',
      closeReason: 'admission refused: EXPIRED_DOCUMENTS',
      vacancy: { status: 'PUBLISHED' },
    });
    expect(errorCode(await t.gql(REFUSE, { id: r.id }, staffOf(t, org.refuse)))).toBe('CONFLICT');
    const after = await application(t, a.r1.id);
    expect(after).toMatchObject({ status: 'QUEUED', registeredAt: before.registeredAt, referral: null });
    expect(await ledgerTypes(t, r.id)).toEqual(['referral.issued', 'referral.confirmed', 'referral.cancelled']);
    expect(await notificationStages(t, a.r1.id)).toEqual([
      'APPLICATION_REGISTERED',
      'REFERRAL_OFFERED',
      'REFERRAL_CONFIRMED',
      'ADMISSION_REFUSED',
    ]);
    v.refusedReferral = [r.id];
  });

  it('withdrawing an application with a live referral cancels it and returns the place', async () => {
    const r = await referralOf(t, a.w1);
    const w = ok(
      await t.gql(
        `mutation($id: ID!) { withdrawApplication(id: $id) { status archiveReason referral { id } } }`,
        { id: a.w1.id },
        applicantOf(t, a.w1),
      ),
    );
    expect(w.withdrawApplication).toEqual({ status: 'ARCHIVED', archiveReason: 'WITHDRAWN', referral: null });
    expect(await referral(t, r.id)).toMatchObject({ status: 'CANCELLED', vacancy: { status: 'PUBLISHED' } });
    expect(await ledgerTypes(t, r.id)).toEqual(['referral.issued', 'referral.cancelled']);
    expect(await ledgerTypes(t, a.w1.id)).toEqual(['application.registered', 'application.archived']);
  });

  it('10 confirms at once on one referral: exactly one succeeds; then 10 declines at once: exactly one', async () => {
    const r = await referralOf(t, a.k1);
    const owner = applicantOf(t, a.k1);
    const confirms = await Promise.all(Array.from({ length: 10 }, () => t.gql(CONFIRM, { id: r.id }, owner)));
    expect(codes(confirms)).toEqual([...Array(9).fill('CONFLICT'), 'OK']);
    expect((await referral(t, r.id)).status).toBe('CONFIRMED');
    // A family may still decline a confirmed referral (OFFERED | CONFIRMED → DECLINED), once.
    const declines = await Promise.all(Array.from({ length: 10 }, () => t.gql(DECLINE, { id: r.id }, owner)));
    expect(codes(declines)).toEqual([...Array(9).fill('CONFLICT'), 'OK']);
    expect(await referral(t, r.id)).toMatchObject({ status: 'DECLINED', vacancy: { status: 'PUBLISHED' } });
    expect(await ledgerTypes(t, r.id)).toEqual(['referral.issued', 'referral.confirmed', 'referral.declined']);
    expect(await notificationStages(t, a.k1.id)).toEqual([
      'APPLICATION_REGISTERED',
      'REFERRAL_OFFERED',
      'REFERRAL_CONFIRMED',
      'REFERRAL_DECLINED',
    ]);
  });

  it('a place nobody could take is not open for claims during its priority window', async () => {
    const open = `query($l: String) { vacancies(openForClaim: true, locality: $l) { edges { node { id openForClaim } } } }`;
    for (const id of v.claims) {
      expect(await vacancy(t, id)).toMatchObject({ status: 'PUBLISHED', openAt: '2026-12-09T09:00:00.000+05:00', openForClaim: false });
    }
    expect(ok(await t.gql(open, { l: L.claims })).vacancies.edges).toEqual([]);
    const early = await t.gql(CLAIM, { v: v.claims[0], a: a.cl1.id }, applicantOf(t, a.cl1));
    expect(errorCode(early)).toBe('CONFLICT');
    expect(early.errors?.[0].message).toMatch(/not open/);
  });

  it('Wednesday 09:00: refused and withdrawn places go to the next heads; open places are claimed first come, first served', async () => {
    await advance(t, '2026-12-09T09:00:30+05:00');
    expect((await referralOf(t, a.r2)).vacancy.id).toBe(v.refuse[0]);
    expect(await application(t, a.r1.id)).toMatchObject({ status: 'QUEUED', referral: null });
    expect((await referralOf(t, a.w2)).vacancy.id).toBe(v.withdraw[0]);

    const open = ok(
      await t.gql(`query($l: String) { vacancies(openForClaim: true, locality: $l) { edges { node { id openForClaim } } } }`, {
        l: L.claims,
      }),
    );
    expect(open.vacancies.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(v.claims);
    // Owner only; a child that does not fit (language) may not claim.
    expect(errorCode(await t.gql(CLAIM, { v: v.claims[0], a: a.cl1.id }, applicantOf(t, a.cc1)))).toBe('FORBIDDEN');
    const bad = await t.gql(CLAIM, { v: v.claims[0], a: a.clBad.id }, applicantOf(t, a.clBad));
    expect(errorCode(bad)).toBe('CONFLICT');
    expect(bad.errors?.[0].message).toMatch(/does not fit/);
    const claimed = ok(await t.gql(CLAIM, { v: v.claims[0], a: a.cl1.id }, applicantOf(t, a.cl1))).claimVacancy;
    // Claimed Wed 9 Dec: Thu 10, Fri 11 → 12 Dec 00:00.
    expect(claimed).toMatchObject({
      status: 'OFFERED',
      claimed: true,
      confirmBy: '2026-12-12T00:00:00.000+05:00',
      vacancy: { id: v.claims[0], status: 'REFERRED' },
    });
    expect(await ledgerTypes(t, claimed.id)).toEqual(['referral.issued']);
    // Told once per open place that fits (two did), then offered the one claimed.
    expect(await notificationStages(t, a.cl1.id)).toEqual([
      'APPLICATION_REGISTERED',
      'OPEN_PLACE_FITS',
      'OPEN_PLACE_FITS',
      'REFERRAL_OFFERED',
    ]);
    expect(errorCode(await t.gql(CLAIM, { v: v.claims[1], a: a.cl1.id }, applicantOf(t, a.cl1)))).toBe('CONFLICT');

    // Ten children claim the other place at once: one referral.
    const racers = Array.from({ length: 10 }, (_, i) => a[`cc${i + 1}`]);
    const calls = await Promise.all(racers.map((r) => t.gql(CLAIM, { v: v.claims[1], a: r.id }, applicantOf(t, r))));
    expect(codes(calls)).toEqual([...Array(9).fill('CONFLICT'), 'OK']);
    expect(await count(t, `SELECT count(*) FROM referral WHERE vacancy_id = $1`, [v.claims[1]])).toBe(1);
    expect(
      await count(t, `SELECT count(*) FROM application WHERE id = ANY($1::uuid[]) AND status = 'REFERRED'`, [racers.map((r) => r.id)]),
    ).toBe(1);
  });

  it('confirming after the deadline is refused; the midnight sweep then expires the referral', async () => {
    const r = await referralOf(t, a.y1);
    expect(r.confirmBy).toBe('2026-12-11T00:00:00.000+05:00');
    // Past the deadline, before any worker ran the midnight sweep.
    await setClock(t, '2026-12-11T00:00:05+05:00');
    const late = await t.gql(CONFIRM, { id: r.id }, applicantOf(t, a.y1));
    expect(errorCode(late)).toBe('CONFLICT');
    expect(late.errors?.[0].message).toMatch(/deadline has passed/);
    expect((await referral(t, r.id)).status).toBe('OFFERED');
    await advance(t, '2026-12-11T00:01:00+05:00');
    expect(await referral(t, r.id)).toMatchObject({
      status: 'EXPIRED',
      closedAt: '2026-12-11T00:00:00.000+05:00',
      vacancy: { status: 'PUBLISHED' },
    });
    expect(await application(t, a.y1.id)).toMatchObject({ status: 'STOP_LISTED', stopListedUntil: '2026-12-20' });
    expect(errorCode(await t.gql(CONFIRM, { id: r.id }, applicantOf(t, a.y1)))).toBe('CONFLICT');
    expect(await ledgerTypes(t, r.id)).toEqual(['referral.issued', 'referral.expired']);
  });

  it('a CONFIRMED referral expires when 5 working days pass without documents (16 December does not count)', async () => {
    await advance(t, '2026-12-11T10:00:00+05:00');
    const [place] = await publish(t, org.holiday, {}, staffOf(t, org.holiday));
    await advance(t, '2026-12-12T09:00:30+05:00'); // Saturday
    const r = await referralOf(t, a.x1);
    // Offered Sat 12: Mon 14, Tue 15 → 16 Dec 00:00.
    expect(r).toMatchObject({ status: 'OFFERED', confirmBy: '2026-12-16T00:00:00.000+05:00', vacancy: { id: place } });
    await advance(t, '2026-12-14T10:00:00+05:00');
    const c = ok(await t.gql(CONFIRM, { id: r.id }, applicantOf(t, a.x1))).confirmReferral;
    // Confirmed Mon 14: Tue 15, (Wed 16 holiday), Thu 17, Fri 18, Mon 21, Tue 22 → 23 Dec 00:00.
    expect(c).toMatchObject({ status: 'CONFIRMED', validUntil: '2026-12-23T00:00:00.000+05:00' });
    // Extension: at most 30 calendar days from the start of validity (12 Dec) → last day 11 Jan; staff of that org only.
    const staff = staffOf(t, org.holiday);
    expect(errorCode(await t.gql(EXTEND, { id: r.id, until: '2027-01-05' }, staffOf(t, org.late)))).toBe('FORBIDDEN');
    const tooFar = await t.gql(EXTEND, { id: r.id, until: '2027-01-12' }, staff);
    expect(errorCode(tooFar)).toBe('BAD_USER_INPUT');
    expect(tooFar.errors?.[0].message).toMatch(/^until: .*30 calendar days.*2027-01-11/);
    ok(await t.gql(`mutation($id: ID!) { recordDocuments(referralId: $id, kinds: [BIRTH_CERTIFICATE]) { id } }`, { id: r.id }, staff));

    await advance(t, '2026-12-22T23:50:00+05:00');
    expect((await referral(t, r.id)).status).toBe('CONFIRMED');
    await advance(t, '2026-12-23T00:00:30+05:00');
    expect(await referral(t, r.id)).toMatchObject({
      status: 'EXPIRED',
      closedAt: '2026-12-23T00:00:00.000+05:00',
      closeReason: 'documents not completed in time',
      extended: false,
    });
    expect(await application(t, a.x1.id)).toMatchObject({ status: 'STOP_LISTED', stopListedUntil: '2027-01-01', referral: null });
    expect(await ledgerTypes(t, r.id)).toEqual([
      'referral.issued',
      'referral.confirmed',
      'referral.documents_recorded',
      'referral.expired',
    ]);
    // One text per stage; reminders on the working day before each deadline's last day (Mon 14 for 15 Dec, Mon 21 for 22 Dec).
    expect(await notificationStages(t, a.x1.id)).toEqual([
      'APPLICATION_REGISTERED',
      'REFERRAL_OFFERED',
      'DEADLINE_REMINDER',
      'REFERRAL_CONFIRMED',
      'DEADLINE_REMINDER',
      'REFERRAL_EXPIRED_STOP_LISTED',
    ]);
  });

  it('ledger and notifications across the week: one issue event and one offer text per referral, no stage texted twice', async () => {
    expect(await count(t, `SELECT count(*) FROM referral`)).toBe(
      await count(t, `SELECT count(*) FROM ledger_event WHERE type = 'referral.issued'`),
    );
    expect(
      await count(
        t,
        `SELECT count(*) FROM referral r WHERE NOT EXISTS (SELECT 1 FROM ledger_event e WHERE e.entity_id = r.id::text AND e.type = 'referral.issued')`,
      ),
    ).toBe(0);
    // Every referral was texted when issued (booked or offered) …
    expect(
      await count(
        t,
        `SELECT count(*) FROM referral r WHERE NOT EXISTS (SELECT 1 FROM notification n WHERE n.idempotency_key IN ('REFERRAL_OFFERED:' || r.id, 'REFERRAL_BOOKED:' || r.id))`,
      ),
    ).toBe(0);
    // … and no (referral, stage) pair has two texts (reminders: one per deadline).
    expect(
      await count(
        t,
        `SELECT count(*) FROM (SELECT stage, split_part(idempotency_key, ':', 2) FROM notification
      WHERE stage <> 'DEADLINE_REMINDER' AND idempotency_key ~ '^[A-Z_]+:[0-9a-f-]{36}$' GROUP BY 1, 2 HAVING count(*) > 1) d`,
      ),
    ).toBe(0);
    expect(await count(t, `SELECT count(*) FROM (SELECT idempotency_key FROM notification GROUP BY 1 HAVING count(*) > 1) d`)).toBe(0);
    // Terminal referrals have exactly one closing event of their kind.
    expect(
      await count(
        t,
        `SELECT count(*) FROM referral r WHERE r.status IN ('EXPIRED','DECLINED','CANCELLED','ENROLLED')
      AND (SELECT count(*) FROM ledger_event e WHERE e.entity_id = r.id::text AND e.type = 'referral.' || lower(r.status)) <> 1`,
      ),
    ).toBe(0);
    // Every expiry stop-listed the child once and said so once.
    expect(
      await count(
        t,
        `SELECT count(*) FROM referral r WHERE r.status = 'EXPIRED'
      AND (SELECT count(*) FROM notification n WHERE n.idempotency_key = 'REFERRAL_EXPIRED:' || r.id) <> 1`,
      ),
    ).toBe(0);
    expect(await count(t, `SELECT count(*) FROM referral WHERE status IN ${LIVE_REFERRAL_STATUSES_SQL}`)).toBe(
      await count(t, `SELECT count(*) FROM application WHERE status = 'REFERRED'`),
    );
  });
});
