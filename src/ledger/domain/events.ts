/**
 * The ledger's events, one type per kind: {@link LedgerEvent} is the discriminated union (on `type`) of
 * every kind the services append, each with its `entity` and its payload (`data`) exactly as the call
 * sites write it (instants as ISO strings, dates as YYYY-MM-DD, nulls where they write null). No personal
 * data: ids, statuses, dates and codes only (the payload schemas refuse any other key).
 *
 * ## Append, validate, read
 *
 * - `LedgerService.append/appendMany` take `LedgerEventInput` (the union, see below) and run
 *   {@link prepareLedgerEvent} on every event before writing: an unknown type, an entity that is not the
 *   kind's, or a payload that does not match the kind's schema throws {@link InvalidLedgerEventError} and
 *   nothing is written. The payload is checked as it will be stored (after JSON: `undefined` keys gone).
 * - {@link validateLedgerEvent} is the same check as a result, for tests and tools.
 * - {@link readLedgerEvent} turns a stored row back into the typed union: checked against the schema of
 *   the version it was written in, upgraded to the current version, checked again. Strict: it throws on a
 *   row it cannot vouch for.
 * - {@link viewLedgerEvent} is the tolerant read the fairness audit uses: a damaged or tampered ledger
 *   must be audited, not refused, so it types the payload's keys by kind (the compiler checks every field
 *   the audit reads) and leaves the values `unknown` for the audit's own checked reads.
 *
 * ## Versions
 *
 * Every kind has a schema version, 1 + the number of upgrade steps in its history. Everything stored so
 * far is version 1 and carries no version mark: the bytes (and so the hashes) of existing events never
 * change. From version 2 on, the stored payload carries its version in the reserved key `v` (added by
 * {@link prepareLedgerEvent}, removed on read); a payload without `v` is version 1. `type` stays the
 * same across versions, so SQL that selects by type keeps working.
 *
 * To change a kind's payload (example: `referral.extended` gains `reason`):
 * 1. change its payload type (`ReferralExtendedData`), which makes the compiler point at every writer;
 * 2. in {@link LEDGER_KINDS}, move the old schema into the kind's history with the step that upgrades a
 *    v1 payload to v2, and give the kind its new schema:
 *    ```ts
 *    'referral.extended': {
 *      entity: 'referral',
 *      history: [upgradeStep(REFERRAL_EXTENDED_V1, (d) => ({ ...d, reason: null }))],
 *      schema: object<ReferralExtendedData>({ validUntil: instant, previous: nullable(instant), reason: nullable(text) }),
 *    },
 *    ```
 * 3. readers (audit, tools) see every stored `referral.extended` as v2: v1 rows are upgraded on read.
 * Steps chain (v1 → v2 → v3); an old payload is checked against the schema of its own version before its
 * step runs. events.spec.ts shows the path with a test-only kind.
 *
 * Pure TypeScript: no framework, no I/O.
 */
import {
  anyOf,
  bool,
  day,
  instant,
  int,
  list,
  nil,
  nullable,
  object,
  oneOf,
  optional,
  text,
  type KeysOf,
  type Schema,
} from './payload-schema.js';

export type LedgerEntity =
  | 'application'
  | 'vacancy'
  | 'referral'
  | 'organization'
  | 'stop_list'
  | 'archive'
  | 'bulletin'
  | 'calendar'
  | 'proactive_offer'
  | 'clock'
  | 'setting';

/** One kind of event: its `type`, the entity it is about, and its payload. */
export interface LedgerEventOfKind<T extends string, E extends LedgerEntity, D> {
  type: T;
  entity: E;
  /** The entity's id (an application, a place, ...; a date for the calendar, `date:kind` for a bulletin). */
  entityId: string;
  /** Who did it: `ROLE:id` of a user, `system`, `system:expiry`, `sms:applicant`, `token:holder`, ... */
  actor: string;
  at: Date;
  /** No personal data: ids, statuses, dates, salted hashes only. */
  data: D;
}

// ---------- applications ----------

export interface ApplicationRegisteredData {
  number: string;
  seq: number;
  locality: string;
  cohort: number;
  /** ISO instant. */
  registeredAt: string;
  /** Always 2 at registration: classes come with confirmed categories. */
  priorityClass: number;
  /** The categories claimed (pending). */
  claims: readonly string[];
  batchId: string | null;
  organizationIds: readonly string[];
  language: string;
  groupType: string;
  workModes: readonly string[];
  desiredAdmissionDate: string;
  acceptsTemporaryStay: boolean;
  birthDate: string;
}
export interface PriorityDecidedData {
  category: string;
  /** The application's class after the decision. */
  priorityClass: number;
}
export interface PriorityLapsedData {
  category: string;
}
export interface ApplicationArchivedData {
  reason: string;
  previousStatus: string;
  cancelledReferrals: readonly string[];
}
export interface ApplicationRestoredData {
  previousReason: string | null;
  /** ISO instant: the original registration time, kept. */
  registeredAt: string;
}

/**
 * The family (or an operator) corrected what it entered; number and registration time kept. `fields`
 * names every changed fact; the new value is recorded for each fact that decides which places fit (the
 * fairness audit replays them), never the phone (personal: only that it changed).
 */
export interface ApplicationUpdatedData {
  fields: readonly string[];
  organizationIds?: readonly string[];
  language?: string;
  workModes?: readonly string[];
  groupType?: string;
  acceptsTemporaryStay?: boolean;
  notificationLanguage?: string;
  desiredAdmissionDate?: string;
}
/** A priority category claimed after registration (or claimed again after a lapse or rejection). */
export interface PriorityClaimedData {
  category: string;
  /** ISO instant: proof must be confirmed before it. */
  dueAt: string;
  /** The claim's status before: null for a first claim, LAPSED or REJECTED for a renewed one. */
  previousStatus: string | null;
}

export type ApplicationRegistered = LedgerEventOfKind<'application.registered', 'application', ApplicationRegisteredData>;
export type PriorityConfirmed = LedgerEventOfKind<'application.priority_confirmed', 'application', PriorityDecidedData>;
export type PriorityRejected = LedgerEventOfKind<'application.priority_rejected', 'application', PriorityDecidedData>;
export type PriorityLapsed = LedgerEventOfKind<'application.priority_lapsed', 'application', PriorityLapsedData>;
export type ApplicationArchived = LedgerEventOfKind<'application.archived', 'application', ApplicationArchivedData>;
export type ApplicationRestored = LedgerEventOfKind<'application.restored', 'application', ApplicationRestoredData>;
export type ApplicationUpdated = LedgerEventOfKind<'application.updated', 'application', ApplicationUpdatedData>;
export type PriorityClaimed = LedgerEventOfKind<'application.priority_claimed', 'application', PriorityClaimedData>;

// ---------- places and bulletins ----------

export interface VacancyPublishedData {
  organizationId: string;
  locality: string;
  seq: number;
  ageGroup: string;
  language: string;
  ageFromMonths: number;
  ageToMonths: number;
  groupType: string;
  workMode: string;
  admissionMode: string;
  admissionStartDate: string;
  attendanceUntil: string | null;
  /** The bulletin the place goes into. */
  bulletinDate: string;
}
export interface VacancyRevokedData {
  reason: string;
  bulletinDate: string;
}
export interface VacancyVacatedData {
  /** The day given by the organization. */
  on: string;
  /** ISO instant the place frees (start of `on`, or now when that is past). */
  vacatedAt: string;
}
/**
 * No referral was issued for the place in its allocation run (`at`): it opens for claims at `openAt`, the
 * end of its priority window (`at` + priorityWindowHours in force at `at`). Written by VacancyStore.open.
 */
export interface VacancyOpenedData {
  /** ISO instant from which the place, still unreferred, may be claimed. */
  openAt: string;
  /** The priority window applied (hours). */
  priorityWindowHours: number;
}
export interface BulletinPublishedData {
  date: string;
  kind: string;
  vacancies: readonly string[];
  ledgerHead: string;
  ledgerLength: number;
}

export type VacancyPublished = LedgerEventOfKind<'vacancy.published', 'vacancy', VacancyPublishedData>;
export type VacancyRevoked = LedgerEventOfKind<'vacancy.revoked', 'vacancy', VacancyRevokedData>;
export type VacancyVacated = LedgerEventOfKind<'vacancy.vacated', 'vacancy', VacancyVacatedData>;
export type VacancyOpened = LedgerEventOfKind<'vacancy.opened', 'vacancy', VacancyOpenedData>;
export type BulletinPublished = LedgerEventOfKind<'bulletin.published', 'bulletin', BulletinPublishedData>;

// ---------- referrals ----------

export interface ReferralIssuedData {
  applicationId: string;
  vacancyId: string;
  /** BOOKED (early booking, clocks stopped) or OFFERED. */
  status: string;
  /** The queue the allocation took it from; null for a claim of an open place. */
  queueKey: string | null;
  runId: string | null;
  claimed: boolean;
  priorityClass: number;
  registeredAt: string;
  seq: number;
  clockStart: string | null;
  confirmBy: string | null;
}
export interface ReferralOfferedData {
  clockStart: string;
  confirmBy: string;
}
export interface ReferralConfirmedData {
  applicationId: string;
  vacancyId: string;
  validUntil: string;
}
export interface ReferralExtendedData {
  validUntil: string;
  previous: string | null;
}
export interface ReferralDocumentsRecordedData {
  /** The kinds recorded now. */
  kinds: readonly string[];
  /** Every kind recorded so far. */
  documents: readonly string[];
}
export interface ReferralEnrolledData {
  applicationId: string;
  vacancyId: string;
  /** Only for a temporary-stay place (the application stays in the queue). */
  temporaryStay?: boolean;
  attendanceUntil?: string | null;
}
/** A live referral ended without enrolment (declined, expired, cancelled): the place goes back. */
export interface ReferralReleasedData {
  applicationId: string;
  vacancyId: string;
  reason: string;
  previousStatus: string;
  confirmBy: string | null;
  validUntil: string | null;
}
/** A live referral cancelled because its application was archived (queue archive). */
export interface ReferralCancelledByArchiveData {
  applicationId: string;
  vacancyId: string;
  /** `application <ARCHIVE_REASON>`. */
  reason: string;
}

/**
 * Early booking: the place was not marked vacated within the set working days after its admission start
 * date; the booking lapses (status CANCELLED), the family returns to the queue with its time.
 */
export interface ReferralBookingLapsedData {
  applicationId: string;
  vacancyId: string;
  admissionStartDate: string;
  /** ISO instant: the end of the last working day the place could be marked vacated. */
  lapseAt: string;
}
/** A temporary-stay place: the child's attendance ended (the place returns to the child it was kept for). */
export interface ReferralAttendanceEndedData {
  applicationId: string;
  vacancyId: string;
  attendanceUntil: string;
  /** TERM_OVER: the 00:00 sweep after the last day; PERMANENT_PLACE: the child was enrolled in a permanent place. */
  reason: 'TERM_OVER' | 'PERMANENT_PLACE';
}

export type ReferralIssued = LedgerEventOfKind<'referral.issued', 'referral', ReferralIssuedData>;
export type ReferralOffered = LedgerEventOfKind<'referral.offered', 'referral', ReferralOfferedData>;
export type ReferralConfirmed = LedgerEventOfKind<'referral.confirmed', 'referral', ReferralConfirmedData>;
export type ReferralExtended = LedgerEventOfKind<'referral.extended', 'referral', ReferralExtendedData>;
export type ReferralDocumentsRecorded = LedgerEventOfKind<'referral.documents_recorded', 'referral', ReferralDocumentsRecordedData>;
export type ReferralEnrolled = LedgerEventOfKind<'referral.enrolled', 'referral', ReferralEnrolledData>;
export type ReferralDeclined = LedgerEventOfKind<'referral.declined', 'referral', ReferralReleasedData>;
export type ReferralExpired = LedgerEventOfKind<'referral.expired', 'referral', ReferralReleasedData>;
export type ReferralCancelled = LedgerEventOfKind<'referral.cancelled', 'referral', ReferralReleasedData | ReferralCancelledByArchiveData>;
export type ReferralBookingLapsed = LedgerEventOfKind<'referral.booking_lapsed', 'referral', ReferralBookingLapsedData>;
export type ReferralAttendanceEnded = LedgerEventOfKind<'referral.attendance_ended', 'referral', ReferralAttendanceEndedData>;

// ---------- stop-list ----------

/** An operator's entry: from today, until a day or (null) until removed. */
export interface StopListAddedByOperatorData {
  reason: string;
  startsOn: string;
  until: string | null;
}
/** The entry that follows an expired referral. */
export interface StopListAddedOnExpiryData {
  reason: string;
  referralId: string;
  startsOn: string;
  until: string;
}
export type StopListAddedData = StopListAddedByOperatorData | StopListAddedOnExpiryData;
/** Removed by an operator (`manual`), or the term's end (`entry`: the stop_list_entry id). */
export type StopListEndedData = { manual: true } | { entry: string };

export type StopListAdded = LedgerEventOfKind<'stop_list.added', 'stop_list', StopListAddedData>;
export type StopListEnded = LedgerEventOfKind<'stop_list.ended', 'stop_list', StopListEndedData>;

// ---------- organizations, calendar, proactive offers ----------

export interface OrganizationCreatedData {
  bin: string;
  locality: string;
}
export interface CalendarDaySetData {
  date: string;
  kind: string;
}
export interface CalendarDayClearedData {
  date: string;
  kind: null;
}
/** A year's working calendar confirmed: its transfer orders are entered and `kurbanAit` is its first day of Kurban Ait. */
export interface CalendarYearConfirmedData {
  year: number;
  kurbanAit: string;
}
export interface ProactiveOfferCreatedData {
  locality: string;
  cohort: number;
  expiresAt: string;
}
export interface ProactiveOfferAnsweredData {
  channel: 'token' | 'sms';
  /** The application registered on consent; null on refusal. */
  applicationId: string | null;
}
export interface ProactiveOfferExpiredData {
  expiresAt: string;
}

export type OrganizationCreated = LedgerEventOfKind<'organization.created', 'organization', OrganizationCreatedData>;
export type CalendarDaySet = LedgerEventOfKind<'calendar.day_set', 'calendar', CalendarDaySetData>;
export type CalendarDayCleared = LedgerEventOfKind<'calendar.day_cleared', 'calendar', CalendarDayClearedData>;
export type CalendarYearConfirmed = LedgerEventOfKind<'calendar.year_confirmed', 'calendar', CalendarYearConfirmedData>;
export type ProactiveOfferCreated = LedgerEventOfKind<'proactive_offer.created', 'proactive_offer', ProactiveOfferCreatedData>;
export type ProactiveOfferAccepted = LedgerEventOfKind<'proactive_offer.accepted', 'proactive_offer', ProactiveOfferAnsweredData>;
export type ProactiveOfferRefused = LedgerEventOfKind<'proactive_offer.refused', 'proactive_offer', ProactiveOfferAnsweredData>;
export type ProactiveOfferExpired = LedgerEventOfKind<'proactive_offer.expired', 'proactive_offer', ProactiveOfferExpiredData>;

/** A dated change of one of the Rules' timers (entity id: the setting's key). */
export interface SettingUpdatedData {
  key: string;
  /** JSON text of the new value. */
  value: string;
  /** YYYY-MM-DD (Asia/Almaty): in force from 00:00 of that day. */
  effectiveFrom: string;
  /** JSON text of the value that would have been in force that day without this change. */
  previous: string;
  /** JSON text of an earlier change for the same day that this one supersedes; null if none. */
  supersedes: string | null;
}
export type SettingUpdated = LedgerEventOfKind<'setting.updated', 'setting', SettingUpdatedData>;

/** Every event the ledger holds, current version of each kind. */
export type LedgerEvent =
  | ApplicationRegistered
  | PriorityConfirmed
  | PriorityRejected
  | PriorityLapsed
  | ApplicationArchived
  | ApplicationRestored
  | ApplicationUpdated
  | PriorityClaimed
  | VacancyPublished
  | VacancyRevoked
  | VacancyVacated
  | VacancyOpened
  | BulletinPublished
  | ReferralIssued
  | ReferralOffered
  | ReferralConfirmed
  | ReferralExtended
  | ReferralDocumentsRecorded
  | ReferralEnrolled
  | ReferralDeclined
  | ReferralExpired
  | ReferralCancelled
  | ReferralBookingLapsed
  | ReferralAttendanceEnded
  | StopListAdded
  | StopListEnded
  | OrganizationCreated
  | CalendarDaySet
  | CalendarDayCleared
  | CalendarYearConfirmed
  | ProactiveOfferCreated
  | ProactiveOfferAccepted
  | ProactiveOfferRefused
  | ProactiveOfferExpired
  | SettingUpdated;

export type LedgerEventType = LedgerEvent['type'];
export type LedgerEventOf<T extends LedgerEventType> = Extract<LedgerEvent, { type: T }>;
export type LedgerEventData<T extends LedgerEventType> = LedgerEventOf<T>['data'];

/** What `LedgerService.append` takes. */
export type LedgerEventInput = LedgerEvent;

// ---------- registry ----------

/** One step of a kind's history: the schema of a stored version and its upgrade to the next version. */
export interface UpgradeStep {
  readonly schema: Schema<unknown>;
  readonly up: (data: unknown) => unknown;
}

/** A typed {@link UpgradeStep}: `up` gets a payload valid under `schema`. */
export function upgradeStep<From, To>(schema: Schema<From>, up: (data: From) => To): UpgradeStep {
  return { schema: schema as Schema<unknown>, up: up as (data: unknown) => unknown };
}

export interface KindSpec<E extends { entity: string; data: unknown }> {
  readonly entity: E['entity'];
  /** Schema of the current version. */
  readonly schema: Schema<E['data']>;
  /** Older versions, oldest first: history[i] reads version i + 1 and upgrades it to i + 2. None: version 1. */
  readonly history?: readonly UpgradeStep[];
}

/** Events of one registry: each kind with its `type`, `entity` and payload. */
export interface AnyLedgerEvent {
  type: string;
  entity: string;
  entityId: string;
  actor: string;
  at: Date;
  data: unknown;
}

export type KindSpecs<E extends AnyLedgerEvent> = { readonly [T in E['type']]: KindSpec<Extract<E, { type: T }>> };

/** A ledger row as stored (`ledger_event`); `at` as the driver gives it (Date) or as text. */
export interface StoredLedgerRow {
  type: string;
  entity: string;
  entity_id: string;
  actor: string;
  at: Date | string;
  data: unknown;
}

/** An event ready to be stored: its JSON payload (what jsonb keeps) and that payload parsed back (what is hashed). */
export interface PreparedLedgerEvent {
  type: string;
  entity: string;
  entityId: string;
  actor: string;
  /** ISO instant. */
  at: string;
  json: string;
  data: unknown;
}

export class InvalidLedgerEventError extends Error {
  constructor(
    readonly type: string,
    readonly problem: string,
  ) {
    super(`ledger event ${type}: ${problem}`);
    this.name = 'InvalidLedgerEventError';
  }
}

/** Reserved payload key of versions ≥ 2 (see the top of this file). */
export const VERSION_KEY = 'v';

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The kinds of one ledger, with their schemas and histories: validation on append, strict and tolerant
 * reads. {@link LEDGER_EVENTS} is Kezek's; tests build their own with test-only kinds.
 */
export class LedgerEventRegistry<E extends AnyLedgerEvent> {
  private readonly kinds: ReadonlyMap<string, KindSpec<AnyLedgerEvent>>;

  constructor(specs: KindSpecs<E>) {
    this.kinds = new Map(Object.entries(specs) as [string, KindSpec<AnyLedgerEvent>][]);
  }

  /** The kinds, in registry order. */
  types(): E['type'][] {
    return [...this.kinds.keys()];
  }

  /** The current version of a kind (1 + its upgrade steps); undefined for an unknown type. */
  version(type: string): number | undefined {
    const k = this.kinds.get(type);
    return k ? (k.history?.length ?? 0) + 1 : undefined;
  }

  /** Null when `e` may be appended; else what is wrong. Checks the payload as it will be stored (after JSON). */
  problem(e: AnyLedgerEvent): string | null {
    return this.check(e, JSON.parse(JSON.stringify(e.data) ?? 'null') as unknown);
  }

  /**
   * Checks `e` and returns what to store: the payload's JSON (with its version mark from version 2 on) and
   * that JSON parsed back, as jsonb will give it (for the hash). Throws {@link InvalidLedgerEventError}.
   */
  prepare(e: E): PreparedLedgerEvent {
    const version = this.version(e.type) ?? 1;
    const payload = version > 1 && isPlainObject(e.data) ? { ...e.data, [VERSION_KEY]: version } : e.data;
    const json = JSON.stringify(payload) ?? 'null';
    const data = JSON.parse(json) as unknown;
    const problem = this.check(e, version > 1 && isPlainObject(data) ? withoutVersion(data) : data);
    if (problem) throw new InvalidLedgerEventError(String(e.type), problem);
    return { type: e.type, entity: e.entity, entityId: e.entityId, actor: e.actor, at: e.at.toISOString(), json, data };
  }

  /** A stored row as the typed event of the current version: checked, upgraded, checked. Throws {@link InvalidLedgerEventError}. */
  read(row: StoredLedgerRow): E {
    const fail = (problem: string): never => {
      throw new InvalidLedgerEventError(row.type, problem);
    };
    const k = this.kinds.get(row.type) ?? fail('unknown event type');
    if (row.entity !== k.entity) fail(`entity is ${JSON.stringify(row.entity)}, expected ${JSON.stringify(k.entity)}`);
    const at = row.at instanceof Date ? row.at : new Date(row.at);
    if (Number.isNaN(at.getTime())) fail('at: not an instant');
    const { version, data } = this.versionOf(row.type, row.data) ?? fail(`${VERSION_KEY}: not a version of this kind`);
    let payload = data;
    const history = k.history ?? [];
    for (let v = version; v <= history.length; v++) {
      const step = history[v - 1];
      const p = step.schema.problem(payload, `data (version ${v})`);
      if (p) fail(p);
      payload = step.up(payload);
    }
    const p = k.schema.problem(payload, 'data');
    if (p) fail(version > history.length ? p : `after upgrade from version ${version}: ${p}`);
    return { type: row.type, entity: row.entity, entityId: row.entity_id, actor: row.actor, at, data: payload } as E;
  }

  /**
   * Tolerant read (the fairness audit's): null for an unknown type; else the row's payload at the current
   * version — upgraded when it is an older version that is valid, as stored otherwise (no copy for
   * current-version rows). Values are not checked: the reader checks what it reads.
   */
  view<R extends { type: string; data: unknown }>(row: R): (R & { data: unknown }) | null {
    const k = this.kinds.get(row.type);
    if (!k) return null;
    const history = k.history ?? [];
    if (!history.length) return row;
    const stored = this.versionOf(row.type, row.data);
    if (!stored) return row;
    let payload = stored.data;
    for (let v = stored.version; v <= history.length; v++) {
      if (history[v - 1].schema.problem(payload, 'data')) return { ...row, data: payload };
      payload = history[v - 1].up(payload);
    }
    return { ...row, data: payload };
  }

  private check(e: AnyLedgerEvent, data: unknown): string | null {
    const k = this.kinds.get(e.type);
    if (!k) return 'unknown event type';
    if (e.entity !== k.entity) return `entity is ${JSON.stringify(e.entity)}, expected ${JSON.stringify(k.entity)}`;
    if (typeof e.entityId !== 'string' || !e.entityId) return 'entityId: expected a non-empty string';
    if (typeof e.actor !== 'string' || !e.actor) return 'actor: expected a non-empty string';
    if (!(e.at instanceof Date) || Number.isNaN(e.at.getTime())) return 'at: expected a valid Date';
    return k.schema.problem(data, 'data');
  }

  /** The stored version of a payload (no mark: 1) and the payload without its mark; null for a bad mark. */
  private versionOf(type: string, data: unknown): { version: number; data: unknown } | null {
    const current = this.version(type) ?? 1;
    if (!isPlainObject(data) || !(VERSION_KEY in data)) return { version: 1, data };
    const v = data[VERSION_KEY];
    if (current === 1 || !Number.isSafeInteger(v) || (v as number) < 2 || (v as number) > current) return null;
    return { version: v as number, data: withoutVersion(data) };
  }
}

function withoutVersion(data: Record<string, unknown>): Record<string, unknown> {
  const { [VERSION_KEY]: _v, ...rest } = data;
  return rest;
}

// ---------- Kezek's kinds ----------

/** Ids of rows (uuids in the database; tests use short ids). */
const id = text;
const PRIORITY_CLASS = oneOf(0, 1, 2);

const RELEASED = object<ReferralReleasedData>({
  applicationId: id,
  vacancyId: id,
  reason: text,
  previousStatus: text,
  confirmBy: nullable(instant),
  validUntil: nullable(instant),
});

/**
 * Every kind, its entity and the schema of its payload. Enumerations are checked where the values belong
 * to the event (referral status at issue, channel, class); the Rules' codes (group type, archive reason,
 * document kind, ...) are checked as non-empty codes, the database and the API checking their values.
 */
export const LEDGER_KINDS: KindSpecs<LedgerEvent> = {
  'application.registered': {
    entity: 'application',
    schema: object<ApplicationRegisteredData>({
      number: text,
      seq: int,
      locality: text,
      cohort: int,
      registeredAt: instant,
      priorityClass: PRIORITY_CLASS,
      claims: list(text),
      batchId: nullable(id),
      organizationIds: list(id),
      language: text,
      groupType: text,
      workModes: list(text),
      desiredAdmissionDate: day,
      acceptsTemporaryStay: bool,
      birthDate: day,
    }),
  },
  'application.priority_confirmed': {
    entity: 'application',
    schema: object<PriorityDecidedData>({ category: text, priorityClass: PRIORITY_CLASS }),
  },
  'application.priority_rejected': {
    entity: 'application',
    schema: object<PriorityDecidedData>({ category: text, priorityClass: PRIORITY_CLASS }),
  },
  'application.priority_lapsed': {
    entity: 'application',
    schema: object<PriorityLapsedData>({ category: text }),
  },
  'application.archived': {
    entity: 'application',
    schema: object<ApplicationArchivedData>({ reason: text, previousStatus: text, cancelledReferrals: list(id) }),
  },
  'application.restored': {
    entity: 'application',
    schema: object<ApplicationRestoredData>({ previousReason: nullable(text), registeredAt: instant }),
  },
  'application.updated': {
    entity: 'application',
    schema: object<ApplicationUpdatedData>({
      fields: list(
        oneOf(
          'phone',
          'organizationIds',
          'language',
          'workModes',
          'groupType',
          'acceptsTemporaryStay',
          'notificationLanguage',
          'desiredAdmissionDate',
        ),
      ),
      organizationIds: optional(list(id)),
      language: optional(text),
      workModes: optional(list(text)),
      groupType: optional(text),
      acceptsTemporaryStay: optional(bool),
      notificationLanguage: optional(text),
      desiredAdmissionDate: optional(day),
    }),
  },
  'application.priority_claimed': {
    entity: 'application',
    schema: object<PriorityClaimedData>({ category: text, dueAt: instant, previousStatus: nullable(oneOf('LAPSED', 'REJECTED')) }),
  },
  'vacancy.published': {
    entity: 'vacancy',
    schema: object<VacancyPublishedData>({
      organizationId: id,
      locality: text,
      seq: int,
      ageGroup: text,
      language: text,
      ageFromMonths: int,
      ageToMonths: int,
      groupType: text,
      workMode: text,
      admissionMode: text,
      admissionStartDate: day,
      attendanceUntil: nullable(day),
      bulletinDate: day,
    }),
  },
  'vacancy.revoked': {
    entity: 'vacancy',
    schema: object<VacancyRevokedData>({ reason: text, bulletinDate: day }),
  },
  'vacancy.vacated': {
    entity: 'vacancy',
    schema: object<VacancyVacatedData>({ on: day, vacatedAt: instant }),
  },
  'vacancy.opened': {
    entity: 'vacancy',
    schema: object<VacancyOpenedData>({ openAt: instant, priorityWindowHours: int }),
  },
  'bulletin.published': {
    entity: 'bulletin',
    schema: object<BulletinPublishedData>({
      date: day,
      kind: oneOf('VACATED', 'REVOKED'),
      vacancies: list(id),
      ledgerHead: text,
      ledgerLength: int,
    }),
  },
  'referral.issued': {
    entity: 'referral',
    schema: object<ReferralIssuedData>({
      applicationId: id,
      vacancyId: id,
      status: oneOf('BOOKED', 'OFFERED'),
      queueKey: nullable(text),
      runId: nullable(id),
      claimed: bool,
      priorityClass: PRIORITY_CLASS,
      registeredAt: instant,
      seq: int,
      clockStart: nullable(instant),
      confirmBy: nullable(instant),
    }),
  },
  'referral.offered': {
    entity: 'referral',
    schema: object<ReferralOfferedData>({ clockStart: instant, confirmBy: instant }),
  },
  'referral.confirmed': {
    entity: 'referral',
    schema: object<ReferralConfirmedData>({ applicationId: id, vacancyId: id, validUntil: instant }),
  },
  'referral.extended': {
    entity: 'referral',
    schema: object<ReferralExtendedData>({ validUntil: instant, previous: nullable(instant) }),
  },
  'referral.documents_recorded': {
    entity: 'referral',
    schema: object<ReferralDocumentsRecordedData>({ kinds: list(text), documents: list(text) }),
  },
  'referral.enrolled': {
    entity: 'referral',
    schema: object<ReferralEnrolledData>({
      applicationId: id,
      vacancyId: id,
      temporaryStay: optional(oneOf(true)),
      attendanceUntil: optional(nullable(day)),
    }),
  },
  'referral.declined': { entity: 'referral', schema: RELEASED },
  'referral.expired': { entity: 'referral', schema: RELEASED },
  'referral.cancelled': {
    entity: 'referral',
    schema: anyOf(RELEASED, object<ReferralCancelledByArchiveData>({ applicationId: id, vacancyId: id, reason: text })),
  },
  'referral.booking_lapsed': {
    entity: 'referral',
    schema: object<ReferralBookingLapsedData>({ applicationId: id, vacancyId: id, admissionStartDate: day, lapseAt: instant }),
  },
  'referral.attendance_ended': {
    entity: 'referral',
    schema: object<ReferralAttendanceEndedData>({
      applicationId: id,
      vacancyId: id,
      attendanceUntil: day,
      reason: oneOf('TERM_OVER', 'PERMANENT_PLACE'),
    }),
  },
  'stop_list.added': {
    entity: 'stop_list',
    schema: anyOf(
      object<StopListAddedByOperatorData>({ reason: text, startsOn: day, until: nullable(day) }),
      object<StopListAddedOnExpiryData>({ reason: text, referralId: id, startsOn: day, until: day }),
    ),
  },
  'stop_list.ended': {
    entity: 'stop_list',
    schema: anyOf(object<{ manual: true }>({ manual: oneOf(true) }), object<{ entry: string }>({ entry: id })),
  },
  'organization.created': {
    entity: 'organization',
    schema: object<OrganizationCreatedData>({ bin: text, locality: text }),
  },
  'calendar.day_set': {
    entity: 'calendar',
    schema: object<CalendarDaySetData>({ date: day, kind: text }),
  },
  'calendar.day_cleared': {
    entity: 'calendar',
    schema: object<CalendarDayClearedData>({ date: day, kind: nil }),
  },
  'calendar.year_confirmed': {
    entity: 'calendar',
    schema: object<CalendarYearConfirmedData>({ year: int, kurbanAit: day }),
  },
  'proactive_offer.created': {
    entity: 'proactive_offer',
    schema: object<ProactiveOfferCreatedData>({ locality: text, cohort: int, expiresAt: instant }),
  },
  'proactive_offer.accepted': {
    entity: 'proactive_offer',
    schema: object<ProactiveOfferAnsweredData>({ channel: oneOf('token', 'sms'), applicationId: id }),
  },
  'proactive_offer.refused': {
    entity: 'proactive_offer',
    schema: object<ProactiveOfferAnsweredData>({ channel: oneOf('token', 'sms'), applicationId: nil }),
  },
  'proactive_offer.expired': {
    entity: 'proactive_offer',
    schema: object<ProactiveOfferExpiredData>({ expiresAt: instant }),
  },
  'setting.updated': {
    entity: 'setting',
    schema: object<SettingUpdatedData>({ key: text, value: text, effectiveFrom: day, previous: text, supersedes: nullable(text) }),
  },
};

export const LEDGER_EVENTS = new LedgerEventRegistry<LedgerEvent>(LEDGER_KINDS);

/** Whether `e` may be appended; else what is wrong (unknown type, wrong entity, payload not of its kind). */
export function validateLedgerEvent(e: LedgerEventInput): { ok: true } | { ok: false; problem: string } {
  const problem = LEDGER_EVENTS.problem(e);
  return problem ? { ok: false, problem } : { ok: true };
}

/** {@link LedgerEventRegistry.prepare} with Kezek's kinds (what `LedgerService` stores). */
export function prepareLedgerEvent(e: LedgerEventInput): PreparedLedgerEvent {
  return LEDGER_EVENTS.prepare(e as LedgerEvent);
}

/** {@link LedgerEventRegistry.read} with Kezek's kinds: a stored row as the typed event, checked and upgraded. */
export function readLedgerEvent(row: StoredLedgerRow): LedgerEvent {
  return LEDGER_EVENTS.read(row);
}

/**
 * A stored payload seen through its kind: every key of the kind's payload (of every shape it has), values
 * not yet checked. What a tolerant reader (the fairness audit) gets from {@link viewLedgerEvent}.
 */
export type StoredPayload<T extends LedgerEventType> = { readonly [K in KeysOf<LedgerEventData<T>>]?: unknown };

/** A stored event typed by kind, its payload as stored ({@link StoredPayload}). */
export type StoredLedgerEvent<R extends { type: string; data: unknown }> = {
  [T in LedgerEventType]: Omit<R, 'type' | 'data'> & { type: T; data: StoredPayload<T> };
}[LedgerEventType];

/** {@link LedgerEventRegistry.view} with Kezek's kinds: null for an unknown type. */
export function viewLedgerEvent<R extends { type: string; data: unknown }>(row: R): StoredLedgerEvent<R> | null {
  return LEDGER_EVENTS.view(row) as StoredLedgerEvent<R> | null;
}
