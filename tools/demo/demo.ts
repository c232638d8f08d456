import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import pg from 'pg';
import { DOMAIN_MODULES } from '../../src/api.module.js';
import { ArchiveService } from '../../src/archive/archive.service.js';
import { AuditService } from '../../src/audit/audit.service.js';
import { formatFairnessReport } from '../../src/audit/domain/report-text.js';
import type { Principal } from '../../src/auth/principal.js';
import { CalendarService } from '../../src/calendar/calendar.service.js';
import { addCalendarDays, almatyAt, toAlmatyDate } from '../../src/calendar/domain/almaty-time.js';
import type { WorkingCalendar } from '../../src/calendar/domain/working-days.js';
import { LedgerSealerService } from '../../src/ledger/ledger-sealer.service.js';
import { LedgerVerifierService } from '../../src/ledger/ledger-verifier.service.js';
import { OrganizationService } from '../../src/organization/organization.service.js';
import { boot, type BootContext } from '../../src/platform/boot.js';
import { ClockService } from '../../src/platform/clock/clock.service.js';
import { ConfigError } from '../../src/platform/config/config.js';
import { DocumentKind, RefusalReason } from '../../src/referral/domain/referral-state.js';
import { AdmissionMode, GroupType, WorkMode } from '../../src/vacancy/domain/vocabulary.js';
import { isRealDate } from '../../src/platform/graphql/scalars.js';
import { makeBin, makeIin } from '../../src/platform/identifiers/iin.js';
import { SchedulerService } from '../../src/platform/jobs/scheduler.service.js';
import { loggingModule } from '../../src/platform/logging/logging.module.js';
import { PlatformModule } from '../../src/platform/platform.module.js';
import { APPLICATION_COLUMNS, type ApplicationRow } from '../../src/queue/application.row.js';
import type { RegisterApplicationInput } from '../../src/queue/dto/application.input.js';
import { PriorityClaimsService } from '../../src/queue/priority-claims.service.js';
import { QueueService } from '../../src/queue/queue.service.js';
import { fitsForClaim } from '../../src/referral/domain/eligibility.js';
import { HOLDS_TEMPORARY_PLACE_SQL } from '../../src/referral/domain/temporary-stay.js';
import { ReferralLifecycleService } from '../../src/referral/referral-lifecycle.service.js';
import { toApplicationView } from '../../src/referral/referral-views.js';
import { judgedVacancyView, nextWorkingDayAfter, RETURNED_SQL } from '../../src/referral/returned-places.js';
import { StopListService } from '../../src/referral/stop-list.service.js';
import type { PublishVacancyInput } from '../../src/vacancy/dto/vacancy.model.js';
import { VACANCY_COLUMNS, type VacancyRow } from '../../src/vacancy/vacancy.row.js';
import { VacancyService } from '../../src/vacancy/vacancy.service.js';
import {
  AGE_GROUPS,
  CITY,
  CLASS0,
  CLASS1,
  DAY_MS,
  Dice,
  DISTRICTS,
  FIRST_NAMES,
  isoDate,
  KINDERGARTEN_NAMES,
  pad,
  prng,
  START,
} from './city.js';

/**
 * `npm run demo [-- --applications N] [--organizations N] [--days N] [--daily N] [--seed N]
 *   [--lanes N]`
 *
 * A month of Kezek in a realistic city: 100 kindergartens across five districts of Almaty (KATO
 * 751110000 … 751510000), 20,000 applications waiting on 1 September 2026 (cohorts 2020–2025, ~2 %
 * class 0 and ~8 % class 1 with confirmed categories, ~1 % unproven claims that lapse, twins
 * batches, KK/RU 60/40, work modes, up to four chosen organizations or "any"), then each day: places
 * handed over (working days of the calendar; general, early booking, temporary stay; mixed work modes
 * and age groups), the 09:00 bulletin and allocation, new families registering, applicants
 * confirming (~70 %), declining (~10 %) or letting the offer expire, open places claimed,
 * early-booked places marked vacated, organizations recording documents and enrolling (a few
 * extend, refuse or never get the documents), a few withdrawals, revoked places and operator
 * stop-list entries; the 00:00 sweeps expire referrals, lapse claims, end stop-list terms and age
 * children out. Then the ledger is sealed and verified and the fairness audit replays it.
 *
 * Everything is written by the application services (the code the API and the timetable call), on
 * the simulated clock, in one Nest application context (no HTTP, no job workers: notifications stay
 * in the outbox); the demo itself only reads, to decide what the families and organizations do next.
 * - the city: OrganizationService.create; working days: CalendarService.calendar;
 * - the waiting list: QueueService.register with each family's registration time in the past,
 *   `--lanes` at a time (twins in one lane, as a batch), QueueService.confirmPriority for the proven
 *   categories, then QueueService.lapseClaims (the 00:00 sweep) for the claims never proven;
 * - each day: ClockService.setSimulated + SchedulerService.catchUp run the timetable (00:00 sweeps,
 *   09:00 bulletins, allocation and open-place notices); VacancyService.publish/revoke,
 *   ReferralLifecycleService.confirm/decline/claim/markVacated/extend/recordDocuments/refuse/enroll,
 *   ArchiveService.withdraw, StopListService.add (the services the GraphQL resolvers call);
 * - at the end: LedgerSealerService.seal, LedgerVerifierService.verify, AuditService.fairness.
 * The waiting list goes through the same registration as the API (~15 statements each): 20,000
 * applications took 82–150 s (≈ 130–240/s, 4 lanes) and the whole default run 3–4 min on a 2-CPU
 * machine with PostgreSQL 15. There is no bulk insert any more (it wrote the tables and hashed the
 * ledger by hand); `--via-service` is accepted and ignored, `--applications` sizes the city.
 *
 * Database: embedded PostgreSQL in `.kezek/demo` (wiped at start; override with DEMO_DATA_DIR) on
 * port 54339 (EMBEDDED_PG_PORT), or, when DATABASE_URL is set, a fresh database `kezek_demo`
 * (dropped and re-created) on that server. Commits do not wait for the WAL flush
 * (synchronous_commit = off) on the demo's own database.
 */

const ADMIN: Principal = { kind: 'user', sub: 'demo-operator', role: 'ADMIN' };
const staff = (organizationId: string): Principal => ({
  kind: 'user',
  sub: `demo-staff-${organizationId.slice(0, 8)}`,
  role: 'ORG_STAFF',
  organizationId,
});
const applicant = (iin: string): Principal => ({
  kind: 'user',
  sub: `demo-applicant-${iin}`,
  role: 'APPLICANT',
  iin,
});

function line(msg = ''): void {
  process.stdout.write(`${msg}\n`);
}

function seconds(fromMs: number): string {
  return `${((Date.now() - fromMs) / 1000).toFixed(1)} s`;
}

@Module({})
class DemoModule {
  static forRoot(ctx: BootContext): DynamicModule {
    return {
      module: DemoModule,
      imports: [PlatformModule.forRoot(ctx), loggingModule(ctx.config), ...DOMAIN_MODULES],
    };
  }
}

interface Org {
  id: string;
  locality: string;
  /** Share of its groups taught in Kazakh. */
  kk: number;
}

interface Child {
  birthDate: string;
  registeredAt: number;
  locality: string;
  language: 'KK' | 'RU';
  organizationIds: string[];
  workModes: WorkMode[];
  groupType: GroupType;
  desiredAdmissionDate: string;
  acceptsTemporaryStay: boolean;
  categories: string[];
  confirm: boolean;
  applicantIin: string;
  phone: string;
  /** The second child of a twins batch (registered with siblingsOf the first). */
  twin: boolean;
}

/** What a family and the organization will do with one referral (decided when it is first seen). */
interface Plan {
  respond: 'confirm' | 'confirm-next-day' | 'decline' | 'ignore';
  documents: 'enroll' | 'extend' | 'refuse' | 'lapse';
  docDelay: number;
}

// ---------------------------------------------------------------------------------------------

class Demo {
  private readonly dice: Dice;
  private readonly queue: QueueService;
  private readonly claims: PriorityClaimsService;
  private readonly vacancies: VacancyService;
  private readonly referrals: ReferralLifecycleService;
  private readonly stopList: StopListService;
  private readonly archive: ArchiveService;
  private readonly clock: ClockService;
  private readonly scheduler: SchedulerService;
  private readonly ds: BootContext['dataSource'];
  private orgs: Org[] = [];
  private readonly childSerial = new Map<string, number>();
  /** Planned actions per referral id: what the family and the organization will do. */
  private readonly plans = new Map<string, Plan>();
  private readonly vacatePlans = new Map<string, string>();

  constructor(
    private readonly app: INestApplicationContext,
    ctx: BootContext,
    private readonly opts: {
      applications: number;
      organizations: number;
      days: number;
      lanes: number;
      seed: number;
      daily: number;
    },
  ) {
    this.dice = new Dice(prng(opts.seed));
    this.queue = app.get(QueueService);
    this.claims = app.get(PriorityClaimsService);
    this.vacancies = app.get(VacancyService);
    this.referrals = app.get(ReferralLifecycleService);
    this.stopList = app.get(StopListService);
    this.archive = app.get(ArchiveService);
    this.clock = app.get(ClockService);
    this.scheduler = app.get(SchedulerService);
    this.ds = ctx.dataSource;
  }

  async advance(to: Date): Promise<void> {
    if (to.getTime() <= this.clock.now().getTime()) return;
    await this.clock.setSimulated(to);
    await this.scheduler.catchUp(to);
  }

  // ---------- the city ----------

  async createOrganizations(): Promise<void> {
    const orgService = this.app.get(OrganizationService);
    const d = this.dice;
    for (let i = 0; i < this.opts.organizations; i++) {
      const district = d.weighted(DISTRICTS);
      const name = `№${i + 1} «${d.pick(KINDERGARTEN_NAMES)}» бөбекжай-бақшасы`;
      const org = await orgService.create(
        {
          name,
          bin: makeBin(`${pad(d.int(3, 24))}${pad(d.int(1, 12))}`, 10_000 + i * 7),
          locality: district.kato,
          address: `${CITY}, ${district.name} ауданы, ${d.int(1, 250)}-үй`,
        },
        ADMIN,
      );
      this.orgs.push({
        id: org.id,
        locality: district.kato,
        kk: d.pick([0.3, 0.5, 0.6, 0.7, 0.9, 1]),
      });
    }
  }

  /** `count` children of the given cohorts, registered before `before` (epoch ms), sorted by registration. */
  private childrenPlan(count: number, before: number, cohorts: { year: number; weight: number }[]): Child[] {
    const d = this.dice;
    const orgsBy = new Map<string, Org[]>();
    for (const o of this.orgs) orgsBy.set(o.locality, [...(orgsBy.get(o.locality) ?? []), o]);
    const out: Child[] = [];
    while (out.length < count) {
      const { year } = d.weighted(cohorts);
      // 2020: only children still under 6 on 1 September (a few turn 6 during the month).
      const from = year === 2020 ? Date.UTC(2020, 8, 5) : Date.UTC(year, 0, 1);
      const to = Math.min(Date.UTC(year, 11, 31), Math.floor(before / DAY_MS) * DAY_MS - 2 * DAY_MS);
      const birth = from + Math.floor(d.next() * ((to - from) / DAY_MS + 1)) * DAY_MS;
      const birthDate = isoDate(birth);
      // Most families register within months of the birth (proactively since 2022).
      const delay = (7 + Math.floor(-Math.log(1 - d.next()) * 150)) * DAY_MS + d.int(9 * 3600, 18 * 3600) * 1000;
      const registeredAt = Math.min(birth + delay, before - d.int(1, 20 * 24 * 3600) * 1000);
      const district = d.weighted(DISTRICTS);
      const local = orgsBy.get(district.kato) ?? [];
      const language = d.chance(0.6) ? 'KK' : 'RU';
      const roll = d.next();
      const categories = roll < 0.02 ? [d.pick(CLASS0)] : roll < 0.1 ? [d.pick(CLASS1)] : roll < 0.11 ? [d.pick(CLASS1)] : [];
      const special = categories[0] === 'SPECIAL_NEEDS' && d.chance(0.7);
      const modeRoll = d.next();
      const workModes =
        modeRoll < 0.78
          ? [WorkMode.FULL_DAY]
          : modeRoll < 0.93
            ? [WorkMode.FULL_DAY, WorkMode.HALF_DAY]
            : modeRoll < 0.98
              ? [WorkMode.HALF_DAY]
              : [WorkMode.FULL_DAY, WorkMode.ROUND_THE_CLOCK];
      // Wanted from: the start of this school year, or the child's 2nd/3rd birthday.
      const wanted = d.pick([START, START, '2025-09-01', `${year + 2}${birthDate.slice(4)}`, `${year + 3}${birthDate.slice(4)}`]);
      const real = isRealDate(wanted) ? wanted : `${wanted.slice(0, 4)}-03-01`;
      const desiredAdmissionDate = real >= birthDate ? real : `${year + 1}-09-01`;
      const child: Child = {
        birthDate,
        registeredAt,
        locality: district.kato,
        language,
        organizationIds: d.chance(0.3) || !local.length ? [] : d.sample(local, d.int(1, 4)).map((o) => o.id),
        workModes,
        groupType: special ? GroupType.SPECIAL : GroupType.GENERAL,
        desiredAdmissionDate,
        acceptsTemporaryStay: d.chance(0.2),
        categories,
        confirm: roll < 0.1,
        applicantIin: makeIin(`${d.int(1984, 2000)}-${pad(d.int(1, 12))}-${pad(d.int(1, 28))}`, d.chance(0.8) ? 'F' : 'M', d.int(0, 9999)),
        phone: `+77${d.pick(['01', '02', '05', '07', '08', '47', '71', '75', '76', '77'])}${pad(d.int(0, 9_999_999), 7)}`,
        twin: false,
      };
      out.push(child);
      // About 1.5 % of births are twins: the second child of the same family, registered as a batch.
      if (d.chance(0.015) && out.length < count) {
        out.push({
          ...child,
          registeredAt: child.registeredAt + d.int(60, 600) * 1000,
          twin: true,
        });
      }
    }
    return out.sort((a, b) => a.registeredAt - b.registeredAt);
  }

  private registrationInput(c: Child, index: number, siblingsOf: string | undefined): RegisterApplicationInput {
    const sex = index % 2 ? 'M' : 'F';
    const key = `${c.birthDate}:${sex}`;
    const n = (this.childSerial.get(key) ?? 0) + 1;
    this.childSerial.set(key, n);
    return {
      childIin: makeIin(c.birthDate, sex, (n * 37) % 10_000),
      childName: this.dice.pick(FIRST_NAMES),
      applicantIin: c.applicantIin,
      phone: c.phone,
      locality: c.locality,
      organizationIds: c.organizationIds,
      siblingsOf,
      language: c.language,
      groupType: c.groupType,
      workModes: c.workModes,
      desiredAdmissionDate: c.desiredAdmissionDate,
      priorityCategories: c.categories,
      acceptsTemporaryStay: c.acceptsTemporaryStay,
      notificationLanguage: c.language === 'KK' ? 'kk' : 'ru',
    };
  }

  /** Index of each twin's first-born sibling (same applicant and birth date), or -1. */
  private siblings(children: Child[]): number[] {
    const family = (c: Child): string => `${c.applicantIin}|${c.birthDate}`;
    const firstOf = new Map<string, number>();
    return children.map((c, i) => {
      const first = firstOf.get(family(c));
      if (!c.twin) firstOf.set(family(c), i);
      return c.twin && first !== undefined ? first : -1;
    });
  }

  /**
   * Registers children through QueueService.register (the API's code path), `lanes` at a time;
   * a family's twins stay in one lane, in order. Returns the ids.
   */
  async registerViaService(children: Child[], at: (c: Child) => Date | undefined = (c) => new Date(c.registeredAt)): Promise<string[]> {
    const ids = new Array<string>(children.length);
    const sibling = this.siblings(children);
    const lanes: number[][] = Array.from({ length: Math.min(this.opts.lanes, children.length) || 1 }, () => []);
    const laneOf: number[] = [];
    children.forEach((_, i) => {
      laneOf[i] = sibling[i] >= 0 ? laneOf[sibling[i]] : i % lanes.length;
      lanes[laneOf[i]].push(i);
    });
    let done = 0;
    const tty = process.stdout.isTTY && children.length > 500;
    const progress = tty ? setInterval(() => process.stdout.write(`\r  registered ${done} / ${children.length}`), 1000) : null;
    try {
      await Promise.all(
        lanes.map(async (lane) => {
          for (const i of lane) {
            const c = children[i];
            const input = this.registrationInput(c, i, sibling[i] >= 0 ? ids[sibling[i]] : undefined);
            const app = await this.queue.register(input, ADMIN, at(c));
            ids[i] = app.id;
            if (c.confirm) {
              for (const cat of c.categories) {
                await this.claims.confirmPriority(app.id, cat, true, ADMIN);
              }
            }
            done++;
          }
        }),
      );
    } finally {
      if (progress) {
        clearInterval(progress);
        process.stdout.write(`\r  registered ${done} / ${children.length}\n`);
      }
    }
    return ids;
  }

  /**
   * The waiting list on 1 September, registered over the past years through QueueService.register
   * (each at its own registration time), the proven categories confirmed; the claims never proven
   * lapse through the 00:00 sweep's QueueService.lapseClaims, run once now for the past years.
   */
  async registerWaitingList(): Promise<{ ms: number; classes: number[]; lapsed: number }> {
    const t0 = Date.now();
    const children = this.childrenPlan(this.opts.applications, almatyAt(START, 8).getTime(), [
      { year: 2020, weight: 0.05 },
      { year: 2021, weight: 0.2 },
      { year: 2022, weight: 0.25 },
      { year: 2023, weight: 0.24 },
      { year: 2024, weight: 0.18 },
      { year: 2025, weight: 0.08 },
    ]);
    await this.registerViaService(children);
    const { lapsed } = await this.claims.lapseClaims(this.clock.now());
    const classes: { c: number; n: number }[] = await this.ds.query(
      `SELECT priority_class AS c, count(*)::int AS n FROM application GROUP BY 1 ORDER BY 1`,
    );
    return {
      ms: Date.now() - t0,
      classes: [0, 1, 2].map((k) => classes.find((x) => x.c === k)?.n ?? 0),
      lapsed,
    };
  }

  /** New families during the month (mostly newborns, registered proactively), through the service. */
  async registerNew(date: string): Promise<number> {
    const n = this.opts.daily;
    if (n <= 0) return 0;
    const end = almatyAt(date, 12).getTime();
    const children = this.childrenPlan(n, end, [
      { year: 2026, weight: 0.6 },
      { year: 2025, weight: 0.15 },
      { year: 2024, weight: 0.1 },
      { year: 2023, weight: 0.08 },
      { year: 2022, weight: 0.07 },
    ]);
    await this.registerViaService(children, () => undefined);
    return children.length;
  }

  // ---------- a day ----------

  private placesFor(date: string, calendar: WorkingCalendar): { org: Org; input: PublishVacancyInput }[] {
    const d = this.dice;
    const out: { org: Org; input: PublishVacancyInput }[] = [];
    // Organizations hand places over on working days (weekends, holidays and transferred days off).
    if (!calendar.isWorkingDay(date)) return out;
    // September is the busy month: more places in its first days.
    const busy = date <= '2026-09-07' ? 0.6 : 0.3;
    for (const org of this.orgs) {
      if (!d.chance(busy)) continue;
      const kinds = d.int(1, 2);
      for (let k = 0; k < kinds; k++) {
        const group = d.weighted(AGE_GROUPS);
        const modeRoll = d.next();
        const admissionMode =
          modeRoll < 0.85 ? AdmissionMode.GENERAL : modeRoll < 0.95 ? AdmissionMode.EARLY_BOOKING : AdmissionMode.TEMPORARY_STAY;
        const admissionStartDate = addCalendarDays(date, admissionMode === AdmissionMode.EARLY_BOOKING ? d.int(7, 20) : d.int(1, 7));
        const wm = d.next();
        out.push({
          org,
          input: {
            organizationId: org.id,
            ageGroup: group.name,
            language: d.chance(org.kk) ? 'KK' : 'RU',
            ageFromMonths: group.from,
            ageToMonths: group.to,
            groupType: d.chance(0.02) ? GroupType.SPECIAL : GroupType.GENERAL,
            workMode: wm < 0.85 ? WorkMode.FULL_DAY : wm < 0.97 ? WorkMode.HALF_DAY : WorkMode.ROUND_THE_CLOCK,
            admissionMode,
            admissionStartDate,
            attendanceUntil: admissionMode === AdmissionMode.TEMPORARY_STAY ? addCalendarDays(admissionStartDate, d.int(60, 120)) : null,
            count: d.chance(0.7) ? 1 : d.int(2, 3),
          },
        });
      }
    }
    return out;
  }

  async publishPlaces(date: string): Promise<number> {
    const byOrg = new Map<string, PublishVacancyInput[]>();
    const calendar = await this.app.get(CalendarService).calendar();
    for (const p of this.placesFor(date, calendar)) {
      byOrg.set(p.org.id, [...(byOrg.get(p.org.id) ?? []), p.input]);
    }
    let n = 0;
    for (const [orgId, inputs] of byOrg) {
      n += (await this.vacancies.publish(inputs, staff(orgId))).length;
    }
    return n;
  }

  /** Families answer their offers (12:00): confirm (most), decline, or let them run out. */
  async applicantsAct(date: string): Promise<void> {
    const rows: { id: string; applicant_iin: string; issued: string }[] = await this.ds.query(
      `SELECT r.id, a.applicant_iin, to_char((coalesce(r.clock_start, r.issued_at) AT TIME ZONE 'UTC') + interval '5 hours', 'YYYY-MM-DD') AS issued
       FROM referral r JOIN application a ON a.id = r.application_id WHERE r.status = 'OFFERED' ORDER BY r.issued_at, r.id`,
    );
    for (const r of rows) {
      let plan = this.plans.get(r.id);
      if (!plan) {
        const roll = this.dice.next();
        const docRoll = this.dice.next();
        plan = {
          respond: roll < 0.55 ? 'confirm' : roll < 0.7 ? 'confirm-next-day' : roll < 0.8 ? 'decline' : 'ignore',
          documents: docRoll < 0.84 ? 'enroll' : docRoll < 0.88 ? 'extend' : docRoll < 0.91 ? 'refuse' : 'lapse',
          docDelay: this.dice.int(1, 4),
        };
        this.plans.set(r.id, plan);
      }
      const due = plan.respond === 'confirm' ? r.issued : plan.respond === 'confirm-next-day' ? addCalendarDays(r.issued, 1) : r.issued;
      if (date < due) continue;
      const who = applicant(r.applicant_iin);
      if (plan.respond === 'decline') await this.referrals.decline(r.id, who);
      else if (plan.respond !== 'ignore') await this.referrals.confirm(r.id, who);
    }
  }

  /** Early-booked places actually free up (14:00): the organization marks them vacated. */
  async markVacated(date: string): Promise<void> {
    const rows: { vacancy_id: string; organization_id: string; start: string }[] = await this.ds.query(
      `SELECT r.vacancy_id, v.organization_id, to_char(v.admission_start_date, 'YYYY-MM-DD') AS start
       FROM referral r JOIN vacancy v ON v.id = r.vacancy_id WHERE r.status = 'BOOKED' ORDER BY r.issued_at, r.id`,
    );
    for (const r of rows) {
      let on = this.vacatePlans.get(r.vacancy_id);
      if (!on) {
        on = addCalendarDays(r.start, -this.dice.int(0, 5));
        this.vacatePlans.set(r.vacancy_id, on < date ? date : on);
      }
      if ((this.vacatePlans.get(r.vacancy_id) ?? date) <= date) {
        await this.referrals.markVacated(r.vacancy_id, date, staff(r.organization_id));
      }
    }
  }

  /** Organizations take documents and sign contracts (16:00); a few refuse, a few families never come. */
  async staffAct(date: string): Promise<void> {
    const rows: { id: string; organization_id: string; confirmed: string; required: string[] }[] = await this.ds.query(
      `SELECT r.id, v.organization_id, to_char((r.confirmed_at AT TIME ZONE 'UTC') + interval '5 hours', 'YYYY-MM-DD') AS confirmed,
         r.required_documents AS required
       FROM referral r JOIN vacancy v ON v.id = r.vacancy_id WHERE r.status = 'CONFIRMED' ORDER BY r.confirmed_at, r.id`,
    );
    for (const r of rows) {
      const plan: Plan = this.plans.get(r.id) ?? {
        respond: 'confirm',
        documents: 'enroll',
        docDelay: 2,
      };
      if (plan.documents === 'lapse' || date < addCalendarDays(r.confirmed, plan.docDelay)) {
        continue;
      }
      const by = staff(r.organization_id);
      if (plan.documents === 'refuse') {
        // Before the documents deadline a refusal is for a reason with a note (INCOMPLETE_DOCUMENTS only after it).
        await this.referrals.refuse(r.id, RefusalReason.VACCINATION_LIMIT, 'the group reached its limit of unvaccinated children', by);
        continue;
      }
      if (plan.documents === 'extend') {
        // A family needs more time for a document: extended once by ten days, then enrolled.
        await this.referrals.extend(r.id, addCalendarDays(date, 10), by);
        this.plans.set(r.id, { ...plan, documents: 'enroll', docDelay: plan.docDelay + 7 });
        continue;
      }
      await this.referrals.recordDocuments(r.id, r.required as DocumentKind[], by);
      await this.referrals.enroll(r.id, by);
    }
  }

  /**
   * Places nobody in the queue could take within their priority window are open: families whose
   * child fits claim them, first come first served (13:00).
   */
  async claimOpenPlaces(): Promise<number> {
    const now = this.clock.now();
    const open: (VacancyRow & { returned: boolean })[] = await this.ds.query(
      `SELECT ${VACANCY_COLUMNS}, ${RETURNED_SQL} AS returned FROM vacancy v
       WHERE v.status = 'PUBLISHED' AND v.open_at IS NOT NULL AND v.open_at <= $1
       ORDER BY v.open_at, v.seq LIMIT 15`,
      [now],
    );
    // A returned place is judged as the claim judges it: at max(start, next working day).
    const nextWorkingDay = nextWorkingDayAfter(await this.app.get(CalendarService).calendar(), now);
    let claimed = 0;
    for (const v of open) {
      if (!this.dice.chance(0.5)) continue;
      const candidates: ApplicationRow[] = await this.ds.query(
        `SELECT ${APPLICATION_COLUMNS} FROM application a
         WHERE a.locality = $1 AND a.language = $2 AND a.status = 'QUEUED' AND $3 = ANY(a.work_modes)
           AND NOT EXISTS (SELECT 1 FROM referral_exclusion x WHERE x.application_id = a.id AND x.vacancy_id = $4)
           AND ($6::text <> 'TEMPORARY_STAY' OR NOT ${HOLDS_TEMPORARY_PLACE_SQL('a')})
         ORDER BY md5(a.id::text || $5) LIMIT 300`,
        [v.locality, v.language, v.work_mode, v.id, String(this.dice.int(0, 1e9)), v.admission_mode],
      );
      const place = judgedVacancyView(v, v.returned, nextWorkingDay);
      const fit = candidates.find((a) => fitsForClaim(toApplicationView(a), place));
      if (!fit) continue;
      await this.referrals.claim(v.id, fit.id, applicant(fit.applicant_iin));
      claimed++;
    }
    return claimed;
  }

  /** Operators and families: a few withdrawals, a place taken back, an operator's stop-list entry (17:00). */
  async housekeeping(date: string): Promise<void> {
    const d = this.dice;
    const leaving: { id: string; applicant_iin: string }[] = await this.ds.query(
      `SELECT id, applicant_iin FROM application WHERE status IN ('QUEUED','REFERRED') ORDER BY md5(id::text || $1) LIMIT $2`,
      [date, d.int(1, 4)],
    );
    for (const a of leaving) await this.archive.withdraw(a.id, applicant(a.applicant_iin));
    if (d.chance(0.5)) {
      const free: { id: string; organization_id: string }[] = await this.ds.query(
        `SELECT id, organization_id FROM vacancy WHERE status = 'PUBLISHED' ORDER BY md5(id::text || $1) LIMIT 1`,
        [date],
      );
      if (free[0]) {
        await this.vacancies.revoke(free[0].id, 'the group is merged with another', staff(free[0].organization_id));
      }
    }
    if (d.chance(0.3)) {
      const who: { id: string }[] = await this.ds.query(
        `SELECT id FROM application WHERE status = 'QUEUED' ORDER BY md5(id::text || $1) LIMIT 1`,
        [date],
      );
      if (who[0]) {
        await this.stopList.add(who[0].id, 'documents under review by the operator', addCalendarDays(date, 7), ADMIN);
      }
    }
  }

  async simulateMonth(sealer: LedgerSealerService): Promise<{ places: number; registered: number; claims: number }> {
    let places = 0;
    let registered = 0;
    let claims = 0;
    let date = START;
    for (let day = 0; day < this.opts.days; day++) {
      const t0 = Date.now();
      await this.advance(almatyAt(date, 8, 30)); // the 00:00 tasks of the day: expiry, stop-list release, age-out
      const published = await this.publishPlaces(date); // handed over before 09:00: in today's bulletin
      places += published;
      await this.advance(new Date(almatyAt(date, 9).getTime() + 30_000)); // 09:00 bulletin and allocation
      const issued: { n: number }[] = await this.ds.query(`SELECT count(*)::int AS n FROM referral WHERE issued_at = $1`, [
        almatyAt(date, 9),
      ]);
      await this.advance(almatyAt(date, 11));
      const fresh = await this.registerNew(date);
      registered += fresh;
      await this.advance(almatyAt(date, 12));
      await this.applicantsAct(date);
      await this.advance(almatyAt(date, 13));
      const claimed = await this.claimOpenPlaces();
      claims += claimed;
      await this.advance(almatyAt(date, 14));
      await this.markVacated(date);
      await this.advance(almatyAt(date, 16));
      await this.staffAct(date);
      await this.advance(almatyAt(date, 17));
      await this.housekeeping(date);
      await sealer.seal();
      line(
        `  ${date}: ${published} places handed over, ${issued[0].n} referrals issued at 09:00, ${claimed} open places claimed, ${fresh} new applications (${seconds(t0)})`,
      );
      date = addCalendarDays(date, 1);
    }
    await this.advance(new Date(almatyAt(date, 9).getTime() + 30_000));
    return { places, registered, claims };
  }
}

// ---------------------------------------------------------------------------------------------

async function freshDatabase(url: string, name: string): Promise<string> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`);
    // A demo database: commits need not wait for the WAL flush (durability on a crash is not needed).
    await c.query(`ALTER DATABASE ${c.escapeIdentifier(name)} SET synchronous_commit = off`);
  } finally {
    await c.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function summary(ds: BootContext['dataSource']): Promise<string[]> {
  const one = async (sql: string): Promise<number> => ((await ds.query(`SELECT (${sql})::int AS n`)) as { n: number }[])[0].n;
  const byStatus: { status: string; n: number }[] = await ds.query(
    `SELECT status, count(*)::int AS n FROM referral GROUP BY status ORDER BY status`,
  );
  const refs = (s: string): number => byStatus.find((r) => r.status === s)?.n ?? 0;
  const archived: { reason: string; n: number }[] = await ds.query(
    `SELECT archive_reason AS reason, count(*)::int AS n FROM application WHERE status = 'ARCHIVED' GROUP BY 1 ORDER BY 2 DESC`,
  );
  const modes: { mode: string; n: number }[] = await ds.query(
    `SELECT admission_mode AS mode, count(*)::int AS n FROM vacancy GROUP BY 1 ORDER BY 2 DESC`,
  );
  const classes: { c: number; n: number }[] = await ds.query(
    `SELECT priority_class AS c, count(*)::int AS n FROM application GROUP BY 1 ORDER BY 1`,
  );
  const statuses: { s: string; n: number }[] = await ds.query(
    `SELECT status AS s, count(*)::int AS n FROM application GROUP BY 1 ORDER BY 1`,
  );
  return [
    `organizations: ${await one('SELECT count(*) FROM organization')} in ${await one('SELECT count(DISTINCT locality) FROM organization')} districts`,
    `applications: ${await one('SELECT count(*) FROM application')} (class ${classes.map((c) => `${c.c}: ${c.n}`).join(', ')}; ` +
      `${await one('SELECT count(DISTINCT batch_id) FROM application WHERE batch_id IS NOT NULL')} twins batches)`,
    `  now: ${statuses.map((s) => `${s.s} ${s.n}`).join(', ')}; archived: ${archived.map((a) => `${a.reason} ${a.n}`).join(', ') || 'none'}`,
    `places published: ${await one('SELECT count(*) FROM vacancy')} (${modes.map((m) => `${m.mode} ${m.n}`).join(', ')}); ` +
      `filled ${await one(`SELECT count(*) FROM vacancy WHERE status = 'FILLED'`)}, still free ${await one(`SELECT count(*) FROM vacancy WHERE status = 'PUBLISHED'`)}, revoked ${await one(`SELECT count(*) FROM vacancy WHERE status = 'REVOKED'`)}`,
    `bulletins: ${await one('SELECT count(*) FROM bulletin_publication')}; allocation runs: ${await one('SELECT count(*) FROM allocation_run')}`,
    `referrals issued: ${await one('SELECT count(*) FROM referral')} (by allocation ${await one('SELECT count(*) FROM referral WHERE NOT claimed')}, open places claimed ${await one('SELECT count(*) FROM referral WHERE claimed')}); ` +
      `confirmed ${await one('SELECT count(*) FROM referral WHERE confirmed_at IS NOT NULL')}, declined ${refs('DECLINED')}, expired ${refs('EXPIRED')}, ` +
      `extended ${await one('SELECT count(*) FROM referral WHERE extended')}, enrolled ${refs('ENROLLED')}, cancelled (refused, withdrawn) ${refs('CANCELLED')}; live now: booked ${refs('BOOKED')}, offered ${refs('OFFERED')}, confirmed ${refs('CONFIRMED')}`,
    `stop-list entries: ${await one('SELECT count(*) FROM stop_list_entry')} (after expiry ${await one(`SELECT count(*) FROM stop_list_entry WHERE reason = 'referral expired'`)}; ended ${await one('SELECT count(*) FROM stop_list_entry WHERE ended_at IS NOT NULL')})`,
    `notifications in the outbox: ${await one('SELECT count(*) FROM notification')}`,
  ];
}

function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      applications: { type: 'string', default: '20000' },
      organizations: { type: 'string', default: '100' },
      days: { type: 'string', default: '30' },
      seed: { type: 'string', default: '20260901' },
      lanes: { type: 'string', default: '4' },
      daily: { type: 'string', default: '20' },
      // Kept so that old command lines still run: the waiting list always goes through the service now.
      'via-service': { type: 'boolean', default: false },
    },
  });
  const opts = {
    applications: Number(values.applications),
    organizations: Number(values.organizations),
    days: Number(values.days),
    seed: Number(values.seed),
    lanes: Number(values.lanes),
    daily: Number(values.daily),
  };
  for (const [k, v] of Object.entries(opts)) {
    if (!Number.isInteger(v) || v < (k === 'daily' ? 0 : 1)) {
      throw new ConfigError(`--${k} must be a ${k === 'daily' ? 'non-negative' : 'positive'} integer`);
    }
  }
  if (values['via-service']) {
    line('note: --via-service is the only mode now (every application goes through QueueService.register)');
  }
  const started = Date.now();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SIMULATION: '1',
    SIMULATION_START: `${START}T08:00:00+05:00`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    JOBS_PREFIX: 'demo',
    DATA_DIR: process.env.DEMO_DATA_DIR ?? '.kezek/demo',
    EMBEDDED_PG_PORT: process.env.EMBEDDED_PG_PORT ?? '54339',
  };
  if (process.env.DATABASE_URL) {
    env.DATABASE_URL = await freshDatabase(process.env.DATABASE_URL, 'kezek_demo');
    line(`database: fresh kezek_demo on ${new URL(process.env.DATABASE_URL).host}`);
  } else {
    rmSync(resolve(env.DATA_DIR ?? '.kezek/demo'), { recursive: true, force: true });
    line(`database: embedded PostgreSQL in ${env.DATA_DIR} (wiped), port ${env.EMBEDDED_PG_PORT}`);
  }
  let ctx: BootContext | null = null;
  let app: INestApplicationContext | null = null;
  try {
    ctx = await boot(env, (m) => line(`  ${m}`));
    if (ctx.embedded) {
      // The demo's own throw-away cluster: commits need not wait for the WAL flush.
      await ctx.dataSource.query(`ALTER SYSTEM SET synchronous_commit = off`);
      await ctx.dataSource.query(`SELECT pg_reload_conf()`);
    }
    app = await NestFactory.createApplicationContext(DemoModule.forRoot(ctx), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    await app.init();
    const demo = new Demo(app, ctx, opts);
    line(`booted in ${seconds(started)}; simulated clock at ${app.get(ClockService).now().toISOString()}`);

    let t = Date.now();
    await demo.createOrganizations();
    line(`${opts.organizations} organizations in ${DISTRICTS.length} districts of ${CITY} (${seconds(t)})`);
    const reg = await demo.registerWaitingList();
    line(
      `${opts.applications} applications waiting on ${START} (classes 0/1/2: ${reg.classes.join('/')}; ` +
        `${reg.lapsed} unproven claims lapsed), registered through QueueService.register in ${(reg.ms / 1000).toFixed(1)} s ` +
        `(${Math.round(opts.applications / (reg.ms / 1000))}/s, ${opts.lanes} lanes)`,
    );
    t = Date.now();
    const sealer = app.get(LedgerSealerService);
    line(`simulating ${opts.days} days from ${START}:`);
    const month = await demo.simulateMonth(sealer);
    line(
      `month simulated in ${seconds(t)}: ${month.places} places, ${month.claims} open places claimed, ${month.registered} new applications through QueueService.register`,
    );

    t = Date.now();
    await sealer.seal();
    const v = await app.get(LedgerVerifierService).verify();
    const verifyMs = Date.now() - t;
    t = Date.now();
    const report = await app.get(AuditService).fairness();
    const auditMs = Date.now() - t;

    line();
    line(`=== Kezek demo: ${CITY}, ${START} .. ${toAlmatyDate(app.get(ClockService).now())} ===`);
    for (const l of await summary(ctx.dataSource)) line(l);
    line(
      `ledger: ${v.length} sealed events in ${v.blocks} blocks, ${v.valid ? 'VALID' : `INVALID (${v.reason ?? ''})`}, head ${v.headHash.slice(0, 16)}… (verified in ${(verifyMs / 1000).toFixed(1)} s)`,
    );
    line();
    line(formatFairnessReport(report, { ms: auditMs, maxViolations: 20 }));
    line();
    line(`total run time ${seconds(started)}`);
    await app.close();
    await ctx.shutdown();
    exit(report.ok && v.valid ? 0 : 1);
  } catch (e) {
    process.stderr.write(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    await app?.close().catch(() => undefined);
    await ctx?.shutdown().catch(() => undefined);
    exit(2);
  }
}

void main();
