import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { applicantIin, isAdmin, type Principal } from '../auth/principal.js';
import { isUuid } from '../platform/identifiers/uuid.js';
import { Clock } from '../platform/clock/clock.js';
import { ENV_CONFIG, type EnvConfig } from '../platform/config/config.js';
import { Metrics, type OutboxSample } from '../platform/metrics/metrics.js';
import { returning } from '../platform/database/sql.js';
import { forbidden, notFound } from '../platform/errors/app-error.js';
import { safeProviderMessage } from './adapters/http-call.js';
import { isFinalFailure, retryDelayMs, type RetryPolicy } from './domain/retry.js';
import type { Language, Stage } from './domain/stages.js';
import type { Notification } from './dto/notification.model.js';
import { SmsGateway, SmsSendError, type SmsSendResult } from './ports/sms-gateway.js';
import { render } from './templates.js';
import { SettingsService } from '../settings/settings.service.js';
import { textParams, type Wording } from './domain/text-params.js';

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

/** Default of SMS_MAX_ATTEMPTS (kept for callers that imported it). */
export const MAX_ATTEMPTS = 20;

/** A run stops after this many failures in a row: the provider is down, the rest waits for the next run. */
const STOP_AFTER_FAILURES_IN_A_ROW = 3;
/** Texts per round of the delivery job. */
const DELIVERY_ROUND = 200;
/** Delivery reports are polled for this long after sending. */
const REPORT_WINDOW_MS = 3 * 24 * 3600_000;

interface ClaimedRow {
  id: string;
  phone: string;
  text: string;
  idempotency_key: string;
  attempts: number;
}

interface NotificationRow {
  id: string;
  stage: string;
  language: string;
  text: string;
  status: string;
  created_at: Date;
  sent_at: Date | null;
  delivered_at: Date | null;
  attempts: number;
}

type Outcome = 'sent' | 'failed' | 'retry' | 'lost';

/**
 * Transactional outbox of text messages, and their delivery (worker).
 *
 * Delivery guarantees (SPEC invariant 7): a stage's text is one row (idempotency key), and each row is
 * sent at most once and retried until sent:
 * - a row is *claimed* by one statement (`FOR UPDATE SKIP LOCKED`) that counts the attempt and leases
 *   the row (next_attempt_at moves past the request timeout), then committed; the provider is called
 *   outside any transaction; the outcome is written only if the row is still that attempt's;
 * - a worker dying mid-send leaves the lease to run out; the next attempt then, like every retry after
 *   an attempt whose outcome is unknown, first asks the provider whether the text already went out
 *   (`findSent`; providers with idempotency keys deduplicate themselves) before sending again;
 * - permanent rejections are final at once; other failures back off exponentially (SMS_RETRY_BASE_MS,
 *   ×2 per attempt, ≤ 10 min, ±20 % jitter; ≥ SMS_UNCERTAIN_RETRY_MS after a timeout) until
 *   SMS_MAX_ATTEMPTS.
 * Retries are timed on the real clock (delivery is real-world I/O, even in simulation).
 */
@Injectable()
export class NotificationService {
  private readonly log = new Logger(NotificationService.name);
  private readonly policy: RetryPolicy;
  private readonly leaseMs: number;
  private readonly concurrency: number;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly gateway: SmsGateway,
    @Inject(ENV_CONFIG) config: EnvConfig,
    private readonly metrics: Metrics,
    private readonly settings: SettingsService,
  ) {
    this.policy = {
      baseMs: config.SMS_RETRY_BASE_MS,
      uncertainMinMs: config.SMS_UNCERTAIN_RETRY_MS,
      maxAttempts: config.SMS_MAX_ATTEMPTS,
    };
    // findSent (up to a few list pages) and send, each bounded by the request timeout, plus margin.
    this.leaseMs = config.SMS_HTTP_TIMEOUT_MS * 8 + 30_000;
    this.concurrency = config.SMS_CONCURRENCY;
    metrics.sampleOutboxWith(() => this.outboxSample());
  }

  /** What /metrics shows of the outbox: texts due and waiting for a retry, and the delivery lag. */
  async outboxSample(): Promise<OutboxSample> {
    const rows: { due: number; retry: number; overdue: number }[] = await this.ds.query(
      `SELECT count(*) FILTER (WHERE next_attempt_at <= now())::int AS due,
              count(*) FILTER (WHERE next_attempt_at > now())::int AS retry,
              COALESCE(EXTRACT(EPOCH FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0)::float8 AS overdue
       FROM notification WHERE status = 'PENDING'`,
    );
    return { due: rows[0].due, retry: rows[0].retry, overdueSeconds: rows[0].overdue };
  }

  /** Writes the message in the caller's transaction; a repeated key is ignored (at most once per stage). */
  async enqueue(em: EntityManager, m: OutboxMessage): Promise<void> {
    await this.enqueueIfNew(em, m);
  }

  /**
   * The applicant's text about their application, in the caller's transaction: recipient, language and
   * the application number (`{number}` of every template) come from the application.
   */
  async notifyApplicant(
    em: EntityManager,
    app: { id: string; phone: string; notificationLanguage: string; number: string },
    stage: Stage,
    key: string,
    params: Record<string, string | number>,
    at: Date,
  ): Promise<void> {
    await this.enqueueIfNew(em, {
      applicationId: app.id,
      phone: app.phone,
      language: app.notificationLanguage as Language,
      stage,
      key,
      params: { number: app.number, ...params },
      at,
    });
  }

  /** Many messages in one statement (e.g. a morning's referrals); keys already there are skipped. */
  async enqueueMany(em: EntityManager, messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const cols: [(string | null)[], (string | null)[], string[], string[], string[], string[], string[], string[]] = [
      [],
      [],
      [],
      [],
      [],
      [],
      [],
      [],
    ];
    const wording = await this.wording(em, messages);
    for (const m of messages) {
      const row = [
        m.applicationId ?? null,
        m.offerId ?? null,
        m.stage,
        m.key,
        m.language,
        m.phone,
        render(m.language, m.stage, textParams(m.language, m.params, wording)),
        m.at.toISOString(),
      ];
      row.forEach((v, k) => (cols[k] as (string | null)[]).push(v));
    }
    await em.query(
      `INSERT INTO notification (application_id, offer_id, stage, idempotency_key, language, phone, text, status, next_attempt_at, created_at)
       SELECT application_id, offer_id, stage, idempotency_key, language, phone, text, 'PENDING', now(), created_at
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
            WITH ORDINALITY AS m(application_id, offer_id, stage, idempotency_key, language, phone, text, created_at, ord)
       ORDER BY ord
       ON CONFLICT (idempotency_key) DO NOTHING`,
      cols,
    );
  }

  /**
   * What the texts' codes read as (domain/text-params.ts): category names, read only when a message
   * names a category; the age limit in force at the messages' time.
   */
  private async wording(em: EntityManager, messages: readonly OutboxMessage[]): Promise<Wording> {
    const codes = [...new Set(messages.flatMap((m) => (typeof m.params.category === 'string' ? [m.params.category] : [])))];
    const rows: { code: string; kk: string; ru: string }[] = codes.length
      ? await em.query(`SELECT code, name_kk AS kk, name_ru AS ru FROM priority_category WHERE code = ANY($1::text[])`, [codes])
      : [];
    const aged = messages.find((m) => m.params.reason === 'AGED_OUT');
    const ageLimitYears = aged ? (await this.settings.get(em, aged.at)).ageLimitYears : 0;
    return { categories: new Map(rows.map((r) => [r.code, { kk: r.kk, ru: r.ru }])), ageLimitYears };
  }

  /** Like `enqueue`; tells whether a new message was written (false: the key was already there). */
  async enqueueIfNew(em: EntityManager, m: OutboxMessage): Promise<boolean> {
    const text = render(m.language, m.stage, textParams(m.language, m.params, await this.wording(em, [m])));
    // next_attempt_at is real time (delivery is real-world I/O): a simulated clock ahead of the real one
    // must not hold the message back.
    const rows: unknown[] = await em.query(
      `INSERT INTO notification (application_id, offer_id, stage, idempotency_key, language, phone, text, status, next_attempt_at, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,'PENDING',now(),$8) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [m.applicationId ?? null, m.offerId ?? null, m.stage, m.key, m.language, m.phone, text, m.at],
    );
    return rows.length > 0;
  }

  /**
   * Sends up to `limit` due messages, `lanes` at a time (SMS_CONCURRENCY); safe to run in parallel
   * (workers, tests): every message is claimed by one statement with `SKIP LOCKED`. Stops early when
   * nothing is due or the provider failed STOP_AFTER_FAILURES_IN_A_ROW times in a row.
   */
  async deliverDue(limit = 50, lanes = this.concurrency): Promise<{ sent: number; failed: number; retried: number; nothingDue: boolean }> {
    const out = { sent: 0, failed: 0, retried: 0, nothingDue: false };
    let failuresInARow = 0;
    let taken = 0;
    const lane = async (): Promise<void> => {
      while (taken < limit && !out.nothingDue && failuresInARow < STOP_AFTER_FAILURES_IN_A_ROW) {
        taken++;
        const n = await this.claim();
        if (!n) {
          out.nothingDue = true;
          return;
        }
        const outcome = await this.attempt(n);
        if (outcome === 'sent') {
          out.sent++;
          this.metrics.smsSent.inc();
        }
        if (outcome === 'failed') out.failed++;
        if (outcome === 'retry') out.retried++;
        if (outcome === 'failed' || outcome === 'retry') this.metrics.smsFailures.inc({ outcome });
        failuresInARow = outcome === 'retry' ? failuresInARow + 1 : 0;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, limit)) }, lane));
    return out;
  }

  /**
   * The worker's delivery job (every 3 s): rounds of `deliverDue` while texts keep coming due and the
   * provider answers, for at most `budgetMs`, so a backlog (a 09:00 allocation, a 00:00 expiry sweep)
   * drains at the provider's pace instead of 50 texts per tick.
   */
  async deliverBacklog(budgetMs = 10_000): Promise<{ sent: number; failed: number; retried: number; rounds: number }> {
    const end = Date.now() + budgetMs;
    const total = { sent: 0, failed: 0, retried: 0, rounds: 0 };
    for (;;) {
      const r = await this.deliverDue(DELIVERY_ROUND);
      total.sent += r.sent;
      total.failed += r.failed;
      total.retried += r.retried;
      total.rounds++;
      const providerTrouble = r.retried > 0 && r.sent === 0;
      if (r.nothingDue || providerTrouble || Date.now() >= end) return total;
    }
  }

  /** Counts the attempt and leases the row, committed before the provider is called. */
  private async claim(): Promise<ClaimedRow | null> {
    const rows = await returning<ClaimedRow>(
      this.ds,
      `UPDATE notification SET attempts = attempts + 1, next_attempt_at = now() + ($1 || ' milliseconds')::interval
       WHERE id = (SELECT id FROM notification WHERE status = 'PENDING' AND next_attempt_at <= now()
                   ORDER BY next_attempt_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING id, phone, text, idempotency_key, attempts`,
      [String(this.leaseMs)],
    );
    return rows[0] ?? null;
  }

  private async attempt(n: ClaimedRow): Promise<Outcome> {
    try {
      let result: SmsSendResult | null = null;
      if (n.attempts > 1 && this.gateway.findSent) {
        result = await this.gateway.findSent(n.phone, n.text, await this.takenProviderIds(n));
        if (result) {
          this.log.log({ notification: n.id, attempts: n.attempts }, 'sms found already sent by an earlier attempt');
        }
      }
      result ??= await this.gateway.send(n.phone, n.text, n.idempotency_key);
      const done = await returning<{ id: string }>(
        this.ds,
        `UPDATE notification SET status = 'SENT', sent_at = $3, provider_message_id = $4
         WHERE id = $1 AND attempts = $2 AND status = 'PENDING' RETURNING id`,
        [n.id, n.attempts, this.clock.now(), result.providerMessageId],
      );
      return done.length ? 'sent' : 'lost';
    } catch (e) {
      const err = e instanceof SmsSendError ? e : new SmsSendError(safeProviderMessage((e as Error).message), false, true);
      const final = isFinalFailure(n.attempts, err.permanent, this.policy);
      const delayMs = retryDelayMs(n.attempts, err.uncertain, this.policy, Math.random());
      await this.ds.query(
        `UPDATE notification SET status = $3, last_error = $4, next_attempt_at = now() + ($5 || ' milliseconds')::interval
         WHERE id = $1 AND attempts = $2 AND status = 'PENDING'`,
        [n.id, n.attempts, final ? 'FAILED' : 'PENDING', err.message.slice(0, 300), String(delayMs)],
      );
      this.log.warn(
        {
          notification: n.id,
          attempts: n.attempts,
          final,
          permanent: err.permanent,
          uncertain: err.uncertain,
          retryInMs: final ? null : delayMs,
          err: err.message,
        },
        'sms delivery failed',
      );
      return final ? 'failed' : 'retry';
    }
  }

  /** Provider ids other messages to this number already own: an earlier send found must not be one. */
  private async takenProviderIds(n: ClaimedRow): Promise<Set<string>> {
    const rows: { provider_message_id: string }[] = await this.ds.query(
      `SELECT provider_message_id FROM notification WHERE phone = $1 AND id <> $2 AND provider_message_id IS NOT NULL`,
      [n.phone, n.id],
    );
    return new Set(rows.map((r) => r.provider_message_id));
  }

  /**
   * Polls the provider's delivery reports of recently sent messages: delivered ones become DELIVERED
   * (delivered_at), finally undelivered ones FAILED with the provider's status in last_error.
   */
  async pollDeliveryReports(limit = 500): Promise<{ delivered: number; undelivered: number }> {
    const out = { delivered: 0, undelivered: 0 };
    if (!this.gateway.deliveryReports) return out;
    const now = this.clock.now();
    const rows: { id: string; provider_message_id: string }[] = await this.ds.query(
      `SELECT id, provider_message_id FROM notification
       WHERE status = 'SENT' AND delivered_at IS NULL AND provider_message_id IS NOT NULL AND sent_at > $1
       ORDER BY sent_at LIMIT $2`,
      [new Date(now.getTime() - REPORT_WINDOW_MS), limit],
    );
    if (!rows.length) return out;
    const byProviderId = new Map<string, string[]>();
    for (const r of rows) {
      byProviderId.set(r.provider_message_id, [...(byProviderId.get(r.provider_message_id) ?? []), r.id]);
    }
    let reports;
    try {
      reports = await this.gateway.deliveryReports([...byProviderId.keys()]);
    } catch (e) {
      this.log.warn({ err: safeProviderMessage((e as Error).message) }, 'sms delivery reports unavailable');
      return out;
    }
    for (const rep of reports) {
      const ids = byProviderId.get(rep.providerMessageId) ?? [];
      if (!ids.length || rep.state === 'PENDING') continue;
      if (rep.state === 'DELIVERED') {
        await this.ds.query(
          `UPDATE notification SET status = 'DELIVERED', delivered_at = $2 WHERE id = ANY($1::uuid[]) AND status = 'SENT'`,
          [ids, this.clock.now()],
        );
        out.delivered += ids.length;
      } else {
        await this.ds.query(`UPDATE notification SET status = 'FAILED', last_error = $2 WHERE id = ANY($1::uuid[]) AND status = 'SENT'`, [
          ids,
          `not delivered: provider status ${safeProviderMessage(rep.providerStatus, 40)}`,
        ]);
        out.undelivered += ids.length;
      }
    }
    return out;
  }

  /** The texts of an application (and of the proactive offer it came from): ADMIN or its applicant. */
  async forApplication(applicationId: string, by: Principal): Promise<Notification[]> {
    if (!isUuid(applicationId)) throw notFound('application', applicationId);
    const apps: { applicant_iin: string }[] = await this.ds.query(`SELECT applicant_iin FROM application WHERE id = $1`, [applicationId]);
    if (!apps[0]) throw notFound('application', applicationId);
    if (!isAdmin(by) && applicantIin(by) !== apps[0].applicant_iin) {
      throw forbidden('notifications: you may only see the notifications of your own applications');
    }
    const rows: NotificationRow[] = await this.ds.query(
      `SELECT id, stage, language, text, status, created_at, sent_at, delivered_at, attempts FROM notification
       WHERE application_id = $1 OR offer_id IN (SELECT id FROM proactive_offer WHERE application_id = $1)
       ORDER BY created_at, id`,
      [applicationId],
    );
    return rows.map((r) => ({
      id: r.id,
      stage: r.stage,
      language: r.language,
      text: r.text,
      status: r.status,
      createdAt: r.created_at,
      sentAt: r.sent_at,
      deliveredAt: r.delivered_at,
      attempts: r.attempts,
    }));
  }
}
