import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isIsoDate, toAlmatyDate, formatAlmaty } from '../calendar/domain/almaty-time.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { Clock } from '../platform/clock/clock.js';
import { ENV_CONFIG, type EnvConfig } from '../platform/config/config.js';
import { JWT_SECRET } from '../platform/database/database.tokens.js';
import { ReadDataSource } from '../platform/database/read-data-source.js';
import { AppError, badInput } from '../platform/errors/app-error.js';
import { SchedulerService } from '../platform/jobs/scheduler.service.js';
import { QueueRankingService } from '../queue/queue-ranking.service.js';
import {
  bulletinRow,
  bulletinsCsv,
  exportFileName,
  exportJson,
  OPEN_DATA_FORMATS,
  OPEN_DATA_KINDS,
  pseudonymKey,
  queueRows,
  queuesCsv,
  type BulletinRow,
  type OpenDataFormat,
  type OpenDataKind,
  type QueueEntryFacts,
  type QueueRow,
} from './domain/index.js';

/** The daily freeze runs at 09:00 Asia/Almaty, after the bulletins (order 10) and the allocation (order 20). */
export const OPEN_DATA_MINUTES = 9 * 60;
export const OPEN_DATA_ORDER = 90;
/** Longest a live render of today's files is reused (real time; also bounds changes the ledger does not see). */
export const LIVE_REUSE_MS = 60_000;

export interface OpenDataFile {
  body: string;
  /** True when served from the frozen daily snapshot (immutable), false when read live. */
  frozen: boolean;
}

/** The four files of one date, keyed by file name (queues.csv, queues.json, bulletins.csv, bulletins.json). */
export type OpenDataFiles = Record<string, string>;

interface BulletinSqlRow {
  date: string;
  kind: string;
  position: number;
  at: Date;
  vacancy_id: string;
  organization_id: string;
  organization_name: string;
  organization_bin: string;
  locality: string;
  age_group: string;
  language: string;
  age_from_months: number;
  age_to_months: number;
  group_type: string;
  work_mode: string;
  admission_mode: string;
  admission_start_date: string;
  attendance_until: string | null;
  ledger_head: string | null;
}

/**
 * Daily pseudonymized open data (docs/OPEN_DATA.md): the order of every queue and the day's bulletins,
 * as CSV and JSON. Today's files are read live; at 09:00 (after bulletins and allocation) the day's
 * four files are frozen into `open_data_snapshot`, and past dates are served from there.
 */
@Injectable()
export class OpenDataService implements OnModuleInit {
  private readonly log = new Logger(OpenDataService.name);
  private readonly key: string;
  /** The last live render of each kind (see liveFiles). */
  private readonly live = new Map<OpenDataKind, { version: string; at: number; files: Promise<OpenDataFiles> }>();

  constructor(
    private readonly ds: DataSource,
    private readonly reads: ReadDataSource,
    private readonly clock: Clock,
    private readonly ranking: QueueRankingService,
    private readonly ledger: LedgerService,
    private readonly scheduler: SchedulerService,
    @Inject(ENV_CONFIG) private readonly config: EnvConfig,
    @Inject(JWT_SECRET) jwtSecret: string,
  ) {
    this.key = pseudonymKey(config.OPEN_DATA_SALT, jwtSecret);
  }

  onModuleInit(): void {
    this.scheduler.register({
      kind: 'open-data',
      atMinutes: OPEN_DATA_MINUTES,
      order: OPEN_DATA_ORDER,
      run: (at) => this.freezeDay(at),
    });
  }

  /**
   * One file as served: today's is read now; a past date's comes from its snapshot, else (bulletins
   * only, which never change once published) is rebuilt from the bulletin tables. A past queue with no
   * snapshot, or a future date, is NOT_FOUND. Read from the read replica when there is one.
   */
  async file(date: string, kind: OpenDataKind, format: OpenDataFormat): Promise<OpenDataFile> {
    if (!isIsoDate(date)) throw badInput('date', 'must be a real date YYYY-MM-DD');
    const today = toAlmatyDate(this.clock.now());
    if (date > today) throw new AppError('NOT_FOUND', `date: ${date} is after today (${today}); no data yet`, 'date');
    return this.reads.run((db) => this.fileIn(db, date, today, kind, format));
  }

  private async fileIn(db: DataSource, date: string, today: string, kind: OpenDataKind, format: OpenDataFormat): Promise<OpenDataFile> {
    if (date < today) {
      const rows: { body: string }[] = await db.query(
        `SELECT body FROM open_data_snapshot WHERE date = $1 AND kind = $2 AND format = $3`,
        [date, kind, format],
      );
      if (rows[0]) return { body: rows[0].body, frozen: true };
      if (kind === 'queues') {
        throw new AppError('NOT_FOUND', `date: the queue order of ${date} was not frozen (only days the 09:00 task ran have one)`, 'date');
      }
    }
    const files = await this.liveFiles(db, date, kind);
    return { body: files[exportFileName(kind, format)], frozen: false };
  }

  /**
   * Today's files, rendered at most once per data version: a render is reused while no ledger event
   * was appended since (every state change appends one) and for at most LIVE_REUSE_MS; concurrent
   * requests share one render. This keeps a public endpoint from rebuilding every queue per request.
   */
  private async liveFiles(db: DataSource, date: string, kind: OpenDataKind): Promise<OpenDataFiles> {
    const [{ seq }]: { seq: string | null }[] = await db.query(`SELECT max(seq)::text AS seq FROM ledger_event`);
    const version = `${date}/${seq ?? 0}`;
    const hit = this.live.get(kind);
    if (hit && hit.version === version && performance.now() - hit.at < LIVE_REUSE_MS) return hit.files;
    const entry = { version, at: performance.now(), files: this.render(date, [kind], db) };
    this.live.set(kind, entry);
    entry.files.catch(() => {
      if (this.live.get(kind) === entry) this.live.delete(kind);
    });
    return entry.files;
  }

  /**
   * The daily task: freezes the four files of the local date of `at` (idempotent: a date already
   * frozen keeps its files). Never throws: open data must not hold up the tasks due after it.
   */
  async freezeDay(at: Date): Promise<Record<string, unknown>> {
    const date = toAlmatyDate(at);
    try {
      const [{ n }]: { n: number }[] = await this.ds.query(
        `SELECT count(*)::int AS n FROM open_data_snapshot WHERE date = $1`,
        [date],
      );
      let written = 0;
      if (n < OPEN_DATA_KINDS.length * OPEN_DATA_FORMATS.length) {
        const files = await this.render(date, OPEN_DATA_KINDS);
        const values: unknown[] = [date, this.clock.now()];
        const tuples: string[] = [];
        for (const kind of OPEN_DATA_KINDS) {
          for (const format of OPEN_DATA_FORMATS) {
            values.push(kind, format, files[exportFileName(kind, format)]);
            const k = values.length;
            tuples.push(`($1::date, $${k - 2}, $${k - 1}, $${k}, $2)`);
          }
        }
        const inserted: unknown[] = await this.ds.query(
          `INSERT INTO open_data_snapshot (date, kind, format, body, created_at) VALUES ${tuples.join(', ')}
           ON CONFLICT DO NOTHING RETURNING 1`,
          values,
        );
        written = inserted.length;
      }
      const summary: Record<string, unknown> = { date, written };
      if (this.config.OPEN_DATA_DIR) {
        const dir = resolve(this.config.DATA_DIR, this.config.OPEN_DATA_DIR, date);
        try {
          await this.writeFiles(dir, await this.frozenFiles(date));
          summary.dir = dir;
        } catch (e) {
          this.log.error({ date, dir, err: (e as Error).message }, 'open data: writing the files failed');
          summary.dirError = (e as Error).message;
        }
      }
      return summary;
    } catch (e) {
      this.log.error({ date, err: (e as Error).message }, 'open data: freezing the day failed');
      return { date, error: (e as Error).message };
    }
  }

  /**
   * Writes the four files of `date` into `dir` (created if missing), as the endpoints serve them
   * (`kezek export --date D --out DIR`). Returns the paths written.
   */
  async exportTo(dir: string, date: string): Promise<string[]> {
    const files: OpenDataFiles = {};
    for (const kind of OPEN_DATA_KINDS) {
      for (const format of OPEN_DATA_FORMATS) {
        files[exportFileName(kind, format)] = (await this.file(date, kind, format)).body;
      }
    }
    return this.writeFiles(resolve(dir), files);
  }

  /** The frozen files of a date, as stored. */
  private async frozenFiles(date: string): Promise<OpenDataFiles> {
    const rows: { kind: OpenDataKind; format: OpenDataFormat; body: string }[] = await this.ds.query(
      `SELECT kind, format, body FROM open_data_snapshot WHERE date = $1`,
      [date],
    );
    return Object.fromEntries(rows.map((r) => [exportFileName(r.kind, r.format), r.body]));
  }

  /** Each file is written beside its final name and renamed, so a reader never sees half a file. */
  private async writeFiles(dir: string, files: OpenDataFiles): Promise<string[]> {
    await mkdir(dir, { recursive: true });
    const paths: string[] = [];
    for (const [name, body] of Object.entries(files)) {
      const path = join(dir, name);
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, body, 'utf8');
      await rename(tmp, path);
      paths.push(path);
    }
    return paths;
  }

  /**
   * Builds the files of the given kinds from one read-only REPEATABLE READ snapshot, so every queue,
   * the bulletins and the ledger head are read at the same instant.
   */
  private async render(date: string, kinds: readonly OpenDataKind[], db: DataSource = this.ds): Promise<OpenDataFiles> {
    return db.transaction('REPEATABLE READ', async (em) => {
      await em.query('SET TRANSACTION READ ONLY');
      const generatedAt = formatAlmaty(this.clock.now());
      const head = await this.ledger.head(em);
      const files: OpenDataFiles = {};
      for (const kind of kinds) {
        const meta = { date, kind, generatedAt, ledgerHead: head.headHash, ledgerLength: head.length };
        if (kind === 'queues') {
          const rows = await this.queueRows(em, date);
          files[exportFileName(kind, 'csv')] = queuesCsv(rows);
          files[exportFileName(kind, 'json')] = exportJson({ ...meta, rows });
        } else {
          const rows = await this.bulletinRows(em, date);
          files[exportFileName(kind, 'csv')] = bulletinsCsv(rows);
          files[exportFileName(kind, 'json')] = exportJson({ ...meta, rows });
        }
      }
      return files;
    });
  }

  /** Every QUEUED application of every queue, queue by queue (locality, cohort), in allocation order. */
  private async queueRows(em: EntityManager, date: string): Promise<QueueRow[]> {
    // The public facts of every queued application at once; the order comes from the ranking service.
    // The public application number is not read: it is deliberately not published (docs/OPEN_DATA.md).
    const facts: { id: string; locality: string; cohort: number; language: string; group_type: string }[] =
      await em.query(
        `SELECT id, locality, cohort, language, group_type FROM application
         WHERE status = 'QUEUED' ORDER BY locality, cohort`,
      );
    const queues = new Map<string, { locality: string; cohort: number; byId: Map<string, (typeof facts)[number]> }>();
    for (const f of facts) {
      const key = `${f.locality}/${f.cohort}`;
      let q = queues.get(key);
      if (!q) queues.set(key, (q = { locality: f.locality, cohort: f.cohort, byId: new Map() }));
      q.byId.set(f.id, f);
    }
    const out: QueueRow[] = [];
    for (const { locality, cohort, byId } of queues.values()) {
      const ranked = await this.ranking.rankedQueue(locality, cohort, em);
      const order: QueueEntryFacts[] = ranked.order.map((e) => {
        const f = byId.get(e.id);
        if (!f) throw new Error(`open data: application ${e.id} ranked but not read (inconsistent snapshot)`);
        return {
          id: e.id,
          priorityClass: e.priorityClass,
          registeredAt: e.registeredAt,
          organizationIds: e.organizationIds,
          language: f.language,
          groupType: f.group_type,
        };
      });
      if (order.length !== byId.size) throw new Error(`open data: queue ${locality}/${cohort} ranked ${order.length} of ${byId.size}`);
      for (const row of queueRows(date, locality, cohort, order, this.key)) out.push(row);
    }
    return out;
  }

  /** The VACATED then the REVOKED bulletin of `date`, in bulletin order, with place and organization. */
  private async bulletinRows(em: EntityManager, date: string): Promise<BulletinRow[]> {
    const rows: BulletinSqlRow[] = await em.query(
      `SELECT to_char(e.bulletin_date, 'YYYY-MM-DD') AS date, e.kind, e.position, e.at, e.vacancy_id,
              v.organization_id, o.name AS organization_name, o.bin AS organization_bin, e.locality,
              v.age_group, v.language, v.age_from_months, v.age_to_months, v.group_type, v.work_mode,
              v.admission_mode, to_char(v.admission_start_date, 'YYYY-MM-DD') AS admission_start_date,
              to_char(v.attendance_until, 'YYYY-MM-DD') AS attendance_until, p.ledger_head
       FROM bulletin_entry e
       JOIN vacancy v ON v.id = e.vacancy_id
       JOIN organization o ON o.id = v.organization_id
       LEFT JOIN bulletin_publication p ON p.bulletin_date = e.bulletin_date AND p.kind = e.kind
       WHERE e.bulletin_date = $1
       ORDER BY CASE e.kind WHEN 'VACATED' THEN 0 ELSE 1 END, e.position`,
      [date],
    );
    return rows.map((r) =>
      bulletinRow({
        date: r.date,
        kind: r.kind,
        position: r.position,
        at: r.at,
        vacancyId: r.vacancy_id,
        organizationId: r.organization_id,
        organizationName: r.organization_name,
        organizationBin: r.organization_bin,
        locality: r.locality,
        ageGroup: r.age_group,
        language: r.language,
        ageFromMonths: r.age_from_months,
        ageToMonths: r.age_to_months,
        groupType: r.group_type,
        workMode: r.work_mode,
        admissionMode: r.admission_mode,
        admissionStartDate: r.admission_start_date,
        attendanceUntil: r.attendance_until,
        ledgerHead: r.ledger_head,
      }),
    );
  }
}
