import type { EntityManager } from 'typeorm';
import { CalendarService } from '../../src/calendar/calendar.service.js';
import { workingDaysDeadline } from '../../src/calendar/domain/deadlines.js';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { Clock } from '../../src/platform/clock/clock.js';
import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';
import { advance, applicantOf, count, createOrg, publish, register, staffOf } from '../utils/fixtures.js';
import { LIVE_REFERRAL_STATUSES_SQL } from '../../src/referral/domain/referral-state.js';

const AUDIT = `query($from: DateTime, $to: DateTime) { fairnessAudit(from: $from, to: $to) {
  from to eventsReplayed referralsChecked ok violations { check eventSeq referralId message evidence } } }`;

interface Violation {
  check: string;
  eventSeq: number;
  referralId: string | null;
  message: string;
  evidence: string;
}

async function audit(
  t: TestApp,
  vars: { from?: string; to?: string } = {},
): Promise<{
  ok: boolean;
  eventsReplayed: number;
  referralsChecked: number;
  violations: Violation[];
}> {
  return ok(await t.gql(AUDIT, vars, t.admin)).fairnessAudit;
}

async function liveReferral(t: TestApp, applicationId: string): Promise<{ id: string; status: string; vacancy_id: string } | undefined> {
  const rows: { id: string; status: string; vacancy_id: string }[] = await t.ds.query(
    `SELECT id, status, vacancy_id FROM referral WHERE application_id = $1 AND status IN ${LIVE_REFERRAL_STATUSES_SQL}`,
    [applicationId],
  );
  return rows[0];
}

describe('fairness audit: the ledger replayed against the rules (simulated clock)', () => {
  let t: TestApp;
  const loc = '751110000';
  const plantLoc = '751120000';
  beforeAll(async () => {
    // Monday 7 September 2026, 10:00 Almaty.
    t = await createTestApp({ simulation: '2026-09-07T10:00:00+05:00' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('is for ADMIN only', async () => {
    expect(errorCode(await t.gql(AUDIT, {}, t.token({ role: 'APPLICANT', iin: '900101400011' })))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(AUDIT, {}))).toMatch(/UNAUTHENTICATED|FORBIDDEN/);
    expect(errorCode(await t.gql(AUDIT, { from: '2026-09-10T00:00:00+05:00', to: '2026-09-01T00:00:00+05:00' }, t.admin))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('two weeks of allocations, confirmations, a decline, expiries, stop-list terms and twins audit clean', async () => {
    const orgA = await createOrg(t, 'Aigolek', loc);
    const orgB = await createOrg(t, 'Baldauren', loc);
    const z = await register(t, { locality: loc, priorityCategories: ['MILITARY'] });
    const g1 = await register(t, { locality: loc });
    const f1 = await register(t, { locality: loc, priorityCategories: ['LARGE_FAMILY'] });
    const g2 = await register(t, { locality: loc, birthDate: '2022-05-05' });
    const tw1 = await register(t, {
      locality: loc,
      organizationIds: [orgA],
      birthDate: '2023-04-04',
    });
    const tw2 = await register(t, {
      locality: loc,
      organizationIds: [orgA],
      birthDate: '2023-04-04',
      applicantIin: tw1.applicantIin,
      siblingsOf: tw1.id,
    });
    const g3 = await register(t, { locality: loc });
    const f2 = await register(t, { locality: loc, priorityCategories: ['TEACHER'] });
    const g4 = await register(t, { locality: loc, birthDate: '2022-07-07' });
    const g5 = await register(t, { locality: loc });
    for (const [a, c] of [
      [z, 'MILITARY'],
      [f1, 'LARGE_FAMILY'],
      [f2, 'TEACHER'],
    ] as const) {
      ok(
        await t.gql(
          `mutation($id: ID!, $c: String!) { confirmPriority(applicationId: $id, category: $c, confirmed: true) { priorityClass } }`,
          { id: a.id, c },
          t.admin,
        ),
      );
    }
    await publish(t, orgB, { count: 2 });
    await publish(t, orgA, { count: 3 });
    await advance(t, '2026-09-08T09:00:30+05:00');
    // Five places: z (class 0), f1 (class 1's turn), then general; the twins only together at orgA.
    const first = await Promise.all([z, f1, g1, g2, tw1, tw2, g3, f2, g4, g5].map((a) => liveReferral(t, a.id)));
    expect(first.filter(Boolean)).toHaveLength(5);
    expect(first[0]).toBeDefined();
    expect(first[1]).toBeDefined();

    // z confirms and is enrolled; f1 declines; the others let theirs run.
    const zr = first[0]!;
    ok(await t.gql(`mutation($id: ID!) { confirmReferral(id: $id) { status } }`, { id: zr.id }, applicantOf(t, z)));
    const orgOfZ: { organization_id: string }[] = await t.ds.query(`SELECT organization_id FROM vacancy WHERE id = $1`, [zr.vacancy_id]);
    const staff = staffOf(t, orgOfZ[0].organization_id);
    ok(
      await t.gql(
        `mutation($id: ID!) { recordDocuments(referralId: $id, kinds: [BIRTH_CERTIFICATE, HEALTH_PASSPORT, VACCINATION_CARD, APPLICANT_ID, PRIORITY_PROOF]) { id } }`,
        { id: zr.id },
        staff,
      ),
    );
    ok(await t.gql(`mutation($id: ID!) { enrollByReferral(id: $id) { status } }`, { id: zr.id }, staff));
    ok(await t.gql(`mutation($id: ID!) { declineReferral(id: $id) { status } }`, { id: first[1]!.id }, applicantOf(t, f1)));

    await advance(t, '2026-09-09T09:00:30+05:00'); // the declined place goes to the next head
    await publish(t, orgB, { count: 2, ageFromMonths: 36, ageToMonths: 60 });
    await advance(t, '2026-09-10T09:00:30+05:00');
    // Unconfirmed referrals of 8 Sep expire on 11 Sep 00:00 (stop-list to 20 Sep); places go round again.
    await advance(t, '2026-09-12T09:00:30+05:00');
    expect(await count(t, `SELECT count(*) FROM referral WHERE status = 'EXPIRED'`)).toBeGreaterThanOrEqual(3);
    expect(await count(t, `SELECT count(*) FROM stop_list_entry`)).toBeGreaterThanOrEqual(3);
    // Confirm what is offered now; then through the stop-list terms' end (22 Sep 00:00).
    const offered: { id: string; applicant_iin: string }[] = await t.ds.query(
      `SELECT r.id, a.applicant_iin FROM referral r JOIN application a ON a.id = r.application_id WHERE r.status = 'OFFERED'`,
    );
    for (const r of offered) {
      ok(
        await t.gql(
          `mutation($id: ID!) { confirmReferral(id: $id) { status } }`,
          { id: r.id },
          t.token({ role: 'APPLICANT', iin: r.applicant_iin }),
        ),
      );
    }
    await advance(t, '2026-09-22T00:00:30+05:00');
    expect(await count(t, `SELECT count(*) FROM stop_list_entry WHERE ended_at IS NOT NULL`)).toBeGreaterThanOrEqual(3);

    const report = await audit(t);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.eventsReplayed).toBe(await count(t, `SELECT count(*) FROM ledger_event`));
    expect(report.referralsChecked).toBe(await count(t, `SELECT count(*) FROM referral`));
    expect(g5).toBeDefined();
  });

  it('finds planted violations: a skipped better application, a wrong confirmBy, an expiry without stop-list', async () => {
    const org = await createOrg(t, 'Kunshuaq', plantLoc);
    const better = await register(t, { locality: plantLoc });
    const worse = await register(t, { locality: plantLoc });
    const [v1, v2] = await publish(t, org, { count: 2 });
    const ledger = t.app.get(LedgerService);
    const now = t.app.get(Clock).now();
    const cal = await t.app.get(CalendarService).calendar();
    const confirmBy = workingDaysDeadline(cal, now, 2);

    const issue = (em: EntityManager, app: { id: string }, vacancyId: string, by: Date): Promise<string> =>
      (async () => {
        const rows: { id: string; seq: string; registered_at: Date }[] = await em.query(
          `SELECT id, seq::text AS seq, registered_at FROM application WHERE id = $1`,
          [app.id],
        );
        const ins: { id: string }[] = await em.query(
          `INSERT INTO referral (application_id, vacancy_id, status, issued_at, clock_start, confirm_by, required_documents, claimed, queue_key)
           VALUES ($1, $2, 'OFFERED', $3, $3, $4, '{}', false, $5) RETURNING id`,
          [app.id, vacancyId, now, by, `${plantLoc}:2023`],
        );
        await em.query(`UPDATE vacancy SET status = 'REFERRED' WHERE id = $1`, [vacancyId]);
        await em.query(`UPDATE application SET status = 'REFERRED' WHERE id = $1`, [app.id]);
        await ledger.append(em, {
          type: 'referral.issued',
          entity: 'referral',
          entityId: ins[0].id,
          actor: 'system:allocation',
          at: now,
          data: {
            applicationId: app.id,
            vacancyId,
            status: 'OFFERED',
            queueKey: `${plantLoc}:2023`,
            runId: null,
            claimed: false,
            priorityClass: 2,
            registeredAt: rows[0].registered_at.toISOString(),
            seq: Number(rows[0].seq),
            clockStart: now.toISOString(),
            confirmBy: by.toISOString(),
          },
        });
        return ins[0].id;
      })();

    // 1. NO_SKIP: the later registration gets v1 while the earlier one waits.
    const skipped = await t.ds.transaction((em) => issue(em, worse, v1, confirmBy));
    // 2. DEADLINE: the right application gets v2, with a confirmation deadline a day too long.
    const late = await t.ds.transaction((em) => issue(em, better, v2, new Date(confirmBy.getTime() + 86_400_000)));
    const r1 = await audit(t);
    expect(r1.ok).toBe(false);
    expect(r1.violations.map((v) => [v.check, v.referralId])).toEqual([
      ['NO_SKIP', skipped],
      ['DEADLINE', late],
    ]);
    expect(JSON.parse(r1.violations[0].evidence)).toMatchObject({
      better: { applicationId: better.id, priorityClass: 2 },
      referral: { applicationId: worse.id },
      vacancyId: v1,
    });
    expect(JSON.parse(r1.violations[1].evidence)).toMatchObject({
      expectedConfirmBy: confirmBy.toISOString(),
    });

    // 3. STOP_LIST: the skipped referral expires at its deadline, but no stop-list term follows.
    await t.ds.transaction(async (em) => {
      await em.query(`UPDATE referral SET status = 'EXPIRED', closed_at = $2 WHERE id = $1`, [skipped, confirmBy]);
      await em.query(`UPDATE vacancy SET status = 'PUBLISHED' WHERE id = $1`, [v1]);
      await em.query(`UPDATE application SET status = 'QUEUED' WHERE id = $1`, [worse.id]);
      await em.query(`INSERT INTO referral_exclusion (application_id, vacancy_id) VALUES ($1, $2)`, [worse.id, v1]);
      await ledger.append(em, {
        type: 'referral.expired',
        entity: 'referral',
        entityId: skipped,
        actor: 'system:expiry',
        at: confirmBy,
        data: {
          applicationId: worse.id,
          vacancyId: v1,
          reason: 'not confirmed in time',
          previousStatus: 'OFFERED',
          confirmBy: confirmBy.toISOString(),
          validUntil: null,
        },
      });
    });
    const to = new Date(confirmBy.getTime() + 3600_000).toISOString();
    const r2 = await audit(t, { to });
    expect(r2.violations.map((v) => [v.check, v.referralId])).toEqual([
      ['NO_SKIP', skipped],
      ['DEADLINE', late],
      ['STOP_LIST', skipped],
    ]);
    expect(r2.violations[2].message).toMatch(/without the stop-list entry/);
    // The default period ends now: the planted expiry (at its deadline, still ahead) is not in it yet.
    expect((await audit(t)).violations.map((v) => v.check)).toEqual(['NO_SKIP', 'DEADLINE']);
    // A period after the plants has nothing to report.
    expect((await audit(t, { from: new Date(now.getTime() + 1).toISOString() })).violations).toEqual([]);
  });
});
