import { StopListService } from '../../src/referral/stop-list.service.js';
import { createTestApp, ok, type TestApp } from '../utils/app.js';
import { applicantOf, advance, createOrg, publish, register } from '../utils/fixtures.js';
import { LIVE_REFERRAL_STATUSES_SQL } from '../../src/referral/domain/referral-state.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * An application coming back into its queue while an allocation of its locality is running.
 *
 * Allocation reads a locality's QUEUED applications once. A change that makes an application QUEUED
 * again (stop-list ended by hand or by its term, archived one restored) in a transaction that overlaps
 * the run is invisible to the run, yet its ledger event can take a `seq` before the run's referrals: the
 * ledger would then show the better-ranked family waiting while a worse one got the place (the fairness
 * audit's NO_SKIP). Such changes take the locality's queue-change lock, so they commit before the run
 * reads the queue or after it.
 *
 * The overlap is made deterministic: the change is held open after its ledger event (the test holds a
 * lock on the notification table, the change's next write), an allocation starts meanwhile, then the
 * hold is let go.
 */
describe('queue changes and allocation of the same locality do not overlap', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Monday 7 September 2026, 10:00 Almaty.
    t = await createTestApp({ simulation: '2026-09-07T10:00:00+05:00' });
  });
  afterAll(async () => {
    await t?.close();
  });

  type Family = { id: string; number: string; applicantIin: string };
  interface Case {
    name: string;
    locality: string;
    /** Takes A out of the queue before the places are allocated. */
    out: (a: Family) => Promise<void>;
    /** Brings A back: the change that overlaps the allocation. */
    back: (a: Family) => Promise<unknown>;
    /** A registers after B and C (default: first), with these categories. */
    aLast?: boolean;
    aCategories?: string[];
  }
  /** An ADMIN operation on application A (`$a`); its data, or the test fails on any error. */
  const onA = async (a: Family, mutation: string, vars: Record<string, unknown> = {}): Promise<unknown> =>
    ok(await t.gql(mutation, { a: a.id, ...vars }, t.admin));
  const stopList = async (a: Family, until: string | null): Promise<void> => {
    await onA(a, `mutation($a: ID!, $u: Date) { addToStopList(applicationId: $a, reason: "documents forged", until: $u) { status } }`, {
      u: until,
    });
  };
  const cases: Case[] = [
    {
      name: 'removeFromStopList',
      locality: '751210000',
      out: (a) => stopList(a, null),
      back: (a) => onA(a, `mutation($a: ID!) { removeFromStopList(applicationId: $a) { status } }`),
    },
    {
      name: 'restoreApplication',
      locality: '751220000',
      out: async (a) => {
        await onA(a, `mutation($a: ID!) { archiveApplication(id: $a, reason: DUPLICATE) { status } }`);
      },
      back: (a) => onA(a, `mutation($a: ID!) { restoreApplication(id: $a) { status } }`),
    },
    {
      name: 'end of a stop-list term (00:00 task)',
      locality: '751230000',
      out: (a) => stopList(a, '2026-09-20'),
      back: () => t.app.get(StopListService).releaseDue(new Date('2026-09-21T00:00:00+05:00')),
    },
    {
      // Not a return to the queue but a better rank: A, registered last with a pending first-turn claim,
      // is confirmed while the allocation runs. A's row is locked by the change, so the run waits for it.
      name: 'confirmPriority (first turn confirmed)',
      locality: '751240000',
      aLast: true,
      aCategories: ['LARGE_FAMILY'],
      out: () => Promise.resolve(),
      back: (a) => onA(a, `mutation($a: ID!) { confirmPriority(applicationId: $a, category: "LARGE_FAMILY", confirmed: true) { id } }`),
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s during an allocation: the better-ranked family gets the place, the audit is clean',
    async (_name, c) => {
      // A, B, C wait in this order (or B, C, A with A's claim pending); A is taken out; the place goes to B,
      // who declines: C is next unless A is back (or confirmed first turn).
      const org = await createOrg(t, `Lock ${c.locality}`, c.locality);
      const registerA = (): Promise<Family> => register(t, { locality: c.locality, priorityCategories: c.aCategories ?? [] });
      const first = c.aLast ? null : await registerA();
      const b = await register(t, { locality: c.locality });
      const cc = await register(t, { locality: c.locality });
      const a = first ?? (await registerA());
      await c.out(a);
      const [place] = await publish(t, org);
      await advanceOneDay();
      const liveOf = async (appId: string): Promise<string | null> => {
        const r: { vacancy_id: string }[] = await t.ds.query(
          `SELECT vacancy_id FROM referral WHERE application_id = $1 AND status IN ${LIVE_REFERRAL_STATUSES_SQL}`,
          [appId],
        );
        return r[0]?.vacancy_id ?? null;
      };
      expect(await liveOf(b.id)).toBe(place);
      const refB: { id: string }[] = await t.ds.query(`SELECT id FROM referral WHERE application_id = $1`, [b.id]);
      ok(await t.gql(`mutation($id: ID!) { declineReferral(id: $id) { status } }`, { id: refB[0].id }, applicantOf(t, b)));

      // Hold the change open after its ledger event: its text to the family waits for this lock.
      const hold = t.ds.createQueryRunner();
      await hold.connect();
      await hold.startTransaction();
      const letGo = async (): Promise<void> => {
        if (hold.isTransactionActive) await hold.commitTransaction();
        if (!hold.isReleased) await hold.release();
      };
      try {
        await hold.query(`LOCK TABLE notification IN SHARE MODE`);
        let backDone = false;
        const back = c.back(a).finally(() => {
          backDone = true;
        });
        await waitForLockWaiters(1);
        expect(backDone).toBe(false);
        // The change has written its ledger event (its `seq` is taken) and waits to write the text.
        expect(await lockWaiters()).toEqual(['INSERT INTO notification']);

        // An allocation starts meanwhile (ADMIN "run allocation now"); give it time to reach the queue.
        const run = t.gql(`mutation { runAllocation { referralsIssued } }`, {}, t.admin);
        await waitForLockWaiters(2);
        await letGo();
        await back;
        ok(await run);
      } finally {
        await letGo();
      }

      // A is back in the queue before the run read it, so A — not C — holds the place.
      expect(await liveOf(a.id)).toBe(place);
      expect(await liveOf(cc.id)).toBeNull();
      const audit = ok(await t.gql(`query { fairnessAudit { ok violations { check message } } }`, {}, t.admin)).fairnessAudit;
      expect(audit.violations).toEqual([]);
      expect(audit.ok).toBe(true);
    },
  );

  let day = 8;
  async function advanceOneDay(): Promise<void> {
    await advance(t, `2026-09-${String(day++).padStart(2, '0')}T09:00:30+05:00`);
  }

  /**
   * Statements of this test's database waiting for a lock (first three words), leaving out the worker's
   * text deliveries, which the hold on the notification table stops too.
   */
  async function lockWaiters(): Promise<string[]> {
    const rows: { query: string }[] = await t.ds.query(
      `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return rows.map((w) => w.query.trim().split(/\s+/).slice(0, 3).join(' ')).filter((q) => q !== 'UPDATE notification SET');
  }

  /** Waits until at least `n` statements (other than text deliveries) wait for a lock (or 5 s pass). */
  async function waitForLockWaiters(n: number): Promise<void> {
    const end = Date.now() + 5000;
    while (Date.now() < end) {
      if ((await lockWaiters()).length >= n) return;
      await sleep(20);
    }
  }
});
