import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15, referral life cycle:
 * - referral.attendance_until / attendance_ended_at: a temporary-stay place's attendance term, copied from
 *   the place at enrolment, and when it ended (the 00:00 sweep, or the child took a permanent place);
 *   ix_referral_running_temporary finds the running terms (the sweep, and "no second temporary offer");
 * - referral.close_note: the organization's or operator's note on a refusal or cancellation (not in the
 *   ledger, which keeps codes only);
 * - the earlyBookingWorkingDays setting (a booked place not marked vacated this many working days after its
 *   admission start lapses).
 */
export class ReferralRules1764000000110 implements MigrationInterface {
  name = 'ReferralRules1764000000110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE referral ADD COLUMN attendance_until date, ADD COLUMN attendance_ended_at timestamptz, ADD COLUMN close_note text`,
    );
    await q.query(
      `UPDATE referral r SET attendance_until = v.attendance_until FROM vacancy v
       WHERE v.id = r.vacancy_id AND r.status = 'ENROLLED' AND v.admission_mode = 'TEMPORARY_STAY' AND v.attendance_until IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX ix_referral_running_temporary ON referral (application_id, attendance_until)
       WHERE attendance_until IS NOT NULL AND attendance_ended_at IS NULL`,
    );
    await q.query(
      `INSERT INTO setting (key, value, description) VALUES ('earlyBookingWorkingDays', '10'::jsonb,
        'working days after the admission start date by which an early-booked place must be marked vacated, or the booking lapses')
       ON CONFLICT DO NOTHING`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM setting WHERE key = 'earlyBookingWorkingDays'`);
    await q.query(`DROP INDEX IF EXISTS ix_referral_running_temporary`);
    await q.query(`ALTER TABLE referral DROP COLUMN attendance_until, DROP COLUMN attendance_ended_at, DROP COLUMN close_note`);
  }
}
