import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ReadDataSource } from '../platform/database/read-data-source.js';
import { DataSource, type EntityManager } from 'typeorm';
import { actorOf, isAdmin, staffOrg, type Principal } from '../auth/principal.js';
import { almatyAt, addCalendarDays, toAlmatyDate } from '../calendar/domain/almaty-time.js';
import type { SignedTreeHead as SignedTreeHeadJson } from '../ledger/domain/merkle.js';
import { LedgerSealerService } from '../ledger/ledger-sealer.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { isUuid } from '../platform/identifiers/uuid.js';
import { Clock } from '../platform/clock/clock.js';
import { badInput, conflict, forbidden, notFound } from '../platform/errors/app-error.js';
import { decodeCursor, toConnection, type ConnectionShape } from '../platform/graphql/connection.js';
import { BulletinKind, VacancyStatus } from '../vacancy/domain/vocabulary.js';
import { isRealDate } from '../platform/graphql/scalars.js';
import { SettingsService } from '../settings/settings.service.js';
import { LIVE_REFERRAL_STATUSES_SQL } from '../referral/domain/referral-state.js';
import { inTransferPeriod, vacancyProblem, type TransferPeriod } from './domain/vacancy-rules.js';
import { PublishVacancyInput, type BulletinEntry, type VacanciesArgs, type Vacancy } from './dto/vacancy.model.js';
import { toVacancy, VACANCY_COLUMNS, type VacancyRow } from './vacancy.row.js';
import { VacancyStore } from './vacancy.store.js';
import { LOCK_KEYS } from '../platform/database/locks.js';

/** Bulletin publication time: 09:00 Asia/Almaty. */
export const BULLETIN_MINUTES = 9 * 60;
/** Fault-injection hook for the crash tests: hold the publication transaction open before commit (never in production). */
const BULLETIN_DELAY_MS = process.env.NODE_ENV === 'production' ? 0 : Number(process.env.BULLETIN_DELAY_MS ?? 0);

/** Most entries of one `bulletin` answer (its default page); later ones by `afterPosition`. */
export const BULLETIN_MAX_PAGE = 500;

/**
 * The bulletin a hand-over at `instant` belongs to: (D−1 09:00, D 09:00] → D; no bulletin is published
 * during the transfer period, so its days move to the first day after it.
 */
export function bulletinDateOf(instant: Date, transfer?: TransferPeriod): string {
  const d = toAlmatyDate(instant);
  let date = instant.getTime() <= almatyAt(d, 9).getTime() ? d : addCalendarDays(d, 1);
  for (let i = 0; transfer && i < 366 && inTransferPeriod(date, transfer); i++) date = addCalendarDays(date, 1);
  return date;
}

@Injectable()
export class VacancyService {
  private readonly log = new Logger(VacancyService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly reads: ReadDataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly settings: SettingsService,
    private readonly sealer: LedgerSealerService,
    private readonly store: VacancyStore,
  ) {}

  private assertManages(by: Principal, organizationId: string): void {
    if (isAdmin(by)) return;
    if (staffOrg(by) === organizationId) return;
    throw forbidden(`organizationId: you may only manage places of your own organization`);
  }

  async publish(inputs: PublishVacancyInput[], by: Principal): Promise<Vacancy[]> {
    if (inputs.length === 0) throw badInput('input', 'give at least one place');
    if (inputs.length > 50) throw badInput('input', 'at most 50 entries per call');
    const total = inputs.reduce((n, i) => n + i.count, 0);
    if (total > 500) throw badInput('input', 'at most 500 places per call');
    for (const [i, v] of inputs.entries()) {
      this.assertManages(by, v.organizationId);
      // The validation pipe does not look into list arguments: check every entry against its DTO rules.
      const invalid = validateSync(plainToInstance(PublishVacancyInput, v))[0];
      if (invalid) {
        const message = Object.values(invalid.constraints ?? {})[0] ?? 'is invalid';
        throw badInput(`input[${i}].${invalid.property}`, message.replace(new RegExp(`^${invalid.property} `), ''));
      }
      if (!v.ageGroup.trim()) throw badInput(`input[${i}].ageGroup`, 'must not be blank');
      if (!isRealDate(v.admissionStartDate)) throw badInput(`input[${i}].admissionStartDate`, 'must be a real date');
      if (v.attendanceUntil && !isRealDate(v.attendanceUntil)) throw badInput(`input[${i}].attendanceUntil`, 'must be a real date');
      const p = vacancyProblem(v);
      if (p) throw badInput(`input[${i}].${p[0]}`, p[1]);
    }
    const now = this.clock.now();
    const s = await this.settings.get();
    const today = toAlmatyDate(now);
    if (inTransferPeriod(today, s.transferPeriod)) {
      throw conflict(
        `publishVacancies: places are not published during the transfer period (${s.transferPeriod.from}..${s.transferPeriod.to}, MM-DD)`,
      );
    }
    return this.ds.transaction(async (em) => {
      const ids = [...new Set(inputs.map((i) => i.organizationId))];
      const orgs: { id: string; locality: string }[] = await em.query(`SELECT id, locality FROM organization WHERE id = ANY($1::uuid[])`, [
        ids,
      ]);
      const out: Vacancy[] = [];
      for (const [i, v] of inputs.entries()) {
        const org = orgs.find((o) => o.id === v.organizationId);
        if (!org) throw badInput(`input[${i}].organizationId`, `organization ${v.organizationId} does not exist`);
        const rows = await this.store.publish(
          { em, at: now, actor: actorOf(by) },
          {
            organizationId: v.organizationId,
            locality: org.locality,
            ageGroup: v.ageGroup.trim(),
            language: v.language,
            ageFromMonths: v.ageFromMonths,
            ageToMonths: v.ageToMonths,
            groupType: v.groupType,
            workMode: v.workMode,
            admissionMode: v.admissionMode,
            admissionStartDate: v.admissionStartDate,
            attendanceUntil: v.attendanceUntil ?? null,
          },
          v.count,
          bulletinDateOf(now, s.transferPeriod),
        );
        out.push(...rows.map((r) => toVacancy(r, now)));
      }
      return out;
    });
  }

  async revoke(id: string, reason: string, by: Principal): Promise<Vacancy> {
    const why = reason.trim();
    if (!why) throw badInput('reason', 'is required');
    if (why.length > 500) throw badInput('reason', 'is too long (500 characters at most)');
    return this.ds.transaction(async (em) => {
      const v = await this.load(em, id, true);
      this.assertManages(by, v.organizationId);
      const live: { id: string; status: string }[] = await em.query(
        `SELECT id, status FROM referral WHERE vacancy_id = $1 AND status IN ${LIVE_REFERRAL_STATUSES_SQL}`,
        [id],
      );
      if (live.length) throw conflict(`id: the place has a live referral ${live[0].id} (${live[0].status}); it cannot be revoked`, 'id');
      if (v.status !== VacancyStatus.PUBLISHED) throw conflict(`id: only a published place can be revoked (status ${v.status})`, 'id');
      const now = this.clock.now();
      const s = await this.settings.get(em);
      const row = await this.store.revoke({ em, at: now, actor: actorOf(by) }, v, why, bulletinDateOf(now, s.transferPeriod));
      return toVacancy(row, now);
    });
  }

  async load(em: EntityManager | DataSource, id: string, lock = false): Promise<Vacancy> {
    if (!isUuid(id)) throw notFound('vacancy', id);
    const rows: VacancyRow[] = await em.query(`SELECT ${VACANCY_COLUMNS} FROM vacancy v WHERE v.id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
    if (!rows[0]) throw notFound('vacancy', id);
    return toVacancy(rows[0], this.clock.now());
  }

  get(id: string): Promise<Vacancy> {
    return this.load(this.ds, id);
  }

  /** From the primary; `replica`: the places of bulletin entries read from the read replica (`bulletin`). */
  async getMany(ids: readonly string[], source: 'primary' | 'replica' = 'primary'): Promise<Map<string, Vacancy>> {
    const valid = ids.filter(isUuid);
    if (!valid.length) return new Map();
    const read = async (db: DataSource, wanted: string[]): Promise<VacancyRow[]> =>
      db.query(`SELECT ${VACANCY_COLUMNS} FROM vacancy v WHERE v.id = ANY($1::uuid[])`, [wanted]);
    const rows = source === 'replica' ? await this.reads.run((db) => read(db, valid)) : await read(this.ds, valid);
    // A bulletin answered by the primary (replica failing) may name places the replica has not replayed yet.
    const missing = source === 'replica' ? valid.filter((id) => !rows.some((r) => r.id === id)) : [];
    if (missing.length) rows.push(...(await read(this.ds, missing)));
    const now = this.clock.now();
    return new Map(rows.map((r) => [r.id, toVacancy(r, now)]));
  }

  /** ADMIN: all; ORG_STAFF: their organization only; others: open places only. */
  async list(args: VacanciesArgs, by: Principal): Promise<ConnectionShape<Vacancy>> {
    let organizationId = args.organizationId ?? null;
    let openOnly = args.openForClaim ?? false;
    const own = staffOrg(by);
    if (own) {
      if (organizationId && organizationId !== own) throw forbidden('organizationId: staff see only their own organization');
      organizationId = own;
    } else if (!isAdmin(by)) {
      openOnly = true;
    }
    const now = this.clock.now();
    const after = decodeCursor(args.after, 1);
    const params: unknown[] = [organizationId, args.locality ?? null, args.status ?? null, args.admissionMode ?? null, openOnly, now];
    const where = `($1::uuid IS NULL OR v.organization_id = $1) AND ($2::text IS NULL OR v.locality = $2)
      AND ($3::text IS NULL OR v.status = $3) AND ($4::text IS NULL OR v.admission_mode = $4)
      AND (NOT $5::boolean OR (v.status = 'PUBLISHED' AND v.open_at IS NOT NULL AND v.open_at <= $6))`;
    const total: { n: number }[] = await this.ds.query(`SELECT count(*)::int AS n FROM vacancy v WHERE ${where}`, params);
    const rows: VacancyRow[] = await this.ds.query(
      `SELECT ${VACANCY_COLUMNS} FROM vacancy v WHERE ${where} AND ($7::bigint IS NULL OR v.seq > $7) ORDER BY v.seq LIMIT $8`,
      [...params, after ? Number(after[0]) : null, args.first + 1],
    );
    return toConnection(
      rows,
      args.first,
      total[0].n,
      (r) => toVacancy(r, now),
      (r) => [Number(r.seq)],
    );
  }

  /**
   * A frozen bulletin, from the read replica when there is one (a bulletin never changes once published):
   * at most `first` (≤ BULLETIN_MAX_PAGE) entries with a position above `afterPosition`, in order.
   */
  async bulletin(
    date: string,
    kind: BulletinKind,
    locality: string | null,
    page: { first: number; afterPosition: number | null } = { first: BULLETIN_MAX_PAGE, afterPosition: null },
  ): Promise<BulletinEntry[]> {
    if (!isRealDate(date)) throw badInput('date', 'must be a real date YYYY-MM-DD');
    if (locality !== null && !/^\d{9}$/.test(locality)) throw badInput('locality', 'must be a 9-digit KATO code');
    if (!Number.isInteger(page.first) || page.first < 1 || page.first > BULLETIN_MAX_PAGE) {
      throw badInput('first', `must be between 1 and ${BULLETIN_MAX_PAGE}`);
    }
    if (page.afterPosition !== null && (!Number.isInteger(page.afterPosition) || page.afterPosition < 0)) {
      throw badInput('afterPosition', 'must be a position (0 or more)');
    }
    const rows: {
      position: number;
      at: Date;
      vacancy_id: string;
      locality: string;
      ledger_head: string | null;
      signed_head: SignedTreeHeadJson | null;
    }[] = await this.reads.run((db) =>
      db.query(
        `SELECT e.position, e.at, e.vacancy_id, e.locality, p.ledger_head, p.signed_head FROM bulletin_entry e
         LEFT JOIN bulletin_publication p ON p.bulletin_date = e.bulletin_date AND p.kind = e.kind
         WHERE e.bulletin_date = $1 AND e.kind = $2 AND ($3::text IS NULL OR e.locality = $3) AND e.position > $4
         ORDER BY e.position LIMIT $5`,
        [date, kind, locality, page.afterPosition ?? 0, page.first],
      ),
    );
    return rows.map((r) => ({
      position: r.position,
      at: r.at,
      kind,
      date,
      locality: r.locality,
      vacancyId: r.vacancy_id,
      ledgerHead: r.ledger_head,
      signedHead: r.signed_head ? { ...r.signed_head, timestamp: new Date(r.signed_head.timestamp) } : null,
    }));
  }

  /**
   * 09:00 daily: freezes the bulletins of day D = local date of `at`. VACATED: every place handed over
   * up to `at` that is in no VACATED bulletin yet, in hand-over order (revoked ones too: a bulletin is a
   * protocol of events); REVOKED likewise. During the transfer period no bulletin is published; places
   * handed over before it appear in the first bulletin after it. Idempotent (publication row per day/kind).
   */
  async publishBulletins(at: Date): Promise<{ date: string; vacated: number; revoked: number }> {
    const date = toAlmatyDate(at);
    const s = await this.settings.get(undefined, at);
    if (inTransferPeriod(date, s.transferPeriod)) return { date, vacated: 0, revoked: 0 };
    // Seal what is committed first, so the pinned head covers every event up to this moment.
    const head = await this.sealer.head();
    return this.ds.transaction(async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock($1)`, [LOCK_KEYS.bulletin]);
      const done: unknown[] = await em.query(`SELECT 1 FROM bulletin_publication WHERE bulletin_date = $1`, [date]);
      if (done.length) return { date, vacated: -1, revoked: -1 };
      const counts = { vacated: 0, revoked: 0 };
      for (const kind of [BulletinKind.VACATED, BulletinKind.REVOKED]) {
        const timeCol = kind === BulletinKind.VACATED ? 'published_at' : 'revoked_at';
        const rows: { id: string; at: Date; locality: string }[] = await em.query(
          `SELECT v.id, v.${timeCol} AS at, v.locality FROM vacancy v
           WHERE v.${timeCol} IS NOT NULL AND v.${timeCol} <= $1
             AND NOT EXISTS (SELECT 1 FROM bulletin_entry e WHERE e.vacancy_id = v.id AND e.kind = $2)
           ORDER BY v.${timeCol}, v.seq`,
          [at, kind],
        );
        const last: { n: number }[] = await em.query(
          `SELECT coalesce(max(position), 0)::int AS n FROM bulletin_entry WHERE bulletin_date = $1 AND kind = $2`,
          [date, kind],
        );
        for (const [i, r] of rows.entries()) {
          await em.query(
            `INSERT INTO bulletin_entry (bulletin_date, kind, position, at, vacancy_id, locality) VALUES ($1,$2,$3,$4,$5,$6)`,
            [date, kind, last[0].n + i + 1, r.at, r.id, r.locality],
          );
        }
        if (kind === BulletinKind.VACATED && rows.length) {
          await this.store.enterBulletin(
            em,
            rows.map((r) => r.id),
            date,
          );
        }
        await em.query(
          `INSERT INTO bulletin_publication (bulletin_date, kind, published_at, entries, ledger_length, ledger_head, signed_head)
           VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb)`,
          [date, kind, at, rows.length, head.length, head.headHash, head.signed ? JSON.stringify(head.signed) : null],
        );
        await this.ledger.append(em, {
          type: 'bulletin.published',
          entity: 'bulletin',
          entityId: `${date}:${kind}`,
          actor: 'system',
          at,
          data: { date, kind, vacancies: rows.map((r) => r.id), ledgerHead: head.headHash, ledgerLength: head.length },
        });
        counts[kind === BulletinKind.VACATED ? 'vacated' : 'revoked'] = rows.length;
      }
      if (BULLETIN_DELAY_MS > 0) {
        this.log.warn({ date, ...counts, delayMs: BULLETIN_DELAY_MS }, 'bulletin publication held open before commit (BULLETIN_DELAY_MS)');
        await new Promise((res) => setTimeout(res, BULLETIN_DELAY_MS));
      }
      return { date, ...counts };
    });
  }
}
