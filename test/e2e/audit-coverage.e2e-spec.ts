import { randomUUID } from 'node:crypto';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { Clock } from '../../src/platform/clock/clock.js';
import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';
import { advance, applicantOf, createOrg, ledgerTypes, publish, register, setClock } from '../utils/fixtures.js';

/**
 * Issue 16 item 7: the fairness audit covers claimed places and the priority window. A place nobody could
 * take in its allocation run gets its `vacancy.opened` event (the end of its priority window); a claim made
 * through claimVacancy after it passes the audit, and a claim planted in the ledger before it (written with
 * full database access, triggers off) is reported over GraphQL.
 */
const AUDIT = `query($from: DateTime, $to: DateTime) { fairnessAudit(from: $from, to: $to) {
  ok referralsChecked violations { check eventSeq referralId message evidence } } }`;
const VACANCY = `query($id: ID!) { vacancy(id: $id) { id status openAt openForClaim } }`;
const CLAIM = `mutation($v: ID!, $a: ID!) { claimVacancy(vacancyId: $v, applicationId: $a) { id status } }`;

interface Violation {
  check: string;
  eventSeq: number;
  referralId: string | null;
  message: string;
  evidence: string;
}

describe('fairness audit coverage: claims and the priority window (issue 16 item 7)', () => {
  let t: TestApp;
  const loc = '753110000';
  let org: string;
  let honest: { id: string; number: string; applicantIin: string };
  let planted: { id: string; number: string; applicantIin: string };
  let v1: string;
  let v2: string;
  let plantedId: string;

  const audit = async (
    vars: { from?: string; to?: string } = {},
  ): Promise<{ ok: boolean; referralsChecked: number; violations: Violation[] }> => ok(await t.gql(AUDIT, vars, t.admin)).fairnessAudit;

  beforeAll(async () => {
    // Monday 7 September 2026, 10:00 Almaty.
    t = await createTestApp({ simulation: '2026-09-07T10:00:00+05:00' });
    org = await createOrg(t, 'Shapagat', loc);
    // Both want a place only from 2027: allocation never gives them a 2026 place; they may claim an open one.
    honest = await register(t, { locality: loc, desiredAdmissionDate: '2027-09-01' });
    planted = await register(t, { locality: loc, desiredAdmissionDate: '2027-09-01' });
    [v1, v2] = await publish(t, org, { count: 2 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('an allocation run that refers nobody ledgers the opening of each place (vacancy.opened, 24 hours later)', async () => {
    await advance(t, '2026-09-08T09:00:30+05:00');
    for (const v of [v1, v2]) {
      expect(await ledgerTypes(t, v)).toEqual(['vacancy.published', 'vacancy.opened']);
      const place = ok(await t.gql(VACANCY, { id: v }, t.admin)).vacancy;
      expect(place.openForClaim).toBe(false);
      const rows: { at: Date; data: { openAt: string; priorityWindowHours: number } }[] = await t.ds.query(
        `SELECT at, data FROM ledger_event WHERE entity_id = $1 AND type = 'vacancy.opened'`,
        [v],
      );
      expect(rows[0].data).toEqual({ openAt: new Date(place.openAt).toISOString(), priorityWindowHours: 24 });
      expect(new Date(place.openAt).getTime() - rows[0].at.getTime()).toBe(24 * 3_600_000);
    }
    expect((await audit()).violations).toEqual([]);
  });

  it('claimVacancy in the priority window is refused; a claim planted in the ledger in it is reported NO_SKIP', async () => {
    await setClock(t, '2026-09-08T12:00:00+05:00');
    const early = await t.gql(CLAIM, { v: v2, a: planted.id }, applicantOf(t, planted));
    expect(errorCode(early)).toBe('CONFLICT');

    // Someone with full database access writes the claim the service refused, triggers off.
    const ledger = t.app.get(LedgerService);
    const now = t.app.get(Clock).now();
    plantedId = randomUUID();
    const app: { seq: string; registered_at: Date }[] = await t.ds.query(
      `SELECT seq::text AS seq, registered_at FROM application WHERE id = $1`,
      [planted.id],
    );
    await t.ds.transaction(async (em) => {
      await em.query(`SET LOCAL session_replication_role = replica`);
      await ledger.append(em, {
        type: 'referral.issued',
        entity: 'referral',
        entityId: plantedId,
        actor: `APPLICANT:${planted.id}`,
        at: now,
        data: {
          applicationId: planted.id,
          vacancyId: v2,
          status: 'OFFERED',
          queueKey: null,
          runId: null,
          claimed: true,
          priorityClass: 2,
          registeredAt: app[0].registered_at.toISOString(),
          seq: Number(app[0].seq),
          clockStart: now.toISOString(),
          confirmBy: new Date('2026-09-11T00:00:00+05:00').toISOString(),
        },
      });
    });
    const report = await audit();
    expect(report.ok).toBe(false);
    expect(report.violations.map((v) => [v.check, v.referralId, v.message])).toEqual([
      ['NO_SKIP', plantedId, 'claimed a place before its priority window ended'],
    ]);
    expect(JSON.parse(report.violations[0].evidence)).toMatchObject({
      vacancyId: v2,
      applicationId: planted.id,
      claimedAt: now.toISOString(),
    });
  });

  it('a claim made through claimVacancy after the priority window passes the audit', async () => {
    await advance(t, '2026-09-09T09:30:00+05:00');
    expect(ok(await t.gql(VACANCY, { id: v1 }, t.admin)).vacancy.openForClaim).toBe(true);
    const claimed = ok(await t.gql(CLAIM, { v: v1, a: honest.id }, applicantOf(t, honest))).claimVacancy;
    expect(claimed.status).toBe('OFFERED');
    const since = await audit({ from: '2026-09-09T00:00:00+05:00' });
    expect(since).toMatchObject({ ok: true, violations: [] });
    expect(since.referralsChecked).toBe(1);
    // The whole ledger: only the planted claim.
    expect((await audit()).violations.map((v) => v.referralId)).toEqual([plantedId]);
  });
});
