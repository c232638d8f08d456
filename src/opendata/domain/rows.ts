/**
 * Rows of the daily open-data files (docs/OPEN_DATA.md): the order of every queue and the bulletins.
 * What a row may hold is decided here, in one place: public facts of a queue entry or a place, never a
 * child's or an applicant's IIN, name, phone or birth date (only the cohort year). Pure functions.
 */
import { formatAlmaty } from '../../calendar/domain/almaty-time.js';
import { cellText, type Cell, LIST_SEPARATOR, quoteField, toCsv } from './csv.js';
import { pseudonym } from './pseudonym.js';

export type OpenDataKind = 'queues' | 'bulletins';
export type OpenDataFormat = 'csv' | 'json';
export const OPEN_DATA_KINDS: readonly OpenDataKind[] = ['queues', 'bulletins'];
export const OPEN_DATA_FORMATS: readonly OpenDataFormat[] = ['csv', 'json'];

export const QUEUE_COLUMNS = [
  'date',
  'locality',
  'cohort',
  'queue_number',
  'priority_class',
  'registered_at',
  'organization_choices',
  'language',
  'group_type',
  'pseudonym',
] as const;
export type QueueColumn = (typeof QUEUE_COLUMNS)[number];

export interface QueueRow extends Record<QueueColumn, Cell> {
  date: string;
  locality: string;
  cohort: number;
  queue_number: number;
  priority_class: number;
  registered_at: string;
  organization_choices: string[];
  language: string;
  group_type: string;
  pseudonym: string;
}

export const BULLETIN_COLUMNS = [
  'date',
  'kind',
  'position',
  'at',
  'vacancy_id',
  'organization_id',
  'organization_name',
  'organization_bin',
  'locality',
  'age_group',
  'language',
  'age_from_months',
  'age_to_months',
  'group_type',
  'work_mode',
  'admission_mode',
  'admission_start_date',
  'attendance_until',
  'ledger_head',
] as const;
export type BulletinColumn = (typeof BULLETIN_COLUMNS)[number];

export interface BulletinRow extends Record<BulletinColumn, Cell> {
  date: string;
  kind: string;
  position: number;
  at: string;
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
 * One QUEUED application as the queue export needs it (nothing personal is even read). The public
 * application number is deliberately absent: next to `priority_class` it would tell anyone holding a
 * family's number its priority class (docs/OPEN_DATA.md); `id` only feeds the pseudonym.
 */
export interface QueueEntryFacts {
  id: string;
  priorityClass: number;
  /** Registration instant, epoch milliseconds. */
  registeredAt: number;
  organizationIds: readonly string[];
  language: string;
  groupType: string;
}

/**
 * The rows of one queue (locality, cohort) for `date`. `order` is the allocation order of the queue
 * (QueueRankingService.rankedQueue), so queue_number is the position in it, 1..N, as queuePosition says.
 */
export function queueRows(date: string, locality: string, cohort: number, order: readonly QueueEntryFacts[], key: string): QueueRow[] {
  return order.map((e, i) => ({
    date,
    locality,
    cohort,
    queue_number: i + 1,
    priority_class: e.priorityClass,
    registered_at: formatAlmaty(new Date(e.registeredAt)),
    organization_choices: [...e.organizationIds],
    language: e.language,
    group_type: e.groupType,
    pseudonym: pseudonym(key, e.id),
  }));
}

/** One bulletin entry joined with its place and organization. */
export interface BulletinFacts {
  date: string;
  kind: string;
  position: number;
  at: Date;
  vacancyId: string;
  organizationId: string;
  organizationName: string;
  organizationBin: string;
  locality: string;
  ageGroup: string;
  language: string;
  ageFromMonths: number;
  ageToMonths: number;
  groupType: string;
  workMode: string;
  admissionMode: string;
  admissionStartDate: string;
  attendanceUntil: string | null;
  ledgerHead: string | null;
}

export function bulletinRow(f: BulletinFacts): BulletinRow {
  return {
    date: f.date,
    kind: f.kind,
    position: f.position,
    at: formatAlmaty(f.at),
    vacancy_id: f.vacancyId,
    organization_id: f.organizationId,
    organization_name: f.organizationName,
    organization_bin: f.organizationBin,
    locality: f.locality,
    age_group: f.ageGroup,
    language: f.language,
    age_from_months: f.ageFromMonths,
    age_to_months: f.ageToMonths,
    group_type: f.groupType,
    work_mode: f.workMode,
    admission_mode: f.admissionMode,
    admission_start_date: f.admissionStartDate,
    attendance_until: f.attendanceUntil,
    ledger_head: f.ledgerHead,
  };
}

/** Bulletin order: VACATED before REVOKED, then by position in the bulletin. */
export function compareBulletinRows(a: Pick<BulletinRow, 'kind' | 'position'>, b: Pick<BulletinRow, 'kind' | 'position'>): number {
  const rank = (k: string): number => (k === 'VACATED' ? 0 : k === 'REVOKED' ? 1 : 2);
  return rank(a.kind) - rank(b.kind) || a.position - b.position;
}

export interface OpenDataExport<R> {
  date: string;
  kind: OpenDataKind;
  /** When the data was read, ISO-8601 +05:00. */
  generatedAt: string;
  /** Hash of the last sealed ledger block when the data was read (the head `ledgerHead` answers). */
  ledgerHead: string;
  ledgerLength: number;
  /** The signed ledger tree head when the data was read (docs/OPEN_DATA.md): keep it, witness it. */
  signedHead?: OpenDataSignedHead | null;
  rows: R[];
}

/** A signed tree head as the API returns it (`SignedTreeHead`; timestamp ISO-8601 +05:00, exactly as signed). */
export interface OpenDataSignedHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  signature: string;
}

/** JSON text of an export: the header fields, then one row per line (valid JSON, easy to diff and grep). */
export function exportJson<R>(e: OpenDataExport<R>): string {
  const head = JSON.stringify({
    date: e.date,
    kind: e.kind,
    generatedAt: e.generatedAt,
    ledgerHead: e.ledgerHead,
    ledgerLength: e.ledgerLength,
    signedHead: e.signedHead,
  });
  const rows = e.rows.map((r) => JSON.stringify(r));
  const body = rows.length ? `[\n${rows.join(',\n')}\n]` : '[]';
  return `${head.slice(0, -1)},"rows":${body}}\n`;
}

export function queuesCsv(rows: readonly QueueRow[]): string {
  return toCsv(QUEUE_COLUMNS, rows);
}

export function bulletinsCsv(rows: readonly BulletinRow[]): string {
  return toCsv(BULLETIN_COLUMNS, rows);
}

/** A row as its CSV record gives it back: every value as the text of its field. */
export function asCsvRecord<C extends string>(row: Readonly<Record<C, Cell>>): Record<C, string> {
  return Object.fromEntries((Object.entries(row) as [C, Cell][]).map(([k, v]) => [k, cellText(v)])) as Record<C, string>;
}

/** `queues.csv` → { kind: 'queues', format: 'csv' }; null for any other file name. */
export function parseExportFile(file: string): { kind: OpenDataKind; format: OpenDataFormat } | null {
  const m = /^(queues|bulletins)\.(csv|json)$/.exec(file);
  if (!m) return null;
  return { kind: m[1] as OpenDataKind, format: m[2] as OpenDataFormat };
}

export function exportFileName(kind: OpenDataKind, format: OpenDataFormat): string {
  return `${kind}.${format}`;
}

export const CONTENT_TYPES: Readonly<Record<OpenDataFormat, string>> = {
  csv: 'text/csv; charset=utf-8; header=present',
  json: 'application/json; charset=utf-8',
};

/** The header record of `queues.csv`, CRLF included. */
export const QUEUES_CSV_HEADER = `${QUEUE_COLUMNS.map(quoteField).join(',')}\r\n`;

/** The CSV field and the JSON value of a string column, cached per distinct value (language, group type). */
function textCells(cache: Map<string, [string, string]>, value: string): [string, string] {
  let cells = cache.get(value);
  if (!cells) cache.set(value, (cells = [quoteField(value), JSON.stringify(value)]));
  return cells;
}

/**
 * One QUEUED application as {@link queueText} takes it: {@link QueueEntryFacts} with the organization
 * choices already joined by `;` (as the CSV field before quoting; `array_to_string(organization_ids, ';')`).
 */
export interface QueueEntryText {
  id: string;
  priorityClass: number;
  /** Registration instant, epoch milliseconds. */
  registeredAt: number;
  /** The organization ids joined by `;` (empty: any organization in the locality). */
  organizationChoices: string;
  language: string;
  groupType: string;
}

/** Items that JSON writes as they are (uuids), joined by `;`. */
const PLAIN_LIST = /^[0-9A-Za-z;-]*$/;

/** The JSON array of a `;`-joined list, as JSON.stringify writes the array of its items. */
function jsonList(joined: string): string {
  if (joined === '') return '[]';
  if (PLAIN_LIST.test(joined)) return `["${joined.split(LIST_SEPARATOR).join('","')}"]`;
  return JSON.stringify(joined.split(LIST_SEPARATOR));
}

/**
 * The records of one queue written straight to text, byte for byte what `queuesCsv` and `exportJson`
 * write for the rows of {@link queueRows} (no row object per entry): `csv` is its CSV records, each
 * ended by CRLF (no header); `json` is its JSON rows joined by `,\n` (no brackets). `order` is the
 * allocation order; `pseudonymOf` the pseudonym function of the file's key ({@link pseudonymizer});
 * `cache` may be shared between queues (text cells of languages and group types).
 */
export function queueText(
  date: string,
  locality: string,
  cohort: number,
  order: readonly QueueEntryText[],
  pseudonymOf: (applicationId: string) => string,
  cache: Map<string, [string, string]> = new Map(),
): { csv: string; json: string } {
  const csvHead = `${quoteField(date)},${quoteField(cellText(locality))},${quoteField(cellText(cohort))},`;
  const jsonHead = `{"date":${JSON.stringify(date)},"locality":${JSON.stringify(locality)},"cohort":${JSON.stringify(cohort)},"queue_number":`;
  const csv: string[] = new Array<string>(order.length);
  const json: string[] = new Array<string>(order.length);
  for (let i = 0; i < order.length; i++) {
    const e = order[i];
    const at = formatAlmaty(new Date(e.registeredAt));
    const choices = e.organizationChoices;
    const [langCsv, langJson] = textCells(cache, e.language);
    const [groupCsv, groupJson] = textCells(cache, e.groupType);
    const p = pseudonymOf(e.id);
    const n = i + 1;
    const cls = e.priorityClass;
    csv[i] = `${csvHead}${n},${cls},${at},${quoteField(choices)},${langCsv},${groupCsv},${quoteField(p)}\r\n`;
    json[i] =
      `${jsonHead}${n},"priority_class":${cls},"registered_at":"${at}","organization_choices":${jsonList(choices)},"language":${langJson},"group_type":${groupJson},"pseudonym":${JSON.stringify(p)}}`;
  }
  return { csv: csv.join(''), json: json.join(',\n') };
}

/** The JSON text of an export before its rows: the header fields, then `"rows":`. */
export function exportJsonHead(e: Omit<OpenDataExport<unknown>, 'rows'>): string {
  const head = JSON.stringify({
    date: e.date,
    kind: e.kind,
    generatedAt: e.generatedAt,
    ledgerHead: e.ledgerHead,
    ledgerLength: e.ledgerLength,
    signedHead: e.signedHead,
  });
  return `${head.slice(0, -1)},"rows":`;
}
