import { makeIin } from '../../src/platform/identifiers/iin.js';
import { ageInMonths } from '../../src/platform/identifiers/iin.js';
import { legalBasisProblem } from '../../src/queue/domain/legal-bases.js';
import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';
import { advance, applicantOf, applicationInput, count, createOrg, ledgerTypes, publish, register } from '../utils/fixtures.js';
import { COUNT_DRIFT } from '../utils/invariants.js';

/**
 * Issue 15 items 1, 2 and 14: a family corrects its application (updateApplication) and claims a category
 * after registration (addPriorityClaim); a lapsed or rejected claim cannot be confirmed; one count of
 * months of age (29 February), applicants of full age, legal bases from paragraph 1 of the Rules.
 */
const APP = `id number status registeredAt phone organizationIds language workModes groupType acceptsTemporaryStay
  notificationLanguage desiredAdmissionDate priorityClass queueNumber claims { category status claimedAt dueAt }
  referral { id vacancy { id } }`;
const UPDATE = `mutation($id: ID!, $i: UpdateApplicationInput!) { updateApplication(id: $id, input: $i) { ${APP} } }`;
const CLAIM = `mutation($id: ID!, $c: String!) { addPriorityClaim(applicationId: $id, category: $c) { ${APP} } }`;
const CONFIRM = `mutation($id: ID!, $c: String!, $ok: Boolean!) { confirmPriority(applicationId: $id, category: $c, confirmed: $ok) { ${APP} } }`;

describe('changing an application, claiming a category later, and the small rules', () => {
  let t: TestApp;
  const L = '751150000';
  const get = async (id: string): Promise<any> =>
    ok(await t.gql(`query($id: ID!) { application(id: $id) { ${APP} } }`, { id }, t.admin)).application;
  /** Rows of the tables a refused call must leave alone. */
  const fingerprint = async (id: string): Promise<unknown> => ({
    app: await t.ds.query(`SELECT * FROM application WHERE id = $1`, [id]),
    claims: await t.ds.query(`SELECT * FROM category_claim WHERE application_id = $1 ORDER BY category_code`, [id]),
    ledger: await count(t, `SELECT count(*) FROM ledger_event`),
    texts: await count(t, `SELECT count(*) FROM notification`),
  });

  /** Born on 29 February 2020: 5 years and 11 months on 28 February 2026, 6 on 1 March. */
  let leap: { id: string };

  beforeAll(async () => {
    t = await createTestApp({ simulation: '2026-02-20T10:00:00+05:00' });
    leap = await register(t, { locality: L, birthDate: '2020-02-29' });
  });
  afterAll(async () => {
    // The maintained queue counts agree with the rows after every change of choices and status.
    expect(await t.ds.query(COUNT_DRIFT)).toEqual([]);
    await t.close();
  });

  it('the owner changes phone, choices, language, work modes and date: number and time kept, ledgered without the phone, texted', async () => {
    const [o1, o2, o3] = [await createOrg(t, 'Aq', L), await createOrg(t, 'Kok', L), await createOrg(t, 'Sary', L)];
    const a = await register(t, { locality: L, organizationIds: [o1], phone: '+77015550101' });
    const before = await get(a.id);
    const owner = applicantOf(t, a);
    const r = ok(
      await t.gql(
        UPDATE,
        {
          id: a.id,
          i: {
            phone: '8 (702) 555-02-02',
            organizationIds: [o2, o3],
            language: 'RU',
            workModes: ['HALF_DAY', 'FULL_DAY'],
            desiredAdmissionDate: '2026-09-01',
            acceptsTemporaryStay: true,
            notificationLanguage: 'ru',
          },
        },
        owner,
      ),
    ).updateApplication;
    expect(r).toMatchObject({
      id: a.id,
      number: before.number,
      registeredAt: before.registeredAt,
      status: 'QUEUED',
      phone: '+77025550202',
      organizationIds: [o2, o3],
      language: 'RU',
      workModes: ['HALF_DAY', 'FULL_DAY'],
      desiredAdmissionDate: '2026-09-01',
      acceptsTemporaryStay: true,
      notificationLanguage: 'ru',
      queueNumber: 1,
    });
    const events: { type: string; data: Record<string, unknown>; actor: string }[] = await t.ds.query(
      `SELECT type, data, actor FROM ledger_event WHERE entity_id = $1 AND type = 'application.updated'`,
      [a.id],
    );
    expect(events).toHaveLength(1);
    expect(events[0].data).toEqual({
      fields: ['phone', 'organizationIds', 'language', 'workModes', 'acceptsTemporaryStay', 'notificationLanguage', 'desiredAdmissionDate'],
      organizationIds: [o2, o3],
      language: 'RU',
      workModes: ['HALF_DAY', 'FULL_DAY'],
      acceptsTemporaryStay: true,
      notificationLanguage: 'ru',
      desiredAdmissionDate: '2026-09-01',
    });
    expect(JSON.stringify(events)).not.toContain('+770');
    // Texted in the new language to the new phone, and the old phone hears of the change.
    const texts: { phone: string; text: string; language: string }[] = await t.ds.query(
      `SELECT phone, text, language FROM notification WHERE application_id = $1 AND stage = 'APPLICATION_UPDATED' ORDER BY phone`,
      [a.id],
    );
    expect(texts.map((x) => [x.phone, x.language])).toEqual([
      ['+77015550101', 'ru'],
      ['+77025550202', 'ru'],
    ]);
    expect(texts[0].text).toContain(before.number);
    expect(texts[0].text).toMatch(/номер телефона, выбранные детские сады, язык группы/);
    expect(texts[0].text).not.toContain('+770');
    // The same facts again: nothing changes, nothing is written.
    const fp = await fingerprint(a.id);
    ok(await t.gql(UPDATE, { id: a.id, i: { organizationIds: [o3, o2], language: 'RU' } }, owner));
    expect(await fingerprint(a.id)).toEqual(fp);
    // The queue position per organization follows the new choices (maintained counts).
    const pos = ok(
      await t.gql(`query($n: String) { queuePosition(number: $n) { positionsByOrganization { organizationId } } }`, { n: before.number }),
    ).queuePosition;
    expect(pos.positionsByOrganization.map((p: { organizationId: string }) => p.organizationId).sort()).toEqual([o2, o3].sort());
    expect(await t.ds.query(COUNT_DRIFT)).toEqual([]);
    // Back to "any organization of the locality" by an operator.
    expect(ok(await t.gql(UPDATE, { id: a.id, i: { organizationIds: [] } }, t.admin)).updateApplication.organizationIds).toEqual([]);
    expect(await t.ds.query(COUNT_DRIFT)).toEqual([]);
  });

  it('validates like registration; other callers and archived applications are refused; a refusal changes nothing', async () => {
    const other = await createOrg(t, 'Elsewhere', '751160000');
    const mine = await createOrg(t, 'Here', L);
    const five = await Promise.all([1, 2, 3, 4, 5].map((n) => createOrg(t, `Five ${n}`, L)));
    const a = await register(t, { locality: L, birthDate: '2023-03-10' });
    const owner = applicantOf(t, a);
    const fp = await fingerprint(a.id);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ phone: '12345' }, 'BAD_USER_INPUT', 'phone'],
      [{ organizationIds: [other] }, 'BAD_USER_INPUT', 'not in locality'],
      [{ organizationIds: ['00000000-0000-4000-8000-000000000001'] }, 'BAD_USER_INPUT', 'does not exist'],
      [{ organizationIds: [mine, mine] }, 'BAD_USER_INPUT', 'must not repeat'],
      [{ desiredAdmissionDate: '2023-01-01' }, 'BAD_USER_INPUT', 'before the birth date'],
      [{ desiredAdmissionDate: '2026-02-30' }, 'BAD_USER_INPUT', 'desiredAdmissionDate'],
      [{ workModes: [] }, 'BAD_USER_INPUT', 'workModes'],
      [{ notificationLanguage: 'en' }, 'BAD_USER_INPUT', 'notificationLanguage'],
    ];
    for (const [i, code, message] of cases) {
      const res = await t.gql(UPDATE, { id: a.id, i }, owner);
      expect({ i, code: errorCode(res) }).toEqual({ i, code });
      expect(JSON.stringify(res.errors)).toContain(message);
    }
    expect(errorCode(await t.gql(UPDATE, { id: a.id, i: { organizationIds: five } }, owner))).toBe('BAD_USER_INPUT');
    const stranger = t.token({ role: 'APPLICANT', iin: makeIin('1985-05-05', 'M', 9911) });
    expect(errorCode(await t.gql(UPDATE, { id: a.id, i: { language: 'RU' } }, stranger))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(UPDATE, { id: a.id, i: { language: 'RU' } }))).toBe('UNAUTHENTICATED');
    expect(await fingerprint(a.id)).toEqual(fp);
    ok(await t.gql(`mutation($id: ID!) { withdrawApplication(id: $id) { id } }`, { id: a.id }, owner));
    const archived = await fingerprint(a.id);
    expect(errorCode(await t.gql(UPDATE, { id: a.id, i: { language: 'RU' } }, owner))).toBe('CONFLICT');
    expect(errorCode(await t.gql(CLAIM, { id: a.id, c: 'LARGE_FAMILY' }, owner))).toBe('CONFLICT');
    expect(await fingerprint(a.id)).toEqual(archived);
  });

  it('allocation uses the new facts: a family that moved to a Russian group gets the Russian place with its old time', async () => {
    const L2 = '751170000';
    const org = await createOrg(t, 'Moved', L2);
    const early = await register(t, { locality: L2, language: 'KK' });
    const later = await register(t, { locality: L2, language: 'RU' });
    ok(await t.gql(UPDATE, { id: early.id, i: { language: 'RU', workModes: ['FULL_DAY'] } }, applicantOf(t, early)));
    await publish(t, org, { language: 'RU' });
    await advance(t, '2026-02-21T09:00:30+05:00');
    expect((await get(early.id)).referral).not.toBeNull();
    expect((await get(later.id)).referral).toBeNull();
    // The fairness audit replays application.updated: no false violation for the referral to `early`.
    const audit = ok(await t.gql(`{ fairnessAudit { ok violations { check message } } }`, {}, t.admin)).fairnessAudit;
    expect(audit.violations).toEqual([]);
  });

  it('a proactive registration (GENERAL, no categories, no temporary stay) is corrected the same way', async () => {
    const parent = makeIin('1991-07-07', 'F', 9921);
    const offer = ok(
      await t.gql(
        `mutation($i: BirthInput!) { registerBirth(input: $i) { token } }`,
        {
          i: {
            childIin: makeIin('2026-02-01', 'M', 9922),
            childName: 'Newborn',
            applicantIin: parent,
            phone: '+77017770707',
            locality: L,
          },
        },
        t.admin,
      ),
    ).registerBirth;
    // Answered by the token's holder (here an operator, who may read the application it registered).
    const answered = ok(
      await t.gql(
        `mutation($k: String!) { answerProactiveOffer(token: $k, consent: true) { application { id groupType } } }`,
        { k: offer.token },
        t.admin,
      ),
    ).answerProactiveOffer;
    expect(answered.application.groupType).toBe('GENERAL');
    const id = answered.application.id as string;
    const owner = t.token({ role: 'APPLICANT', iin: parent });
    const r = ok(
      await t.gql(UPDATE, { id, i: { groupType: 'SPECIAL', acceptsTemporaryStay: true, workModes: ['HALF_DAY'] } }, owner),
    ).updateApplication;
    expect(r).toMatchObject({ groupType: 'SPECIAL', acceptsTemporaryStay: true, workModes: ['HALF_DAY'] });
    const c = ok(await t.gql(CLAIM, { id, c: 'SPECIAL_NEEDS' }, owner)).addPriorityClaim;
    expect(c.claims).toMatchObject([{ category: 'SPECIAL_NEEDS', status: 'PENDING' }]);
  });

  it('addPriorityClaim: PENDING with the proof deadline, texted; a lapsed claim cannot be confirmed, a new claim can', async () => {
    const a = await register(t, { locality: L });
    const owner = applicantOf(t, a);
    const fp = await fingerprint(a.id);
    expect(errorCode(await t.gql(CLAIM, { id: a.id, c: 'ASTRONAUT' }, owner))).toBe('BAD_USER_INPUT');
    expect(
      errorCode(await t.gql(CLAIM, { id: a.id, c: 'LARGE_FAMILY' }, t.token({ role: 'APPLICANT', iin: makeIin('1980-01-01', 'M', 9931) }))),
    ).toBe('FORBIDDEN');
    expect(await fingerprint(a.id)).toEqual(fp);
    const now = new Date(ok(await t.gql(`{ now }`)).now as string);
    const claimed = ok(await t.gql(CLAIM, { id: a.id, c: 'LARGE_FAMILY' }, owner)).addPriorityClaim;
    expect(claimed.priorityClass).toBe(2);
    expect(claimed.claims).toHaveLength(1);
    const claim = claimed.claims[0];
    expect(claim).toMatchObject({ category: 'LARGE_FAMILY', status: 'PENDING' });
    expect(new Date(claim.claimedAt).getTime()).toBeGreaterThanOrEqual(now.getTime());
    // 5 working days from Sat 21 Feb 2026 (after the allocation test's advance): Mon 23 … Fri 27 Feb, end of day.
    expect(new Date(claim.dueAt).toISOString()).toBe('2026-02-27T19:00:00.000Z');
    expect(await ledgerTypes(t, a.id)).toEqual(['application.registered', 'application.priority_claimed']);
    expect(await count(t, `SELECT count(*) FROM notification WHERE application_id = $1 AND stage = 'PROOF_REQUESTED'`, [a.id])).toBe(1);
    // Already pending: refused, nothing written.
    const fp2 = await fingerprint(a.id);
    expect(errorCode(await t.gql(CLAIM, { id: a.id, c: 'LARGE_FAMILY' }, owner))).toBe('CONFLICT');
    expect(await fingerprint(a.id)).toEqual(fp2);

    // A second application whose claim will be rejected, and one confirmed: CONFIRMED cannot be claimed again.
    const b = await register(t, { locality: L, priorityCategories: ['TEACHER', 'ORPHAN'] });
    ok(await t.gql(CONFIRM, { id: b.id, c: 'TEACHER', ok: false }, t.admin));
    ok(await t.gql(CONFIRM, { id: b.id, c: 'ORPHAN', ok: true }, t.admin));
    expect(errorCode(await t.gql(CONFIRM, { id: b.id, c: 'TEACHER', ok: true }, t.admin))).toBe('CONFLICT');
    expect(errorCode(await t.gql(CLAIM, { id: b.id, c: 'ORPHAN' }, applicantOf(t, b)))).toBe('CONFLICT');

    // The proof period runs out: the claim lapses at 00:00 after its deadline.
    await advance(t, '2026-02-28T00:30:00+05:00');
    expect((await get(a.id)).claims).toMatchObject([{ category: 'LARGE_FAMILY', status: 'LAPSED' }]);
    // The operator can no longer confirm it (it would jump the queue with a stale claim).
    const fp3 = await fingerprint(a.id);
    const refused = await t.gql(CONFIRM, { id: a.id, c: 'LARGE_FAMILY', ok: true }, t.admin);
    expect(errorCode(refused)).toBe('CONFLICT');
    expect(JSON.stringify(refused.errors)).toMatch(/new claim is needed/);
    expect(await fingerprint(a.id)).toEqual(fp3);
    // A new claim (renewed: new time, new deadline) can be confirmed; the class follows.
    const renewed = ok(await t.gql(CLAIM, { id: a.id, c: 'LARGE_FAMILY' }, t.admin)).addPriorityClaim;
    expect(renewed.claims).toMatchObject([{ category: 'LARGE_FAMILY', status: 'PENDING' }]);
    expect(new Date(renewed.claims[0].dueAt).getTime()).toBeGreaterThan(new Date(claim.dueAt).getTime());
    const data: { data: Record<string, unknown> }[] = await t.ds.query(
      `SELECT data FROM ledger_event WHERE entity_id = $1 AND type = 'application.priority_claimed' ORDER BY seq`,
      [a.id],
    );
    expect(data.map((d) => d.data.previousStatus)).toEqual([null, 'LAPSED']);
    expect(await count(t, `SELECT count(*) FROM notification WHERE application_id = $1 AND stage = 'PROOF_REQUESTED'`, [a.id])).toBe(2);
    const confirmed = ok(await t.gql(CONFIRM, { id: a.id, c: 'LARGE_FAMILY', ok: true }, t.admin)).confirmPriority;
    expect(confirmed.priorityClass).toBe(1);
    expect(confirmed.claims).toMatchObject([{ category: 'LARGE_FAMILY', status: 'CONFIRMED' }]);
    // The rejected claim of b is claimed anew by its family.
    const again = ok(await t.gql(CLAIM, { id: b.id, c: 'TEACHER' }, applicantOf(t, b))).addPriorityClaim;
    expect(again.claims.find((c: { category: string }) => c.category === 'TEACHER').status).toBe('PENDING');
  });

  it('an applicant must be 18 or older', async () => {
    const minor = makeIin('2009-06-01', 'F', 9941); // 16 years old
    const res = await t.gql(
      `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`,
      { i: applicationInput({ applicantIin: minor, locality: L }) },
      t.admin,
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res.errors)).toMatch(/18 or older/);
    const adult = makeIin('2008-02-20', 'F', 9942); // 18 on 20 Feb 2026
    ok(
      await t.gql(
        `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`,
        { i: applicationInput({ applicantIin: adult, locality: L }) },
        t.admin,
      ),
    );
  });

  it('the legal basis of every category cites the laws of paragraph 1 of the Rules it rests on', async () => {
    const cats: { code: string; legalBasis: string }[] = ok(await t.gql(`{ priorityCategories { code legalBasis } }`)).priorityCategories;
    expect(cats).toHaveLength(8);
    expect(cats.map((c) => [c.code, legalBasisProblem(c.code, c.legalBasis)])).toEqual(cats.map((c) => [c.code, null]));
  });

  it('months of age: SQL counts them as TypeScript does; a child born on 29 February ages out on 1 March', async () => {
    const pairs: [string, string][] = [];
    const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
    let x = 12345;
    const rnd = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 500; i++) {
      const a = Date.UTC(2016, 0, 1) + Math.floor(rnd() * 3650) * 86_400_000;
      pairs.push([day(a), day(a + Math.floor(rnd() * 2600) * 86_400_000)]);
    }
    pairs.push(['2020-02-29', '2026-02-28'], ['2020-02-29', '2026-03-01'], ['2020-01-31', '2020-02-29'], ['2020-01-31', '2020-03-01']);
    const rows: { m: number }[] = await t.ds.query(
      `SELECT age_in_months(b, o) AS m FROM unnest($1::date[], $2::date[]) WITH ORDINALITY AS x(b, o, n) ORDER BY n`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    expect(rows.map((r) => r.m)).toEqual(pairs.map(([b, o]) => ageInMonths(b, o)));

    // Registered at 5 (TypeScript: 71 months on 28 Feb 2026); the 00:00 sweeps of 28 Feb (run by the claim
    // test's advance) and 1 March: it is still waiting on 28 Feb and leaves on 1 March.
    await advance(t, '2026-02-28T23:30:00+05:00');
    expect((await get(leap.id)).status).toBe('QUEUED');
    await advance(t, '2026-03-01T00:30:00+05:00');
    const after = ok(
      await t.gql(`query($id: ID!) { application(id: $id) { status archiveReason } }`, { id: leap.id }, t.admin),
    ).application;
    expect(after).toEqual({ status: 'ARCHIVED', archiveReason: 'AGED_OUT' });
    // And registration refuses the child from 1 March on, the same day.
    const res = await t.gql(
      `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`,
      { i: applicationInput({ locality: L, birthDate: '2020-02-29' }) },
      t.admin,
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});
