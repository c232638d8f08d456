import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';
import { advance, applicationInput, count, createOrg, publish, register } from '../utils/fixtures.js';

const APP = `status queueNumber registeredAt stopListReason stopListedUntil archiveReason referral { id }`;
const get = async (t: TestApp, id: string): Promise<any> =>
  ok(await t.gql(`query($id: ID!) { application(id: $id) { ${APP} } }`, { id }, t.admin)).application;

describe('archive and stop-list (operators)', () => {
  let t: TestApp;
  const loc = '751130000';
  beforeAll(async () => {
    t = await createTestApp({ simulation: '2026-10-05T10:00:00+05:00' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('a stop-listed application gets no referral, keeps its time, and returns on removal', async () => {
    const a = await register(t, { locality: loc });
    const b = await register(t, { locality: loc });
    const before = await get(t, a.id);
    const s = ok(
      await t.gql(
        `mutation($id: ID!) { addToStopList(applicationId: $id, reason: "false documents", until: "2026-12-31") { status stopListReason stopListedUntil queueNumber } }`,
        { id: a.id },
        t.admin,
      ),
    );
    expect(s.addToStopList).toEqual({
      status: 'STOP_LISTED',
      stopListReason: 'false documents',
      stopListedUntil: '2026-12-31',
      queueNumber: null,
    });
    expect((await get(t, b.id)).queueNumber).toBe(1);
    const org = await createOrg(t, 'Stop', loc);
    await publish(t, org);
    await advance(t, '2026-10-06T09:00:30+05:00');
    expect((await get(t, a.id)).referral).toBeNull();
    expect((await get(t, b.id)).referral).not.toBeNull();
    expect(
      errorCode(await t.gql(`mutation($id: ID!) { addToStopList(applicationId: $id, reason: "x") { status } }`, { id: a.id }, t.admin)),
    ).toBe('CONFLICT');
    const list = ok(
      await t.gql(`{ stopList(active: true) { totalCount edges { node { reason until application { id } } } } }`, {}, t.admin),
    );
    expect(list.stopList.edges.map((e: any) => e.node.application.id)).toContain(a.id);
    const r = ok(
      await t.gql(
        `mutation($id: ID!) { removeFromStopList(applicationId: $id) { status registeredAt queueNumber } }`,
        { id: a.id },
        t.admin,
      ),
    );
    expect(r.removeFromStopList).toMatchObject({ status: 'QUEUED', registeredAt: before.registeredAt, queueNumber: 1 });
    expect(
      await count(t, `SELECT count(*) FROM notification WHERE application_id = $1 AND stage IN ('STOP_LISTED','STOP_LIST_ENDED')`, [a.id]),
    ).toBe(2);
    const nonAdmin = t.token({ role: 'APPLICANT', iin: a.applicantIin });
    expect(
      errorCode(await t.gql(`mutation($id: ID!) { addToStopList(applicationId: $id, reason: "x") { status } }`, { id: a.id }, nonAdmin)),
    ).toBe('FORBIDDEN');
  });

  it('restore brings an archived application back with its original time; numbers behind it shift back', async () => {
    const l2 = '751140000';
    const x = await register(t, { locality: l2 });
    const y = await register(t, { locality: l2 });
    const z = await register(t, { locality: l2 });
    ok(await t.gql(`mutation($id: ID!) { withdrawApplication(id: $id) { status } }`, { id: x.id }, t.admin));
    expect((await get(t, y.id)).queueNumber).toBe(1);
    expect((await get(t, z.id)).queueNumber).toBe(2);
    const arch = ok(
      await t.gql(`{ archivedApplications(locality: "${l2}", reason: WITHDRAWN) { totalCount edges { node { id } } } }`, {}, t.admin),
    );
    expect(arch.archivedApplications.edges.map((e: any) => e.node.id)).toEqual([x.id]);
    const restored = ok(
      await t.gql(`mutation($id: ID!) { restoreApplication(id: $id) { status queueNumber archiveReason } }`, { id: x.id }, t.admin),
    );
    expect(restored.restoreApplication).toEqual({ status: 'QUEUED', queueNumber: 1, archiveReason: null });
    expect((await get(t, y.id)).queueNumber).toBe(2);
    expect((await get(t, z.id)).queueNumber).toBe(3);
    expect(errorCode(await t.gql(`mutation($id: ID!) { restoreApplication(id: $id) { status } }`, { id: x.id }, t.admin))).toBe('CONFLICT');
    expect(
      await count(t, `SELECT count(*) FROM ledger_event WHERE entity_id = $1 AND type IN ('application.archived','application.restored')`, [
        x.id,
      ]),
    ).toBe(2);
  });

  it('restore is refused while the child has another live application; duplicates are found by IIN across localities', async () => {
    const input = applicationInput({ locality: '751150000' });
    const first = ok(
      await t.gql(`mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`, { i: input }, t.admin),
    ).registerApplication;
    ok(
      await t.gql(
        `mutation($id: ID!) { archiveApplication(id: $id, reason: DUPLICATE) { status archiveReason } }`,
        { id: first.id },
        t.admin,
      ),
    );
    const second = ok(
      await t.gql(
        `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`,
        { i: { ...input, locality: '751160000' } },
        t.admin,
      ),
    ).registerApplication;
    const dup = ok(
      await t.gql(`query($c: String!) { applicationsOfChild(childIin: $c) { id locality status } }`, { c: input.childIin }, t.admin),
    );
    expect(dup.applicationsOfChild.map((a: any) => a.id)).toEqual([first.id, second.id]);
    const r = await t.gql(`mutation($id: ID!) { restoreApplication(id: $id) { status } }`, { id: first.id }, t.admin);
    expect(errorCode(r)).toBe('CONFLICT');
    expect(r.errors?.[0].message).toMatch(/live application/);
  });
});
