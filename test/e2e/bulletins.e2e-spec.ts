import { SchedulerService } from '../../src/platform/jobs/scheduler.service.js';
import { VacancyService } from '../../src/vacancy/vacancy.service.js';
import { createTestApp, errorCode, ok, type GqlResult, type TestApp } from '../utils/app.js';
import { advance, count, createOrg, ledgerTypes, publish, register, setClock, staffOf } from '../utils/fixtures.js';

const BULLETIN = `query($d: Date!, $k: BulletinKind!, $l: String) {
  bulletin(date: $d, kind: $k, locality: $l) { position at kind date locality ledgerHead vacancy { id publishedAt revokedAt bulletinDate } } }`;
const PUBLISH = `mutation($i: [PublishVacancyInput!]!) { publishVacancies(input: $i) { id } }`;
const REVOKE = `mutation($id: ID!, $r: String!) { revokeVacancy(id: $id, reason: $r) { id status revokedAt revokeReason } }`;

interface Entry {
  position: number;
  at: string;
  kind: string;
  date: string;
  locality: string;
  ledgerHead: string | null;
  vacancy: { id: string; publishedAt: string; revokedAt: string | null; bulletinDate: string | null };
}

async function bulletin(t: TestApp, d: string, k: 'VACATED' | 'REVOKED', l?: string, token?: string): Promise<Entry[]> {
  return ok(await t.gql<{ bulletin: Entry[] }>(BULLETIN, { d, k, l: l ?? null }, token)).bulletin;
}
const ids = (entries: Entry[]): string[] => entries.map((e) => e.vacancy.id);

function place(organizationId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    organizationId,
    ageGroup: 'Middle',
    language: 'KK',
    ageFromMonths: 12,
    ageToMonths: 60,
    groupType: 'GENERAL',
    workMode: 'FULL_DAY',
    admissionMode: 'GENERAL',
    admissionStartDate: '2026-09-01',
    count: 1,
    ...extra,
  };
}

function expectBadInput(r: GqlResult<unknown>, field: RegExp): void {
  expect(errorCode(r)).toBe('BAD_USER_INPUT');
  expect(r.errors?.[0].message).toMatch(field);
}

describe('bulletins through the summer: daily order, revocations, transfer period, a worker that was down', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let orgC: string;
  const loc = '751310000';
  const otherLoc = '751320000';
  let staffA: string;
  let staffB: string;
  const v: Record<string, string> = {};

  beforeAll(async () => {
    // Wednesday 29 July 2026, 10:00 Almaty. No periodic ticks: daily tasks run only when the test moves the clock.
    t = await createTestApp({ simulation: '2026-07-29T10:00:00+05:00', env: { SCHEDULES: '0' } });
    // What the worker's start-up catch-up does; done here so that it surely precedes the first advance.
    await t.app.get(SchedulerService).catchUp();
    orgA = await createOrg(t, 'Aigerim', loc);
    orgB = await createOrg(t, 'Baiterek', loc);
    orgC = await createOrg(t, 'Celinnyi', otherLoc);
    staffA = staffOf(t, orgA);
    staffB = staffOf(t, orgB);
  });
  afterAll(async () => {
    await t.close();
  });

  it('the 09:00 bulletin freezes the hand-overs of (D−1 09:00, D 09:00] in hand-over order', async () => {
    const app1 = await register(t, { locality: loc });
    [v.a1] = await publish(t, orgA, {}, staffA);
    [v.c1] = await publish(t, orgC);
    await advance(t, '2026-07-29T15:00:00+05:00');
    [v.b1, v.b2] = await publish(t, orgB, { count: 2 }, staffB);
    await advance(t, '2026-07-30T08:50:00+05:00');
    [v.a2] = await publish(t, orgA, {}, staffA);
    expect(await count(t, `SELECT count(*) FROM bulletin_publication`)).toBe(0);
    await advance(t, '2026-07-30T09:00:30+05:00');
    // 09:05: already the next bulletin's.
    await advance(t, '2026-07-30T09:05:00+05:00');
    [v.a3] = await publish(t, orgA, {}, staffA);

    const all = await bulletin(t, '2026-07-30', 'VACATED');
    expect(ids(all)).toEqual([v.a1, v.c1, v.b1, v.b2, v.a2]);
    expect(all.map((e) => e.position)).toEqual([1, 2, 3, 4, 5]);
    for (const e of all) {
      expect(e).toMatchObject({ kind: 'VACATED', date: '2026-07-30', at: e.vacancy.publishedAt, vacancy: { bulletinDate: '2026-07-30' } });
      expect(e.ledgerHead).toMatch(/^[0-9a-f]{64}$/);
    }
    // The locality filter keeps the bulletin's own positions.
    const local = await bulletin(t, '2026-07-30', 'VACATED', loc);
    expect(ids(local)).toEqual([v.a1, v.b1, v.b2, v.a2]);
    expect(local.map((e) => e.position)).toEqual([1, 3, 4, 5]);
    expect(ids(await bulletin(t, '2026-07-30', 'VACATED', otherLoc))).toEqual([v.c1]);
    expect(await bulletin(t, '2026-07-30', 'REVOKED')).toEqual([]);
    // The app started after 29 July 09:00: that day's bulletin was never due.
    expect(await bulletin(t, '2026-07-29', 'VACATED')).toEqual([]);
    expect(await ledgerTypes(t, '2026-07-30:VACATED')).toEqual(['bulletin.published']);
    expect(await ledgerTypes(t, '2026-07-30:REVOKED')).toEqual(['bulletin.published']);
    // The 09:00 allocation after the bulletin gave the first place to the head of the queue.
    const a = ok(
      await t.gql(`query($id: ID!) { application(id: $id) { status referral { id vacancy { id } } } }`, { id: app1.id }, t.admin),
    );
    expect(a.application.referral.vacancy.id).toBe(v.a1);
    v.app1Referral = a.application.referral.id;
  });

  it('a place handed over and revoked within the same 24 h is in both bulletins; revocation rules', async () => {
    await advance(t, '2026-07-30T10:00:00+05:00');
    [v.a4] = await publish(t, orgA, {}, staffA);
    await advance(t, '2026-07-30T11:00:00+05:00');
    const ledgerBefore = await count(t, `SELECT count(*) FROM ledger_event`);
    // Reason required (blank is not a reason).
    expectBadInput(await t.gql(REVOKE, { id: v.a4, r: '   ' }, staffA), /^reason/);
    // Staff of another organization: FORBIDDEN.
    expect(errorCode(await t.gql(REVOKE, { id: v.a4, r: 'not yours' }, staffB))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(REVOKE, { id: v.a4, r: 'anonymous' }))).toBe('UNAUTHENTICATED');
    // A place with a live referral: CONFLICT naming the referral.
    const live = await t.gql(REVOKE, { id: v.a1, r: 'changed our mind' }, staffA);
    expect(errorCode(live)).toBe('CONFLICT');
    expect(live.errors?.[0].message).toContain(v.app1Referral);
    expect(await count(t, `SELECT count(*) FROM ledger_event`)).toBe(ledgerBefore);
    expect(await count(t, `SELECT count(*) FROM vacancy WHERE status = 'REVOKED'`)).toBe(0);

    const r = ok(await t.gql(REVOKE, { id: v.a4, r: '  group merged ' }, staffA));
    expect(r.revokeVacancy).toMatchObject({ status: 'REVOKED', revokeReason: 'group merged' });
    expect(errorCode(await t.gql(REVOKE, { id: v.a4, r: 'again' }, staffA))).toBe('CONFLICT');
    expect(await ledgerTypes(t, v.a4)).toEqual(['vacancy.published', 'vacancy.revoked']);

    await advance(t, '2026-07-31T09:00:30+05:00');
    expect(ids(await bulletin(t, '2026-07-31', 'VACATED'))).toEqual([v.a3, v.a4]);
    const revoked = await bulletin(t, '2026-07-31', 'REVOKED');
    expect(ids(revoked)).toEqual([v.a4]);
    expect(revoked[0].at).toBe(r.revokeVacancy.revokedAt);
    expect(revoked[0].position).toBe(1);
  });

  it('August transfer period: no publishing, no bulletins; 31 July after 09:00 goes into the 1 September bulletin', async () => {
    await advance(t, '2026-07-31T10:00:00+05:00');
    [v.a5] = await publish(t, orgA, {}, staffA);
    // 5 August: an organization may still take a place back; it is reported in the first bulletin after August.
    await advance(t, '2026-08-05T10:00:00+05:00');
    ok(await t.gql(REVOKE, { id: v.b1, r: 'group closed for repairs' }, staffB));
    await advance(t, '2026-08-10T10:00:00+05:00');
    const before = await count(t, `SELECT count(*) FROM vacancy`);
    const refused = await t.gql(PUBLISH, { i: [place(orgA)] }, staffA);
    expect(errorCode(refused)).toBe('CONFLICT');
    expect(refused.errors?.[0].message).toMatch(/transfer period \(08-01\.\.08-31/);
    expect(await count(t, `SELECT count(*) FROM vacancy`)).toBe(before);

    await advance(t, '2026-09-01T09:00:30+05:00');
    for (const d of ['2026-08-01', '2026-08-10', '2026-08-31']) {
      expect(await bulletin(t, d, 'VACATED')).toEqual([]);
      expect(await bulletin(t, d, 'REVOKED')).toEqual([]);
    }
    expect(await count(t, `SELECT count(*) FROM bulletin_entry WHERE bulletin_date BETWEEN '2026-08-01' AND '2026-08-31'`)).toBe(0);
    expect(await count(t, `SELECT count(*) FROM bulletin_publication WHERE bulletin_date BETWEEN '2026-08-01' AND '2026-08-31'`)).toBe(0);
    // The daily task did run every day of August (and published nothing).
    expect(
      await count(
        t,
        `SELECT count(*) FROM scheduled_run WHERE kind = 'bulletins' AND due_at BETWEEN '2026-08-01T04:00Z' AND '2026-08-31T04:00Z'`,
      ),
    ).toBe(31);
    const sep1 = await bulletin(t, '2026-09-01', 'VACATED');
    expect(ids(sep1)).toEqual([v.a5]);
    expect(sep1[0].vacancy.bulletinDate).toBe('2026-09-01');
    expect(ids(await bulletin(t, '2026-09-01', 'REVOKED'))).toEqual([v.b1]);
    // The ledger names the bulletin each event actually went into.
    const announced = async (id: string, type: string): Promise<string> =>
      (
        (await t.ds.query(`SELECT data->>'bulletinDate' AS d FROM ledger_event WHERE entity_id = $1 AND type = $2`, [id, type])) as {
          d: string;
        }[]
      )[0].d;
    expect(await announced(v.a1, 'vacancy.published')).toBe('2026-07-30');
    expect(await announced(v.a4, 'vacancy.revoked')).toBe('2026-07-31');
    expect(await announced(v.a5, 'vacancy.published')).toBe('2026-09-01');
    expect(await announced(v.b1, 'vacancy.revoked')).toBe('2026-09-01');
  });

  it('a worker that was down: every missed day gets its own bulletin, weekends included', async () => {
    // The API keeps serving while no worker runs the daily tasks (Tue 1 Sep → Mon 7 Sep).
    await setClock(t, '2026-09-01T12:00:00+05:00');
    [v.w1] = await publish(t, orgA, {}, staffA);
    await setClock(t, '2026-09-02T10:00:00+05:00');
    [v.w2, v.w3] = await publish(t, orgB, { count: 2 }, staffB);
    await setClock(t, '2026-09-03T08:00:00+05:00');
    [v.w4] = await publish(t, orgA, {}, staffA);
    ok(await t.gql(REVOKE, { id: v.w2, r: 'handed over by mistake' }, staffB));
    await setClock(t, '2026-09-04T15:00:00+05:00'); // Friday
    [v.w5] = await publish(t, orgA, {}, staffA);
    await setClock(t, '2026-09-06T08:30:00+05:00'); // Sunday
    [v.w6] = await publish(t, orgB, {}, staffB);
    expect(await count(t, `SELECT count(*) FROM bulletin_publication WHERE bulletin_date > '2026-09-01'`)).toBe(0);

    await advance(t, '2026-09-07T09:00:30+05:00');
    const expected: [string, string[], string[]][] = [
      ['2026-09-02', [v.w1], []],
      ['2026-09-03', [v.w2, v.w3, v.w4], [v.w2]],
      ['2026-09-04', [], []],
      ['2026-09-05', [v.w5], []], // Saturday
      ['2026-09-06', [v.w6], []], // Sunday
      ['2026-09-07', [], []],
    ];
    for (const [d, vacated, revoked] of expected) {
      expect([d, ids(await bulletin(t, d, 'VACATED'))]).toEqual([d, vacated]);
      expect([d, ids(await bulletin(t, d, 'REVOKED'))]).toEqual([d, revoked]);
    }
    expect(await count(t, `SELECT count(*) FROM bulletin_publication WHERE bulletin_date BETWEEN '2026-09-02' AND '2026-09-07'`)).toBe(12);
    // Each publication pinned the ledger as it stood at its own 09:00, so the heads grow day by day.
    const pubs: { bulletin_date: string; ledger_length: string; published_at: Date }[] = await t.ds.query(
      `SELECT to_char(bulletin_date, 'YYYY-MM-DD') AS bulletin_date, ledger_length, published_at FROM bulletin_publication
       WHERE kind = 'VACATED' AND bulletin_date BETWEEN '2026-09-02' AND '2026-09-07' ORDER BY bulletin_date`,
    );
    expect(pubs.map((p) => p.published_at.toISOString())).toEqual(
      ['02', '03', '04', '05', '06', '07'].map((d) => `2026-09-${d}T04:00:00.000Z`),
    );
    const lengths = pubs.map((p) => Number(p.ledger_length));
    expect([...lengths].sort((a, b) => a - b)).toEqual(lengths);
  });

  it('re-running the bulletin job for a day changes nothing; two at once publish once', async () => {
    const svc = t.app.get(VacancyService);
    const snapshot = async (): Promise<unknown[]> => [
      await t.ds.query(`SELECT * FROM bulletin_entry ORDER BY bulletin_date, kind, position`),
      await t.ds.query(`SELECT * FROM bulletin_publication ORDER BY bulletin_date, kind`),
      await t.ds.query(`SELECT id, bulletin_date FROM vacancy ORDER BY seq`),
      await count(t, `SELECT count(*) FROM ledger_event`),
    ];
    const before = await snapshot();
    const at = new Date('2026-09-03T09:00:00+05:00');
    expect(await svc.publishBulletins(at)).toEqual({ date: '2026-09-03', vacated: -1, revoked: -1 });
    expect(await svc.publishBulletins(at)).toEqual({ date: '2026-09-03', vacated: -1, revoked: -1 });
    expect(await snapshot()).toEqual(before);

    // A fresh day, the job started twice at once (two workers): one publication.
    await advance(t, '2026-09-07T12:00:00+05:00');
    [v.w7] = await publish(t, orgA, {}, staffA);
    await setClock(t, '2026-09-08T09:01:00+05:00');
    const both = await Promise.all([
      svc.publishBulletins(new Date('2026-09-08T09:00:00+05:00')),
      svc.publishBulletins(new Date('2026-09-08T09:00:00+05:00')),
    ]);
    expect(both.map((b) => b.vacated).sort()).toEqual([-1, 1]);
    await advance(t, '2026-09-08T09:02:00+05:00');
    expect(ids(await bulletin(t, '2026-09-08', 'VACATED'))).toEqual([v.w7]);
    expect(await ledgerTypes(t, '2026-09-08:VACATED')).toEqual(['bulletin.published']);
    expect(await count(t, `SELECT count(*) FROM bulletin_entry WHERE vacancy_id = $1`, [v.w7])).toBe(1);
  });
});

describe('bulletins in December: a public holiday, who sees what, listing and validation', () => {
  let t: TestApp;
  const loc = '751330000';
  let org1: string;
  let org2: string;
  let staff1: string;
  let staff2: string;
  let vd1: string;
  let vd2: string;
  let referralId: string;

  beforeAll(async () => {
    // Monday 14 December 2026; Wednesday 16 December is Independence Day.
    t = await createTestApp({ simulation: '2026-12-14T10:00:00+05:00', env: { SCHEDULES: '0' } });
    await t.app.get(SchedulerService).catchUp();
    org1 = await createOrg(t, 'Dostyq', loc);
    org2 = await createOrg(t, 'Erkem', loc);
    staff1 = staffOf(t, org1);
    staff2 = staffOf(t, org2);
  });
  afterAll(async () => {
    await t.close();
  });

  it('bulletins are daily, on public holidays too', async () => {
    await register(t, { locality: loc });
    [vd1] = await publish(t, org1, {}, staff1);
    await advance(t, '2026-12-15T10:00:00+05:00');
    [vd2] = await publish(t, org1, {}, staff1);
    await advance(t, '2026-12-17T09:00:30+05:00');
    expect(ids(await bulletin(t, '2026-12-15', 'VACATED'))).toEqual([vd1]);
    expect(ids(await bulletin(t, '2026-12-16', 'VACATED'))).toEqual([vd2]);
    expect(await bulletin(t, '2026-12-17', 'VACATED')).toEqual([]);
    expect(await count(t, `SELECT count(*) FROM bulletin_publication WHERE bulletin_date = '2026-12-16'`)).toBe(2);
    expect(await count(t, `SELECT count(*) FROM calendar_day WHERE date = '2026-12-16' AND kind = 'HOLIDAY'`)).toBe(1);
  });

  it('anonymous callers and other organizations see bulletins and open places, never the referral', async () => {
    const q = `query($d: Date!) { bulletin(date: $d, kind: VACATED) { vacancy { id status referral { id status } } } }`;
    const anon = ok(await t.gql(q, { d: '2026-12-15' }));
    expect(anon.bulletin[0].vacancy).toEqual({ id: vd1, status: 'REFERRED', referral: null });
    const other = ok(await t.gql(q, { d: '2026-12-15' }, staff2));
    expect(other.bulletin[0].vacancy.referral).toBeNull();
    const own = ok(await t.gql(q, { d: '2026-12-15' }, staff1));
    expect(own.bulletin[0].vacancy.referral).toMatchObject({ status: 'OFFERED' });
    referralId = own.bulletin[0].vacancy.referral.id;
    expect(ok(await t.gql(q, { d: '2026-12-15' }, t.admin)).bulletin[0].vacancy.referral.id).toBe(referralId);
    expect(ok(await t.gql(`query($id: ID!) { vacancy(id: $id) { referral { id } } }`, { id: vd1 })).vacancy.referral).toBeNull();

    // vd2 found nobody on 16 Dec 09:00 (the only child holds vd1): open since 17 Dec 09:00.
    const openQ = `query($o: Boolean, $l: String) { vacancies(openForClaim: $o, locality: $l) { totalCount edges { node { id openForClaim openAt referral { id } } } } }`;
    for (const token of [undefined, t.token({ role: 'APPLICANT', iin: '900101400018' })]) {
      const list = ok(await t.gql(openQ, { o: true, l: loc }, token)).vacancies;
      expect(list.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([vd2]);
      expect(list.edges[0].node).toMatchObject({ openForClaim: true, openAt: '2026-12-17T09:00:00.000+05:00', referral: null });
      // Without the flag, non-staff callers still only see open places.
      expect(ok(await t.gql(openQ, { o: null, l: loc }, token)).vacancies.totalCount).toBe(1);
    }
  });

  it('staff list only their own organization, page by page', async () => {
    const mine = await publish(t, org2, { count: 5 }, staff2);
    const listQ = `query($first: Int, $after: String, $org: ID) { vacancies(first: $first, after: $after, organizationId: $org) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id organization { id } referral { id } } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    const pages: number[] = [];
    for (;;) {
      type Page = {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { node: { id: string; organization: { id: string } } }[];
      };
      const page: Page = ok(await t.gql<{ vacancies: Page }>(listQ, { first: 2, after }, staff2)).vacancies;
      expect(page.totalCount).toBe(5);
      pages.push(page.edges.length);
      for (const e of page.edges) {
        expect(e.node.organization.id).toBe(org2);
        seen.push(e.node.id);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toEqual([2, 2, 1]);
    expect(seen).toEqual(mine);
    expect(errorCode(await t.gql(listQ, { first: 2, org: org1 }, staff2))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(listQ, { first: 2, after: 'not-a-cursor' }, staff2))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(listQ, { first: 0 }, staff2))).toBe('BAD_USER_INPUT');
    const own1 = ok(await t.gql(listQ, { first: 10 }, staff1)).vacancies;
    expect(own1.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([vd1, vd2]);
    expect(own1.edges[0].node.referral.id).toBe(referralId);
    expect(ok(await t.gql(listQ, { first: 100 }, t.admin)).vacancies.totalCount).toBe(7);
  });

  it('revokeVacancy: reason required, live referral, other organization — nothing written', async () => {
    const before = await count(t, `SELECT count(*) FROM ledger_event`);
    expectBadInput(await t.gql(REVOKE, { id: vd2, r: '' }, staff1), /^reason/);
    const live = await t.gql(REVOKE, { id: vd1, r: 'closing the group' }, staff1);
    expect(errorCode(live)).toBe('CONFLICT');
    expect(live.errors?.[0].message).toContain(referralId);
    expect(errorCode(await t.gql(REVOKE, { id: vd2, r: 'not ours' }, staff2))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(REVOKE, { id: vd1, r: 'not ours' }, staff2))).toBe('FORBIDDEN');
    expect(await count(t, `SELECT count(*) FROM ledger_event`)).toBe(before);
    expect(await count(t, `SELECT count(*) FROM vacancy WHERE status = 'REVOKED'`)).toBe(0);
  });

  it('publishVacancies validation names the field; a batch with one bad entry writes nothing', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ageFromMonths: 40, ageToMonths: 30 }, /input\[0\]\.ageToMonths/],
      [{ admissionMode: 'TEMPORARY_STAY' }, /input\[0\]\.attendanceUntil.*required/],
      [{ admissionMode: 'TEMPORARY_STAY', attendanceUntil: '2026-09-01' }, /input\[0\]\.attendanceUntil.*after/],
      [{ admissionMode: 'TEMPORARY_STAY', attendanceUntil: '2026-08-01' }, /input\[0\]\.attendanceUntil.*after/],
      [{ attendanceUntil: '2027-05-31' }, /input\[0\]\.attendanceUntil.*TEMPORARY_STAY/],
      [{ count: 0 }, /input\[0\]\.count/],
      [{ count: 101 }, /input\[0\]\.count/],
      [{ ageFromMonths: -1 }, /input\[0\]\.ageFromMonths/],
      [{ ageToMonths: 97 }, /input\[0\]\.ageToMonths/],
      [{ language: 'kazakh' }, /input\[0\]\.language/],
      [{ ageGroup: '  ' }, /input\[0\]\.ageGroup/],
      [{ admissionStartDate: '2026-02-30' }, /admissionStartDate/],
      [{ admissionStartDate: '01.09.2026' }, /admissionStartDate/],
      [{ admissionMode: 'TEMPORARY_STAY', attendanceUntil: '2027-13-01' }, /attendanceUntil/],
    ];
    const before = await count(t, `SELECT count(*) FROM vacancy`);
    const ledgerBefore = await count(t, `SELECT count(*) FROM ledger_event`);
    for (const [extra, field] of cases) {
      const r = await t.gql(PUBLISH, { i: [place(org2, extra)] }, staff2);
      expect([extra, errorCode(r)]).toEqual([extra, 'BAD_USER_INPUT']);
      expect(r.errors?.[0].message).toMatch(field);
    }
    // One good and one bad entry: nothing is written, and the message names the bad one.
    const mixed = await t.gql(PUBLISH, { i: [place(org2, { count: 3 }), place(org2, { ageFromMonths: 50, ageToMonths: 20 })] }, staff2);
    expectBadInput(mixed, /input\[1\]\.ageToMonths/);
    // An unknown organization in the second entry (checked inside the transaction): the first is rolled back.
    const unknownOrg = await t.gql(PUBLISH, { i: [place(org2), place('00000000-0000-4000-8000-000000000000')] }, t.admin);
    expectBadInput(unknownOrg, /input\[1\]\.organizationId/);
    // Staff may not publish for another organization, even inside a batch with their own.
    expect(errorCode(await t.gql(PUBLISH, { i: [place(org2), place(org1)] }, staff2))).toBe('FORBIDDEN');
    expect(await count(t, `SELECT count(*) FROM vacancy`)).toBe(before);
    expect(await count(t, `SELECT count(*) FROM ledger_event`)).toBe(ledgerBefore);
    // Boundaries that are allowed.
    const okBatch = ok(
      await t.gql(
        PUBLISH,
        {
          i: [
            place(org2, { count: 100 }),
            place(org2, { ageFromMonths: 36, ageToMonths: 36, admissionMode: 'TEMPORARY_STAY', attendanceUntil: '2026-09-02' }),
          ],
        },
        staff2,
      ),
    );
    expect(okBatch.publishVacancies).toHaveLength(101);
  });
});
