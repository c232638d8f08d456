import { createHash, randomInt } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { actorOf, type Principal } from '../auth/principal.js';
import { toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { calendarDaysDeadline } from '../calendar/domain/deadlines.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { formatLastMoment } from '../notification/domain/reminders.js';
import type { Language } from '../notification/domain/stages.js';
import { NotificationService } from '../notification/notification.service.js';
import { isUuid } from '../platform/identifiers/uuid.js';
import { Clock } from '../platform/clock/clock.js';
import { returning } from '../platform/database/sql.js';
import { AppError, badInput, conflict, notFound } from '../platform/errors/app-error.js';
import { GroupType, WorkMode } from '../vacancy/domain/vocabulary.js';
import { isRealDate } from '../platform/graphql/scalars.js';
import { ageInYears, parseIin } from '../platform/identifiers/iin.js';
import { MIN_APPLICANT_AGE_YEARS } from '../queue/domain/application-changes.js';
import { isKato } from '../platform/identifiers/kato.js';
import { normalizeKzPhone } from '../platform/identifiers/phone.js';
import { SettingsService } from '../settings/settings.service.js';
import { RegisterApplicationInput } from '../queue/dto/application.input.js';
import { QueueService } from '../queue/queue.service.js';
import { normalizeToken, parseReply, TOKEN_ALPHABET, TOKEN_LENGTH } from './domain/reply.js';
import type { BirthInput, ProactiveOffer } from './dto/proactive.model.js';

/** What registerBirth stored: enough to register the application on consent. */
interface BirthPayload {
  childIin: string;
  childName: string;
  applicantIin: string;
  phone: string;
  locality: string;
  language: string;
  notificationLanguage: Language;
  organizationIds: string[];
  desiredAdmissionDate: string;
  workModes: WorkMode[];
}

interface OfferRow {
  id: string;
  status: 'PENDING' | 'ACCEPTED' | 'REFUSED' | 'EXPIRED';
  token_hash: string;
  phone: string;
  payload: BirthPayload;
  created_at: Date;
  expires_at: Date;
  answered_at: Date | null;
  application_id: string | null;
  application_number: string | null;
}

export type InboundOutcome = 'accepted' | 'refused' | 'help' | 'no_offer' | 'failed';

/** The proactive service acts as the system, with an operator's rights, on the parent's consent. */
const SYSTEM: Principal = { kind: 'user', sub: 'proactive-service', role: 'ADMIN' };
/** Help texts per offer: a bot answering our help with more gibberish must not loop forever. */
const MAX_HELP_TEXTS = 3;

const OFFER_COLUMNS = `o.id, o.status, o.token_hash, o.phone, o.payload, o.created_at, o.expires_at, o.answered_at,
  o.application_id, a.number AS application_number`;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newToken(): string {
  let t = '';
  for (let i = 0; i < TOKEN_LENGTH; i++) t += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  return t;
}

/** The child's first birthday (29 February → 1 March): when a nursery place can first be wanted. */
export function firstBirthday(birthDate: string): string {
  const y = Number(birthDate.slice(0, 4)) + 1;
  const md = birthDate.slice(5);
  return md === '02-29' ? `${y}-03-01` : `${y}-${md}`;
}

function toOffer(r: OfferRow, token: string | null = null): ProactiveOffer {
  return {
    id: r.id,
    status: r.status,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    answeredAt: r.answered_at,
    applicationId: r.application_id,
    applicationNumber: r.application_number,
    token,
  };
}

/**
 * Proactive registration (rules/NOTES.md "Proactive service"): a birth registration makes an offer,
 * texted to the parent with a one-time code (only its SHA-256 is stored); a "yes" from that phone (or
 * the code, through answerProactiveOffer) registers the application with the time of the answer; no
 * answer within proactiveReplyCalendarDays lets it lapse (00:00 task). Ledger events carry no personal data.
 */
@Injectable()
export class ProactiveService {
  private readonly log = new Logger(ProactiveService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly notifications: NotificationService,
    private readonly queue: QueueService,
    private readonly settings: SettingsService,
  ) {}

  // ---------- the offer ----------

  async registerBirth(input: BirthInput, by: Principal): Promise<ProactiveOffer> {
    const child = parseIin(input.childIin);
    if (!child.ok) throw badInput('childIin', child.reason);
    const applicant = parseIin(input.applicantIin);
    if (!applicant.ok) throw badInput('applicantIin', applicant.reason);
    if (input.applicantIin === input.childIin) {
      throw badInput('applicantIin', 'must differ from childIin');
    }
    const phone = normalizeKzPhone(input.phone);
    if (!phone) throw badInput('phone', 'must be a Kazakhstan mobile number +7 7XX XXX XX XX');
    if (!isKato(input.locality)) throw badInput('locality', 'must be a 9-digit KATO code');
    const now = this.clock.now();
    const today = toAlmatyDate(now);
    const s = await this.settings.get();
    if (child.birthDate > today) {
      throw badInput('childIin', 'birth date from the IIN is in the future');
    }
    if (ageInYears(child.birthDate, today) >= s.ageLimitYears) {
      throw badInput('childIin', `the child is ${s.ageLimitYears} or older: the queue is for children under ${s.ageLimitYears}`);
    }
    if (ageInYears(applicant.birthDate, today) < MIN_APPLICANT_AGE_YEARS) {
      throw badInput('applicantIin', `the applicant must be an adult (${MIN_APPLICANT_AGE_YEARS} or older)`);
    }
    const desired = input.desiredAdmissionDate ?? firstBirthday(child.birthDate);
    if (!isRealDate(desired)) {
      throw badInput('desiredAdmissionDate', 'must be a real date YYYY-MM-DD');
    }
    if (desired < child.birthDate) {
      throw badInput('desiredAdmissionDate', 'is before the birth date');
    }
    const orgIds = input.organizationIds ?? [];
    const payload: BirthPayload = {
      childIin: input.childIin,
      childName: input.childName.trim(),
      applicantIin: input.applicantIin,
      phone,
      locality: input.locality,
      language: input.language,
      notificationLanguage: input.notificationLanguage === 'ru' ? 'ru' : 'kk',
      organizationIds: orgIds,
      desiredAdmissionDate: desired,
      workModes: input.workModes,
    };
    const expiresAt = calendarDaysDeadline(now, s.proactiveReplyCalendarDays);

    return this.ds.transaction(async (em) => {
      if (orgIds.length) {
        const orgs: { id: string; locality: string }[] = await em.query(
          `SELECT id, locality FROM organization WHERE id = ANY($1::uuid[])`,
          [orgIds],
        );
        for (const id of orgIds) {
          const o = orgs.find((x) => x.id === id);
          if (!o) throw badInput('organizationIds', `organization ${id} does not exist`);
          if (o.locality !== input.locality) {
            throw badInput('organizationIds', `organization ${id} is not in locality ${input.locality}`);
          }
        }
      }
      const live: unknown[] = await em.query(`SELECT 1 FROM application WHERE child_iin = $1 AND status <> 'ARCHIVED'`, [input.childIin]);
      if (live.length) {
        throw conflict('childIin: this child already has a live application', 'childIin');
      }
      const pending: unknown[] = await em.query(`SELECT 1 FROM proactive_offer WHERE child_iin = $1 AND status = 'PENDING' FOR UPDATE`, [
        input.childIin,
      ]);
      if (pending.length) {
        throw conflict('childIin: this child already has a proactive offer waiting for an answer', 'childIin');
      }
      let token = '';
      let id: string | undefined;
      for (let i = 0; i < 5 && !id; i++) {
        token = newToken();
        const rows: { id: string }[] = await em.query(
          `INSERT INTO proactive_offer (token_hash, status, child_iin, applicant_iin, phone, payload, created_at, expires_at)
           VALUES ($1, 'PENDING', $2, $3, $4, $5::jsonb, $6, $7) ON CONFLICT (token_hash) DO NOTHING RETURNING id`,
          [hashToken(token), input.childIin, input.applicantIin, phone, JSON.stringify(payload), now, expiresAt],
        );
        id = rows[0]?.id;
      }
      if (!id) throw new Error('could not draw a unique offer code');
      await this.ledger.append(em, {
        type: 'proactive_offer.created',
        entity: 'proactive_offer',
        entityId: id,
        actor: actorOf(by),
        at: now,
        data: {
          locality: input.locality,
          cohort: Number(child.birthDate.slice(0, 4)),
          expiresAt: expiresAt.toISOString(),
        },
      });
      await this.notifications.enqueue(em, {
        offerId: id,
        phone,
        language: payload.notificationLanguage,
        stage: 'PROACTIVE_OFFER',
        key: `PROACTIVE_OFFER:${id}`,
        params: { token, deadline: formatLastMoment(expiresAt) },
        at: now,
      });
      return toOffer(await this.load(em, id), token);
    });
  }

  async get(id: string): Promise<ProactiveOffer | null> {
    if (!isUuid(id)) return null;
    const rows: OfferRow[] = await this.ds.query(
      `SELECT ${OFFER_COLUMNS} FROM proactive_offer o LEFT JOIN application a ON a.id = o.application_id WHERE o.id = $1`,
      [id],
    );
    return rows[0] ? toOffer(rows[0]) : null;
  }

  private async load(em: EntityManager, id: string, lock = false): Promise<OfferRow> {
    const rows: OfferRow[] = await em.query(
      `SELECT ${OFFER_COLUMNS} FROM proactive_offer o LEFT JOIN application a ON a.id = o.application_id
       WHERE o.id = $1 ${lock ? 'FOR UPDATE OF o' : ''}`,
      [id],
    );
    if (!rows[0]) throw notFound('proactive offer', id);
    return rows[0];
  }

  // ---------- answers ----------

  /** Anyone holding the code: unknown → NOT_FOUND; answered or lapsed → CONFLICT; nothing changes then. */
  async answerByToken(token: string, consent: boolean): Promise<ProactiveOffer> {
    const t = normalizeToken(token);
    const rows: { id: string }[] = t ? await this.ds.query(`SELECT id FROM proactive_offer WHERE token_hash = $1`, [hashToken(t)]) : [];
    if (!rows[0]) {
      throw new AppError('NOT_FOUND', 'token: no proactive offer has this code', 'token');
    }
    return this.answer(rows[0].id, consent, 'token');
  }

  /**
   * Answers a PENDING, unexpired offer. On consent the application is registered (QueueService.register,
   * time of the answer) in the same transaction that marks the offer answered, with the offer row
   * locked: two answers cannot both register, and a crash leaves either both or neither.
   */
  private async answer(offerId: string, consent: boolean, channel: 'token' | 'sms'): Promise<ProactiveOffer> {
    return this.ds.transaction(async (em) => {
      const o = await this.load(em, offerId, true);
      if (o.status !== 'PENDING') {
        throw conflict(`token: the offer was already answered or has lapsed (status ${o.status})`, 'token');
      }
      const now = this.clock.now();
      if (o.expires_at.getTime() <= now.getTime()) {
        throw conflict('token: the offer has lapsed', 'token');
      }
      let applicationId: string | null = null;
      if (consent) {
        const app = await this.queue.register(this.registration(o.payload), SYSTEM, now, em);
        applicationId = app.id;
      }
      await em.query(`UPDATE proactive_offer SET status = $2, answered_at = $3, application_id = $4 WHERE id = $1`, [
        offerId,
        consent ? 'ACCEPTED' : 'REFUSED',
        now,
        applicationId,
      ]);
      await this.ledger.append(em, {
        type: consent ? 'proactive_offer.accepted' : 'proactive_offer.refused',
        entity: 'proactive_offer',
        entityId: offerId,
        actor: channel === 'sms' ? 'sms:applicant' : 'token:holder',
        at: now,
        data: { channel, applicationId },
      });
      return toOffer(await this.load(em, offerId));
    });
  }

  private registration(p: BirthPayload): RegisterApplicationInput {
    return Object.assign(new RegisterApplicationInput(), {
      childIin: p.childIin,
      childName: p.childName,
      applicantIin: p.applicantIin,
      phone: p.phone,
      locality: p.locality,
      organizationIds: p.organizationIds,
      language: p.language,
      groupType: GroupType.GENERAL,
      workModes: p.workModes,
      desiredAdmissionDate: p.desiredAdmissionDate,
      priorityCategories: [],
      acceptsTemporaryStay: false,
      notificationLanguage: p.notificationLanguage,
    });
  }

  /**
   * A reply through the SMS provider's webhook. It answers the live offers texted to that phone (the one
   * named by a code in the reply, if any); anything that is not an answer gets a help text.
   */
  async inbound(from: string, text: string): Promise<{ status: InboundOutcome; offers: number }> {
    const phone = normalizeKzPhone(from);
    if (!phone) return { status: 'no_offer', offers: 0 };
    const now = this.clock.now();
    const live: OfferRow[] = await this.ds.query(
      `SELECT ${OFFER_COLUMNS} FROM proactive_offer o LEFT JOIN application a ON a.id = o.application_id
       WHERE o.phone = $1 AND o.status = 'PENDING' AND o.expires_at > $2 ORDER BY o.created_at, o.id`,
      [phone, now],
    );
    if (!live.length) return { status: 'no_offer', offers: 0 };
    const reply = parseReply(text);
    const targets = reply.code ? live.filter((o) => o.token_hash === hashToken(reply.code ?? '')) : live;
    if (!reply.answer || !targets.length) {
      await this.help(live[live.length - 1], now);
      return { status: 'help', offers: 0 };
    }
    let answered = 0;
    for (const o of targets) {
      try {
        await this.answer(o.id, reply.answer === 'consent', 'sms');
        answered++;
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        this.log.warn({ offer: o.id, code: e.code, err: e.message }, 'proactive reply not applied');
      }
    }
    if (!answered) return { status: 'failed', offers: 0 };
    return { status: reply.answer === 'consent' ? 'accepted' : 'refused', offers: answered };
  }

  private async help(o: OfferRow, now: Date): Promise<void> {
    await this.ds.transaction(async (em) => {
      await em.query(`SELECT 1 FROM proactive_offer WHERE id = $1 FOR UPDATE`, [o.id]);
      const rows: { n: number }[] = await em.query(
        `SELECT count(*)::int AS n FROM notification WHERE offer_id = $1 AND stage = 'PROACTIVE_HELP'`,
        [o.id],
      );
      const n = rows[0].n;
      if (n >= MAX_HELP_TEXTS) return;
      await this.notifications.enqueue(em, {
        offerId: o.id,
        phone: o.phone,
        language: o.payload.notificationLanguage,
        stage: 'PROACTIVE_HELP',
        key: `PROACTIVE_HELP:${o.id}:${n + 1}`,
        params: {},
        at: now,
      });
    });
  }

  // ---------- lapse ----------

  /** 00:00 daily: PENDING offers past their deadline lapse (EXPIRED). */
  async lapse(at: Date): Promise<{ expired: number }> {
    return this.ds.transaction(async (em) => {
      const rows = await returning<{ id: string; expires_at: Date }>(
        em,
        `UPDATE proactive_offer SET status = 'EXPIRED' WHERE status = 'PENDING' AND expires_at <= $1 RETURNING id, expires_at`,
        [at],
      );
      await this.ledger.appendMany(
        em,
        rows.map((r) => ({
          type: 'proactive_offer.expired',
          entity: 'proactive_offer' as const,
          entityId: r.id,
          actor: 'system',
          at,
          data: { expiresAt: r.expires_at.toISOString() },
        })),
      );
      return { expired: rows.length };
    });
  }
}
