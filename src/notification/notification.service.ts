import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../platform/clock/clock.js';
import type { Language, Stage } from './domain/stages.js';
import { SmsGateway, SmsSendError } from './ports/sms-gateway.js';
import { render } from './templates.js';

export interface OutboxMessage {
  applicationId?: string | null;
  offerId?: string | null;
  phone: string;
  language: Language;
  stage: Stage;
  /** One message per stage per subject: e.g. `REFERRAL_OFFERED:<referralId>`. */
  key: string;
  params: Record<string, string | number>;
  at: Date;
}

export const MAX_ATTEMPTS = 8;

/** Transactional outbox of text messages, and their delivery (worker). */
@Injectable()
export class NotificationService {
  private readonly log = new Logger(NotificationService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly gateway: SmsGateway,
  ) {}

  /** Writes the message in the caller's transaction; a repeated key is ignored (at most once per stage). */
  async enqueue(em: EntityManager, m: OutboxMessage): Promise<void> {
    const text = render(m.language, m.stage, m.params);
    await em.query(
      `INSERT INTO notification (application_id, offer_id, stage, idempotency_key, language, phone, text, status, next_attempt_at, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,'PENDING',$8,$8) ON CONFLICT (idempotency_key) DO NOTHING`,
      [m.applicationId ?? null, m.offerId ?? null, m.stage, m.key, m.language, m.phone, text, m.at],
    );
  }

  /**
   * Sends due messages. Each row is claimed with SKIP LOCKED, so parallel workers never send the same
   * one; 4xx-like (permanent) failures are final, others retry with exponential backoff.
   * Retries are timed on the real clock (delivery is real-world I/O, even in simulation).
   */
  async deliverDue(limit = 50): Promise<{ sent: number; failed: number }> {
    let sent = 0;
    let failed = 0;
    for (let i = 0; i < limit; i++) {
      const outcome = await this.ds.transaction(async (em) => {
        const rows: { id: string; phone: string; text: string; idempotency_key: string; attempts: number }[] =
          await em.query(
            `SELECT id, phone, text, idempotency_key, attempts FROM notification
             WHERE status = 'PENDING' AND next_attempt_at <= now()
             ORDER BY next_attempt_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
          );
        const n = rows[0];
        if (!n) return 'none' as const;
        try {
          const r = await this.gateway.send(n.phone, n.text, n.idempotency_key);
          await em.query(
            `UPDATE notification SET status = 'SENT', sent_at = $2, attempts = attempts + 1, provider_message_id = $3, last_error = NULL WHERE id = $1`,
            [n.id, this.clock.now(), r.providerMessageId],
          );
          return 'sent' as const;
        } catch (e) {
          const permanent = e instanceof SmsSendError && e.permanent;
          const attempts = n.attempts + 1;
          const final = permanent || attempts >= MAX_ATTEMPTS;
          const delayMs = Math.min(2 ** attempts * 500, 10 * 60_000);
          await em.query(
            `UPDATE notification SET status = $2, attempts = $3, last_error = $4,
             next_attempt_at = now() + ($5 || ' milliseconds')::interval WHERE id = $1`,
            [n.id, final ? 'FAILED' : 'PENDING', attempts, (e as Error).message.slice(0, 300), String(delayMs)],
          );
          this.log.warn({ notification: n.id, attempts, final, err: (e as Error).message }, 'sms delivery failed');
          return final ? ('failed' as const) : ('retry' as const);
        }
      });
      if (outcome === 'none') break;
      if (outcome === 'sent') sent++;
      if (outcome === 'failed') failed++;
    }
    return { sent, failed };
  }
}
