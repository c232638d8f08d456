import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import pg from 'pg';
import { DOMAIN_MODULES } from '../api.module.js';
import { AuditService } from '../audit/audit.service.js';
import { formatFairnessReport } from '../audit/domain/report-text.js';
import type { Principal } from '../auth/principal.js';
import { addCalendarDays, almatyAt, toAlmatyDate } from '../calendar/domain/almaty-time.js';
import { LedgerSealerService } from '../ledger/ledger-sealer.service.js';
import { LedgerVerifierService } from '../ledger/ledger-verifier.service.js';
import { OrganizationService } from '../organization/organization.service.js';
import { boot, type BootContext } from '../platform/boot.js';
import { ClockService } from '../platform/clock/clock.service.js';
import { ConfigError } from '../platform/config/config.js';
import {
  AdmissionMode,
  DocumentKind,
  GroupType,
  RefusalReason,
  WorkMode,
} from '../platform/graphql/enums.js';
import { isRealDate } from '../platform/graphql/scalars.js';
import { makeBin, makeIin } from '../platform/identifiers/iin.js';
import { SchedulerService } from '../platform/jobs/scheduler.service.js';
import { loggingModule } from '../platform/logging/logging.module.js';
import { PlatformModule } from '../platform/platform.module.js';
import type { RegisterApplicationInput } from '../queue/dto/application.input.js';
import { QueueService } from '../queue/queue.service.js';
import { ReferralService } from '../referral/referral.service.js';
import type { PublishVacancyInput } from '../vacancy/dto/vacancy.model.js';
import { VacancyService } from '../vacancy/vacancy.service.js';

/**
 * `npm run demo [-- --applications N] [--organizations N] [--days N] [--seed N] [--lanes N]`
 *
 * A month of Kezek in a realistic city, in a few minutes: 100 kindergartens across five districts of
 * Almaty, 20,000 applications (cohorts 2020–2025, classes 0/1/2, twins, KK/RU, work modes and
 * organization choices), then every day places handed over, the 09:00 bulletin and allocation,
 * applicants confirming, declining or letting offers expire, organizations recording documents and
 * enrolling, stop-list terms running out. Everything goes through the application services (the
 * same code the API calls) on the simulated clock, then the ledger is sealed and verified and the
 * fairness audit replays it.
 *
 * Database: embedded PostgreSQL in `.kezek/demo` (wiped at start) on port 54339, or, when
 * DATABASE_URL is set, a fresh database `kezek_demo` (dropped and re-created) on that server.
 */

const CITY = 'Almaty';
const DISTRICTS: { kato: string; name: string; weight: number }[] = [
  { kato: '751110000', name: 'Алатау', weight: 0.24 },
  { kato: '751210000', name: 'Алмалы', weight: 0.16 },
  { kato: '751310000', name: 'Әуезов', weight: 0.25 },
  { kato: '751410000', name: 'Бостандық', weight: 0.2 },
  { kato: '751510000', name: 'Жетісу', weight: 0.15 },
];
const KINDERGARTEN_NAMES = [
  'Балапан', 'Айгөлек', 'Балдәурен', 'Қарлығаш', 'Ақбота', 'Күншуақ', 'Самал', 'Шұғыла', 'Нұрай', 'Бөбек',
  'Жұлдыз', 'Ботақан', 'Еркетай', 'Құлыншақ', 'Әсем', 'Гүлдер', 'Мөлдір', 'Арман', 'Солнышко', 'Радуга',
];
const FIRST_NAMES = ['Әлихан', 'Айару', 'Нұрислам', 'Томирис', 'Алдияр', 'Аружан', 'Ерасыл', 'Мадина', 'Иван', 'Анна', 'Данияр', 'Асель', 'Тимур', 'София', 'Амир', 'Камила'];
const CLASS0 = ['MILITARY', 'MILITARY', 'MILITARY', 'SPECIAL_STATE_BODY'];
const CLASS1 = ['LARGE_FAMILY', 'LARGE_FAMILY', 'LARGE_FAMILY', 'TEACHER', 'TEACHER', 'DISABLED_PARENT', 'ORPHAN', 'NO_PARENTAL_CARE', 'SPECIAL_NEEDS'];
/** Age groups, months on the admission start date. */
const AGE_GROUPS: { name: string; from: number; to: number; weight: number }[] = [
  { name: 'Бөбектер тобы (1–2)', from: 12, to: 23, weight: 0.12 },
  { name: 'Кіші топ (2–3)', from: 24, to: 35, weight: 0.3 },
  { name: 'Ортаңғы топ (3–4)', from: 36, to: 47, weight: 0.3 },
  { name: 'Ересек топ (4–5)', from: 48, to: 59, weight: 0.2 },
  { name: 'Мектепалды топ (5–6)', from: 60, to: 71, weight: 0.08 },
];
const START = '2026-09-01';
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------

/** mulberry32: deterministic PRNG in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(readonly next: () => number) {}
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(from: number, to: number): number {
    return from + Math.floor(this.next() * (to - from + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  weighted<T extends { weight: number }>(xs: readonly T[]): T {
    let r = this.next() * xs.reduce((s, x) => s + x.weight, 0);
    for (const x of xs) {
      r -= x.weight;
      if (r < 0) return x;
    }
    return xs[xs.length - 1];
  }
  sample<T>(xs: readonly T[], k: number): T[] {
    const pool = [...xs];
    const out: T[] = [];
    while (out.length < k && pool.length) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]);
    return out;
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const ADMIN: Principal = { kind: 'user', sub: 'demo-operator', role: 'ADMIN' };
const staff = (organizationId: string): Principal => ({ kind: 'user', sub: `demo-staff-${organizationId.slice(0, 8)}`, role: 'ORG_STAFF', organizationId });
const applicant = (iin: string): Principal => ({ kind: 'user', sub: `demo-applicant-${iin}`, role: 'APPLICANT', iin });

function line(msg = ''): void {
  process.stdout.write(`${msg}\n`);
}

function seconds(fromMs: number): string {
  return `${((Date.now() - fromMs) / 1000).toFixed(1)} s`;
}

@Module({})
class DemoModule {
  static forRoot(ctx: BootContext): DynamicModule {
    return { module: DemoModule, imports: [PlatformModule.forRoot(ctx), loggingModule(ctx.config), ...DOMAIN_MODULES] };
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

// ---------------------------------------------------------------------------------------------

class Demo {
  private readonly dice: Dice;
  private readonly queue: QueueService;
  private readonly vacancies: VacancyService;
  private readonly referrals: ReferralService;
  private readonly clock: ClockService;
  private readonly scheduler: SchedulerService;
  private readonly ds: BootContext['dataSource'];
  private orgs: Org[] = [];
  private serial = 0;
  /** Planned actions per referral id: what the family and the organization will do. */
  private readonly plans = new Map<string, { respond: 'confirm' | 'confirm-next-day' | 'decline' | 'ignore'; documents: 'enroll' | 'refuse' | 'lapse'; docDelay: number }>();
  private readonly vacatePlans = new Map<string, string>();

  constructor(
    private readonly app: INestApplicationContext,
    ctx: BootContext,
    private readonly opts: { applications: number; organizations: number; days: number; lanes: number; seed: number },
  ) {
    this.dice = new Dice(prng(opts.seed));
    this.queue = app.get(QueueService);
    this.vacancies = app.get(VacancyService);
    this.referrals = app.get(ReferralService);
    this.clock = app.get(ClockService);
    this.scheduler = app.get(SchedulerService);
    this.ds = ctx.dataSource;
  }

  private nextSerial(): number {
    return ++this.serial;
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
        { name, bin: makeBin(`${pad(d.int(3, 24))}${pad(d.int(1, 12))}`, 10_000 + i * 7), locality: district.kato, address: `${CITY}, ${district.name} ауданы, ${d.int(1, 250)}-үй` },
        ADMIN,
      );
      this.orgs.push({ id: org.id, locality: district.kato, kk: d.pick([0.3, 0.5, 0.6, 0.7, 0.9, 1]) });
    }
  }

  private childrenPlan(): Child[] {
    const d = this.dice;
    const start = almatyAt(START, 8).getTime();
    const cohorts = [
      { year: 2020, weight: 0.05 },
      { year: 2021, weight: 0.2 },
      { year: 2022, weight: 0.25 },
      { year: 2023, weight: 0.24 },
      { year: 2024, weight: 0.18 },
      { year: 2025, weight: 0.08 },
    ];
    const orgsBy = new Map<string, Org[]>();
    for (const o of this.orgs) orgsBy.set(o.locality, [...(orgsBy.get(o.locality) ?? []), o]);
    const out: Child[] = [];
    while (out.length < this.opts.applications) {
      const { year } = d.weighted(cohorts);
      // 2020: only children still under 6 on 1 September (a few turn 6 during the month).
      const from = year === 2020 ? Date.UTC(2020, 8, 5) : Date.UTC(year, 0, 1);
      const to = year === 2025 ? Date.UTC(2025, 11, 31) : Date.UTC(year, 11, 31);
      const birth = from + Math.floor(d.next() * ((to - from) / DAY_MS + 1)) * DAY_MS;
      const birthDate = isoDate(birth);
      // Most families register within months of the birth (proactively since 2022).
      const delay = (7 + Math.floor(-Math.log(1 - d.next()) * 150)) * DAY_MS + d.int(9 * 3600, 18 * 3600) * 1000;
      const registeredAt = Math.min(birth + delay, start - d.int(1, 20 * 24 * 3600) * 1000);
      const district = d.weighted(DISTRICTS);
      const local = orgsBy.get(district.kato) ?? [];
      const language = d.chance(0.6) ? 'KK' : 'RU';
      const roll = d.next();
      const categories = roll < 0.02 ? [d.pick(CLASS0)] : roll < 0.1 ? [d.pick(CLASS1)] : roll < 0.11 ? [d.pick(CLASS1)] : [];
      const special = categories[0] === 'SPECIAL_NEEDS' && d.chance(0.7);
      const modeRoll = d.next();
      const workModes =
        modeRoll < 0.78 ? [WorkMode.FULL_DAY]
          : modeRoll < 0.93 ? [WorkMode.FULL_DAY, WorkMode.HALF_DAY]
            : modeRoll < 0.98 ? [WorkMode.HALF_DAY]
              : [WorkMode.FULL_DAY, WorkMode.ROUND_THE_CLOCK];
      // Wanted from: the start of this school year, or the child's 2nd/3rd birthday.
      const wanted = d.pick([START, START, '2025-09-01', `${year + 2}${birthDate.slice(4)}`, `${year + 3}${birthDate.slice(4)}`]);
      const real = isRealDate(wanted) ? wanted : `${wanted.slice(0, 4)}-03-01`;
      const desiredAdmissionDate = real < birthDate ? START : real;
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
      if (d.chance(0.015) && out.length < this.opts.applications) {
        out.push({ ...child, registeredAt: child.registeredAt + d.int(60, 600) * 1000, twin: true });
      }
    }
    return out.sort((a, b) => a.registeredAt - b.registeredAt);
  }

  /** Registers every child through QueueService.register with its historical time, in lanes. */
  async registerApplications(): Promise<{ ms: number; classes: number[] }> {
    const t0 = Date.now();
    const children = this.childrenPlan();
    // Twins must follow their first-born sibling: keep a family in one lane, in order.
    const ids = new Array<string>(children.length);
    const family = (c: Child): string => `${c.applicantIin}|${c.birthDate}`;
    const firstOf = new Map<string, number>();
    const sibling = children.map((c, i) => {
      const first = firstOf.get(family(c));
      if (!c.twin) firstOf.set(family(c), i);
      return c.twin && first !== undefined ? first : -1;
    });
    const lanes: number[][] = Array.from({ length: this.opts.lanes }, () => []);
    const laneOf: number[] = [];
    children.forEach((_, i) => {
      laneOf[i] = sibling[i] >= 0 ? laneOf[sibling[i]] : i % this.opts.lanes;
      lanes[laneOf[i]].push(i);
    });
    const childSerial = new Map<string, number>();
    let done = 0;
    const progress = setInterval(() => process.stdout.write(`\r  registered ${done} / ${children.length}`), 1000);
    const classes = [0, 0, 0];
    try {
      await Promise.all(
        lanes.map(async (lane) => {
          for (const i of lane) {
            const c = children[i];
            const key = `${c.birthDate}:${i % 2}`;
            const n = (childSerial.get(key) ?? 0) + 1;
            childSerial.set(key, n);
            const sex = i % 2 ? 'M' : 'F';
            const input: RegisterApplicationInput = {
              childIin: makeIin(c.birthDate, sex, (n * 37 + (sex === 'M' ? 5000 : 0)) % 10_000),
              childName: this.dice.pick(FIRST_NAMES),
              applicantIin: c.applicantIin,
              phone: c.phone,
              locality: c.locality,
              organizationIds: c.organizationIds,
              siblingsOf: sibling[i] >= 0 ? ids[sibling[i]] : undefined,
              language: c.language,
              groupType: c.groupType,
              workModes: c.workModes,
              desiredAdmissionDate: c.desiredAdmissionDate,
              priorityCategories: c.categories,
              acceptsTemporaryStay: c.acceptsTemporaryStay,
              notificationLanguage: c.language === 'KK' ? 'kk' : 'ru',
            };
            const app = await this.queue.register(input, ADMIN, new Date(c.registeredAt));
            ids[i] = app.id;
            let cls = 2;
            if (c.confirm) {
              for (const cat of c.categories) cls = (await this.queue.confirmPriority(app.id, cat, true, ADMIN)).priorityClass;
            }
            classes[cls]++;
            done++;
          }
        }),
      );
    } finally {
      clearInterval(progress);
      process.stdout.write(`\r  registered ${done} / ${children.length}\n`);
    }
    return { ms: Date.now() - t0, classes };
  }

  // ---------- a day ----------

  private placesFor(date: string): { org: Org; input: PublishVacancyInput }[] {
    const d = this.dice;
    const out: { org: Org; input: PublishVacancyInput }[] = [];
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (dow === 0 || dow === 6) return out; // organizations hand places over on working days
    // September is the busy month: more places in its first days.
    const busy = date <= '2026-09-07' ? 0.6 : 0.3;
    for (const org of this.orgs) {
      if (!d.chance(busy)) continue;
      const kinds = d.int(1, 2);
      for (let k = 0; k < kinds; k++) {
        const group = d.weighted(AGE_GROUPS);
        const modeRoll = d.next();
        const admissionMode = modeRoll < 0.85 ? AdmissionMode.GENERAL : modeRoll < 0.95 ? AdmissionMode.EARLY_BOOKING : AdmissionMode.TEMPORARY_STAY;
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
    for (const p of this.placesFor(date)) byOrg.set(p.org.id, [...(byOrg.get(p.org.id) ?? []), p.input]);
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
          documents: docRoll < 0.88 ? 'enroll' : docRoll < 0.91 ? 'refuse' : 'lapse',
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
      const plan = this.plans.get(r.id) ?? { respond: 'confirm', documents: 'enroll', docDelay: 2 };
      if (plan.documents === 'lapse' || date < addCalendarDays(r.confirmed, plan.docDelay)) continue;
      const by = staff(r.organization_id);
      if (plan.documents === 'refuse') {
        await this.referrals.refuse(r.id, RefusalReason.INCOMPLETE_DOCUMENTS, by);
        continue;
      }
      await this.referrals.recordDocuments(r.id, r.required as DocumentKind[], by);
      await this.referrals.enroll(r.id, by);
    }
  }

  async simulateMonth(sealer: LedgerSealerService): Promise<{ places: number }> {
    let places = 0;
    let date = START;
    for (let day = 0; day < this.opts.days; day++) {
      const t0 = Date.now();
      await this.advance(almatyAt(date, 8, 30)); // the 00:00 tasks of the day: expiry, stop-list release, age-out
      const published = await this.publishPlaces(date); // handed over before 09:00: in today's bulletin
      places += published;
      await this.advance(new Date(almatyAt(date, 9).getTime() + 30_000)); // 09:00 bulletin and allocation
      const issued: { n: number }[] = await this.ds.query(
        `SELECT count(*)::int AS n FROM referral WHERE issued_at = $1`,
        [almatyAt(date, 9)],
      );
      await this.advance(almatyAt(date, 12));
      await this.applicantsAct(date);
      await this.advance(almatyAt(date, 14));
      await this.markVacated(date);
      await this.advance(almatyAt(date, 16));
      await this.staffAct(date);
      await sealer.seal();
      line(`  ${date}: ${published} places handed over, ${issued[0].n} referrals issued at 09:00 (${seconds(t0)})`);
      date = addCalendarDays(date, 1);
    }
    await this.advance(new Date(almatyAt(date, 9).getTime() + 30_000));
    return { places };
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
  } finally {
    await c.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function summary(ds: BootContext['dataSource']): Promise<string[]> {
  const one = async (sql: string): Promise<number> => ((await ds.query(`SELECT (${sql})::int AS n`)) as { n: number }[])[0].n;
  const byStatus: { status: string; n: number }[] = await ds.query(`SELECT status, count(*)::int AS n FROM referral GROUP BY status ORDER BY status`);
  const refs = (s: string): number => byStatus.find((r) => r.status === s)?.n ?? 0;
  const archived: { reason: string; n: number }[] = await ds.query(
    `SELECT archive_reason AS reason, count(*)::int AS n FROM application WHERE status = 'ARCHIVED' GROUP BY 1 ORDER BY 2 DESC`,
  );
  const modes: { mode: string; n: number }[] = await ds.query(`SELECT admission_mode AS mode, count(*)::int AS n FROM vacancy GROUP BY 1 ORDER BY 2 DESC`);
  const classes: { c: number; n: number }[] = await ds.query(`SELECT priority_class AS c, count(*)::int AS n FROM application GROUP BY 1 ORDER BY 1`);
  const statuses: { s: string; n: number }[] = await ds.query(`SELECT status AS s, count(*)::int AS n FROM application GROUP BY 1 ORDER BY 1`);
  return [
    `organizations: ${await one('SELECT count(*) FROM organization')} in ${await one('SELECT count(DISTINCT locality) FROM organization')} districts`,
    `applications: ${await one('SELECT count(*) FROM application')} (class ${classes.map((c) => `${c.c}: ${c.n}`).join(', ')}; ` +
      `${await one('SELECT count(DISTINCT batch_id) FROM application WHERE batch_id IS NOT NULL')} twins batches)`,
    `  now: ${statuses.map((s) => `${s.s} ${s.n}`).join(', ')}; archived: ${archived.map((a) => `${a.reason} ${a.n}`).join(', ') || 'none'}`,
    `places published: ${await one('SELECT count(*) FROM vacancy')} (${modes.map((m) => `${m.mode} ${m.n}`).join(', ')}); ` +
      `filled ${await one(`SELECT count(*) FROM vacancy WHERE status = 'FILLED'`)}, still free ${await one(`SELECT count(*) FROM vacancy WHERE status = 'PUBLISHED'`)}`,
    `bulletins: ${await one('SELECT count(*) FROM bulletin_publication')}; allocation runs: ${await one('SELECT count(*) FROM allocation_run')}`,
    `referrals issued: ${await one('SELECT count(*) FROM referral')} (by allocation ${await one('SELECT count(*) FROM referral WHERE NOT claimed')}); ` +
      `confirmed ${await one('SELECT count(*) FROM referral WHERE confirmed_at IS NOT NULL')}, declined ${refs('DECLINED')}, expired ${refs('EXPIRED')}, ` +
      `enrolled ${refs('ENROLLED')}, cancelled/refused ${refs('CANCELLED')}; live now: booked ${refs('BOOKED')}, offered ${refs('OFFERED')}, confirmed ${refs('CONFIRMED')}`,
    `stop-list entries: ${await one('SELECT count(*) FROM stop_list_entry')} (ended ${await one('SELECT count(*) FROM stop_list_entry WHERE ended_at IS NOT NULL')})`,
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
    },
  });
  const opts = {
    applications: Number(values.applications),
    organizations: Number(values.organizations),
    days: Number(values.days),
    seed: Number(values.seed),
    lanes: Math.max(1, Number(values.lanes)),
  };
  for (const [k, v] of Object.entries(opts)) {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`--${k} must be a positive integer`);
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
    app = await NestFactory.createApplicationContext(DemoModule.forRoot(ctx), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    await app.init();
    const demo = new Demo(app, ctx, opts);
    line(`booted in ${seconds(started)}; simulated clock at ${app.get(ClockService).now().toISOString()}`);

    let t = Date.now();
    await demo.createOrganizations();
    line(`${opts.organizations} organizations in ${DISTRICTS.length} districts of ${CITY} (${seconds(t)})`);
    t = Date.now();
    const reg = await demo.registerApplications();
    line(`${opts.applications} applications registered through QueueService.register in ${(reg.ms / 1000).toFixed(1)} s ` +
      `(${Math.round(opts.applications / (reg.ms / 1000))}/s; classes 0/1/2: ${reg.classes.join('/')})`);

    t = Date.now();
    const sealer = app.get(LedgerSealerService);
    line(`simulating ${opts.days} days from ${START}:`);
    const month = await demo.simulateMonth(sealer);
    line(`month simulated in ${seconds(t)} (${month.places} places)`);

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
    line(`ledger: ${v.length} sealed events in ${v.blocks} blocks, ${v.valid ? 'VALID' : `INVALID (${v.reason ?? ''})`}, head ${v.headHash.slice(0, 16)}… (verified in ${(verifyMs / 1000).toFixed(1)} s)`);
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
