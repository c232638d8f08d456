/**
 * Issue 15 items 7, 8, 9 over GraphQL with the simulated clock, one timeline (Mon 27 July 2026 → October):
 *  - open places: no open-place notices in the transfer period (1–31 August), told when it ends; a place that
 *    reopens (its claim declined, again past its priority window unreferred) is told again; a family back from
 *    the stop-list (removed by an operator, or its term over) is told about the open places it fits, and no
 *    family is texted twice about one place in one round;
 *  - returned places: eligibility of a place that comes back is judged at max(its start date, the next
 *    working day), for the wanted date and the child's age;
 *  - twins: a full-or-half-day twin and a half-day-only twin both get places when a half-day place is followed
 *    by a full-day one; a sibling joins a batch only within 30 days of the batch's first registration;
 *  - the fairness audit replays all of it and finds nothing.
 */
import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';
import { advance, applicantOf, applicationInput, count, createOrg, publish, register } from '../utils/fixtures.js';
import { makeIin } from '../../src/platform/identifiers/iin.js';

interface Live {
  status: string;
  referral: { id: string; status: string; vacancy: { id: string } } | null;
}

async function state(t: TestApp, id: string): Promise<Live> {
  const d = ok(await t.gql(`query($id: ID!) { application(id: $id) { status referral { id status vacancy { id } } } }`, { id }, t.admin));
  return d.application;
}

const openNotices = (t: TestApp, applicationId: string): Promise<number> =>
  count(t, `SELECT count(*) FROM notification WHERE application_id = $1 AND stage = 'OPEN_PLACE_FITS'`, [applicationId]);

describe('allocation rules: open-place rounds, returned places, twins (issue 15 items 7, 8, 9)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Monday 27 July 2026, 10:00 Almaty: the transfer period starts on Saturday 1 August.
    t = await createTestApp({ simulation: '2026-07-27T10:00:00+05:00' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('no open-place notices during the transfer period: the place is told on the first day after it', async () => {
    const l = '751200000';
    const home = await createOrg(t, 'Aqqu', l);
    const chosen = await createOrg(t, 'Balausa', l);
    // Fits the place for a claim, but chose another organization: allocation never gives it to the family.
    const f = await register(t, { locality: l, organizationIds: [chosen] });
    await advance(t, '2026-07-30T10:00:00+05:00');
    const [v] = await publish(t, home);
    // Bulletin on Fri 31 July 09:00, nobody eligible: open for claims from Sat 1 August 09:00 (transfer period).
    await advance(t, '2026-07-31T09:00:30+05:00');
    expect((await state(t, f.id)).referral).toBeNull();
    const opened: { open_at: Date }[] = await t.ds.query(`SELECT open_at FROM vacancy WHERE id = $1`, [v]);
    expect(opened[0].open_at.toISOString()).toBe(new Date('2026-08-01T09:00:00+05:00').toISOString());
    await advance(t, '2026-08-01T09:00:30+05:00');
    expect(await openNotices(t, f.id)).toBe(0);
    // Claims are refused in the transfer period, so nobody is invited to claim.
    const claim = await t.gql(
      `mutation($v: ID!, $a: ID!) { claimVacancy(vacancyId: $v, applicationId: $a) { id } }`,
      { v, a: f.id },
      applicantOf(t, f),
    );
    expect(errorCode(claim)).toBe('CONFLICT');
    await advance(t, '2026-08-31T09:30:00+05:00');
    expect(await openNotices(t, f.id)).toBe(0);
    // Tue 1 September 09:00: the period is over; the family hears about the open place once.
    await advance(t, '2026-09-01T09:00:30+05:00');
    expect(await openNotices(t, f.id)).toBe(1);
    const keys: { idempotency_key: string }[] = await t.ds.query(
      `SELECT idempotency_key FROM notification WHERE application_id = $1 AND stage = 'OPEN_PLACE_FITS'`,
      [f.id],
    );
    expect(keys[0].idempotency_key.startsWith(`OPEN_PLACE_FITS:${v}:${f.id}:`)).toBe(true);
  });

  it('a returned place is judged at the next working day: the child old enough by then and wanting that day gets it', async () => {
    const l = '751210000';
    const org = await createOrg(t, 'Shuaq', l);
    await advance(t, '2026-09-07T10:00:00+05:00');
    const x = await register(t, { locality: l, birthDate: '2023-01-15' });
    // 47 months on 1 September, 48 on Mon 14 September: too old for [36, 47] by then.
    const old = await register(t, { locality: l, birthDate: '2022-09-05' });
    // Wants 15 September: after the day the returned place is judged at.
    const later = await register(t, { locality: l, birthDate: '2023-01-20', desiredAdmissionDate: '2026-09-15' });
    // 35 months on 1 September (and on Sat 12 September), 36 on Mon 14 September; wants 14 September.
    const young = await register(t, { locality: l, birthDate: '2023-09-14', desiredAdmissionDate: '2026-09-14' });
    const [v] = await publish(t, org, { ageFromMonths: 36, ageToMonths: 47, admissionStartDate: '2026-09-01' });
    await advance(t, '2026-09-08T09:00:30+05:00');
    const first = await state(t, x.id);
    expect(first.referral).toMatchObject({ status: 'OFFERED', vacancy: { id: v } });
    // Thu 10 September: the family declines; the place comes back.
    await advance(t, '2026-09-10T10:00:00+05:00');
    ok(await t.gql(`mutation($id: ID!) { declineReferral(id: $id) { status } }`, { id: first.referral!.id }, applicantOf(t, x)));
    // Fri 11 September 09:00: judged at max(1 September, Mon 14 September), not at the start date (the older
    // child would get it) nor at today or tomorrow (the young child would be 35 months).
    await advance(t, '2026-09-11T09:00:30+05:00');
    expect((await state(t, young.id)).referral).toMatchObject({ status: 'OFFERED', vacancy: { id: v } });
    expect((await state(t, old.id)).referral).toBeNull();
    expect((await state(t, later.id)).referral).toBeNull();
    expect((await state(t, x.id)).status).toBe('QUEUED');
  });

  it('twins: a full-or-half-day twin and a half-day-only twin get a half-day place and the full-day place after it', async () => {
    const l = '751220000';
    const org = await createOrg(t, 'Egizder', l);
    await advance(t, '2026-09-14T10:00:00+05:00');
    const applicantIin = makeIin('1991-04-04', 'F', 7701);
    const t1 = await register(t, { locality: l, applicantIin, birthDate: '2023-03-10', workModes: ['FULL_DAY', 'HALF_DAY'] });
    const t2 = await register(t, { locality: l, applicantIin, birthDate: '2023-03-10', workModes: ['HALF_DAY'], siblingsOf: t1.id });
    const [half] = await publish(t, org, { workMode: 'HALF_DAY' });
    const [full] = await publish(t, org, { workMode: 'FULL_DAY' });
    await advance(t, '2026-09-15T09:00:30+05:00');
    // Greedy matching (the first twin on the half-day place, the second then needing a later half-day place)
    // would lose both places; every assignment is tried: the half-day twin on the half-day place.
    expect((await state(t, t2.id)).referral).toMatchObject({ status: 'OFFERED', vacancy: { id: half } });
    expect((await state(t, t1.id)).referral).toMatchObject({ status: 'OFFERED', vacancy: { id: full } });
  });

  it('a reopened place is told again; families back from the stop-list are told; nobody twice in one round', async () => {
    const l = '751230000';
    const home = await createOrg(t, 'Kunshuaq', l);
    const chosen = await createOrg(t, 'Aigolek', l);
    await advance(t, '2026-09-15T10:00:00+05:00');
    const g1 = await register(t, { locality: l, organizationIds: [chosen] });
    const g2 = await register(t, { locality: l, organizationIds: [chosen] });
    const g3 = await register(t, { locality: l, organizationIds: [chosen] });
    const g4 = await register(t, { locality: l, organizationIds: [chosen] });
    const stop = `mutation($id: ID!, $until: Date) { addToStopList(applicationId: $id, reason: "documents forged", until: $until) { status } }`;
    ok(await t.gql(stop, { id: g3.id, until: null }, t.admin));
    ok(await t.gql(stop, { id: g4.id, until: '2026-09-19' }, t.admin));
    const [v] = await publish(t, home);
    // Bulletin Wed 16 September, nobody eligible (all chose another organization): open Thu 17 September 09:00.
    await advance(t, '2026-09-17T09:00:30+05:00');
    expect([await openNotices(t, g1.id), await openNotices(t, g2.id), await openNotices(t, g3.id), await openNotices(t, g4.id)]).toEqual([
      1, 1, 0, 0,
    ]);
    // g1 claims it and declines: the place comes back, and when its priority window passes again unreferred
    // (Fri 18 September run, open Sat 19 September 09:00) it is told again — g1 declined it, so not g1.
    await advance(t, '2026-09-17T10:00:00+05:00');
    const claim = ok(
      await t.gql(
        `mutation($v: ID!, $a: ID!) { claimVacancy(vacancyId: $v, applicationId: $a) { id status } }`,
        { v, a: g1.id },
        applicantOf(t, g1),
      ),
    );
    ok(await t.gql(`mutation($id: ID!) { declineReferral(id: $id) { status } }`, { id: claim.claimVacancy.id }, applicantOf(t, g1)));
    await advance(t, '2026-09-18T09:00:30+05:00');
    expect(await openNotices(t, g2.id)).toBe(1);
    await advance(t, '2026-09-19T09:00:30+05:00');
    expect([await openNotices(t, g1.id), await openNotices(t, g2.id), await openNotices(t, g3.id), await openNotices(t, g4.id)]).toEqual([
      1, 2, 0, 0,
    ]);
    // g3 is taken off the stop-list by an operator (Sat 10:00); g4's term ends at 00:00 on Sun 20 September.
    // The next notice (Sun 09:00) tells both; g2, told in this round already, is not texted again.
    await advance(t, '2026-09-19T10:00:00+05:00');
    ok(await t.gql(`mutation($id: ID!) { removeFromStopList(applicationId: $id) { status } }`, { id: g3.id }, t.admin));
    await advance(t, '2026-09-20T09:00:30+05:00');
    expect((await state(t, g4.id)).status).toBe('QUEUED');
    expect([await openNotices(t, g1.id), await openNotices(t, g2.id), await openNotices(t, g3.id), await openNotices(t, g4.id)]).toEqual([
      1, 2, 1, 1,
    ]);
    // Nothing changes the round on the next days: no further texts.
    await advance(t, '2026-09-21T09:00:30+05:00');
    expect(
      await count(t, `SELECT count(*) FROM notification WHERE stage = 'OPEN_PLACE_FITS' AND idempotency_key LIKE $1`, [`%:${v}:%`]),
    ).toBe(5);
  });

  it('a sibling joins a batch only within 30 days (setting) of its first registration', async () => {
    const l = '751240000';
    const applicantIin = makeIin('1990-05-05', 'F', 7702);
    const first = await register(t, { locality: l, applicantIin, birthDate: '2024-02-01' });
    const registerGql = `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`;
    // Wed 21 October: the 30th day after 21 September 09:00:30's registration day — still in time.
    await advance(t, '2026-10-21T10:00:00+05:00');
    const second = ok(
      await t.gql(
        registerGql,
        { i: applicationInput({ locality: l, applicantIin, birthDate: '2024-02-10', siblingsOf: first.id }) },
        t.admin,
      ),
    );
    // Thu 22 October: 31 days after the first registration; refused, even through the later sibling.
    await advance(t, '2026-10-22T10:00:00+05:00');
    const before = await count(t, `SELECT count(*) FROM application WHERE locality = $1`, [l]);
    for (const siblingsOf of [first.id, second.registerApplication.id]) {
      const late = await t.gql(
        registerGql,
        { i: applicationInput({ locality: l, applicantIin, birthDate: '2024-02-15', siblingsOf }) },
        t.admin,
      );
      expect(errorCode(late)).toBe('BAD_USER_INPUT');
      expect(late.errors?.[0].message).toMatch(/siblingsOf.*30 days/);
    }
    expect(await count(t, `SELECT count(*) FROM application WHERE locality = $1`, [l])).toBe(before);
    const batch: { batch_id: string | null }[] = await t.ds.query(`SELECT batch_id FROM application WHERE locality = $1 ORDER BY seq`, [l]);
    expect(batch.map((b) => b.batch_id)).toEqual([first.id, first.id]);
  });

  it('the fairness audit replays the timeline (returned places judged at the next working day, twins) and finds nothing', async () => {
    const report = ok(
      await t.gql(`query { fairnessAudit { ok referralsChecked violations { check referralId message } } }`, {}, t.admin),
    ).fairnessAudit;
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.referralsChecked).toBeGreaterThanOrEqual(6);
  });
});
