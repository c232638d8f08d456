import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes for SMS delivery (reports polling, retry checks) and proactive offers; one live offer per child. */
export class NotificationDelivery1764000000060 implements MigrationInterface {
  name = 'NotificationDelivery1764000000060';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_notification_undelivered ON notification (sent_at) WHERE status = 'SENT' AND delivered_at IS NULL`);
    await q.query(`CREATE INDEX ix_notification_phone ON notification (phone) WHERE provider_message_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_notification_offer ON notification (offer_id, created_at) WHERE offer_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX uq_proactive_offer_live_child ON proactive_offer (child_iin) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX ix_proactive_offer_expiry ON proactive_offer (expires_at) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX ix_proactive_offer_application ON proactive_offer (application_id) WHERE application_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const ix of [
      'ix_proactive_offer_application',
      'ix_proactive_offer_expiry',
      'uq_proactive_offer_live_child',
      'ix_notification_offer',
      'ix_notification_phone',
      'ix_notification_undelivered',
    ]) {
      await q.query(`DROP INDEX IF EXISTS ${ix}`);
    }
  }
}
