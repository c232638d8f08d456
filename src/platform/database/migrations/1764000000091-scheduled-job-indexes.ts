import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes of the scheduled jobs at national size (1,000,000 QUEUED applications, 200,000 in the largest
 * locality; tens of thousands of due rows in one night):
 *
 * - open-place notices (ReferralService.noticeOpenPlaces): the best-ranked QUEUED families that fit one
 *   place, by one query per place. Two ways in, the planner picks per place:
 *     ix_application_claim_rank walks a (locality, language, group type) slice in rank order — class, then
 *       the registration instant in milliseconds, then seq, as compareHeads (domain/ranking.ts) — and stops
 *       at the 20th fitting family: cheap when many fit (wide age period);
 *     ix_application_claim_age reads only the place's birth-date window (birthDateWindow) and sorts it:
 *       cheap when few fit (narrow or empty age period, where the ordered walk would read the whole slice).
 *   `date_trunc('milliseconds', registered_at)` is STABLE (time zone) and cannot be indexed; truncating the
 *   UTC wall time to milliseconds gives the same order and the same ties (offsets are whole seconds).
 * - ix_vacancy_open_unnoticed: the open places not yet noticed, read in keyset pages of `seq`.
 * - ix_stop_list_entry_due: the stop-list terms still running, by last day (releaseStopList reads those
 *   that ended before today in keyset pages); the table keeps every term ever served.
 * - ix_referral_live_issued: the referrals whose deadline runs (OFFERED, CONFIRMED) in issue order, which
 *   expireDue pages through by keyset; without it every page re-sorts all the night's due referrals.
 *
 * The claim-lapse and proactive-lapse sweeps have their indexes (ix_category_claim_pending,
 * ix_proactive_offer_expiry); the age-out sweep's test on the birth date cannot use an index as written.
 */
export class ScheduledJobIndexes1764000000091 implements MigrationInterface {
  name = 'ScheduledJobIndexes1764000000091';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX ix_application_claim_rank ON application
         (locality, language, group_type, priority_class, date_trunc('milliseconds', registered_at AT TIME ZONE 'UTC'), seq)
         WHERE status = 'QUEUED'`,
    );
    await q.query(
      `CREATE INDEX ix_application_claim_age ON application (locality, language, group_type, child_birth_date)
         WHERE status = 'QUEUED'`,
    );
    await q.query(
      `CREATE INDEX ix_vacancy_open_unnoticed ON vacancy (seq)
         WHERE status = 'PUBLISHED' AND open_at IS NOT NULL AND open_notified_at IS NULL`,
    );
    await q.query(`CREATE INDEX ix_stop_list_entry_due ON stop_list_entry (until, id) WHERE ended_at IS NULL AND until IS NOT NULL`);
    await q.query(`CREATE INDEX ix_referral_live_issued ON referral (issued_at, id) WHERE status IN ('OFFERED','CONFIRMED')`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const ix of [
      'ix_referral_live_issued',
      'ix_stop_list_entry_due',
      'ix_vacancy_open_unnoticed',
      'ix_application_claim_age',
      'ix_application_claim_rank',
    ]) {
      await q.query(`DROP INDEX IF EXISTS ${ix}`);
    }
  }
}
