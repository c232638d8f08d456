import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isIsoDate, toAlmatyDate, formatAlmaty } from '../calendar/domain/almaty-time.js';
import { LedgerTreeService } from '../ledger/ledger-tree.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { Clock } from '../platform/clock/clock.js';
import { ENV_CONFIG, type EnvConfig } from '../platform/config/config.js';
import { JWT_SECRET } from '../platform/database/database.tokens.js';
import { ReadDataSource } from '../platform/database/read-data-source.js';
import { AppError, badInput } from '../platform/errors/app-error.js';
import { rankQueue, type InterleaveRatio, type PriorityClass, type RankedApplication } from '../queue/domain/ranking.js';
import {
  bulletinRow,
  bulletinsCsv,
  exportFileName,
  exportJson,
  exportJsonHead,
  OPEN_DATA_FORMATS,
  OPEN_DATA_KINDS,
  pseudonymizer,
  pseudonymKey,
  QUEUES_CSV_HEADER,
  queueText,
  type BulletinRow,
  type OpenDataFormat,
  type OpenDataKind,
  type QueueEntryText,
} from './domain/index.js';

/** The daily freeze runs at 09:00 Asia/Almaty, after the bulletins (order 10) and the allocation (order 20). */
/** Longest a live render of today's files is reused (real time; also bounds changes the ledger does not see). */
export const LIVE_REUSE_MS = 60_000;

export interface OpenDataFile {
  /** The file's text in pieces, in order (joined, they are the file). */
  chunks: readonly string[];
  /** True when served from the frozen daily snapshot (immutable), false when read live. */
  frozen: boolean;
}

/**
 * Files of one date keyed by file name (queues.csv, queues.json, bulletins.csv, bulletins.json), each as
 * the pieces of its text in order: a national file is never joined into one string here.
 */
export type OpenDataFiles = Record<string, readonly string[]>;

/** Characters of text sent to the database at a time while freezing a day (about 4 MB). */
const FREEZE_PART_CHARS = 4_000_000;

interface QueueSqlRow {
  id: string;
  seq: string;
  priority_class: PriorityClass;
  /** registered_at in epoch milliseconds (as text: bigint), truncated as node-postgres truncates a timestamptz. */
  registered_ms: string;
  /** organization_ids joined by `;`. */
  organization_choices: string;
  language: string;
  group_type: string;
}

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
export class OpenDataService {
  private readonly log = new Logger(OpenDataService.name);
  private readonly key: string;
  /** The last live render of each kind (see liveFiles). */
  private readonly live = new Map<OpenDataKind, { version: string; at: number; files: Promise<OpenDataFiles> }>();

  constructor(
    private readonly ds: DataSource,
    private readonly reads: ReadDataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly tree: LedgerTreeService,
    @Inject(ENV_CONFIG) private readonly config: EnvConfig,
    @Inject(JWT_SECRET) jwtSecret: string,
  ) {
    this.key = pseudonymKey(config.OPEN_DATA_SALT, jwtSecret);
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
      const rows: { body: string }[] = await db.query(`SELECT body FROM open_data_snapshot WHERE date = $1 AND kind = $2 AND format = $3`, [
        date,
        kind,
        format,
      ]);
      if (rows[0]) return { chunks: [rows[0].body], frozen: true };
      if (kind === 'queues') {
        throw new AppError('NOT_FOUND', `date: the queue order of ${date} was not frozen (only days the 09:00 task ran have one)`, 'date');
      }
    }
    const files = await this.liveFiles(db, date, kind);
    return { chunks: files[exportFileName(kind, format)], frozen: false };
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
      const [{ n }]: { n: number }[] = await this.ds.query(`SELECT count(*)::int AS n FROM open_data_snapshot WHERE date = $1`, [date]);
      let written = 0;
      if (n < OPEN_DATA_KINDS.length * OPEN_DATA_FORMATS.length) written = await this.freezeFiles(date);
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
   * Renders the four files of `date` and stores them in `open_data_snapshot` (rows that exist are kept),
   * in one REPEATABLE READ transaction: the data is read from its snapshot, and the text goes to the
   * database in pieces of about FREEZE_PART_CHARS (a temporary table), each file then stored as one
   * body by string_agg, so the process never holds a whole national file. Returns the rows written.
   */
  private async freezeFiles(date: string): Promise<number> {
    return this.ds.transaction('REPEATABLE READ', async (em) => {
      await em.query(`CREATE TEMPORARY TABLE open_data_part (file text, part int, body text) ON COMMIT DROP`);
      const pending = new Map<string, { texts: string[]; chars: number; part: number }>();
      const flush = async (file: string, p: { texts: string[]; chars: number; part: number }): Promise<void> => {
        if (!p.texts.length) return;
        const body = p.texts.join('');
        p.texts = [];
        p.chars = 0;
        await em.query(`INSERT INTO open_data_part (file, part, body) VALUES ($1, $2, $3)`, [file, p.part++, body]);
      };
      await this.renderInto(em, date, OPEN_DATA_KINDS, async (file, text) => {
        let p = pending.get(file);
        if (!p) pending.set(file, (p = { texts: [], chars: 0, part: 0 }));
        p.texts.push(text);
        p.chars += text.length;
        if (p.chars >= FREEZE_PART_CHARS) await flush(file, p);
      });
      for (const [file, p] of pending) await flush(file, p);
      const tuples: string[] = [];
      const values: unknown[] = [date, this.clock.now()];
      for (const kind of OPEN_DATA_KINDS) {
        for (const format of OPEN_DATA_FORMATS) {
          values.push(kind, format, exportFileName(kind, format));
          const k = values.length;
          tuples.push(`($${k - 2}, $${k - 1}, $${k})`);
        }
      }
      const inserted: unknown[] = await em.query(
        `INSERT INTO open_data_snapshot (date, kind, format, body, created_at)
         SELECT $1::date, f.kind, f.format, coalesce((SELECT string_agg(p.body, '' ORDER BY p.part) FROM open_data_part p WHERE p.file = f.file), ''), $2
         FROM (VALUES ${tuples.join(', ')}) f (kind, format, file)
         ON CONFLICT DO NOTHING RETURNING 1`,
        values,
      );
      return inserted.length;
    });
  }

  /**
   * Writes the four files of `date` into `dir` (created if missing), as the endpoints serve them
   * (`kezek export --date D --out DIR`). Returns the paths written.
   */
  async exportTo(dir: string, date: string): Promise<string[]> {
    const files: OpenDataFiles = {};
    for (const kind of OPEN_DATA_KINDS) {
      for (const format of OPEN_DATA_FORMATS) {
        files[exportFileName(kind, format)] = (await this.file(date, kind, format)).chunks;
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
    return Object.fromEntries(rows.map((r) => [exportFileName(r.kind, r.format), [r.body]]));
  }

  /** Each file is written beside its final name and renamed, so a reader never sees half a file. */
  private async writeFiles(dir: string, files: OpenDataFiles): Promise<string[]> {
    await mkdir(dir, { recursive: true });
    const paths: string[] = [];
    for (const [name, chunks] of Object.entries(files)) {
      const path = join(dir, name);
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, chunks, 'utf8');
      await rename(tmp, path);
      paths.push(path);
    }
    return paths;
  }

  /**
   * Builds the files of the given kinds from one read-only REPEATABLE READ snapshot, so every queue,
   * the bulletins and the ledger head are read at the same instant. Each file is kept as the pieces it
   * was written in (one per queue), never joined into one string.
   */
  private async render(date: string, kinds: readonly OpenDataKind[], db: DataSource = this.ds): Promise<OpenDataFiles> {
    return db.transaction('REPEATABLE READ', async (em) => {
      await em.query('SET TRANSACTION READ ONLY');
      const files: Record<string, string[]> = {};
      await this.renderInto(em, date, kinds, (file, text) => {
        (files[file] ??= []).push(text);
      });
      return files;
    });
  }

  /**
   * Writes the files of the given kinds, in order and in pieces, to `out` (file name, text), reading
   * everything through `em` (the caller's snapshot). The queues are read and written one at a time.
   */
  private async renderInto(
    em: EntityManager,
    date: string,
    kinds: readonly OpenDataKind[],
    out: (file: string, text: string) => void | Promise<void>,
  ): Promise<void> {
    const generatedAt = formatAlmaty(this.clock.now());
    const head = await this.ledger.head(em);
    const signedHead = await this.tree.latestHead(em);
    for (const kind of kinds) {
      const meta = { date, kind, generatedAt, ledgerHead: head.headHash, ledgerLength: head.length, signedHead };
      const csvFile = exportFileName(kind, 'csv');
      const jsonFile = exportFileName(kind, 'json');
      if (kind === 'queues') {
        await out(csvFile, QUEUES_CSV_HEADER);
        await out(jsonFile, exportJsonHead(meta));
        let rows = 0;
        await this.eachQueue(em, date, async (text, n) => {
          await out(csvFile, text.csv);
          await out(jsonFile, `${rows ? ',\n' : '[\n'}${text.json}`);
          rows += n;
        });
        await out(jsonFile, rows ? '\n]}\n' : '[]}\n');
      } else {
        const rows = await this.bulletinRows(em, date);
        await out(csvFile, bulletinsCsv(rows));
        await out(jsonFile, exportJson({ ...meta, rows }));
      }
    }
  }

  /**
   * Every queue (locality, cohort) with a QUEUED application, in order, as text ({@link queueText}):
   * one query per queue (an index-only scan of ix_application_open_data, migration 1764000000095) reads
   * what both the ranking and the row need, ranked by the pure rankQueue
   * with the queue's cycle position and the interleave setting, exactly as QueueRankingService.rankedQueue
   * does. The public application number is not read: it is deliberately not published (docs/OPEN_DATA.md).
   */
  private async eachQueue(
    em: EntityManager,
    date: string,
    write: (text: { csv: string; json: string }, rows: number) => Promise<void>,
  ): Promise<void> {
    const [setting]: { value: InterleaveRatio }[] = await em.query(`SELECT value FROM setting WHERE key = 'interleave'`);
    const queues: { locality: string; cohort: number; cycle: number | null }[] = await em.query(
      `SELECT q.locality, q.cohort, c.position AS cycle
       FROM (SELECT DISTINCT locality, cohort FROM application WHERE status = 'QUEUED') q
       LEFT JOIN queue_cycle c ON c.locality = q.locality AND c.cohort = q.cohort
       ORDER BY q.locality, q.cohort`,
    );
    const pseudonymOf = pseudonymizer(this.key);
    const cache = new Map<string, [string, string]>();
    for (const { locality, cohort, cycle } of queues) {
      const rows: QueueSqlRow[] = await em.query(
        `SELECT id, seq, priority_class,
                (extract(epoch FROM date_trunc('milliseconds', registered_at)) * 1000)::bigint AS registered_ms,
                array_to_string(organization_ids, ';') AS organization_choices, language, group_type
         FROM application WHERE locality = $1 AND cohort = $2 AND status = 'QUEUED'`,
        [locality, cohort],
      );
      const entries: (RankedApplication & QueueEntryText)[] = new Array<RankedApplication & QueueEntryText>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        entries[i] = {
          id: r.id,
          seq: Number(r.seq),
          priorityClass: r.priority_class,
          registeredAt: Number(r.registered_ms),
          organizationChoices: r.organization_choices,
          language: r.language,
          groupType: r.group_type,
        };
      }
      const order = rankQueue(entries, cycle ?? 0, setting?.value);
      await write(queueText(date, locality, cohort, order, pseudonymOf, cache), order.length);
    }
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
