/**
 * Fairness audit: replays the ledger and checks that the queue was run by its rules.
 *
 * The ledger holds every state change with the facts allocation depends on (application.registered
 * carries the class, registration time, number and every attribute eligibility reads;
 * vacancy.published the place's attributes; referral.* and stop_list.* the life of each referral).
 * Replaying it in `seq` order rebuilds, at every event, the state the system acted on:
 *  - applications: status, class, registration instant and number, attributes, twins batch,
 *    confirmed categories (a confirmed SPECIAL_NEEDS category = special needs confirmed);
 *  - vacancies: attributes, status, the instant an early-booked place was marked vacated;
 *  - referrals: status, clock start, confirmation and documents deadlines, extension (enrollment in
 *    a temporary-stay place leaves the application in the queue, and until its attendance ends the
 *    child gets no second temporary place: {@link mayOfferTemporaryPlace}); an early booking that
 *    lapsed (referral.booking_lapsed) returns the family to the queue with no exclusion;
 *  - the stop-list, and the (application, vacancy) pairs never to be offered again (a referral
 *    for the pair was declined, expired or cancelled);
 *  - each queue's 1 : 3 cycle position, advanced with {@link advanceCycle} by every allocation
 *    referral (claims of open places do not advance it), exactly as allocation does.
 *
 * Checks, for events whose `at` lies in [from, to]:
 *  - NO_SKIP: an allocation referral (claimed = false) went to the application the allocation rule
 *    picks for that place at that moment: among the applications that were allocatable (QUEUED:
 *    not stop-listed, no live referral) and eligible ({@link isEligible}, exclusions included),
 *    each queue's pick by its own cycle ({@link pickNext}), and across queues the best pick by
 *    {@link compareHeads}. A better application of the same class, a class-0 application, or a
 *    better head of another queue that waited is a violation. Referrals issued earlier in the same
 *    run have already removed their application and place (the replay is in `seq` order).
 *    Also NO_SKIP: a referral (claimed or not) to an application that was not allocatable or not
 *    eligible, or for a place that was not free.
 *  - NO_SKIP, claims and the priority window: an allocation run that leaves a free place unreferred
 *    ledgers its opening (vacancy.opened: openAt = the run's instant + priorityWindowHours in force then;
 *    another instant, a place not free, or an eligible application waiting then is a violation). A claim (claimed = true) needs the place's
 *    opening in this round (a release starts a new window) and must come at or after openAt; the
 *    claimant must be QUEUED, fit the place (fitsForClaim) and not be excluded from it; claims are first
 *    come first served — in ledger order their instants do not go back within a locality (claims are
 *    taken one at a time under the locality's lock).
 *  - RATIO: the referral's class was not the queue's turn class while the turn class had an
 *    eligible application (class 1 skipped for class 2, or class 2 for class 1).
 *  - DEADLINE: an offered referral's clock start (issue, or the vacated instant for early booking)
 *    and `confirmBy` = workingDaysDeadline(clockStart, confirmWorkingDays); a confirmation before
 *    that deadline with `validUntil` = workingDaysDeadline(confirmedAt, documentsWorkingDays); an
 *    extension at most extensionCalendarDays from the clock start, once; an expiry at or after the
 *    deadline and before the end of that day (the 00:00 sweep); no enrollment after the documents
 *    deadline; and (up to `asOf`) no live referral left unexpired a day past its deadline. An admission
 *    refusal (reason `admission refused: …`) only on a CONFIRMED referral, INCOMPLETE_DOCUMENTS only once
 *    the documents deadline has passed (referral-state.ts refusalProblem).
 *  - STOP_LIST: every expiry is followed by a stop-list entry for that referral starting the day
 *    after the last day of the term and ending stopListCalendarDays later; the term ends (the
 *    application back in the queue) at 00:00 after its last day, not before and not a day late;
 *    no referral is issued to a stop-listed application (an expiry's term or an operator's).
 *
 * Twins (batches registered together) are placed together or not at all: allocation skips a
 * batch for a place when its siblings cannot get places at the same organization in the same run,
 * and gives the place to the next application. The replay cannot see the rest of that run's
 * places, so: (1) when the application the rule picks is a member of another batch, the batch gets
 * the benefit of the doubt — it is set aside for that place and the rule re-run, as allocation does
 * — so a referral whose better-ranked competitor is a batch member is not a NO_SKIP or RATIO
 * violation; (2) a sibling placed right after its batch's head in the same run is not checked for
 * NO_SKIP/RATIO (the batch rule, not rank, placed it); (3) order within one batch is not checked.
 * All of them still advance the cycle.
 *
 * Settings are judged as the services judge them: each event with the settings in force at its time
 * (ratio at an allocation, stop-list term at an expiry), a referral's deadlines (confirmation,
 * documents, extension) with those in force at its issue (options.settings may be the history).
 *
 * Limits: the calendar in force now is used for every deadline (calendar edits after
 * a deadline was set can show as DEADLINE findings, with the evidence to judge them); events are
 * taken in ledger (`seq`) order, which is commit order except for transactions that overlapped.
 *
 * Pure: time comes from the events and the options; no clock, no I/O.
 */
import { addCalendarDays, endOfAlmatyDay, toAlmatyDate } from '../../calendar/domain/almaty-time.js';
import { calendarDaysDeadline, workingDaysDeadline } from '../../calendar/domain/deadlines.js';
import type { WorkingCalendar } from '../../calendar/domain/working-days.js';
import { advanceCycle, compareHeads, nextTurn, normalizeCycle, pickClass, pickNext, type PriorityClass } from '../../queue/domain/index.js';
import {
  birthDateWindow,
  eligibilityDateOf,
  exclusionKey,
  fitsForClaim,
  isEligible,
  judgedOn,
  queueKeyOf,
  type AdmissionMode,
  type ApplicationView,
  type GroupType,
  type VacancyView,
  type WorkMode,
} from '../../referral/domain/eligibility.js';
import { viewLedgerEvent } from '../../ledger/domain/events.js';
import type { ApplicationState } from '../../queue/domain/application-state.js';
import { LIVE_REFERRAL_STATUSES, type ReferralStatus } from '../../referral/domain/referral-state.js';
import { mayOfferTemporaryPlace } from '../../referral/domain/temporary-stay.js';
import type { VacancyState } from '../../vacancy/domain/vacancy-state.js';
import {
  read,
  type AuditEvent,
  type KindEvent,
  type AuditSettings,
  type FairnessCheck,
  type FairnessReport,
  type FairnessViolation,
} from './audit-event.js';

const DAY_MS = 86_400_000;
/** The reason prefix of an admission refusal (ReferralLifecycleService.refuse). */
const REFUSED = 'admission refused: ';

type AppStatus = ApplicationState;
type VacStatus = VacancyState;
type RefStatus = ReferralStatus;

interface StopTerm {
  /** Last day on the list; null = until removed. */
  until: string | null;
  referralId: string | null;
  seq: number;
}

interface AppState {
  view: ApplicationView;
  status: AppStatus;
  /** Confirmed categories; null until the first priority decision (most applications have none). */
  confirmed: Set<string> | null;
  stop: StopTerm | null;
  /**
   * When it last joined the queue (a counter): the order in which the literal rule meets the
   * allocatable applications of a slice, and the last tie-breaker of the lists.
   */
  stamp: number;
  /** Its lists in the queued index (fixed by locality, language, group type, cohort, birth year). */
  bucket: ClassLists;
}

/**
 * The QUEUED applications of one (slice, queue, birth year), one list per priority class, each in
 * rank order (registeredAt, seq, stamp): the first eligible member of a list is the class's pick.
 */
type ClassLists = [AppState[], AppState[], AppState[]];

interface VacState {
  view: VacancyView;
  status: VacStatus;
  vacatedAt: Date | null;
  /** The end of its priority window (vacancy.opened) in the current round; null until then and after a release. */
  openAt: Date | null;
  /** It had a referral: when free again it is a returned place, judged at {@link eligibilityDateOf}. */
  referred: boolean;
}

interface RefState {
  id: string;
  applicationId: string;
  vacancyId: string;
  status: RefStatus;
  issuedAt: Date;
  clockStart: Date | null;
  confirmBy: Date | null;
  validUntil: Date | null;
  extended: boolean;
  /** Seq of the event that set the current deadline. */
  termSeq: number;
}

interface PendingStop {
  referralId: string;
  applicationId: string;
  expiredSeq: number;
  startsOn: string;
  until: string;
  inPeriod: boolean;
}

export interface FairnessAuditOptions {
  calendar: Pick<WorkingCalendar, 'addWorkingDays'>;
  /**
   * The settings the Rules had: one set for the whole ledger, or the history (the settings in force at an
   * instant). Each event is judged with the settings in force at its time; a referral's deadlines with
   * those in force at its issue; the stop-list term with those at the expiry.
   */
  settings: AuditSettings | ((at: Date) => AuditSettings);
  /** Check events with `at` ≥ from (null: from the start). The replay always starts at seq 1. */
  from?: Date | null;
  /** Check events with `at` ≤ to (null: to the end). */
  to?: Date | null;
  /**
   * The time the ledger is complete up to (normally min(to, now)): live referrals and stop-list
   * terms whose action was due a day before it and never happened are reported. Null: not checked.
   */
  asOf?: Date | null;
  /**
   * Re-run the allocation rule for NO_SKIP/RATIO by testing every queued application of the
   * place's slice (the literal rule, O(queue) per referral) instead of walking the rank-ordered
   * lists to the first eligible member. Same report; for tests and benchmarks.
   */
  literal?: boolean;
}

const LIVE: readonly RefStatus[] = LIVE_REFERRAL_STATUSES;
const WORK_MODES: readonly WorkMode[] = ['FULL_DAY', 'HALF_DAY', 'ROUND_THE_CLOCK'];

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const sameInstant = (a: Date | null, b: Date | null): boolean => (a === null || b === null ? a === b : a.getTime() === b.getTime());

/**
 * Locality, language and group type: an application can be eligible for a place only in the same
 * slice (isEligible requires all three to match), so candidates are looked up by it.
 */
function sliceOf(x: Pick<ApplicationView, 'locality' | 'language' | 'groupType'>): string {
  return `${x.locality}|${x.language}|${x.groupType}`;
}

/** Rank order of the queued lists: registeredAt, seq (as compareWithinClass), then stamp. */
function before(a: AppState, b: AppState): boolean {
  const x = a.view;
  const y = b.view;
  if (x.registeredAt !== y.registeredAt) return x.registeredAt < y.registeredAt;
  if (x.seq !== y.seq) return x.seq < y.seq;
  return a.stamp < b.stamp;
}

/** The position of the first member of `list` not before `app` (binary search). */
function lowerBound(list: readonly AppState[], app: AppState): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid], app)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The year part of a 'YYYY-MM-DD' date (any string: its first 4 characters). */
const yearOf = (date: string): string => date.slice(0, 4);

const NO_STRINGS: readonly string[] = Object.freeze([]);

/** Picks of one place, queue by queue, as the allocation rule makes them. */
interface Picker {
  /** The queues that may hold an eligible application (at least every one that does). */
  queues(): Iterable<string>;
  /** The queue's pick among its eligible applications, leaving out the `skipped` batches. */
  pick(queue: string, skipped: ReadonlySet<string>): ApplicationView | undefined;
}

function asClass(n: number | null): PriorityClass {
  return n === 0 || n === 1 ? n : 2;
}

function rankEvidence(a: ApplicationView): Record<string, unknown> {
  return {
    applicationId: a.id,
    queueKey: queueKeyOf(a),
    priorityClass: a.priorityClass,
    registeredAt: new Date(a.registeredAt).toISOString(),
    seq: a.seq,
    batchId: a.batchId,
  };
}

/** Streaming replay: feed events in `seq` order with {@link apply}, then call {@link finish}. */
export class FairnessAuditor {
  private readonly apps = new Map<string, AppState>();
  private readonly vacs = new Map<string, VacState>();
  private readonly refs = new Map<string, RefState>();
  /** The QUEUED (allocatable) applications: slice ({@link sliceOf}) → queue key → birth year → lists. */
  private readonly queued = new Map<string, Map<string, Map<string, ClassLists>>>();
  private stamps = 0;
  /** One copy of each repeated string value (locality, language, dates, work-mode lists). */
  private readonly strings = new Map<string, string>();
  private readonly modeLists = new Map<string, WorkMode[]>();
  private readonly excluded = new Set<string>();
  /** Applications whose child attends a temporary-stay place (enrolled, attendance not ended). */
  private readonly inTemporaryPlace = new Set<string>();
  private readonly cycles = new Map<string, number>();
  private readonly pendingStops = new Map<string, PendingStop>();
  private readonly checked = new Set<string>();
  private readonly violations: FairnessViolation[] = [];
  /** Per locality: the instant of the last claim in ledger order (claims are taken one at a time, first come first served). */
  private readonly lastClaim = new Map<string, { at: Date; referralId: string }>();
  private lastAllocation: { runId: string | null; batchId: string | null } | null = null;
  private events = 0;

  constructor(private readonly opts: FairnessAuditOptions) {}

  /** The settings in force at the event being applied. */
  private current: AuditSettings | null = null;

  private settingsAt(at: Date): AuditSettings {
    const s = this.opts.settings;
    return typeof s === 'function' ? s(at) : s;
  }

  private get s(): AuditSettings {
    return this.current ?? this.settingsAt(new Date(0));
  }

  private inPeriod(at: Date): boolean {
    const { from, to } = this.opts;
    return (!from || at.getTime() >= from.getTime()) && (!to || at.getTime() <= to.getTime());
  }

  private flag(
    check: FairnessCheck,
    eventSeq: number,
    referralId: string | null,
    message: string,
    evidence: Record<string, unknown>,
  ): void {
    this.violations.push({ check, eventSeq, referralId, message, evidence });
  }

  private setStatus(app: AppState, status: AppStatus, stamp = 0): void {
    if (app.status === status) return;
    if (app.status === 'QUEUED') this.unindex(app);
    app.status = status;
    if (status === 'QUEUED') {
      app.stamp = stamp || ++this.stamps;
      this.index(app);
    }
  }

  private index(app: AppState): void {
    const list = app.bucket[app.view.priorityClass];
    const n = list.length;
    if (n === 0 || before(list[n - 1], app)) list.push(app);
    else list.splice(lowerBound(list, app), 0, app);
  }

  private unindex(app: AppState): void {
    const list = app.bucket[app.view.priorityClass];
    let i = lowerBound(list, app);
    if (list[i] !== app) i = list.indexOf(app);
    if (i >= 0) list.splice(i, 1);
  }

  private bucketOf(view: ApplicationView): ClassLists {
    const slice = sliceOf(view);
    let queues = this.queued.get(slice);
    if (!queues) this.queued.set(slice, (queues = new Map<string, Map<string, ClassLists>>()));
    const key = queueKeyOf(view);
    let years = queues.get(key);
    if (!years) queues.set(key, (years = new Map<string, ClassLists>()));
    const year = yearOf(view.birthDate);
    let bucket = years.get(year);
    if (!bucket) years.set(year, (bucket = [[], [], []]));
    return bucket;
  }

  private intern(s: string): string {
    const seen = this.strings.get(s);
    if (seen !== undefined) return seen;
    if (this.strings.size < 100_000) this.strings.set(s, s);
    return s;
  }

  /** Feeds one stored event; its payload is read through its kind (unknown kinds count, change nothing). */
  apply(row: AuditEvent): void {
    this.events++;
    this.current = this.settingsAt(row.at);
    const e = viewLedgerEvent(row);
    if (!e) return;
    switch (e.type) {
      case 'application.registered':
        return this.registered(e);
      case 'application.priority_confirmed':
      case 'application.priority_rejected':
        return this.priorityDecided(e);
      case 'application.archived':
        return this.archived(e);
      case 'application.restored':
        return this.restored(e);
      case 'application.updated':
        return this.updated(e);
      case 'vacancy.published':
        return this.published(e);
      case 'vacancy.revoked': {
        const v = this.vacs.get(e.entityId);
        if (v) v.status = 'REVOKED';
        return;
      }
      case 'vacancy.opened':
        return this.opened(e);
      case 'vacancy.vacated': {
        const v = this.vacs.get(e.entityId);
        if (v) v.vacatedAt = read.instant(e.data, 'vacatedAt') ?? e.at;
        return;
      }
      case 'referral.issued':
        return this.issued(e);
      case 'referral.offered':
        return this.offered(e);
      case 'referral.confirmed':
        return this.confirmed(e);
      case 'referral.extended':
        return this.extendedEvent(e);
      case 'referral.declined':
      case 'referral.cancelled':
      case 'referral.expired':
        return this.released(e);
      case 'referral.enrolled':
        return this.enrolled(e);
      case 'referral.booking_lapsed':
        return this.bookingLapsed(e);
      case 'referral.attendance_ended':
        this.inTemporaryPlace.delete(this.refs.get(e.entityId)?.applicationId ?? read.str(e.data, 'applicationId') ?? '');
        return;
      case 'stop_list.added':
        return this.stopAdded(e);
      case 'stop_list.ended':
        return this.stopEnded(e);
      default:
        return;
    }
  }

  // ---------- applications ----------

  private registered(e: KindEvent<'application.registered'>): void {
    const d = e.data;
    const batchId = read.str(d, 'batchId');
    const registeredAt = read.instant(d, 'registeredAt') ?? e.at;
    const organizationIds = read.strs(d, 'organizationIds');
    const workModes = read.strs(d, 'workModes').filter((m): m is WorkMode => (WORK_MODES as readonly string[]).includes(m));
    const modesKey = workModes.join(',');
    let modes = this.modeLists.get(modesKey);
    if (!modes) this.modeLists.set(modesKey, (modes = workModes));
    const view: ApplicationView = {
      id: e.entityId,
      seq: read.num(d, 'seq') ?? 0,
      priorityClass: asClass(read.num(d, 'priorityClass')),
      registeredAt: registeredAt.getTime(),
      locality: this.intern(read.str(d, 'locality') ?? ''),
      cohort: read.num(d, 'cohort') ?? 0,
      birthDate: this.intern(read.str(d, 'birthDate') ?? ''),
      organizationIds: organizationIds.length ? organizationIds : (NO_STRINGS as string[]),
      language: this.intern(read.str(d, 'language') ?? ''),
      groupType: (read.str(d, 'groupType') === 'SPECIAL' ? 'SPECIAL' : 'GENERAL') as GroupType,
      specialNeedsConfirmed: false,
      workModes: modes,
      desiredAdmissionDate: this.intern(read.str(d, 'desiredAdmissionDate') ?? ''),
      acceptsTemporaryStay: read.bool(d, 'acceptsTemporaryStay') ?? false,
      batchId,
    };
    const app: AppState = {
      view,
      status: 'ARCHIVED',
      confirmed: null,
      stop: null,
      stamp: 0,
      bucket: this.bucketOf(view),
    };
    // A second registration of the same id: the literal rule's set of queued ids kept the id
    // where it was (same slice); the earlier state is no longer reachable.
    const prev = this.apps.get(view.id);
    let stamp = 0;
    if (prev && prev.status === 'QUEUED') {
      this.unindex(prev);
      if (sliceOf(prev.view) === sliceOf(view)) stamp = prev.stamp;
    }
    this.apps.set(view.id, app);
    this.setStatus(app, 'QUEUED', stamp);
    // The first of a batch gets the batch id (its own id) when its sibling registers.
    if (batchId) {
      const first = this.apps.get(batchId);
      if (first && first.view.batchId === null) first.view.batchId = batchId;
    }
  }

  private priorityDecided(e: KindEvent<'application.priority_confirmed' | 'application.priority_rejected'>): void {
    const app = this.apps.get(e.entityId);
    if (!app) return;
    const category = read.str(e.data, 'category');
    if (category) {
      if (e.type === 'application.priority_confirmed') (app.confirmed ??= new Set()).add(category);
      else app.confirmed?.delete(category);
    }
    const priorityClass = asClass(read.num(e.data, 'priorityClass'));
    if (priorityClass !== app.view.priorityClass) {
      // Its class decides its list: move it (keeping its place in the literal order).
      const queued = app.status === 'QUEUED';
      if (queued) this.unindex(app);
      app.view.priorityClass = priorityClass;
      if (queued) this.index(app);
    }
    app.view.specialNeedsConfirmed = app.confirmed?.has('SPECIAL_NEEDS') ?? false;
  }

  /**
   * The family changed what decides which places fit (language, group type, work modes, desired date,
   * choices, temporary stay): later referrals are judged with the new facts. Number, registration time,
   * class and status are unchanged; a new language or group type moves a queued application to the lists
   * of its new slice, keeping its place in the literal order.
   */
  private updated(e: KindEvent<'application.updated'>): void {
    const app = this.apps.get(e.entityId);
    if (!app) return;
    const d = e.data;
    const fields = read.strs(d, 'fields');
    const v = app.view;
    const queued = app.status === 'QUEUED';
    if (queued) this.unindex(app);
    if (fields.includes('language')) v.language = this.intern(read.str(d, 'language') ?? v.language);
    if (fields.includes('groupType')) {
      const g = read.str(d, 'groupType');
      if (g) v.groupType = (g === 'SPECIAL' ? 'SPECIAL' : 'GENERAL') as GroupType;
    }
    if (fields.includes('organizationIds')) {
      const orgs = read.strs(d, 'organizationIds');
      v.organizationIds = orgs.length ? orgs : (NO_STRINGS as string[]);
    }
    if (fields.includes('workModes')) {
      const workModes = read.strs(d, 'workModes').filter((m): m is WorkMode => (WORK_MODES as readonly string[]).includes(m));
      const modesKey = workModes.join(',');
      let modes = this.modeLists.get(modesKey);
      if (!modes) this.modeLists.set(modesKey, (modes = workModes));
      v.workModes = modes;
    }
    if (fields.includes('desiredAdmissionDate')) {
      v.desiredAdmissionDate = this.intern(read.str(d, 'desiredAdmissionDate') ?? v.desiredAdmissionDate);
    }
    if (fields.includes('acceptsTemporaryStay')) v.acceptsTemporaryStay = read.bool(d, 'acceptsTemporaryStay') ?? v.acceptsTemporaryStay;
    app.bucket = this.bucketOf(v);
    if (queued) this.index(app);
  }

  private archived(e: KindEvent<'application.archived'>): void {
    const app = this.apps.get(e.entityId);
    if (!app) return;
    app.stop = null;
    this.setStatus(app, 'ARCHIVED');
  }

  private restored(e: KindEvent<'application.restored'>): void {
    const app = this.apps.get(e.entityId);
    if (app) this.setStatus(app, 'QUEUED');
  }

  // ---------- vacancies ----------

  private published(e: KindEvent<'vacancy.published'>): void {
    const d = e.data;
    const view: VacancyView = {
      id: e.entityId,
      organizationId: read.str(d, 'organizationId') ?? '',
      locality: read.str(d, 'locality') ?? '',
      language: read.str(d, 'language') ?? '',
      ageFromMonths: read.num(d, 'ageFromMonths') ?? 0,
      ageToMonths: read.num(d, 'ageToMonths') ?? -1,
      groupType: (read.str(d, 'groupType') === 'SPECIAL' ? 'SPECIAL' : 'GENERAL') as GroupType,
      workMode: (read.str(d, 'workMode') ?? 'FULL_DAY') as WorkMode,
      admissionMode: (read.str(d, 'admissionMode') ?? 'GENERAL') as AdmissionMode,
      admissionStartDate: read.str(d, 'admissionStartDate') ?? '',
    };
    this.vacs.set(view.id, { view, status: 'PUBLISHED', vacatedAt: null, openAt: null, referred: false });
  }

  /**
   * The place passed an allocation run unreferred: it opens for claims at `openAt`, which must be the run's
   * instant plus the priority window in force then (a shorter window takes the place from the families the
   * next runs would give it to). A place opened while referred or not published is not free to open.
   */
  private opened(e: KindEvent<'vacancy.opened'>): void {
    const vac = this.vacs.get(e.entityId);
    const openAt = read.instant(e.data, 'openAt');
    if (this.inPeriod(e.at)) {
      const hours = this.s.priorityWindowHours;
      const expected = new Date(e.at.getTime() + hours * 3_600_000);
      const ev = {
        vacancyId: e.entityId,
        openedAt: e.at.toISOString(),
        openAt: iso(openAt),
        expectedOpenAt: expected.toISOString(),
        priorityWindowHours: hours,
        vacancyStatus: vac?.status ?? null,
      };
      if (!vac) {
        this.flag('NO_SKIP', e.seq, null, 'a place the ledger never published was opened for claims', ev);
      } else if (vac.status !== 'PUBLISHED') {
        this.flag('NO_SKIP', e.seq, null, `a place that was ${vac.status}, not free, was opened for claims`, ev);
      } else if (!sameInstant(openAt, expected)) {
        this.flag('NO_SKIP', e.seq, null, `the place opens for claims at another instant than ${hours} hours after its allocation run`, ev);
      } else {
        this.checkNobodyWaited(e, vac);
      }
    }
    if (vac && vac.openAt === null) vac.openAt = openAt;
  }

  /**
   * A place goes to claims (first come, first served) only when its allocation run found nobody eligible:
   * an eligible queued application at that moment should have had it. Twins batches get the benefit of the
   * doubt (allocation skips a batch whose siblings found no places together), as in {@link checkRank}.
   */
  private checkNobodyWaited(e: KindEvent<'vacancy.opened'>, vac: VacState): void {
    const judged = this.judged(vac, e.at);
    const waiting = (picker: Picker): ApplicationView | undefined => {
      const skipped = new Set<string>();
      for (const queue of picker.queues()) {
        for (let head = picker.pick(queue, skipped); head; head = picker.pick(queue, skipped)) {
          if (head.batchId === null) return head;
          skipped.add(head.batchId);
        }
      }
      return undefined;
    };
    // Whether one waited is the same by either picker; which one is named, the literal rule's (found only then).
    let head = waiting(this.opts.literal ? this.literalPicker(judged) : this.indexedPicker(judged));
    if (!head) return;
    if (!this.opts.literal) head = waiting(this.literalPicker(judged)) ?? head;
    this.flag('NO_SKIP', e.seq, null, `the place was opened for claims while application ${head.id} was eligible and waiting`, {
      vacancyId: vac.view.id,
      openedAt: e.at.toISOString(),
      better: rankEvidence(head),
    });
  }

  /**
   * A claim (claimed = true): only once the place's priority window has ended (its vacancy.opened in this
   * round, openAt reached), and first come first served — claims are taken one at a time under the
   * locality's lock, so their instants do not go back in ledger order within a locality.
   */
  private checkClaim(e: KindEvent<'referral.issued'>, id: string, app: AppState, vac: VacState): void {
    const ev = {
      vacancyId: vac.view.id,
      applicationId: app.view.id,
      claimedAt: e.at.toISOString(),
      openAt: iso(vac.openAt),
    };
    if (vac.openAt === null) {
      this.flag('NO_SKIP', e.seq, id, 'claimed a place whose opening for claims is not in the ledger (no vacancy.opened)', ev);
    } else if (e.at.getTime() < vac.openAt.getTime()) {
      this.flag('NO_SKIP', e.seq, id, 'claimed a place before its priority window ended', ev);
    }
    const locality = vac.view.locality;
    const last = this.lastClaim.get(locality);
    if (last && e.at.getTime() < last.at.getTime()) {
      this.flag('NO_SKIP', e.seq, id, `claim recorded before earlier-ledgered claim ${last.referralId}: not first come first served`, {
        ...ev,
        earlierClaim: last.referralId,
        earlierClaimAt: last.at.toISOString(),
      });
    }
  }

  // ---------- referrals ----------

  private issued(e: KindEvent<'referral.issued'>): void {
    const d = e.data;
    const id = e.entityId;
    const applicationId = read.str(d, 'applicationId') ?? '';
    const vacancyId = read.str(d, 'vacancyId') ?? '';
    const claimed = read.bool(d, 'claimed') ?? false;
    const status = read.str(d, 'status') === 'BOOKED' ? 'BOOKED' : 'OFFERED';
    const clockStart = read.instant(d, 'clockStart');
    const confirmBy = read.instant(d, 'confirmBy');
    const app = this.apps.get(applicationId);
    const vac = this.vacs.get(vacancyId);
    const check = this.inPeriod(e.at);
    if (check) this.checked.add(id);

    if (!app || !vac) {
      if (check) {
        this.flag('NO_SKIP', e.seq, id, `referral for ${app ? 'a place' : 'an application'} the ledger never registered`, {
          applicationId,
          vacancyId,
        });
      }
    } else {
      if (check) {
        this.checkIssueTerms(e, id, vac, status, clockStart, confirmBy);
        const judged = this.judged(vac, e.at);
        const fit = this.checkAllocatable(e, id, app, judged);
        if (fit && !claimed) this.checkRank(e, id, app, judged);
        if (claimed) this.checkClaim(e, id, app, vac);
      }
      if (claimed) {
        const last = this.lastClaim.get(vac.view.locality);
        if (!last || e.at.getTime() >= last.at.getTime()) this.lastClaim.set(vac.view.locality, { at: e.at, referralId: id });
      }
      if (!claimed) {
        const key = queueKeyOf(app.view);
        this.cycles.set(key, advanceCycle(this.cycles.get(key) ?? 0, app.view.priorityClass, this.s.interleave));
        this.lastAllocation = { runId: read.str(d, 'runId'), batchId: app.view.batchId };
      }
      this.setStatus(app, 'REFERRED');
      vac.status = status === 'BOOKED' ? 'BOOKED' : 'REFERRED';
      vac.referred = true;
    }
    this.refs.set(id, {
      id,
      applicationId,
      vacancyId,
      status,
      issuedAt: e.at,
      clockStart,
      confirmBy,
      validUntil: null,
      extended: false,
      termSeq: e.seq,
    });
  }

  /**
   * The place as allocation and claims judge it at `at`: a place that had a referral before (declined,
   * expired, refused or cancelled since) is judged at max(its admission start date, the first working day
   * after the day of `at`) — eligibilityDateOf, as AllocationService and claims compute it.
   */
  private judged(vac: VacState, at: Date): VacState {
    if (!vac.referred) return vac;
    const next = this.opts.calendar.addWorkingDays(toAlmatyDate(at), 1);
    const date = eligibilityDateOf(vac.view.admissionStartDate, true, next);
    return date === vac.view.admissionStartDate ? vac : { ...vac, view: { ...vac.view, eligibilityDate: date } };
  }

  /** The application could be given a referral at all (status, stop-list, exclusion, fit), and the place was free. */
  private checkAllocatable(e: KindEvent<'referral.issued'>, id: string, app: AppState, vac: VacState): boolean {
    const claimed = read.bool(e.data, 'claimed') ?? false;
    const evidence = {
      ...rankEvidence(app.view),
      vacancyId: vac.view.id,
      applicationStatus: app.status,
      vacancyStatus: vac.status,
      claimed,
    };
    if (app.status === 'STOP_LISTED') {
      this.flag('STOP_LIST', e.seq, id, 'referral issued to a stop-listed application', {
        ...evidence,
        stopListedUntil: app.stop?.until ?? null,
      });
      return false;
    }
    if (app.status !== 'QUEUED') {
      this.flag('NO_SKIP', e.seq, id, `referral issued to an application that was ${app.status}, not waiting in the queue`, evidence);
      return false;
    }
    if (vac.status !== 'PUBLISHED') {
      this.flag('NO_SKIP', e.seq, id, `referral issued for a place that was ${vac.status}, not free`, evidence);
      return false;
    }
    if (!mayOfferTemporaryPlace(vac.view.admissionMode, this.inTemporaryPlace.has(app.view.id))) {
      this.flag('NO_SKIP', e.seq, id, 'a second temporary place offered to a child who attends one', evidence);
      return false;
    }
    if (this.excluded.has(exclusionKey(app.view.id, vac.view.id))) {
      this.flag('NO_SKIP', e.seq, id, 'place offered again to an application that declined it or let it expire', evidence);
      return false;
    }
    if (claimed ? !fitsForClaim(app.view, vac.view, this.excluded) : !isEligible(app.view, vac.view, this.excluded)) {
      this.flag(
        'NO_SKIP',
        e.seq,
        id,
        `referral issued to an application that ${claimed ? 'does not fit' : 'is not eligible for'} the place`,
        evidence,
      );
      return false;
    }
    const recordedClass = read.num(e.data, 'priorityClass');
    const recordedQueue = read.str(e.data, 'queueKey');
    if (
      (recordedClass !== null && recordedClass !== app.view.priorityClass) ||
      (!claimed && recordedQueue !== null && recordedQueue !== queueKeyOf(app.view))
    ) {
      this.flag('NO_SKIP', e.seq, id, 'referral records another class or queue than the application had', {
        ...evidence,
        recordedClass,
        recordedQueue,
      });
    }
    return true;
  }

  /**
   * NO_SKIP and RATIO for one allocation referral, against the state just before it: the allocation
   * rule is re-run for the place (each queue's pick by its cycle, the best pick by compareHeads).
   * When the winner is a member of another twins batch, that batch is given the benefit of the doubt
   * (allocation skips a batch whose siblings found no places together) and the pick is re-run
   * without it, as allocation does.
   */
  private checkRank(e: KindEvent<'referral.issued'>, id: string, app: AppState, vac: VacState): void {
    const last = this.lastAllocation;
    const runId = read.str(e.data, 'runId');
    const batch = app.view.batchId;
    if (batch !== null && last !== null && last.runId === runId && last.batchId === batch) {
      return; // a sibling placed with its batch's head: the batch rule, not rank, chose it
    }
    const ratio = this.s.interleave;
    const key = queueKeyOf(app.view);
    const skipped = new Set<string>();
    let literal = this.opts.literal === true;
    let picker = literal ? this.literalPicker(vac) : this.indexedPicker(vac);
    const pickOf = (queue: string): ApplicationView | undefined => picker.pick(queue, skipped);
    for (;;) {
      let winner: ApplicationView | undefined;
      let tie = false;
      for (const queue of picker.queues()) {
        const head = pickOf(queue);
        if (!head) continue;
        if (!winner) {
          winner = head;
          continue;
        }
        const c = compareHeads(head, winner);
        if (c < 0) winner = head;
        else if (c === 0) tie = true;
      }
      if (tie && !literal) {
        // Heads of two queues equal on (class, registeredAt, seq) (never with unique application
        // numbers): the literal rule keeps the queue it met first, so ask it.
        literal = true;
        picker = this.literalPicker(vac);
        skipped.clear();
        continue;
      }
      if (!winner || winner.id === app.view.id) return;
      if (winner.batchId !== null) {
        if (winner.batchId === batch) return; // order within the batch: the twins go together
        skipped.add(winner.batchId);
        continue;
      }
      const cycle = normalizeCycle(this.cycles.get(key) ?? 0, ratio);
      const turn = nextTurn(cycle, ratio);
      const base = {
        referral: rankEvidence(app.view),
        vacancyId: vac.view.id,
        runId,
        cyclePosition: cycle,
        turnClass: turn,
        ratio: `${ratio.first}:${ratio.general}`,
        skippedBatches: [...skipped],
      };
      const own = pickOf(key);
      const wrongTurn = (p: ApplicationView): boolean => p.priorityClass !== app.view.priorityClass && p.priorityClass !== 0;
      if (queueKeyOf(winner) !== key && own && own.id !== app.view.id && wrongTurn(own)) {
        winner = own;
      }
      if (queueKeyOf(winner) === key) {
        if (wrongTurn(winner)) {
          this.flag(
            'RATIO',
            e.seq,
            id,
            `class ${app.view.priorityClass} referral while it was class ${turn}'s turn and class-${turn} application ${winner.id} was eligible`,
            { ...base, better: rankEvidence(winner) },
          );
        } else {
          this.flag(
            'NO_SKIP',
            e.seq,
            id,
            winner.priorityClass === app.view.priorityClass
              ? `application ${winner.id} of the same class, registered earlier, was eligible and waiting`
              : `out-of-turn (class 0) application ${winner.id} was eligible and waiting`,
            { ...base, better: rankEvidence(winner) },
          );
        }
      } else {
        this.flag('NO_SKIP', e.seq, id, `the head ${winner.id} of queue ${queueKeyOf(winner)} ranked better for this place`, {
          ...base,
          better: {
            ...rankEvidence(winner),
            cyclePosition: normalizeCycle(this.cycles.get(queueKeyOf(winner)) ?? 0, ratio),
          },
        });
      }
      return;
    }
  }

  /**
   * The literal rule: every queued application of the place's slice (in the order they joined the
   * queue) tested for the place, grouped by queue; each queue's pick by {@link pickNext}.
   */
  private literalPicker(vac: VacState): Picker {
    const byQueue = new Map<string, ApplicationView[]>();
    // The place's birth-date window: a cheap string test before isEligible (as allocate does).
    const { earliest, latest } = birthDateWindow(judgedOn(vac.view), vac.view.ageFromMonths, vac.view.ageToMonths);
    const queued: AppState[] = [];
    for (const years of this.queued.get(sliceOf(vac.view))?.values() ?? []) {
      for (const lists of years.values()) for (const list of lists) queued.push(...list);
    }
    queued.sort((a, b) => a.stamp - b.stamp);
    for (const other of queued) {
      if (other.view.birthDate < earliest || other.view.birthDate > latest) continue;
      if (!mayOfferTemporaryPlace(vac.view.admissionMode, this.inTemporaryPlace.has(other.view.id))) continue;
      if (!isEligible(other.view, vac.view, this.excluded)) continue;
      const key = queueKeyOf(other.view);
      const list = byQueue.get(key);
      if (list) list.push(other.view);
      else byQueue.set(key, [other.view]);
    }
    const ratio = this.s.interleave;
    return {
      queues: () => byQueue.keys(),
      pick: (queue, skipped) => {
        const list = byQueue.get(queue) ?? [];
        const candidates = skipped.size ? list.filter((a) => a.batchId === null || !skipped.has(a.batchId)) : list;
        return pickNext(candidates, this.cycles.get(queue) ?? 0, ratio);
      },
    };
  }

  /**
   * The same picks from the rank-ordered lists: a class's pick in a queue is the earliest (by
   * registeredAt, seq, then the literal order) of the first eligible members of its lists for the
   * birth years the place's window reaches, so a pick costs the members ranked before it that do
   * not fit the place, not the whole queue. The class is chosen by {@link pickClass}, as pickNext.
   */
  private indexedPicker(vac: VacState): Picker {
    const { earliest, latest } = birthDateWindow(judgedOn(vac.view), vac.view.ageFromMonths, vac.view.ageToMonths);
    // Any birth date in [earliest, latest] has its first 4 characters in [fromYear, toYear].
    const fromYear = yearOf(earliest);
    const toYear = yearOf(latest);
    const queues = this.queued.get(sliceOf(vac.view)) ?? new Map<string, Map<string, ClassLists>>();
    const place = vac.view;
    const excluded = this.excluded;
    const temporary = place.admissionMode === 'TEMPORARY_STAY' ? this.inTemporaryPlace : null;
    const first = (list: readonly AppState[], skipped: ReadonlySet<string>): AppState | undefined => {
      for (const a of list) {
        const v = a.view;
        if (v.birthDate < earliest || v.birthDate > latest) continue;
        if (skipped.size && v.batchId !== null && skipped.has(v.batchId)) continue;
        if (temporary && !mayOfferTemporaryPlace(place.admissionMode, temporary.has(v.id))) continue;
        if (isEligible(v, place, excluded)) return a;
      }
      return undefined;
    };
    const ratio = this.s.interleave;
    return {
      queues: () => queues.keys(),
      pick: (queue, skipped) => {
        const years = queues.get(queue);
        if (!years) return undefined;
        const heads: (AppState | undefined)[] = [];
        const head = (cls: PriorityClass): AppState | undefined => {
          let best: AppState | undefined;
          for (const [year, lists] of years) {
            if (year < fromYear || year > toYear) continue;
            const h = first(lists[cls], skipped);
            if (h && (!best || before(h, best))) best = h;
          }
          heads[cls] = best;
          return best;
        };
        const cls = pickClass(this.cycles.get(queue) ?? 0, ratio, (c) => head(c) !== undefined);
        return cls === null ? undefined : heads[cls]?.view;
      },
    };
  }

  /** Issue-time clocks: BOOKED only for a not yet vacated early-booking place; confirmBy from the clock start. */
  private checkIssueTerms(
    e: AuditEvent,
    id: string,
    vac: VacState,
    status: 'BOOKED' | 'OFFERED',
    clockStart: Date | null,
    confirmBy: Date | null,
  ): void {
    const shouldBook = vac.view.admissionMode === 'EARLY_BOOKING' && vac.vacatedAt === null;
    const ev = {
      vacancyId: vac.view.id,
      admissionMode: vac.view.admissionMode,
      vacatedAt: iso(vac.vacatedAt),
      issuedAt: e.at.toISOString(),
      status,
      clockStart: iso(clockStart),
      confirmBy: iso(confirmBy),
    };
    if (shouldBook !== (status === 'BOOKED')) {
      this.flag(
        'DEADLINE',
        e.seq,
        id,
        shouldBook
          ? 'offered (clocks running) for an early-booking place not yet vacated'
          : 'booked (clocks stopped) although the place was already free',
        ev,
      );
      return;
    }
    if (status === 'BOOKED') {
      if (clockStart || confirmBy) {
        this.flag('DEADLINE', e.seq, id, 'a booked referral must not have a running clock', ev);
      }
      return;
    }
    const expectedStart = vac.vacatedAt && vac.vacatedAt.getTime() > e.at.getTime() ? vac.vacatedAt : e.at;
    if (!sameInstant(clockStart, expectedStart)) {
      this.flag('DEADLINE', e.seq, id, 'clock start is not the issue instant (or the vacated instant of an early-booked place)', {
        ...ev,
        expectedClockStart: expectedStart.toISOString(),
      });
    }
    this.checkConfirmBy(e, id, clockStart ?? expectedStart, confirmBy, ev, this.s);
  }

  /** `terms`: the settings in force at the referral's issue (its deadlines keep them). */
  private checkConfirmBy(
    e: AuditEvent,
    id: string,
    start: Date,
    confirmBy: Date | null,
    ev: Record<string, unknown>,
    terms: AuditSettings,
  ): void {
    const expected = workingDaysDeadline(this.opts.calendar, start, terms.confirmWorkingDays);
    if (!sameInstant(confirmBy, expected)) {
      this.flag('DEADLINE', e.seq, id, `confirmBy is not ${terms.confirmWorkingDays} working days from the clock start`, {
        ...ev,
        expectedConfirmBy: expected.toISOString(),
        confirmWorkingDays: terms.confirmWorkingDays,
      });
    }
  }

  private offered(e: KindEvent<'referral.offered'>): void {
    const r = this.refs.get(e.entityId);
    if (!r) return;
    const clockStart = read.instant(e.data, 'clockStart');
    const confirmBy = read.instant(e.data, 'confirmBy');
    const vac = this.vacs.get(r.vacancyId);
    if (this.inPeriod(e.at)) {
      this.checked.add(r.id);
      const ev = {
        vacancyId: r.vacancyId,
        previousStatus: r.status,
        vacatedAt: iso(vac?.vacatedAt ?? null),
        clockStart: iso(clockStart),
        confirmBy: iso(confirmBy),
      };
      if (r.status !== 'BOOKED') {
        this.flag('DEADLINE', e.seq, r.id, `clock started on a referral that was ${r.status}, not BOOKED`, ev);
      } else {
        if (vac?.vacatedAt && !sameInstant(clockStart, vac.vacatedAt)) {
          this.flag('DEADLINE', e.seq, r.id, 'clock start is not the instant the place was marked vacated', ev);
        }
        this.checkConfirmBy(e, r.id, clockStart ?? e.at, confirmBy, ev, this.settingsAt(r.issuedAt));
      }
    }
    r.status = 'OFFERED';
    r.clockStart = clockStart;
    r.confirmBy = confirmBy;
    r.termSeq = e.seq;
    if (vac) vac.status = 'REFERRED';
  }

  private confirmed(e: KindEvent<'referral.confirmed'>): void {
    const r = this.refs.get(e.entityId);
    if (!r) return;
    const validUntil = read.instant(e.data, 'validUntil');
    if (this.inPeriod(e.at)) {
      this.checked.add(r.id);
      const ev = {
        confirmedAt: e.at.toISOString(),
        confirmBy: iso(r.confirmBy),
        validUntil: iso(validUntil),
        previousStatus: r.status,
      };
      if (r.status !== 'OFFERED') {
        this.flag('DEADLINE', e.seq, r.id, `confirmed a referral that was ${r.status}`, ev);
      }
      if (r.confirmBy && e.at.getTime() >= r.confirmBy.getTime()) {
        this.flag('DEADLINE', e.seq, r.id, 'confirmed after the confirmation deadline', ev);
      }
      const terms = this.settingsAt(r.issuedAt);
      const expected = workingDaysDeadline(this.opts.calendar, e.at, terms.documentsWorkingDays);
      if (!sameInstant(validUntil, expected)) {
        this.flag('DEADLINE', e.seq, r.id, `validUntil is not ${terms.documentsWorkingDays} working days from the confirmation`, {
          ...ev,
          expectedValidUntil: expected.toISOString(),
          documentsWorkingDays: terms.documentsWorkingDays,
        });
      }
    }
    r.status = 'CONFIRMED';
    r.validUntil = validUntil;
    r.termSeq = e.seq;
  }

  private extendedEvent(e: KindEvent<'referral.extended'>): void {
    const r = this.refs.get(e.entityId);
    if (!r) return;
    const validUntil = read.instant(e.data, 'validUntil');
    if (this.inPeriod(e.at)) {
      this.checked.add(r.id);
      const start = r.clockStart ?? r.issuedAt;
      const terms = this.settingsAt(r.issuedAt);
      const limit = calendarDaysDeadline(start, terms.extensionCalendarDays);
      const ev = {
        clockStart: start.toISOString(),
        validUntil: iso(validUntil),
        limit: limit.toISOString(),
        status: r.status,
      };
      if (r.status !== 'CONFIRMED') {
        this.flag('DEADLINE', e.seq, r.id, `extended a referral that was ${r.status}`, ev);
      }
      if (r.extended) this.flag('DEADLINE', e.seq, r.id, 'extended a second time', ev);
      if (!validUntil || validUntil.getTime() > limit.getTime()) {
        this.flag('DEADLINE', e.seq, r.id, `extended beyond ${terms.extensionCalendarDays} calendar days from the start of validity`, ev);
      }
    }
    r.extended = true;
    r.validUntil = validUntil;
    r.termSeq = e.seq;
  }

  /** The deadline a live referral runs against: confirmation while OFFERED, documents while CONFIRMED. */
  private deadlineOf(r: RefState): Date | null {
    if (r.status === 'OFFERED') return r.confirmBy;
    if (r.status === 'CONFIRMED') return r.validUntil;
    return null;
  }

  /**
   * An admission refusal (ReferralLifecycleService.refuse: reason `admission refused: <REASON>`): only on a
   * CONFIRMED referral; INCOMPLETE_DOCUMENTS (an expiry, with its stop-list term) only once the documents
   * deadline has passed (referral-state.ts refusalProblem). Returns whether it was an early refusal.
   */
  private checkRefusal(e: KindEvent<'referral.declined' | 'referral.cancelled' | 'referral.expired'>, r: RefState): boolean {
    const reason = read.str(e.data, 'reason');
    if (!reason?.startsWith(REFUSED)) return false;
    if (!this.inPeriod(e.at)) return false;
    this.checked.add(r.id);
    const code = reason.slice(REFUSED.length);
    const ev = {
      reason: code,
      status: r.status,
      refusedAt: e.at.toISOString(),
      validUntil: iso(r.validUntil),
    };
    if (r.status !== 'CONFIRMED') {
      this.flag('DEADLINE', e.seq, r.id, `admission refused on a referral that was ${r.status}, not CONFIRMED`, ev);
      return false;
    }
    if (code === 'INCOMPLETE_DOCUMENTS' && (r.validUntil === null || e.at.getTime() < r.validUntil.getTime())) {
      this.flag('DEADLINE', e.seq, r.id, 'admission refused for incomplete documents before the documents deadline', ev);
      return true;
    }
    return false;
  }

  private released(e: KindEvent<'referral.declined' | 'referral.cancelled' | 'referral.expired'>): void {
    const r = this.refs.get(e.entityId);
    const applicationId = r?.applicationId ?? read.str(e.data, 'applicationId') ?? '';
    const vacancyId = r?.vacancyId ?? read.str(e.data, 'vacancyId') ?? '';
    const expired = e.type === 'referral.expired';
    const refusedEarly = r !== undefined && this.checkRefusal(e, r);
    if (r && expired) {
      const deadline = this.deadlineOf(r);
      const check = this.inPeriod(e.at);
      if (check) this.checked.add(r.id);
      if (!deadline) {
        if (check) {
          this.flag('DEADLINE', e.seq, r.id, `expired a referral that was ${r.status} (no running deadline)`, { status: r.status });
        }
      } else {
        const ev = {
          status: r.status,
          deadline: deadline.toISOString(),
          expiredAt: e.at.toISOString(),
        };
        if (check && !refusedEarly && e.at.getTime() < deadline.getTime()) {
          this.flag('DEADLINE', e.seq, r.id, 'expired before its deadline', ev);
        }
        if (check && e.at.getTime() >= deadline.getTime() + DAY_MS) {
          this.flag('DEADLINE', e.seq, r.id, 'expired more than a day after its deadline', ev);
        }
        const lastDay = toAlmatyDate(new Date(deadline.getTime() - 1));
        this.pendingStops.set(r.id, {
          referralId: r.id,
          applicationId,
          expiredSeq: e.seq,
          startsOn: addCalendarDays(lastDay, 1),
          until: addCalendarDays(lastDay, this.s.stopListCalendarDays),
          inPeriod: check,
        });
      }
    }
    if (r) {
      r.status = expired ? 'EXPIRED' : e.type === 'referral.declined' ? 'DECLINED' : 'CANCELLED';
    }
    const vac = this.vacs.get(vacancyId);
    if (vac && (vac.status === 'BOOKED' || vac.status === 'REFERRED')) {
      vac.status = 'PUBLISHED';
      vac.openAt = null; // back to allocation: a new priority window
    }
    this.excluded.add(exclusionKey(applicationId, vacancyId));
    const app = this.apps.get(applicationId);
    if (app && app.status === 'REFERRED') this.setStatus(app, expired ? 'STOP_LISTED' : 'QUEUED');
  }

  private enrolled(e: KindEvent<'referral.enrolled'>): void {
    const r = this.refs.get(e.entityId);
    if (!r) return;
    if (this.inPeriod(e.at)) {
      this.checked.add(r.id);
      if (r.status !== 'CONFIRMED') {
        this.flag('DEADLINE', e.seq, r.id, `enrolled on a referral that was ${r.status}`, {
          status: r.status,
        });
      } else if (r.validUntil && e.at.getTime() >= r.validUntil.getTime()) {
        this.flag('DEADLINE', e.seq, r.id, 'enrolled after the documents deadline', {
          enrolledAt: e.at.toISOString(),
          validUntil: r.validUntil.toISOString(),
        });
      }
    }
    r.status = 'ENROLLED';
    const vac = this.vacs.get(r.vacancyId);
    if (vac) vac.status = 'FILLED';
    // A temporary-stay place: the child attends for a term and its own application stays in the queue.
    const app = this.apps.get(r.applicationId);
    if (app && read.bool(e.data, 'temporaryStay') === true) {
      this.inTemporaryPlace.add(r.applicationId);
      if (app.status === 'REFERRED') this.setStatus(app, 'QUEUED');
    }
  }

  /** An early booking whose place was not marked vacated in time lapsed: the family back in the queue (no exclusion). */
  private bookingLapsed(e: KindEvent<'referral.booking_lapsed'>): void {
    const r = this.refs.get(e.entityId);
    const applicationId = r?.applicationId ?? read.str(e.data, 'applicationId') ?? '';
    const vacancyId = r?.vacancyId ?? read.str(e.data, 'vacancyId') ?? '';
    if (r) {
      if (this.inPeriod(e.at)) {
        this.checked.add(r.id);
        if (r.status !== 'BOOKED') {
          this.flag('DEADLINE', e.seq, r.id, `early booking lapsed on a referral that was ${r.status}, not BOOKED`, { status: r.status });
        }
      }
      r.status = 'CANCELLED';
    }
    const vac = this.vacs.get(vacancyId);
    if (vac && vac.status === 'BOOKED') {
      vac.status = 'PUBLISHED';
      vac.openAt = null;
    }
    const app = this.apps.get(applicationId);
    if (app && app.status === 'REFERRED') this.setStatus(app, 'QUEUED');
  }

  // ---------- stop-list ----------

  private stopAdded(e: KindEvent<'stop_list.added'>): void {
    const app = this.apps.get(e.entityId);
    const referralId = read.str(e.data, 'referralId');
    const until = read.str(e.data, 'until');
    if (referralId) {
      const p = this.pendingStops.get(referralId);
      if (p) {
        this.pendingStops.delete(referralId);
        const startsOn = read.str(e.data, 'startsOn');
        if (p.inPeriod && (until !== p.until || startsOn !== p.startsOn)) {
          this.flag(
            'STOP_LIST',
            e.seq,
            referralId,
            `stop-list term is not the ${this.s.stopListCalendarDays} calendar days after the last day of the referral`,
            {
              applicationId: p.applicationId,
              startsOn,
              until,
              expectedStartsOn: p.startsOn,
              expectedUntil: p.until,
            },
          );
        }
      }
    }
    if (!app) return;
    app.stop = { until, referralId, seq: e.seq };
    if (app.status === 'QUEUED') this.setStatus(app, 'STOP_LISTED');
  }

  private stopEnded(e: KindEvent<'stop_list.ended'>): void {
    const app = this.apps.get(e.entityId);
    if (!app) return;
    const term = app.stop;
    const manual = read.bool(e.data, 'manual') ?? false;
    if (term && term.until && !manual && this.inPeriod(e.at)) {
      const due = endOfAlmatyDay(term.until);
      const ev = {
        applicationId: app.view.id,
        until: term.until,
        endedAt: e.at.toISOString(),
        due: due.toISOString(),
      };
      if (e.at.getTime() < due.getTime()) {
        this.flag('STOP_LIST', e.seq, term.referralId, 'stop-list term ended before its last day was over', ev);
      } else if (e.at.getTime() >= due.getTime() + DAY_MS) {
        this.flag('STOP_LIST', e.seq, term.referralId, 'stop-list term ended more than a day late', ev);
      }
    }
    app.stop = null;
    if (app.status === 'STOP_LISTED') this.setStatus(app, 'QUEUED');
  }

  // ---------- end ----------

  finish(): FairnessReport {
    const { from, to, asOf } = this.opts;
    for (const p of this.pendingStops.values()) {
      if (!p.inPeriod) continue;
      this.flag('STOP_LIST', p.expiredSeq, p.referralId, 'expired referral without the stop-list entry that must follow it', {
        applicationId: p.applicationId,
        expectedStartsOn: p.startsOn,
        expectedUntil: p.until,
      });
    }
    this.pendingStops.clear();
    if (asOf) {
      const due = (d: Date): boolean => d.getTime() + DAY_MS <= asOf.getTime() && (!from || d.getTime() >= from.getTime());
      for (const r of this.refs.values()) {
        if (!LIVE.includes(r.status)) continue;
        const deadline = this.deadlineOf(r);
        if (deadline && due(deadline)) {
          this.checked.add(r.id);
          this.flag('DEADLINE', r.termSeq, r.id, `still ${r.status} a day after its deadline: it was not expired`, {
            status: r.status,
            deadline: deadline.toISOString(),
            asOf: asOf.toISOString(),
          });
        }
      }
      for (const app of this.apps.values()) {
        const term = app.stop;
        if (!term?.until || app.status !== 'STOP_LISTED') continue;
        const end = endOfAlmatyDay(term.until);
        if (due(end)) {
          this.flag('STOP_LIST', term.seq, term.referralId, 'stop-list term over but the application was not returned to the queue', {
            applicationId: app.view.id,
            until: term.until,
            asOf: asOf.toISOString(),
          });
        }
      }
    }
    const violations = [...this.violations].sort((a, b) => a.eventSeq - b.eventSeq);
    return {
      from: from ?? null,
      to: to ?? null,
      eventsReplayed: this.events,
      referralsChecked: this.checked.size,
      violations,
      ok: violations.length === 0,
    };
  }
}

/** Replays `events` (in `seq` order) and returns the report. */
export function auditFairness(events: Iterable<AuditEvent>, opts: FairnessAuditOptions): FairnessReport {
  const auditor = new FairnessAuditor(opts);
  for (const e of events) auditor.apply(e);
  return auditor.finish();
}
