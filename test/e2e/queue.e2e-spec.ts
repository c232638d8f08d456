import { makeIin } from '../../src/platform/identifiers/iin.js';
import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';
import { advance, applicationInput, count, createOrg, LOCALITY, register } from '../utils/fixtures.js';

const REGISTER = `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id number status queueNumber priorityClass cohort childBirthDate registeredAt } }`;

describe('queue: registration, ranking, queue numbers, withdrawal, ageing out', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ simulation: '2026-06-01T10:00:00+05:00' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('registers an application: number, queue number 1, birth date and cohort from the IIN, outbox message', async () => {
    const input = applicationInput({ birthDate: '2023-03-10', locality: '751210000' });
    const d = ok(await t.gql(REGISTER, { i: input }, t.admin)).registerApplication;
    expect(d.number).toMatch(/^KZ-\d{7}$/);
    expect(d.status).toBe('QUEUED');
    expect(d.queueNumber).toBe(1);
    expect(d.childBirthDate).toBe('2023-03-10');
    expect(d.cohort).toBe(2023);
    expect(d.registeredAt).toBe('2026-06-01T10:00:00.000+05:00'.slice(0, 17) + d.registeredAt.slice(17));
    expect(await count(t, `SELECT count(*) FROM notification WHERE application_id = $1 AND stage = 'APPLICATION_REGISTERED'`, [d.id])).toBe(
      1,
    );
    expect(await count(t, `SELECT count(*) FROM ledger_event WHERE entity_id = $1 AND type = 'application.registered'`, [d.id])).toBe(1);
    const ledgerData: { data: string }[] = await t.ds.query(`SELECT data::text AS data FROM ledger_event WHERE entity_id = $1`, [d.id]);
    expect(ledgerData[0].data).not.toContain(input.childIin as string);
    expect(ledgerData[0].data).not.toContain(input.phone as string);
  });

  it.each([
    ['childIin', { childIin: '123456789012' }, /childIin/],
    [
      'childIin century digit',
      { childIin: makeIin('2023-03-10', 'M', 77).slice(0, 6) + '9' + makeIin('2023-03-10', 'M', 77).slice(7) },
      /childIin/,
    ],
    ['child too old', { childIin: makeIin('2019-01-10', 'M', 78) }, /childIin.*6/],
    ['phone', { phone: '+7 495 123 45 67' }, /phone/],
    ['locality', { locality: '75111' }, /locality/],
    ['language', { language: 'kazakh' }, /language/],
    ['category', { priorityCategories: ['KING'] }, /priorityCategories/],
    [
      'organizations > 4',
      {
        organizationIds: [
          '0b5a4d2e-0000-4000-8000-000000000001',
          '0b5a4d2e-0000-4000-8000-000000000002',
          '0b5a4d2e-0000-4000-8000-000000000003',
          '0b5a4d2e-0000-4000-8000-000000000004',
          '0b5a4d2e-0000-4000-8000-000000000005',
        ],
      },
      /organizationIds/,
    ],
    ['unknown organization', { organizationIds: ['0b5a4d2e-0000-4000-8000-000000000001'] }, /organizationIds/],
    ['desired date', { desiredAdmissionDate: '2026-02-30' }, /Date|desiredAdmissionDate/],
    ['extra field', { hacker: true }, /hacker|not defined|field/i],
  ])('rejects bad %s with BAD_USER_INPUT naming the field, writing nothing', async (_name, patch, msg) => {
    const before = await count(t, 'SELECT count(*) FROM application');
    const ledgerBefore = await count(t, 'SELECT count(*) FROM ledger_event');
    const r = await t.gql(REGISTER, { i: { ...applicationInput(), ...patch } }, t.admin);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(msg);
    expect(await count(t, 'SELECT count(*) FROM application')).toBe(before);
    expect(await count(t, 'SELECT count(*) FROM ledger_event')).toBe(ledgerBefore);
  });

  it('an organization of another locality is refused', async () => {
    const other = await createOrg(t, 'Far away', '711110000');
    const r = await t.gql(REGISTER, { i: applicationInput({ organizationIds: [other] }) }, t.admin);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(/organizationIds.*not in locality/);
  });

  it('APPLICANT registers only with their own IIN; myApplications shows theirs', async () => {
    const mine = makeIin('1991-02-02', 'M', 501);
    const tok = t.token({ role: 'APPLICANT', iin: mine });
    const denied = await t.gql(REGISTER, { i: applicationInput({ applicantIin: makeIin('1991-02-02', 'M', 502) }) }, tok);
    expect(errorCode(denied)).toBe('FORBIDDEN');
    const d = ok(await t.gql(REGISTER, { i: applicationInput({ applicantIin: mine }) }, tok)).registerApplication;
    const my = ok(await t.gql(`{ myApplications { id applicantIin } }`, {}, tok)).myApplications;
    expect(my.map((a: { id: string }) => a.id)).toEqual([d.id]);
    const other = t.token({ role: 'APPLICANT', iin: makeIin('1991-02-02', 'M', 503) });
    expect(errorCode(await t.gql(`query($id: ID!) { application(id: $id) { id } }`, { id: d.id }, other))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(`query($id: ID!) { application(id: $id) { id } }`, { id: d.id }))).toBe('UNAUTHENTICATED');
    ok(await t.gql(`query($id: ID!) { application(id: $id) { id } }`, { id: d.id }, tok));
  });

  it('20 concurrent registrations of one child: exactly one wins, the rest CONFLICT', async () => {
    const input = applicationInput({ locality: '751310000' });
    const results = await Promise.all(Array.from({ length: 20 }, () => t.gql(REGISTER, { i: input }, t.admin)));
    const wins = results.filter((r) => !r.errors);
    expect(wins).toHaveLength(1);
    expect(results.filter((r) => errorCode(r) === 'CONFLICT')).toHaveLength(19);
    expect(await count(t, `SELECT count(*) FROM application WHERE child_iin = $1`, [input.childIin])).toBe(1);
  });

  it('ranks class 0 first, then classes 1 and 2 interleaved 1 : 3, and explains each number', async () => {
    const loc = '751410000';
    const org = await createOrg(t, 'Aigolek', loc);
    const g: string[] = [];
    for (let i = 0; i < 5; i++) g.push((await register(t, { locality: loc, organizationIds: i < 2 ? [org] : [] })).id);
    const p1 = await register(t, { locality: loc, priorityCategories: ['TEACHER'] });
    const p2 = await register(t, { locality: loc, priorityCategories: ['LARGE_FAMILY'] });
    const m1 = await register(t, { locality: loc, priorityCategories: ['MILITARY'] });
    // Claims count only once confirmed: before that everyone is class 2 in registration order.
    const before = ok(await t.gql(`query($id: ID!) { application(id: $id) { queueNumber priorityClass } }`, { id: m1.id }, t.admin));
    expect(before.application).toEqual({ queueNumber: 8, priorityClass: 2 });
    for (const [id, c] of [
      [p1.id, 'TEACHER'],
      [p2.id, 'LARGE_FAMILY'],
      [m1.id, 'MILITARY'],
    ]) {
      ok(
        await t.gql(
          `mutation($a: ID!, $c: String!) { confirmPriority(applicationId: $a, category: $c, confirmed: true) { priorityClass } }`,
          { a: id, c },
          t.admin,
        ),
      );
    }
    const expected = [m1.id, p1.id, g[0], g[1], g[2], p2.id, g[3], g[4]];
    for (const [i, id] of expected.entries()) {
      const pos = ok(
        await t.gql(`query($id: ID) { queuePosition(applicationId: $id) { queueNumber total aheadByClass { priorityClass count } } }`, {
          id,
        }),
      );
      expect(pos.queuePosition.queueNumber).toBe(i + 1);
      expect(pos.queuePosition.total).toBe(8);
    }
    const byNumber = ok(
      await t.gql(
        `query($n: String) { queuePosition(number: $n) { queueNumber aheadByClass { priorityClass count } positionsByOrganization { organizationId ahead } } }`,
        { n: p2.number },
      ),
    );
    expect(byNumber.queuePosition.queueNumber).toBe(6);
    expect(byNumber.queuePosition.aheadByClass).toEqual([
      { priorityClass: 0, count: 1 },
      { priorityClass: 1, count: 1 },
      { priorityClass: 2, count: 3 },
    ]);
    // p2 chose "any organization": everyone ahead counts for Aigolek (the only one in the locality).
    expect(byNumber.queuePosition.positionsByOrganization).toEqual([{ organizationId: org, ahead: 5 }]);
    const g3 = ok(
      await t.gql(`query($id: ID) { queuePosition(applicationId: $id) { queueNumber positionsByOrganization { ahead } } }`, { id: g[3] }),
    );
    expect(g3.queuePosition.queueNumber).toBe(7);
    // Ahead of g3 and choosing Aigolek or any: m1, p1, g0 (Aigolek), g1 (Aigolek), g2 (any), p2 (any).
    expect(g3.queuePosition.positionsByOrganization).toEqual([{ ahead: 6 }]);
  });

  it('anonymous queue position carries no personal data', async () => {
    const input = applicationInput({ locality: '751510000' });
    const d = ok(await t.gql(REGISTER, { i: input }, t.admin)).registerApplication;
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `query($n: String) { queuePosition(number: $n) { applicationId number queueNumber total locality cohort registeredAt aheadByClass { priorityClass count } } }`,
        variables: { n: d.number },
      }),
    });
    const text = await res.text();
    expect(text).toContain('"queueNumber":1');
    for (const secret of [input.childIin, input.applicantIin, input.phone, input.childName]) expect(text).not.toContain(secret as string);
    const anon = ok(await t.gql(`query($n: String) { queuePosition(number: $n) { priorityClass } }`, { n: d.number }));
    expect(anon.queuePosition.priorityClass).toBeNull();
    const own = ok(
      await t.gql(
        `query($n: String) { queuePosition(number: $n) { priorityClass } }`,
        { n: d.number },
        t.token({ role: 'APPLICANT', iin: input.applicantIin as string }),
      ),
    );
    expect(own.queuePosition.priorityClass).toBe(2);
    const r = await t.gql(`{ __type(name: "QueuePosition") { fields { name } } }`);
    const fields = r.data?.__type.fields.map((f: { name: string }) => f.name) as string[];
    expect(fields).not.toEqual(expect.arrayContaining(['childIin']));
    expect(fields.some((f) => /iin|phone|name/i.test(f) && f !== 'organizationName')).toBe(false);
  });

  it('withdrawal archives (WITHDRAWN, time, actor), shifts the numbers behind, and frees the child for a new application', async () => {
    const loc = '751610000';
    const a = await register(t, { locality: loc });
    const b = await register(t, { locality: loc });
    const input = applicationInput({ locality: loc });
    const c = ok(await t.gql(REGISTER, { i: input }, t.admin)).registerApplication;
    expect(c.queueNumber).toBe(3);
    const w = ok(
      await t.gql(
        `mutation($id: ID!) { withdrawApplication(id: $id) { status archiveReason archivedAt queueNumber } }`,
        { id: a.id },
        t.admin,
      ),
    );
    expect(w.withdrawApplication).toMatchObject({ status: 'ARCHIVED', archiveReason: 'WITHDRAWN', queueNumber: null });
    const actor: { archived_by: string }[] = await t.ds.query(`SELECT archived_by FROM application WHERE id = $1`, [a.id]);
    expect(actor[0].archived_by).toBe('ADMIN:admin-test');
    const cb = ok(await t.gql(`query($id: ID!) { application(id: $id) { queueNumber } }`, { id: c.id }, t.admin));
    expect(cb.application.queueNumber).toBe(2);
    expect(errorCode(await t.gql(`mutation($id: ID!) { withdrawApplication(id: $id) { status } }`, { id: a.id }, t.admin))).toBe(
      'CONFLICT',
    );
    // Same child again after withdrawing: allowed, since no live application remains.
    ok(await t.gql(`mutation($id: ID!) { withdrawApplication(id: $id) { status } }`, { id: c.id }, t.admin));
    const again = ok(await t.gql(REGISTER, { i: input }, t.admin)).registerApplication;
    expect(again.queueNumber).toBe(2);
    expect(b.id).toBeTruthy();
  });

  it('ADMIN lists applications as a filtered connection; others may not', async () => {
    const page = ok(
      await t.gql(
        `{ applications(locality: "${LOCALITY}", first: 2, status: QUEUED) { totalCount edges { node { id locality status } } pageInfo { hasNextPage } } }`,
        {},
        t.admin,
      ),
    );
    expect(page.applications.edges.length).toBeLessThanOrEqual(2);
    for (const e of page.applications.edges) expect(e.node).toMatchObject({ locality: LOCALITY, status: 'QUEUED' });
    expect(errorCode(await t.gql(`{ applications { totalCount } }`, {}, t.token({ role: 'ORG_STAFF', organizationId: 'x' })))).toBe(
      'FORBIDDEN',
    );
  });

  it('unconfirmed claims lapse after 5 working days with the original time; children who turn 6 age out', async () => {
    const loc = '751710000';
    const claimant = await register(t, { locality: loc, priorityCategories: ['ORPHAN'] });
    const old = await register(t, { locality: loc, birthDate: '2020-06-05' });
    const young = await register(t, { locality: loc, birthDate: '2023-01-01' });
    // Mon 1 June 2026 10:00 + 5 working days → deadline end of Mon 8 June (no holidays in between).
    await advance(t, '2026-06-08T23:00:00+05:00');
    const mid = ok(await t.gql(`query($id: ID!) { application(id: $id) { claims { status } } }`, { id: claimant.id }, t.admin));
    expect(mid.application.claims[0].status).toBe('PENDING');
    await advance(t, '2026-06-09T00:30:00+05:00');
    const after = ok(
      await t.gql(
        `query($id: ID!) { application(id: $id) { registeredAt priorityClass claims { status } } }`,
        { id: claimant.id },
        t.admin,
      ),
    );
    expect(after.application.claims[0].status).toBe('LAPSED');
    expect(after.application.priorityClass).toBe(2);
    expect(await count(t, `SELECT count(*) FROM notification WHERE application_id = $1 AND stage = 'PRIORITY_LAPSED'`, [claimant.id])).toBe(
      1,
    );
    // The child born 2020-06-05 turned 6 on 2026-06-05: archived by the 00:00 run of that day.
    const o = ok(await t.gql(`query($id: ID!) { application(id: $id) { status archiveReason archivedAt } }`, { id: old.id }, t.admin));
    expect(o.application).toMatchObject({ status: 'ARCHIVED', archiveReason: 'AGED_OUT', archivedAt: '2026-06-05T00:00:00.000+05:00' });
    const y = ok(await t.gql(`query($id: ID!) { application(id: $id) { status queueNumber } }`, { id: young.id }, t.admin));
    expect(y.application.status).toBe('QUEUED');
  });
});
