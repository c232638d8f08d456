import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';
import { advance, count, createOrg, publish, register } from '../utils/fixtures.js';
import { LIVE_REFERRAL_STATUSES_SQL } from '../../src/referral/domain/referral-state.js';

const REF = `id status confirmBy validUntil extended documents missingDocuments issuedAt application { id status } vacancy { id status }`;

async function liveReferral(t: TestApp, appId: string): Promise<any> {
  const d = ok(await t.gql(`query($id: ID!) { application(id: $id) { status queueNumber referral { ${REF} } } }`, { id: appId }, t.admin));
  return d.application;
}

describe('allocation and referrals through the daily cycle (simulated clock)', () => {
  let t: TestApp;
  let org: string;
  const loc = '751110000';
  beforeAll(async () => {
    // Monday 2026-09-07, 10:00 Almaty.
    t = await createTestApp({ simulation: '2026-09-07T10:00:00+05:00' });
    org = await createOrg(t, 'Balbobek', loc);
  });
  afterAll(async () => {
    await t.close();
  });

  it('bulletin at 09:00, the head gets the place; confirm, documents, enroll', async () => {
    const a1 = await register(t, { locality: loc });
    const a2 = await register(t, { locality: loc });
    const staff = t.token({ role: 'ORG_STAFF', organizationId: org });
    const [v1] = await publish(t, org, {}, staff);
    // Before 09:00 next day: no bulletin, no referral.
    expect((await liveReferral(t, a1.id)).referral).toBeNull();
    await advance(t, '2026-09-08T09:00:30+05:00');
    const bulletin = ok(
      await t.gql(`{ bulletin(date: "2026-09-08", kind: VACATED) { position at kind vacancy { id organization { name } } ledgerHead } }`),
    );
    expect(bulletin.bulletin).toHaveLength(1);
    expect(bulletin.bulletin[0]).toMatchObject({ position: 1, kind: 'VACATED', vacancy: { id: v1, organization: { name: 'Balbobek' } } });
    const s1 = await liveReferral(t, a1.id);
    expect(s1.status).toBe('REFERRED');
    expect(s1.referral).toMatchObject({ status: 'OFFERED', vacancy: { id: v1, status: 'REFERRED' } });
    // Issued Tue 8 Sep 09:00: 2 working days → Wed 9, Thu 10 → ends 2026-09-11T00:00+05:00.
    expect(s1.referral.confirmBy).toBe('2026-09-11T00:00:00.000+05:00');
    expect((await liveReferral(t, a2.id)).referral).toBeNull();
    expect(await count(t, `SELECT count(*) FROM notification WHERE application_id = $1 AND stage = 'REFERRAL_OFFERED'`, [a1.id])).toBe(1);

    const owner = t.token({ role: 'APPLICANT', iin: a1.applicantIin });
    const stranger = t.token({ role: 'APPLICANT', iin: a2.applicantIin });
    expect(errorCode(await t.gql(`mutation($id: ID!) { confirmReferral(id: $id) { id } }`, { id: s1.referral.id }, stranger))).toBe(
      'FORBIDDEN',
    );
    const c = ok(
      await t.gql(
        `mutation($id: ID!) { confirmReferral(id: $id) { status validUntil requiredDocuments missingDocuments } }`,
        { id: s1.referral.id },
        owner,
      ),
    );
    expect(c.confirmReferral.status).toBe('CONFIRMED');
    // Confirmed Tue 8 Sep: 5 working days → Wed 9 … Tue 15 → ends 2026-09-16T00:00+05:00.
    expect(c.confirmReferral.validUntil).toBe('2026-09-16T00:00:00.000+05:00');
    expect(c.confirmReferral.missingDocuments).toEqual(['BIRTH_CERTIFICATE', 'HEALTH_PASSPORT', 'VACCINATION_CARD', 'APPLICANT_ID']);
    const otherStaff = t.token({ role: 'ORG_STAFF', organizationId: await createOrg(t, 'Other', loc) });
    expect(errorCode(await t.gql(`mutation($id: ID!) { enrollByReferral(id: $id) { id } }`, { id: s1.referral.id }, otherStaff))).toBe(
      'FORBIDDEN',
    );
    const early = await t.gql(`mutation($id: ID!) { enrollByReferral(id: $id) { id } }`, { id: s1.referral.id }, staff);
    expect(errorCode(early)).toBe('CONFLICT');
    expect(early.errors?.[0].message).toMatch(/missing/);
    ok(
      await t.gql(
        `mutation($id: ID!) { recordDocuments(referralId: $id, kinds: [BIRTH_CERTIFICATE, HEALTH_PASSPORT]) { missingDocuments } }`,
        { id: s1.referral.id },
        staff,
      ),
    );
    const rec = ok(
      await t.gql(
        `mutation($id: ID!) { recordDocuments(referralId: $id, kinds: [VACCINATION_CARD, APPLICANT_ID]) { missingDocuments } }`,
        { id: s1.referral.id },
        staff,
      ),
    );
    expect(rec.recordDocuments.missingDocuments).toEqual([]);
    const ext = ok(
      await t.gql(
        `mutation($id: ID!) { extendReferral(id: $id, until: "2026-10-05") { validUntil extended } }`,
        { id: s1.referral.id },
        staff,
      ),
    );
    expect(ext.extendReferral).toEqual({ validUntil: '2026-10-06T00:00:00.000+05:00', extended: true });
    expect(
      errorCode(await t.gql(`mutation($id: ID!) { extendReferral(id: $id, until: "2026-10-06") { id } }`, { id: s1.referral.id }, staff)),
    ).toBe('CONFLICT');
    const e = ok(
      await t.gql(
        `mutation($id: ID!) { enrollByReferral(id: $id) { status vacancy { status } application { status archiveReason } } }`,
        { id: s1.referral.id },
        staff,
      ),
    );
    expect(e.enrollByReferral).toEqual({
      status: 'ENROLLED',
      vacancy: { status: 'FILLED' },
      application: { status: 'ARCHIVED', archiveReason: 'ENROLLED' },
    });
    expect(await count(t, `SELECT count(*) FROM notification WHERE application_id = $1 AND stage = 'ENROLLED'`, [a1.id])).toBe(1);
    // a2 is now first in the queue.
    expect((await liveReferral(t, a2.id)).queueNumber).toBe(1);
    ok(await t.gql(`mutation($id: ID!) { withdrawApplication(id: $id) { id } }`, { id: a2.id }, t.admin));
  });

  it('an unconfirmed referral expires at the end of its last working day: stop-list 10 days, the place goes to the next head', async () => {
    const b1 = await register(t, { locality: loc, birthDate: '2022-05-05' });
    const b2 = await register(t, { locality: loc, birthDate: '2022-06-06' });
    const [v] = await publish(t, org, { ageFromMonths: 36, ageToMonths: 60 });
    await advance(t, '2026-09-09T09:00:30+05:00');
    const r1 = (await liveReferral(t, b1.id)).referral;
    expect(r1.vacancy.id).toBe(v);
    // Offered Wed 9 Sep: Thu 10, Fri 11 → ends 2026-09-12T00:00.
    expect(r1.confirmBy).toBe('2026-09-12T00:00:00.000+05:00');
    await advance(t, '2026-09-11T23:59:00+05:00');
    expect((await liveReferral(t, b1.id)).referral.status).toBe('OFFERED');
    await advance(t, '2026-09-12T00:00:30+05:00');
    const after = ok(
      await t.gql(
        `query($id: ID!) { application(id: $id) { status stopListReason stopListedUntil registeredAt referral { id } } }`,
        { id: b1.id },
        t.admin,
      ),
    );
    expect(after.application).toMatchObject({ status: 'STOP_LISTED', stopListedUntil: '2026-09-21', referral: null });
    const expired: { status: string }[] = await t.ds.query(`SELECT status FROM referral WHERE id = $1`, [r1.id]);
    expect(expired[0].status).toBe('EXPIRED');
    expect(
      await count(t, `SELECT count(*) FROM notification WHERE application_id = $1 AND stage = 'REFERRAL_EXPIRED_STOP_LISTED'`, [b1.id]),
    ).toBe(1);
    // Sat 12 Sep: allocation runs daily at 09:00 (calendar days); the place goes to b2.
    await advance(t, '2026-09-12T09:00:30+05:00');
    const r2 = (await liveReferral(t, b2.id)).referral;
    expect(r2).toMatchObject({ status: 'OFFERED', vacancy: { id: v } });
    // Weekend: offered Sat 12 → Mon 14, Tue 15 → ends 2026-09-16T00:00.
    expect(r2.confirmBy).toBe('2026-09-16T00:00:00.000+05:00');
    ok(
      await t.gql(
        `mutation($id: ID!) { declineReferral(id: $id) { status } }`,
        { id: r2.id },
        t.token({ role: 'APPLICANT', iin: b2.applicantIin }),
      ),
    );
    const b2After = await liveReferral(t, b2.id);
    expect(b2After).toMatchObject({ status: 'QUEUED', referral: null });
    // Never offered again to b1 (expired) or b2 (declined): the place stays unallocated at the next run.
    await advance(t, '2026-09-13T09:00:30+05:00');
    expect((await liveReferral(t, b2.id)).referral).toBeNull();
    // Stop-list ends with 21 Sep; b1 is back in the queue on 22 Sep 00:00 with its original time.
    await advance(t, '2026-09-21T23:00:00+05:00');
    expect((await liveReferral(t, b1.id)).status).toBe('STOP_LISTED');
    await advance(t, '2026-09-22T00:00:30+05:00');
    const back = ok(await t.gql(`query($id: ID!) { application(id: $id) { status registeredAt queueNumber } }`, { id: b1.id }, t.admin));
    expect(back.application.status).toBe('QUEUED');
    expect(back.application.registeredAt).toBe(after.application.registeredAt);
    expect(await count(t, `SELECT count(*) FROM notification WHERE application_id = $1 AND stage = 'STOP_LIST_ENDED'`, [b1.id])).toBe(1);
  });

  it('runAllocation twice at once issues no double referral; re-running changes nothing', async () => {
    const apps = [];
    for (let i = 0; i < 6; i++) apps.push(await register(t, { locality: '751120000', birthDate: '2023-02-0' + (i + 1) }));
    const org2 = await createOrg(t, 'Quokka', '751120000');
    await publish(t, org2, { count: 4 });
    // Into the next bulletin (the clock is at 22 Sep 00:00; the 09:00 bulletin of 22 Sep includes them).
    await t.ds.query(`UPDATE scheduled_run SET kind = kind`); // no-op: keeps the scheduler untouched
    const bulletinOnly = await t.app
      .get((await import('../../src/vacancy/vacancy.service.js')).VacancyService)
      .publishBulletins(new Date('2026-09-22T09:00:00+05:00'));
    expect(bulletinOnly.vacated).toBe(4);
    const runs = await Promise.all(
      [1, 2, 3].map(() => t.gql(`mutation { runAllocation { id referralsIssued vacanciesConsidered } }`, {}, t.admin)),
    );
    const issued = runs.map((r) => ok(r).runAllocation.referralsIssued as number);
    expect(issued.reduce((a, b) => a + b, 0)).toBe(4);
    expect(
      await count(
        t,
        `SELECT count(*) FROM referral r JOIN vacancy v ON v.id = r.vacancy_id WHERE v.locality = '751120000' AND r.status IN ${LIVE_REFERRAL_STATUSES_SQL}`,
      ),
    ).toBe(4);
    // The four oldest registrations got them.
    for (const [i, a] of apps.entries()) expect((await liveReferral(t, a.id)).status).toBe(i < 4 ? 'REFERRED' : 'QUEUED');
    const again = ok(await t.gql(`mutation { runAllocation { referralsIssued } }`, {}, t.admin));
    expect(again.runAllocation.referralsIssued).toBe(0);
  });

  it('publishing is refused during the August transfer period and by staff of another organization', async () => {
    const other = t.token({ role: 'ORG_STAFF', organizationId: await createOrg(t, 'Nope', loc) });
    const before = await count(t, 'SELECT count(*) FROM vacancy');
    const r = await t.gql(
      `mutation($i: [PublishVacancyInput!]!) { publishVacancies(input: $i) { id } }`,
      {
        i: [
          {
            organizationId: org,
            ageGroup: 'X',
            language: 'KK',
            ageFromMonths: 12,
            ageToMonths: 60,
            groupType: 'GENERAL',
            workMode: 'FULL_DAY',
            admissionMode: 'GENERAL',
            admissionStartDate: '2026-09-01',
            count: 3,
          },
        ],
      },
      other,
    );
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(await count(t, 'SELECT count(*) FROM vacancy')).toBe(before);
  });

  it('a place nobody in its priority window could take opens 24 h later; fitting families are told and one claims it', async () => {
    const l = '751170000';
    const home = await createOrg(t, 'Home', l);
    const chosen = await createOrg(t, 'Chosen', l);
    const c1 = await register(t, { locality: l, organizationIds: [chosen] });
    const c2 = await register(t, { locality: l, organizationIds: [chosen], language: 'RU' });
    const [v] = await publish(t, home);
    await advance(t, '2026-09-23T09:00:30+05:00');
    expect((await liveReferral(t, c1.id)).referral).toBeNull();
    const owner = t.token({ role: 'APPLICANT', iin: c1.applicantIin });
    const early = await t.gql(
      `mutation($v: ID!, $a: ID!) { claimVacancy(vacancyId: $v, applicationId: $a) { id } }`,
      { v, a: c1.id },
      owner,
    );
    expect(errorCode(early)).toBe('CONFLICT');
    await advance(t, '2026-09-24T09:00:30+05:00');
    const open = ok(await t.gql(`{ vacancies(openForClaim: true, locality: "${l}") { edges { node { id openForClaim } } } }`));
    expect(open.vacancies.edges.map((e: any) => e.node.id)).toEqual([v]);
    expect(await count(t, `SELECT count(*) FROM notification WHERE application_id = $1 AND stage = 'OPEN_PLACE_FITS'`, [c1.id])).toBe(1);
    // The RU-speaking family does not fit a KK group: no notice.
    expect(await count(t, `SELECT count(*) FROM notification WHERE application_id = $1 AND stage = 'OPEN_PLACE_FITS'`, [c2.id])).toBe(0);
    const claim = ok(
      await t.gql(
        `mutation($v: ID!, $a: ID!) { claimVacancy(vacancyId: $v, applicationId: $a) { status claimed vacancy { id status } } }`,
        { v, a: c1.id },
        owner,
      ),
    );
    expect(claim.claimVacancy).toEqual({ status: 'OFFERED', claimed: true, vacancy: { id: v, status: 'REFERRED' } });
    await advance(t, '2026-09-25T09:00:30+05:00');
    expect(
      await count(t, `SELECT count(*) FROM notification WHERE stage = 'OPEN_PLACE_FITS' AND idempotency_key LIKE $1`, [
        `OPEN_PLACE_FITS:${v}:%`,
      ]),
    ).toBe(1);
  });
});
