import { ReferralLifecycleService } from '../../src/referral/referral-lifecycle.service.js';
import { StopListService } from '../../src/referral/stop-list.service.js';
import { createTestApp, type TestApp } from '../utils/app.js';
import { count, createOrg } from '../utils/fixtures.js';

/**
 * The midnight sweeps work in chunks of due rows (expiry and stop-list release: 500 per transaction, in
 * keyset pages). More due rows than one chunk, over several localities, must all be handled once, each with
 * its own ledger events (in the same order as one at a time) and text, and a second run finds nothing.
 */
describe('midnight sweeps past one chunk', () => {
  let t: TestApp;
  const localities = ['751210000', '751210001', '751210002'];
  const midnight = new Date('2026-09-15T00:00:00+05:00');
  const N = 1234;

  beforeAll(async () => {
    t = await createTestApp({ worker: false });
  });
  afterAll(async () => {
    await t.close();
  });

  it('expires every due referral and ends every due stop-list term, once', async () => {
    const orgs = await Promise.all(localities.map((l, i) => createOrg(t, `Sweep ${i}`, l)));
    // 2N applications: the first N referred (N referrals due, a few more not due), the next N stop-listed.
    await t.ds.query(
      `INSERT INTO application (seq, number, status, registered_at, child_iin, child_name, child_birth_date, cohort, applicant_iin, phone,
         locality, language, group_type, work_modes, desired_admission_date, notification_language, created_by, updated_at,
         stop_list_reason, stop_listed_until)
       SELECT 800000 + i, 'KZ-0' || (800000 + i), CASE WHEN i <= $1 + 10 THEN 'REFERRED' ELSE 'STOP_LISTED' END,
              timestamptz '2024-01-01 10:00+05' + i * interval '1 minute', lpad((600000000000 + i)::text, 12, '0'), 'Child', '2023-03-10', 2023,
              lpad((610000000000 + i)::text, 12, '0'), '+7702' || lpad(i::text, 7, '0'), ($2::text[])[1 + i % 3], 'KK', 'GENERAL', '{FULL_DAY}',
              '2025-09-01', CASE WHEN i % 2 = 0 THEN 'kk' ELSE 'ru' END, 'test', '2026-09-01',
              CASE WHEN i > $1 + 10 THEN 'referral expired' END, CASE WHEN i > $1 + 10 THEN date '2026-09-14' END
       FROM generate_series(1, 2 * $1 + 10) i`,
      [N, localities],
    );
    await t.ds.query(
      `INSERT INTO vacancy (organization_id, locality, status, age_group, language, age_from_months, age_to_months, group_type, work_mode,
         admission_mode, admission_start_date, published_at, published_by, bulletin_date)
       SELECT ($1::uuid[])[1 + (a.seq - 800000) % 3], a.locality, 'REFERRED', 'g', 'KK', 12, 60, 'GENERAL', 'FULL_DAY', 'GENERAL', '2026-09-16',
              '2026-09-08 08:00+05', 'test', '2026-09-09'
       FROM application a WHERE a.status = 'REFERRED' AND a.seq > 800000 ORDER BY a.seq`,
      [orgs],
    );
    // Three quarters offered past confirmBy, a quarter confirmed past validUntil; ten more not due yet.
    await t.ds.query(
      `INSERT INTO referral (application_id, vacancy_id, status, issued_at, clock_start, confirm_by, confirmed_at, valid_until)
       SELECT a.id, v.id, CASE WHEN a.n % 4 = 0 THEN 'CONFIRMED' ELSE 'OFFERED' END,
              timestamptz '2026-09-09 09:00+05' + a.n * interval '1 second', '2026-09-09 09:00+05',
              CASE WHEN a.n <= $1 THEN timestamptz '2026-09-15 00:00+05' ELSE timestamptz '2026-09-17 00:00+05' END,
              CASE WHEN a.n % 4 = 0 THEN timestamptz '2026-09-10 10:00+05' END,
              CASE WHEN a.n % 4 <> 0 THEN NULL WHEN a.n <= $1 THEN timestamptz '2026-09-15 00:00+05' ELSE timestamptz '2026-09-22 00:00+05' END
       FROM (SELECT id, locality, row_number() OVER (ORDER BY seq) AS n FROM application WHERE status = 'REFERRED' AND seq > 800000) a
       JOIN (SELECT id, row_number() OVER (ORDER BY seq) AS n FROM vacancy WHERE published_by = 'test' AND status = 'REFERRED') v ON v.n = a.n`,
      [N],
    );
    await t.ds.query(
      `INSERT INTO stop_list_entry (application_id, reason, starts_on, until, created_at, created_by)
       SELECT id, 'referral expired', '2026-09-05', '2026-09-14', '2026-09-04 00:00+05', 'system:expiry'
       FROM application WHERE status = 'STOP_LISTED' AND seq > 800000`,
    );

    const svc = t.app.get(ReferralLifecycleService);
    const terms = t.app.get(StopListService);
    // Stop-list release first: the N terms ending yesterday (the expiry's new terms start tomorrow).
    expect(await terms.releaseDue(midnight)).toEqual({ released: N });
    expect(await svc.expireDue(midnight)).toEqual({ expired: N });
    expect(await terms.releaseDue(midnight)).toEqual({ released: 0 });
    expect(await svc.expireDue(midnight)).toEqual({ expired: 0 });

    expect(await count(t, `SELECT count(*) FROM referral WHERE status = 'EXPIRED'`)).toBe(N);
    expect(await count(t, `SELECT count(*) FROM referral WHERE status IN ('OFFERED','CONFIRMED')`)).toBe(10);
    expect(await count(t, `SELECT count(*) FROM vacancy WHERE published_by = 'test' AND status = 'PUBLISHED' AND open_at IS NULL`)).toBe(N);
    expect(
      await count(
        t,
        `SELECT count(*) FROM referral_exclusion x JOIN referral r ON r.application_id = x.application_id AND r.vacancy_id = x.vacancy_id WHERE r.status = 'EXPIRED'`,
      ),
    ).toBe(N);
    // The expired: on the stop-list from the 15th (last day of the term the 24th), one new term each.
    expect(
      await count(
        t,
        `SELECT count(*) FROM application a JOIN referral r ON r.application_id = a.id AND r.status = 'EXPIRED'
                           WHERE a.status = 'STOP_LISTED' AND a.stop_listed_until = '2026-09-24'`,
      ),
    ).toBe(N);
    expect(
      await count(
        t,
        `SELECT count(*) FROM stop_list_entry WHERE ended_at IS NULL AND starts_on = '2026-09-15' AND until = '2026-09-24' AND created_by = 'system:expiry'`,
      ),
    ).toBe(N);
    // The released: back in the queue, their terms ended by the system.
    expect(
      await count(t, `SELECT count(*) FROM application WHERE seq > 800000 + $1 + 10 AND status = 'QUEUED' AND stop_listed_until IS NULL`, [
        N,
      ]),
    ).toBe(N);
    expect(await count(t, `SELECT count(*) FROM stop_list_entry WHERE ended_by = 'system' AND ended_at = $1`, [midnight])).toBe(N);
    // One text and the ledger events per row; each referral's expiry before its stop-list entry.
    expect(await count(t, `SELECT count(*) FROM notification WHERE stage = 'REFERRAL_EXPIRED_STOP_LISTED'`)).toBe(N);
    expect(await count(t, `SELECT count(*) FROM notification WHERE stage = 'STOP_LIST_ENDED'`)).toBe(N);
    expect(await count(t, `SELECT count(*) FROM ledger_event WHERE type = 'referral.expired'`)).toBe(N);
    expect(await count(t, `SELECT count(*) FROM ledger_event WHERE type = 'stop_list.ended'`)).toBe(N);
    expect(
      await count(
        t,
        `SELECT count(*) FROM ledger_event e JOIN ledger_event s ON s.type = 'stop_list.added' AND s.data->>'referralId' = e.entity_id
                           WHERE e.type = 'referral.expired' AND s.seq = e.seq + 1`,
      ),
    ).toBe(N);
  });
});
