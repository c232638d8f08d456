import { makeBin, makeIin } from '../../src/platform/identifiers/iin.js';
import { createTestApp, errorCode, ok, type GqlResult, type TestApp } from '../utils/app.js';
import { changed, settledSnapshot, snapshot, tableNames, type DbSnapshot } from '../utils/db-snapshot.js';
import { advance, createOrg, nextSerial, publish, register } from '../utils/fixtures.js';

/**
 * The access matrix: every Query and Mutation field of the live schema × every kind of caller, with the
 * outcome expected. A field without a row fails the test (a new resolver must be added here). Every
 * refused call is checked to change nothing (row counts and content hashes of every table) and to
 * return none of the target's data; anonymous and non-owner answers are scanned for personal data.
 */

type Who = 'anonymous' | 'owner' | 'otherApplicant' | 'staffOwn' | 'staffOther' | 'admin';
const CALLERS: readonly Who[] = ['anonymous', 'otherApplicant', 'staffOther', 'owner', 'staffOwn', 'admin'];
type Outcome = 'ok' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'NOT_FOUND' | 'CONFLICT' | 'BAD_USER_INPUT';

interface Row {
  /** Query or Mutation field name. */
  field: string;
  /** The operation (one root field, aliased or not as `field`). */
  op: string;
  /** Variables per caller; may create a fresh target for a caller whose call succeeds. */
  vars: (who: Who) => Record<string, unknown> | Promise<Record<string, unknown>>;
  expect: Record<Who, Outcome>;
  /** Extra checks on a successful answer. */
  check?: (data: unknown, who: Who) => void;
}

/** Shorthands for the common access rules. */
const PUBLIC: Record<Who, Outcome> = { anonymous: 'ok', owner: 'ok', otherApplicant: 'ok', staffOwn: 'ok', staffOther: 'ok', admin: 'ok' };
const ADMIN_ONLY: Record<Who, Outcome> = {
  anonymous: 'UNAUTHENTICATED',
  owner: 'FORBIDDEN',
  otherApplicant: 'FORBIDDEN',
  staffOwn: 'FORBIDDEN',
  staffOther: 'FORBIDDEN',
  admin: 'ok',
};
/** ADMIN or the APPLICANT who owns the target. */
const OWNER_OR_ADMIN: Record<Who, Outcome> = {
  anonymous: 'UNAUTHENTICATED',
  owner: 'ok',
  otherApplicant: 'FORBIDDEN',
  staffOwn: 'FORBIDDEN',
  staffOther: 'FORBIDDEN',
  admin: 'ok',
};
/** ADMIN or ORG_STAFF of the organization holding the place. */
const STAFF_OR_ADMIN: Record<Who, Outcome> = {
  anonymous: 'UNAUTHENTICATED',
  owner: 'FORBIDDEN',
  otherApplicant: 'FORBIDDEN',
  staffOwn: 'ok',
  staffOther: 'FORBIDDEN',
  admin: 'ok',
};

const L = '751110000'; // where the places are
const L2 = '711110000'; // no places: applications there stay QUEUED whatever allocation does

describe('access matrix: every Query and Mutation field × every role', () => {
  let t: TestApp;
  let tables: string[];
  const tokens = {} as Record<Who, string | undefined>;
  const A = makeIin('1988-04-04', 'F', 7001); // the owner
  const B = makeIin('1987-03-03', 'M', 7002); // another applicant
  let org1: string;
  let org2: string;
  /** A's applications, each with an OFFERED referral at a place of org1 (in allocation order). */
  const refs: { app: string; referral: string; vacancy: string }[] = [];
  let aQueued: string; // A's application in L2 (QUEUED)
  let bQueued: string; // B's application in L2 (QUEUED)
  let freePlaces: string[]; // PUBLISHED places of org1 with no referral
  let earlyPlaces: string[]; // EARLY_BOOKING places of org1 with no referral
  let category: string;
  let offerId: string;
  /** Personal data of A's family: must never reach anonymous callers, B or staff of org2. */
  const secretsOfA: string[] = [A];

  const freshApp = async (applicantIin: string, extra: Record<string, unknown> = {}): Promise<string> => {
    const a = await register(t, { applicantIin, locality: L2, ...extra });
    return a.id;
  };
  const birth = (): Record<string, unknown> => {
    const n = nextSerial();
    return {
      childIin: makeIin('2025-06-01', 'M', 8000 + n),
      childName: `Newborn ${n}`,
      applicantIin: A,
      phone: '+77019998877',
      locality: L2,
    };
  };
  const newOfferToken = async (): Promise<string> =>
    ok(await t.gql(`mutation($i: BirthInput!) { registerBirth(input: $i) { token } }`, { i: birth() }, t.admin)).registerBirth
      .token as string;

  beforeAll(async () => {
    // Monday 7 Sep 2026, 10:00 Almaty.
    t = await createTestApp({ simulation: '2026-09-07T10:00:00+05:00', env: { RATE_LIMIT_PER_MINUTE: '100000' } });
    tables = await tableNames(t.ds);
    org1 = await createOrg(t, 'Own kindergarten', L);
    org2 = await createOrg(t, 'Other kindergarten', L);
    tokens.anonymous = undefined;
    tokens.owner = t.token({ role: 'APPLICANT', iin: A });
    tokens.otherApplicant = t.token({ role: 'APPLICANT', iin: B });
    tokens.staffOwn = t.token({ role: 'ORG_STAFF', organizationId: org1 });
    tokens.staffOther = t.token({ role: 'ORG_STAFF', organizationId: org2 });
    tokens.admin = t.admin;

    // Fourteen children of A, then B's: fourteen places go to A's children at the 09:00 bulletin.
    const phoneA = '+77017654321';
    secretsOfA.push(phoneA, phoneA.slice(2));
    const aApps: string[] = [];
    for (let i = 0; i < 14; i++) {
      const n = nextSerial();
      const childIin = makeIin('2023-03-10', n % 2 ? 'M' : 'F', 6000 + n);
      const childName = `Aigerim Ownerova ${n}`;
      secretsOfA.push(childIin, childName);
      const d = ok(
        await t.gql(
          `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`,
          {
            i: {
              childIin,
              childName,
              applicantIin: A,
              phone: phoneA,
              locality: L,
              organizationIds: [],
              language: 'KK',
              desiredAdmissionDate: '2025-09-01',
            },
          },
          tokens.owner,
        ),
      );
      aApps.push(d.registerApplication.id);
    }
    await register(t, { applicantIin: B, locality: L });
    await publish(t, org1, { count: 14 }, tokens.staffOwn);
    await advance(t, '2026-09-08T09:00:30+05:00');
    const rows: { app: string; referral: string; vacancy: string }[] = await t.ds.query(
      `SELECT a.id AS app, r.id AS referral, r.vacancy_id AS vacancy FROM application a
       JOIN referral r ON r.application_id = a.id AND r.status = 'OFFERED' WHERE a.id = ANY($1::uuid[]) ORDER BY a.seq`,
      [aApps],
    );
    expect(rows).toHaveLength(14);
    refs.push(...rows);
    // refs 5..13 confirmed; 10..13 with every document in (12 and 13 are cancelled).
    for (const r of refs.slice(5)) {
      ok(await t.gql(`mutation($id: ID!) { confirmReferral(id: $id) { id } }`, { id: r.referral }, tokens.owner));
    }
    for (const r of refs.slice(10)) {
      ok(
        await t.gql(
          `mutation($id: ID!) { recordDocuments(referralId: $id, kinds: [BIRTH_CERTIFICATE, HEALTH_PASSPORT, VACCINATION_CARD, APPLICANT_ID]) { id } }`,
          { id: r.referral },
          tokens.staffOwn,
        ),
      );
    }
    aQueued = await freshApp(A);
    bQueued = await freshApp(B);
    freePlaces = await publish(t, org1, { count: 3 }, tokens.staffOwn);
    earlyPlaces = await publish(t, org1, { count: 2, admissionMode: 'EARLY_BOOKING' }, tokens.staffOwn);
    category = ok(await t.gql(`{ priorityCategories { code } }`)).priorityCategories[0].code as string;
    offerId = ok(await t.gql(`mutation($i: BirthInput!) { registerBirth(input: $i) { id } }`, { i: birth() }, t.admin)).registerBirth
      .id as string;
  }, 120_000);

  afterAll(async () => {
    await t.close();
  });

  const APP = 'id status';
  const REF = 'id status';
  const now = async (): Promise<Date> => new Date(ok(await t.gql('{ now }')).now as string);

  function table(): Row[] {
    const r = (i: number): string => refs[i].referral;
    const ofCaller = <T>(who: Who, own: T, admin: T, other: T): T =>
      who === 'admin' ? admin : who === 'owner' || who === 'staffOwn' ? own : other;
    return [
      // ----------------------------------------------------------------- queries
      { field: 'now', op: `{ now }`, vars: () => ({}), expect: PUBLIC },
      { field: 'priorityCategories', op: `{ priorityCategories { code priorityClass } }`, vars: () => ({}), expect: PUBLIC },
      { field: 'labels', op: `{ labels(language: "kk") { type value text } }`, vars: () => ({}), expect: PUBLIC },
      { field: 'calendarDays', op: `{ calendarDays(year: 2026) { date kind } }`, vars: () => ({}), expect: PUBLIC },
      { field: 'workingDay', op: `{ workingDay(date: "2026-09-08") { working plusWorkingDays } }`, vars: () => ({}), expect: PUBLIC },
      {
        field: 'organization',
        op: `query($id: ID!) { organization(id: $id) { id name bin } }`,
        vars: () => ({ id: org1 }),
        expect: PUBLIC,
      },
      { field: 'organizations', op: `{ organizations(first: 5) { totalCount edges { node { id } } } }`, vars: () => ({}), expect: PUBLIC },
      { field: 'ledgerHead', op: `{ ledgerHead { length headHash } }`, vars: () => ({}), expect: PUBLIC },
      { field: 'ledgerVerify', op: `{ ledgerVerify { valid length } }`, vars: () => ({}), expect: PUBLIC },
      {
        field: 'bulletin',
        op: `{ bulletin(date: "2026-09-08", kind: VACATED) { position vacancy { id referral { id application { childName } } } } }`,
        vars: () => ({}),
        expect: PUBLIC,
        check: (d, who) => {
          const entries = (d as { bulletin: { vacancy: { referral: unknown } }[] }).bulletin;
          expect(entries).toHaveLength(14);
          // The live referral of a place: ADMIN and staff of its organization only.
          const seen = entries.filter((e) => e.vacancy.referral !== null).length;
          expect([who, seen]).toEqual([who, who === 'admin' || who === 'staffOwn' ? 14 : 0]);
        },
      },
      {
        field: 'queuePosition',
        op: `query($id: ID) { queuePosition(applicationId: $id) { applicationId number queueNumber total aheadByClass { priorityClass count } positionsByOrganization { organizationName ahead } } }`,
        vars: () => ({ id: bQueued }),
        expect: PUBLIC,
      },
      {
        field: 'vacancy',
        op: `query($id: ID!) { vacancy(id: $id) { id status referral { id application { childIin } } } }`,
        vars: () => ({ id: refs[0].vacancy }),
        expect: PUBLIC,
        check: (d, who) => {
          const v = (d as { vacancy: { referral: unknown } }).vacancy;
          expect([who, v.referral !== null]).toEqual([who, who === 'admin' || who === 'staffOwn']);
        },
      },
      {
        field: 'vacancies',
        op: `query($org: ID) { vacancies(organizationId: $org, first: 50) { totalCount edges { node { id referral { id } } } } }`,
        vars: () => ({ org: org1 }),
        // Staff of another organization asking for org1's places by name.
        expect: { ...PUBLIC, staffOther: 'FORBIDDEN' },
        check: (d, who) => {
          const nodes = (d as { vacancies: { edges: { node: { referral: unknown } }[] } }).vacancies.edges.map((e) => e.node);
          if (who !== 'admin' && who !== 'staffOwn') expect([who, nodes.filter((n) => n.referral !== null)]).toEqual([who, []]);
        },
      },
      {
        field: 'application',
        op: `query($id: ID!) { application(id: $id) { ${APP} childName } }`,
        vars: () => ({ id: refs[0].app }),
        expect: OWNER_OR_ADMIN,
      },
      {
        field: 'myApplications',
        op: `{ myApplications { id applicantIin } }`,
        vars: () => ({}),
        expect: {
          anonymous: 'UNAUTHENTICATED',
          owner: 'ok',
          otherApplicant: 'ok',
          staffOwn: 'FORBIDDEN',
          staffOther: 'FORBIDDEN',
          admin: 'FORBIDDEN',
        },
        check: (d, who) => {
          const list = (d as { myApplications: { applicantIin: string }[] }).myApplications;
          expect(list.length).toBeGreaterThan(0);
          expect(new Set(list.map((a) => a.applicantIin))).toEqual(new Set([who === 'owner' ? A : B]));
        },
      },
      {
        field: 'applications',
        op: `{ applications(first: 5) { totalCount edges { node { id } } } }`,
        vars: () => ({}),
        expect: ADMIN_ONLY,
      },
      {
        field: 'applicationsOfChild',
        op: `query($c: String!) { applicationsOfChild(childIin: $c) { id } }`,
        vars: () => ({ c: secretsOfA[3] }),
        expect: ADMIN_ONLY,
      },
      { field: 'archivedApplications', op: `{ archivedApplications(first: 5) { totalCount } }`, vars: () => ({}), expect: ADMIN_ONLY },
      { field: 'stopList', op: `{ stopList(first: 5) { totalCount } }`, vars: () => ({}), expect: ADMIN_ONLY },
      { field: 'fairnessAudit', op: `{ fairnessAudit { ok eventsReplayed referralsChecked } }`, vars: () => ({}), expect: ADMIN_ONLY },
      {
        field: 'proactiveOffer',
        op: `query($id: ID!) { proactiveOffer(id: $id) { id status } }`,
        vars: () => ({ id: offerId }),
        expect: ADMIN_ONLY,
      },
      {
        field: 'notifications',
        op: `query($id: ID!) { notifications(applicationId: $id) { id stage text } }`,
        vars: () => ({ id: refs[0].app }),
        expect: OWNER_OR_ADMIN,
        check: (d) => expect((d as { notifications: unknown[] }).notifications.length).toBeGreaterThan(0),
      },
      {
        field: 'ledgerProof',
        op: `query($id: ID!) { ledgerProof(applicationId: $id) { seq eventHash } }`,
        vars: () => ({ id: refs[0].app }),
        expect: OWNER_OR_ADMIN,
      },
      {
        field: 'referral',
        op: `query($id: ID!) { referral(id: $id) { ${REF} application { childName } } }`,
        vars: () => ({ id: r(0) }),
        expect: { ...OWNER_OR_ADMIN, staffOwn: 'ok' },
      },

      // --------------------------------------------------------------- mutations
      {
        field: 'createOrganization',
        op: `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
        vars: () => ({ i: { name: `Org ${nextSerial()}`, bin: makeBin('2004', 3000 + nextSerial()), locality: L2 } }),
        expect: ADMIN_ONLY,
      },
      {
        field: 'setCalendarDay',
        op: `mutation($i: SetCalendarDayInput!) { setCalendarDay(input: $i) { date } }`,
        vars: () => ({ i: { date: '2031-01-06', kind: 'HOLIDAY', name: 'Test holiday' } }),
        expect: ADMIN_ONLY,
      },
      {
        field: 'confirmCalendarYear',
        op: `mutation { confirmCalendarYear(year: 2031, kurbanAit: "2031-03-28") { year confirmed } }`,
        vars: () => ({}),
        expect: ADMIN_ONLY,
      },
      { field: 'calendarYear', op: `{ calendarYear(year: 2026) { year confirmed } }`, vars: () => ({}), expect: PUBLIC },
      { field: 'settings', op: `{ settings { key value effectiveFrom } }`, vars: () => ({}), expect: PUBLIC },
      {
        field: 'updateSetting',
        op: `mutation { updateSetting(key: "confirmWorkingDays", value: "3", effectiveFrom: "2031-01-01") { key value } }`,
        vars: () => ({}),
        expect: ADMIN_ONLY,
      },
      { field: 'ledgerKeys', op: `{ ledgerKeys { keyId algorithm } }`, vars: () => ({}), expect: PUBLIC },
      { field: 'ledgerConsistency', op: `{ ledgerConsistency(fromSize: 1) { fromSize toSize hashes } }`, vars: () => ({}), expect: PUBLIC },
      {
        field: 'registerApplication',
        op: `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { ${APP} } }`,
        // Always on behalf of A: A itself and ADMIN may, B may not register in A's name.
        vars: () => {
          const n = nextSerial();
          return {
            i: {
              childIin: makeIin('2024-01-15', 'F', 9000 + n),
              childName: `Child ${n}`,
              applicantIin: A,
              phone: '+77011112233',
              locality: L2,
              language: 'RU',
              desiredAdmissionDate: '2026-09-01',
            },
          };
        },
        expect: { ...OWNER_OR_ADMIN, otherApplicant: 'FORBIDDEN' },
      },
      {
        field: 'withdrawApplication',
        op: `mutation($id: ID!) { withdrawApplication(id: $id) { ${APP} } }`,
        vars: async (who) => ({ id: who === 'owner' || who === 'admin' ? await freshApp(A) : aQueued }),
        expect: OWNER_OR_ADMIN,
      },
      {
        field: 'updateApplication',
        op: `mutation($id: ID!) { updateApplication(id: $id, input: { workModes: [FULL_DAY, HALF_DAY] }) { ${APP} } }`,
        vars: async (who) => ({ id: who === 'owner' || who === 'admin' ? await freshApp(A) : aQueued }),
        expect: OWNER_OR_ADMIN,
      },
      {
        field: 'addPriorityClaim',
        op: `mutation($id: ID!, $c: String!) { addPriorityClaim(applicationId: $id, category: $c) { ${APP} } }`,
        vars: async (who) => ({ id: who === 'owner' || who === 'admin' ? await freshApp(A) : aQueued, c: category }),
        expect: OWNER_OR_ADMIN,
      },
      {
        field: 'confirmPriority',
        op: `mutation($id: ID!, $c: String!) { confirmPriority(applicationId: $id, category: $c, confirmed: false) { ${APP} } }`,
        vars: async (who) => ({ id: who === 'admin' ? await freshApp(A, { priorityCategories: [category] }) : aQueued, c: category }),
        expect: ADMIN_ONLY,
      },
      {
        field: 'addToStopList',
        op: `mutation($id: ID!) { addToStopList(applicationId: $id, reason: "test", until: "2026-12-01") { ${APP} } }`,
        vars: async (who) => ({ id: who === 'admin' ? await freshApp(A) : aQueued }),
        expect: ADMIN_ONLY,
      },
      {
        field: 'removeFromStopList',
        op: `mutation($id: ID!) { removeFromStopList(applicationId: $id) { ${APP} } }`,
        vars: async () => {
          const id = await freshApp(A);
          ok(await t.gql(`mutation($id: ID!) { addToStopList(applicationId: $id, reason: "setup") { id } }`, { id }, t.admin));
          return { id };
        },
        expect: ADMIN_ONLY,
      },
      {
        field: 'archiveApplication',
        op: `mutation($id: ID!) { archiveApplication(id: $id, reason: DUPLICATE) { ${APP} } }`,
        vars: async (who) => ({ id: who === 'admin' ? await freshApp(A) : aQueued }),
        expect: ADMIN_ONLY,
      },
      {
        field: 'restoreApplication',
        op: `mutation($id: ID!) { restoreApplication(id: $id) { ${APP} } }`,
        vars: async () => {
          const id = await freshApp(A);
          ok(await t.gql(`mutation($id: ID!) { withdrawApplication(id: $id) { id } }`, { id }, t.admin));
          return { id };
        },
        expect: ADMIN_ONLY,
      },
      {
        field: 'registerBirth',
        op: `mutation($i: BirthInput!) { registerBirth(input: $i) { id status } }`,
        vars: () => ({ i: birth() }),
        expect: ADMIN_ONLY,
      },
      {
        field: 'answerProactiveOffer',
        op: `mutation($t: String!) { answerProactiveOffer(token: $t, consent: false) { id status } }`,
        // Anyone holding the code (each caller a fresh offer; the answer is a refusal).
        vars: async () => ({ t: await newOfferToken() }),
        expect: PUBLIC,
        check: (d) => expect((d as { answerProactiveOffer: { status: string } }).answerProactiveOffer.status).toBe('REFUSED'),
      },
      {
        field: 'publishVacancies',
        op: `mutation($i: [PublishVacancyInput!]!) { publishVacancies(input: $i) { id } }`,
        vars: () => ({
          i: [
            {
              organizationId: org1,
              ageGroup: 'Senior',
              language: 'RU',
              ageFromMonths: 36,
              ageToMonths: 72,
              groupType: 'GENERAL',
              workMode: 'FULL_DAY',
              admissionMode: 'GENERAL',
              admissionStartDate: '2026-10-01',
              count: 1,
            },
          ],
        }),
        expect: STAFF_OR_ADMIN,
      },
      {
        field: 'revokeVacancy',
        op: `mutation($id: ID!) { revokeVacancy(id: $id, reason: "test") { id status } }`,
        vars: (who) => ({ id: ofCaller(who, freePlaces[1], freePlaces[2], freePlaces[0]) }),
        expect: STAFF_OR_ADMIN,
      },
      {
        field: 'markPlaceVacated',
        op: `mutation($id: ID!) { markPlaceVacated(vacancyId: $id, on: "2026-09-10") { id vacatedAt } }`,
        vars: (who) => ({ id: ofCaller(who, earlyPlaces[0], earlyPlaces[1], earlyPlaces[0]) }),
        expect: STAFF_OR_ADMIN,
      },
      {
        field: 'claimVacancy',
        op: `mutation($v: ID!, $a: ID!) { claimVacancy(vacancyId: $v, applicationId: $a) { ${REF} } }`,
        // A's own queued application on a place still in its priority window: allowed to try, refused as CONFLICT.
        vars: () => ({ v: freePlaces[0], a: aQueued }),
        expect: {
          anonymous: 'UNAUTHENTICATED',
          owner: 'CONFLICT',
          otherApplicant: 'FORBIDDEN',
          staffOwn: 'FORBIDDEN',
          staffOther: 'FORBIDDEN',
          admin: 'CONFLICT',
        },
      },
      {
        field: 'confirmReferral',
        op: `mutation($id: ID!) { confirmReferral(id: $id) { ${REF} } }`,
        vars: (who) => ({ id: ofCaller(who, r(1), r(2), r(0)) }),
        expect: OWNER_OR_ADMIN,
        check: (d) => expect((d as { confirmReferral: { status: string } }).confirmReferral.status).toBe('CONFIRMED'),
      },
      {
        field: 'declineReferral',
        op: `mutation($id: ID!) { declineReferral(id: $id) { ${REF} } }`,
        vars: (who) => ({ id: ofCaller(who, r(3), r(4), r(0)) }),
        expect: OWNER_OR_ADMIN,
        check: (d) => expect((d as { declineReferral: { status: string } }).declineReferral.status).toBe('DECLINED'),
      },
      {
        field: 'recordDocuments',
        op: `mutation($id: ID!) { recordDocuments(referralId: $id, kinds: [BIRTH_CERTIFICATE]) { ${REF} documents } }`,
        vars: (who) => ({ id: ofCaller(who, r(6), r(7), r(5)) }),
        expect: STAFF_OR_ADMIN,
      },
      {
        field: 'extendReferral',
        op: `mutation($id: ID!) { extendReferral(id: $id, until: "2026-10-01") { ${REF} extended } }`,
        vars: (who) => ({ id: ofCaller(who, r(6), r(7), r(5)) }),
        expect: STAFF_OR_ADMIN,
      },
      {
        field: 'refuseAdmission',
        op: `mutation($id: ID!) { refuseAdmission(referralId: $id, reason: VACCINATION_LIMIT, note: "limit reached") { ${REF} } }`,
        vars: (who) => ({ id: ofCaller(who, r(8), r(9), r(5)) }),
        expect: STAFF_OR_ADMIN,
      },
      {
        field: 'cancelReferral',
        op: `mutation($id: ID!) { cancelReferral(id: $id, reason: "GROUP_CLOSED") { ${REF} } }`,
        vars: (who) => ({ id: ofCaller(who, r(12), r(13), r(5)) }),
        expect: STAFF_OR_ADMIN,
        check: (d) => expect((d as { cancelReferral: { status: string } }).cancelReferral.status).toBe('CANCELLED'),
      },
      {
        field: 'enrollByReferral',
        op: `mutation($id: ID!) { enrollByReferral(id: $id) { ${REF} } }`,
        vars: (who) => ({ id: ofCaller(who, r(10), r(11), r(5)) }),
        expect: STAFF_OR_ADMIN,
        check: (d) => expect((d as { enrollByReferral: { status: string } }).enrollByReferral.status).toBe('ENROLLED'),
      },
      {
        field: 'advanceClock',
        op: `mutation($to: DateTime!) { advanceClock(to: $to) }`,
        vars: async () => ({ to: new Date((await now()).getTime() + 60_000).toISOString() }),
        expect: ADMIN_ONLY,
      },
      // Last: allocation may hand out the places declined and refused above.
      { field: 'runAllocation', op: `mutation { runAllocation { id referralsIssued } }`, vars: () => ({}), expect: ADMIN_ONLY },
    ];
  }

  it('has a row for every Query and Mutation field of the live schema, and none for a field that does not exist', async () => {
    const d = ok(await t.gql(`{ __schema { queryType { fields { name } } mutationType { fields { name } } } }`));
    const s = d.__schema as { queryType: { fields: { name: string }[] }; mutationType: { fields: { name: string }[] } };
    const live = [...s.queryType.fields, ...s.mutationType.fields].map((f) => f.name).sort();
    const rows = table().map((r) => r.field);
    expect(live.filter((f) => !rows.includes(f))).toEqual([]); // fields without a row
    expect(rows.filter((f) => !live.includes(f))).toEqual([]); // rows of fields that are gone
  });

  it('every caller gets the outcome of its row; refused calls change nothing and leak nothing', async () => {
    const mismatches: string[] = [];
    const leaks: string[] = [];
    let refusedCalls = 0;
    for (const row of table()) {
      // Refused callers first (on the shared targets), then those that succeed (on their own targets).
      const order = [...CALLERS].sort((a, b) => Number(row.expect[a] === 'ok') - Number(row.expect[b] === 'ok'));
      for (const who of order) {
        const expected = row.expect[who];
        const vars = await row.vars(who);
        const refused = expected !== 'ok';
        const before: DbSnapshot | null = refused ? await settledSnapshot(t.ds, tables) : null;
        const res: GqlResult = await t.gql(row.op, vars, tokens[who]);
        const got = res.errors?.length ? (errorCode(res) ?? 'NO_CODE') : 'ok';
        const cell = `${row.field} × ${who}`;
        if (got !== expected) {
          mismatches.push(`${cell}: expected ${expected}, got ${got}${res.errors ? ` (${res.errors[0].message})` : ''}`);
          continue;
        }
        if (refused) {
          refusedCalls++;
          const value = (res.data as Record<string, unknown> | null | undefined)?.[row.field];
          if (value !== undefined && value !== null) mismatches.push(`${cell}: refused but returned data`);
          const diff = changed(before!, await snapshot(t.ds, tables));
          if (diff.length) mismatches.push(`${cell}: refused but changed ${diff.join(', ')}`);
        } else {
          const value = (res.data as Record<string, unknown>)[row.field];
          if (value === null || value === undefined) mismatches.push(`${cell}: ok but ${row.field} is ${String(value)}`);
          else if (row.check) {
            try {
              row.check(res.data, who);
            } catch (e) {
              mismatches.push(`${cell}: ${(e as Error).message.split('\n').slice(0, 6).join(' ')}`);
            }
          }
        }
        if (who === 'anonymous' || who === 'otherApplicant' || who === 'staffOther') {
          const body = JSON.stringify(res);
          for (const s of secretsOfA) if (body.includes(s)) leaks.push(`${cell}: answer contains ${s}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(leaks).toEqual([]);
    expect(refusedCalls).toBeGreaterThan(100);
  }, 180_000);

  it('after the matrix the ledger still verifies', async () => {
    const v = ok(await t.gql(`{ ledgerVerify { valid } }`));
    expect(v.ledgerVerify.valid).toBe(true);
  });
});
