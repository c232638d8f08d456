import { rmSync } from 'node:fs';
import { ClockService } from '../../src/platform/clock/clock.service.js';
import { makeIin } from '../../src/platform/identifiers/iin.js';
import { JobName, QueueName } from '../../src/platform/jobs/job-names.js';
import { JobsService } from '../../src/platform/jobs/jobs.service.js';
import { createTestApp, ok, TEST_JWT_SECRET, type TestApp } from '../utils/app.js';
import { actual, expectedFromScratch } from '../utils/allocation-check.js';
import { FakeMobizon } from '../utils/fake-sms-provider.js';
import { createOrg, publish, register, staffOf } from '../utils/fixtures.js';
import { invariantViolations } from '../utils/invariants.js';
import { childEnv, ensureBuilt, freePort, startServer, tempDir, type ServerProcess } from '../utils/process.js';
import { LIVE_REFERRAL_STATUSES_SQL } from '../../src/referral/domain/referral-state.js';

/**
 * Issue 9: two API and two worker processes on one PostgreSQL and one job backend (the machine's Redis
 * when REDIS_URL is set, else BullMQ on PostgreSQL), texting through a fake Mobizon, under mixed
 * traffic spread over both APIs while the simulated days turn and allocation runs in the workers.
 *
 * Two kinds of localities:
 *  - A: seeded before the load (classes 0/1/2, organization choices, several cohorts, places of
 *    several age periods). During the load they only get registrations no A place can take (language
 *    RU, A places are KK), reads, and allocation runs from everywhere. Their final referrals must equal
 *    one pure `allocate()` over the rewound data: the same allocation as one process.
 *  - B: registrations and staff publishing places throughout the load, allocated by the 09:00 runs
 *    and the ADMIN runs while traffic goes on. Checked by the fairness audit (the ledger replayed:
 *    every referral went to the application the rule picks at that moment).
 * Day 1 is moved by `advanceClock` through an API process; day 2 by moving the shared clock and
 * letting a worker's catch-up job (what the 09:00 job scheduler sends) run it.
 */

const START = '2026-09-07T10:00:00+05:00'; // Monday
const DAY1 = '2026-09-08T09:00:30+05:00';
const DAY1_DUE = '2026-09-08T09:00:00+05:00';
const DAY2 = '2026-09-09T09:00:30+05:00';
const DAY2_DUE = '2026-09-09T09:00:00+05:00';
const LOAD_MS = Number(process.env.KEZEK_CLUSTER_LOAD_MS ?? 40_000);
const REG_LOOPS = 10;
const READ_LOOPS = 8;
const STAFF_LOOPS = 3;
const ANSWER_LOOPS = 2;
const A_LOCALITIES = Array.from({ length: 6 }, (_, i) => `75310000${i + 1}`);
const B_LOCALITIES = Array.from({ length: 6 }, (_, i) => `75320000${i + 1}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Sample {
  api: number;
  op: string;
  ms: number;
  http: number;
  code?: string;
  message?: string;
  network?: string;
}

interface Body {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const pct = (xs: number[], p: number): number => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]);
};

/** Unique valid child IINs (born 2021–2024: under 6, every B place fits), applicant IINs, phones. */
class People {
  private n = 0;
  private readonly used = new Set<string>();
  next(): { childIin: string; applicantIin: string; phone: string; birthDate: string } {
    for (;;) {
      const n = this.n++;
      const y = 2021 + (n % 4);
      const m = 1 + (Math.floor(n / 4) % 12);
      const d = 1 + (Math.floor(n / 48) % 28);
      const birthDate = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      const serial = 5000 + Math.floor(n / (4 * 12 * 28 * 2));
      const childIin = makeIin(birthDate, Math.floor(n / 1344) % 2 ? 'M' : 'F', serial);
      if (this.used.has(childIin)) continue;
      this.used.add(childIin);
      const applicantIin = makeIin(`19${80 + (n % 15)}-0${1 + (n % 9)}-1${n % 9}`, n % 2 ? 'M' : 'F', 5000 + (Math.floor(n / 135) % 4000));
      const phone = `+7705${String(1_000_000 + n).slice(-7)}`;
      return { childIin, applicantIin, phone, birthDate };
    }
  }
}

describe('cluster under load: 2 API + 2 worker processes on one PostgreSQL and job backend', () => {
  let t: TestApp;
  let sms: FakeMobizon;
  const apis: ServerProcess[] = [];
  const workers: ServerProcess[] = [];
  const dataDirs: string[] = [];
  const dataDir = (prefix: string): string => {
    const d = tempDir(prefix);
    dataDirs.push(d);
    return d;
  };

  beforeAll(async () => {
    ensureBuilt();
    sms = await FakeMobizon.start('cluster-key');
    // In-process, API only: a fresh migrated database, seeding and direct SQL; it takes no traffic.
    t = await createTestApp({ worker: false, simulation: START });
  }, 300_000);

  afterAll(async () => {
    for (const p of [...apis, ...workers]) await p.stop('SIGKILL').catch(() => undefined);
    await t?.close();
    await sms?.close();
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  }, 120_000);

  it('no duplicate referral or message, every acknowledged write kept, same allocation as one process', async () => {
    // ---------- seed ----------
    for (const [i, loc] of A_LOCALITIES.entries()) {
      const o1 = await createOrg(t, `Aqbota ${i}`, loc);
      const o2 = await createOrg(t, `Balapan ${i}`, loc);
      const births = ['2021-11-0', '2022-04-1', '2023-02-2', '2024-01-0'];
      for (let k = 0; k < 14; k++) {
        const a = await register(t, {
          locality: loc,
          birthDate: `${births[k % 4]}${(k % 9) + 1}`,
          language: k % 7 === 6 ? 'RU' : 'KK',
          organizationIds: k % 5 === 2 ? [o1] : k % 5 === 4 ? [o2] : [],
          priorityCategories: k % 6 === 1 ? ['TEACHER'] : k === 9 ? ['MILITARY'] : [],
        });
        // Two of the three TEACHER claims are confirmed (class 1), MILITARY too (class 0).
        if (k === 1 || k === 7 || k === 9) {
          ok(
            await t.gql(
              `mutation($a: ID!, $c: String!) { confirmPriority(applicationId: $a, category: $c, confirmed: true) { id } }`,
              { a: a.id, c: k === 9 ? 'MILITARY' : 'TEACHER' },
              t.admin,
            ),
          );
        }
      }
      const ranges = [
        [12, 36],
        [24, 48],
        [36, 60],
        [48, 72],
        [12, 72],
        [30, 66],
      ];
      for (const [j, [from, to]] of ranges.entries()) {
        const org = j % 2 ? o2 : o1;
        await publish(t, org, { ageFromMonths: from, ageToMonths: to, admissionStartDate: '2026-10-01' }, staffOf(t, org));
      }
    }
    const bOrgs: string[] = [];
    // B applications whose families answer their referrals during the load (seeded ones first).
    const families: { id: string; applicantIin: string }[] = [];
    for (const [i, loc] of B_LOCALITIES.entries()) {
      bOrgs.push(await createOrg(t, `Qarlygash ${i}`, loc), await createOrg(t, `Shuaq ${i}`, loc));
      for (let k = 0; k < 8; k++) {
        families.push(await register(t, { locality: loc, birthDate: `202${1 + (k % 4)}-0${(k % 9) + 1}-2${k % 9}` }));
      }
    }
    const seededApps = (await t.ds.query(`SELECT count(*)::int AS n FROM application`))[0].n as number;
    const seededNumbers: string[] = (await t.ds.query(`SELECT number FROM application ORDER BY seq`)).map(
      (r: { number: string }) => r.number,
    );
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM referral`))[0].n).toBe(0);

    // ---------- the cluster ----------
    const common = {
      DATABASE_URL: t.ctx.databaseUrl,
      REDIS_URL: process.env.REDIS_URL,
      JOBS_PREFIX: t.ctx.config.JOBS_PREFIX,
      JWT_SECRET: TEST_JWT_SECRET,
      SIMULATION: '1',
      SIMULATION_START: START,
      SMS_PROVIDER: 'mobizon',
      SMS_MOBIZON_API_KEY: sms.apiKey,
      SMS_MOBIZON_URL: sms.url,
      SMS_SENDER: 'Kezek',
      SMS_HTTP_TIMEOUT_MS: '10000',
      RATE_LIMIT_PER_MINUTE: '0',
    };
    for (let i = 0; i < 2; i++) {
      workers.push(
        startServer(
          childEnv({ ...common, ROLE: 'worker', PORT: String(await freePort()), DATA_DIR: dataDir('kezek-cw-'), LOG_LEVEL: 'info' }),
        ),
      );
      apis.push(
        startServer(
          childEnv({ ...common, ROLE: 'api', PORT: String(await freePort()), DATA_DIR: dataDir('kezek-ca-'), LOG_LEVEL: 'warn' }),
        ),
      );
    }
    await Promise.all([...workers.map((w) => w.waitForOutput('worker started', 180_000)), ...apis.map((a) => a.waitHealthy(180_000))]);

    const samples: Sample[] = [];
    const call = async (
      api: number,
      op: string,
      query: string,
      variables: Record<string, unknown> = {},
      token?: string,
    ): Promise<Body | null> => {
      const t0 = performance.now();
      try {
        const res = await fetch(`${apis[api].url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(240_000),
        });
        const text = await res.text();
        let body: Body = {};
        try {
          body = JSON.parse(text) as Body;
        } catch {
          body = { errors: [{ message: `not JSON (HTTP ${res.status})` }] };
        }
        const err = body.errors?.[0];
        samples.push({
          api,
          op,
          ms: performance.now() - t0,
          http: res.status,
          code: err ? (err.extensions?.code ?? 'NONE') : undefined,
          message: err?.message,
        });
        return body;
      } catch (e) {
        samples.push({ api, op, ms: performance.now() - t0, http: 0, network: (e as Error).message });
        return null;
      }
    };

    // Every process reads the one simulated clock (clock_state).
    for (let i = 0; i < 2; i++) {
      const now = new Date((await call(i, 'now', `{ now }`))?.data?.now as string);
      expect(now.getTime()).toBeGreaterThanOrEqual(Date.parse(START));
      expect(now.getTime()).toBeLessThan(Date.parse(DAY1_DUE));
    }

    // ---------- load ----------
    const people = new People();
    const acked: { id: string; number: string; locality: string; api: number }[] = [];
    const publishedIds: string[] = [];
    const runs: { id: string; api: number; issued: number }[] = [];
    const numbers = [...seededNumbers];
    let running = true;
    const loadStart = Date.now();
    const events: { ms: number; what: string }[] = [];
    const mark = (what: string, at = Date.now()): void => {
      events.push({ ms: at - loadStart, what });
    };
    let day2MovedAt = 0;

    const registrations = async (k: number): Promise<void> => {
      for (let i = 0; running; i++) {
        const api = (k + i) % 2;
        const p = people.next();
        const inA = i % 5 === 4; // into an A locality, where no place fits (RU)
        const locality = inA ? A_LOCALITIES[(k + i) % A_LOCALITIES.length] : B_LOCALITIES[(k * 7 + i) % B_LOCALITIES.length];
        const input = {
          childIin: p.childIin,
          childName: `Bala ${k}-${i}`,
          applicantIin: p.applicantIin,
          phone: p.phone,
          locality,
          language: inA ? 'RU' : 'KK',
          desiredAdmissionDate: '2026-09-01',
          notificationLanguage: i % 3 ? 'kk' : 'ru',
        };
        const b = await call(
          api,
          'registerApplication',
          `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id number locality } }`,
          { i: input },
          t.token({ role: 'APPLICANT', iin: p.applicantIin }),
        );
        const r = b?.data?.registerApplication as { id: string; number: string; locality: string } | undefined;
        if (r) {
          acked.push({ ...r, api });
          numbers.push(r.number);
          if (!inA) families.push({ id: r.id, applicantIin: p.applicantIin });
        }
        // A short pause per family: every registration is a text, and the texts must drain afterwards.
        await sleep(60);
      }
    };
    const reads = async (k: number): Promise<void> => {
      const all = [...A_LOCALITIES, ...B_LOCALITIES];
      for (let i = 0; running; i++) {
        const api = (k + i) % 2;
        switch (i % 4) {
          case 0:
          case 2:
            await call(
              api,
              'queuePosition',
              `query($n: String) { queuePosition(number: $n) { queueNumber total aheadByClass { priorityClass count } } }`,
              { n: numbers[(i * 7919 + k * 104_729) % numbers.length] },
            );
            break;
          case 1:
            await call(
              api,
              'bulletin',
              `query($d: Date!, $l: String) { bulletin(date: $d, kind: VACATED, locality: $l) { position at vacancy { id status } } }`,
              { d: i % 8 === 1 ? '2026-09-08' : '2026-09-09', l: all[(i + k) % all.length] },
            );
            break;
          default:
            await call(api, 'ledgerHead', `{ ledgerHead { length headHash } now }`);
        }
      }
    };
    const staff = async (k: number): Promise<void> => {
      for (let i = 0; running; i++) {
        const org = bOrgs[(k * 5 + i) % bOrgs.length];
        const b = await call(
          (k + i) % 2,
          'publishVacancies',
          `mutation($i: [PublishVacancyInput!]!) { publishVacancies(input: $i) { id } }`,
          {
            i: [
              {
                organizationId: org,
                ageGroup: 'Mixed',
                language: 'KK',
                ageFromMonths: 12,
                ageToMonths: 72,
                groupType: 'GENERAL',
                workMode: 'FULL_DAY',
                admissionMode: 'GENERAL',
                admissionStartDate: '2026-10-01',
                count: 1 + (i % 2),
              },
            ],
          },
          staffOf(t, org),
        );
        for (const v of (b?.data?.publishVacancies ?? []) as { id: string }[]) publishedIds.push(v.id);
        await sleep(400);
      }
    };
    // Families answer their offers: most decline (the place goes back to allocation, which the next
    // run hands to the next head while registrations go on), some confirm. Each loop owns half of them.
    const declined: string[] = [];
    const confirmed: string[] = [];
    const answers = async (k: number): Promise<void> => {
      for (let i = 0; running; i++) {
        const api = (k + i) % 2;
        const mine = families.filter((_, j) => j % ANSWER_LOOPS === k).slice(0, 150);
        const f = mine[(i * 31) % mine.length];
        const tok = t.token({ role: 'APPLICANT', iin: f.applicantIin });
        const b = await call(
          api,
          'application',
          `query($id: ID!) { application(id: $id) { status referral { id status } } }`,
          { id: f.id },
          tok,
        );
        const ref = (b?.data?.application as { referral: { id: string; status: string } | null } | undefined)?.referral;
        if (ref?.status !== 'OFFERED') {
          await sleep(50);
          continue;
        }
        const confirm = i % 4 === 0;
        const op = confirm ? 'confirmReferral' : 'declineReferral';
        const r = await call(api, op, `mutation($id: ID!) { ${op}(id: $id) { id status } }`, { id: ref.id }, tok);
        if (r?.data?.[op]) (confirm ? confirmed : declined).push(ref.id);
      }
    };
    const admin = async (api: number): Promise<void> => {
      while (running) {
        const b = await call(api, 'runAllocation', `mutation { runAllocation { id referralsIssued } }`, {}, t.admin);
        const r = b?.data?.runAllocation as { id: string; referralsIssued: number } | undefined;
        if (r) runs.push({ id: r.id, api, issued: r.referralsIssued });
        await sleep(1500);
      }
    };
    const days = async (): Promise<void> => {
      await sleep(LOAD_MS * 0.25);
      // Day 1: advanceClock through an API process (its catch-up publishes the bulletin, fans the
      // allocation out to the workers and waits for them).
      mark('advanceClock → day 1 09:00:30');
      const b = await call(0, 'advanceClock', `mutation($to: DateTime!) { advanceClock(to: $to) }`, { to: DAY1 }, t.admin);
      mark(`advanceClock answered ${b?.errors ? JSON.stringify(b.errors) : 'ok'}`);
      // Both APIs see the moved clock (each refreshes it from clock_state).
      for (let i = 0; i < 2; i++) {
        for (let n = 0; ; n++) {
          const now = (await call(i, 'now', `{ now }`))?.data?.now as string | undefined;
          if (now && Date.parse(now) >= Date.parse(DAY1)) break;
          if (n > 600) throw new Error(`API ${i} still reads ${now} after the clock moved to ${DAY1}`);
          await sleep(100);
        }
      }
      while (running && Date.now() - loadStart < LOAD_MS * 0.5) await sleep(100);
      // Day 2: the clock moves, then the catch-up job the 09:00 job scheduler sends; a worker runs the day.
      mark('clock → day 2 09:00:30');
      await t.app.get(ClockService).setSimulated(new Date(DAY2));
      day2MovedAt = Date.now();
      await sleep(2000); // each worker re-reads clock_state every second; the 30 s tick is the fallback
      await t.app.get(JobsService).add(QueueName.Schedule, JobName.CatchUp, { reason: 'bulletin-0900' });
      mark('catch-up job sent');
    };

    const loops = [
      ...Array.from({ length: REG_LOOPS }, (_, k) => registrations(k)),
      ...Array.from({ length: READ_LOOPS }, (_, k) => reads(k)),
      ...Array.from({ length: STAFF_LOOPS }, (_, k) => staff(k)),
      ...Array.from({ length: ANSWER_LOOPS }, (_, k) => answers(k)),
      admin(0),
      admin(1),
    ];
    const dayTurns = days();
    await sleep(LOAD_MS);
    running = false;
    await Promise.all(loops);
    const loadMs = Date.now() - loadStart;
    mark('load stopped');
    await dayTurns;

    // ---------- let the workers finish the day and the texts ----------
    const count = async (sql: string, params: unknown[] = []): Promise<number> =>
      ((await t.ds.query(`SELECT (${sql})::int AS n`, params)) as { n: number }[])[0].n;
    const until = async (what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
      const t0 = Date.now();
      while (!(await cond())) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
        await sleep(250);
      }
    };
    await until(
      'day 2 allocation done by a worker',
      async () => (await count(`SELECT count(*) FROM scheduled_run WHERE kind = 'allocation' AND due_at = $1`, [DAY2_DUE])) === 1,
      180_000,
    );
    // The simulated clock runs at real speed from DAY2: done_at - DAY2 is the real time since the move.
    const day2Done = (
      (await t.ds.query(`SELECT done_at FROM scheduled_run WHERE kind = 'allocation' AND due_at = $1`, [DAY2_DUE])) as { done_at: Date }[]
    )[0].done_at;
    mark('day 2 allocation done (worker)', day2MovedAt + day2Done.getTime() - Date.parse(DAY2));
    await until(
      'allocation tasks finished',
      async () => (await count(`SELECT count(*) FROM allocation_task WHERE status = 'PENDING'`)) === 0,
      180_000,
    );
    const drainStart = Date.now();
    const backlog = await count(`SELECT count(*) FROM notification WHERE status = 'PENDING'`);
    // The workers send about 15 texts a second (50 per 3 s delivery tick); allow a third of that.
    await until(
      'texts delivered',
      async () => (await count(`SELECT count(*) FROM notification WHERE status = 'PENDING'`)) === 0,
      120_000 + backlog * 200,
    );
    const drainMs = Date.now() - drainStart;

    // ---------- figures ----------
    const rows = (xs: Sample[]): string =>
      `${xs.length} req, p50 ${pct(
        xs.map((s) => s.ms),
        50,
      )} ms, p99 ${pct(
        xs.map((s) => s.ms),
        99,
      )} ms`;
    const loadSamples = samples.filter((s) => s.op !== 'now' && s.op !== 'advanceClock');
    console.log(
      [
        `cluster load (${process.env.REDIS_URL ? 'Redis' : 'PostgreSQL'} job backend, ${process.env.DATABASE_URL ? 'machine' : 'embedded'} PostgreSQL), ${(loadMs / 1000).toFixed(1)} s, ${REG_LOOPS + READ_LOOPS + STAFF_LOOPS + ANSWER_LOOPS + 2} loops`,
        `  all: ${rows(loadSamples)}, ${(loadSamples.length / (loadMs / 1000)).toFixed(1)} req/s`,
        ...[0, 1].map((i) => `  API ${i} (pid ${apis[i].pid}): ${rows(loadSamples.filter((s) => s.api === i))}`),
        ...[
          'registerApplication',
          'queuePosition',
          'bulletin',
          'ledgerHead',
          'publishVacancies',
          'application',
          'declineReferral',
          'confirmReferral',
          'runAllocation',
          'advanceClock',
        ].map((op) => `  ${op}: ${rows(samples.filter((s) => s.op === op))}`),
        `  timeline: ${events
          .sort((a, b) => a.ms - b.ms)
          .map((e) => `${(e.ms / 1000).toFixed(1)} s ${e.what}`)
          .join('; ')}`,
      ].join('\n'),
    );

    // ---------- no 5xx, no internal error, nothing unexpected ----------
    const bad = samples.filter((s) => s.network || s.http >= 500 || (s.code && !(s.op === 'queuePosition' && s.code === 'CONFLICT')));
    const summary = (xs: Sample[]): Record<string, number> => {
      const m: Record<string, number> = {};
      for (const s of xs) {
        const k = `${s.op} ${s.network ? 'network' : `${s.http} ${s.code ?? 'ok'}`}`;
        m[k] = (m[k] ?? 0) + 1;
      }
      return m;
    };
    console.log(`  outcomes: ${JSON.stringify(summary(samples))}`);
    // Error-level log lines of the processes (pino level 50/60: "unexpected error", failed jobs…).
    const errorLines = (): string[] =>
      [...apis, ...workers].flatMap((p) => `${p.stdout()}\n${p.stderr()}`.split('\n').filter((l) => /"level":(50|60)/.test(l)));
    if (errorLines().length) console.log(`  error log lines: ${errorLines().length}\n${errorLines().slice(0, 5).join('\n')}`);
    if (bad.length) {
      console.log(
        `  unexpected: ${JSON.stringify(bad.slice(0, 10).map((s) => ({ op: s.op, http: s.http, code: s.code, message: s.message, network: s.network })))}`,
      );
    }
    expect(bad.length).toBe(0);
    expect(samples.filter((s) => s.http >= 500).length).toBe(0);

    // ---------- every acknowledged write is there, and nothing else ----------
    const stored: { id: string; number: string; locality: string }[] = await t.ds.query(
      `SELECT id, number, locality FROM application WHERE id = ANY($1::uuid[])`,
      [acked.map((a) => a.id)],
    );
    const byId = new Map(stored.map((r) => [r.id, r]));
    expect(acked.filter((a) => byId.get(a.id)?.number !== a.number || byId.get(a.id)?.locality !== a.locality)).toEqual([]);
    expect(await count(`SELECT count(*) FROM application`)).toBe(seededApps + acked.length);
    expect(await count(`SELECT count(*) FROM vacancy WHERE id = ANY($1::uuid[])`, [publishedIds])).toBe(publishedIds.length);
    expect(
      await count(`SELECT count(*) FROM allocation_run WHERE id = ANY($1::uuid[]) AND finished_at IS NOT NULL`, [runs.map((r) => r.id)]),
    ).toBe(runs.length);
    expect(acked.length).toBeGreaterThan(0);
    expect(runs.filter((r) => r.api === 0).length).toBeGreaterThan(0);
    expect(runs.filter((r) => r.api === 1).length).toBeGreaterThan(0);

    // ---------- each day ran once, the second in a worker that read the moved clock ----------
    const sched: { kind: string; due_at: Date; done_at: Date }[] = await t.ds.query(
      `SELECT kind, due_at, done_at FROM scheduled_run ORDER BY due_at, kind`,
    );
    for (const kind of ['bulletins', 'allocation']) {
      expect(sched.filter((s) => s.kind === kind).map((s) => s.due_at.toISOString())).toEqual(
        [DAY1_DUE, DAY2_DUE].map((d) => new Date(d).toISOString()),
      );
    }
    for (const s of sched) expect(s.done_at.getTime()).toBeGreaterThanOrEqual(s.due_at.getTime());
    const day2Run: { id: string }[] = await t.ds.query(`SELECT id FROM allocation_run WHERE trigger = 'schedule' AND started_at = $1`, [
      DAY2_DUE,
    ]);
    expect(day2Run.length).toBe(1);
    const workerIds = new Map<string, string>();
    for (const [i, w] of workers.entries()) workerIds.set(String(w.pid), `worker ${i}`);
    for (const [i, a] of apis.entries()) workerIds.set(String(a.pid), `API ${i}`);
    const who = (w: string | null): string =>
      workerIds.get(
        String(w ?? '')
          .split(':')
          .pop() ?? '',
      ) ?? `other (${w})`;
    const day2Tasks: { worker: string }[] = await t.ds.query(`SELECT worker FROM allocation_task WHERE run_id = $1`, [day2Run[0].id]);
    expect(day2Tasks.every((x) => who(x.worker).startsWith('worker'))).toBe(true);
    const split: { worker: string; n: number; issued: number }[] = await t.ds.query(
      `SELECT worker, count(*)::int AS n, sum(referrals_issued)::int AS issued FROM allocation_task WHERE status = 'DONE' GROUP BY worker ORDER BY worker`,
    );

    // ---------- no duplicate referral; the same allocation as one process ----------
    expect(
      await t.ds.query(
        `SELECT vacancy_id FROM referral WHERE status IN ${LIVE_REFERRAL_STATUSES_SQL} GROUP BY vacancy_id HAVING count(*) > 1`,
      ),
    ).toEqual([]);
    expect(
      await t.ds.query(
        `SELECT application_id FROM referral WHERE status IN ${LIVE_REFERRAL_STATUSES_SQL} GROUP BY application_id HAVING count(*) > 1`,
      ),
    ).toEqual([]);
    // Only the acknowledged answers closed or confirmed referrals, and only in B.
    const closed: { id: string; status: string }[] = await t.ds.query(
      `SELECT id, status FROM referral WHERE status NOT IN ('BOOKED','OFFERED')`,
    );
    expect(
      closed
        .filter((r) => r.status === 'DECLINED')
        .map((r) => r.id)
        .sort(),
    ).toEqual([...declined].sort());
    expect(
      closed
        .filter((r) => r.status === 'CONFIRMED')
        .map((r) => r.id)
        .sort(),
    ).toEqual([...confirmed].sort());
    expect(closed.filter((r) => r.status !== 'DECLINED' && r.status !== 'CONFIRMED')).toEqual([]);
    expect(declined.length).toBeGreaterThan(0);
    const aActual = await actual(t.ds, A_LOCALITIES);
    const aWant = await expectedFromScratch(t.ds, A_LOCALITIES);
    expect(aWant.size).toBeGreaterThan(20);
    expect([...aActual].sort()).toEqual([...aWant].sort());
    // The A places were all in the first bulletin, and no A referral went to a registration of the load.
    expect(await count(`SELECT count(DISTINCT bulletin_date) FROM vacancy WHERE locality = ANY($1)`, [A_LOCALITIES])).toBe(1);
    expect(
      await count(
        `SELECT count(*) FROM referral WHERE application_id = ANY($1::uuid[]) AND vacancy_id IN (SELECT id FROM vacancy WHERE locality = ANY($2))`,
        [acked.map((a) => a.id), A_LOCALITIES],
      ),
    ).toBe(0);
    const bReferrals = await count(`SELECT count(*) FROM referral r JOIN vacancy v ON v.id = r.vacancy_id WHERE v.locality = ANY($1)`, [
      B_LOCALITIES,
    ]);
    const bDay2 = await count(
      `SELECT count(*) FROM referral r JOIN vacancy v ON v.id = r.vacancy_id WHERE v.locality = ANY($1) AND v.bulletin_date = '2026-09-09'`,
      [B_LOCALITIES],
    );
    expect(bReferrals).toBeGreaterThan(0);
    expect(await invariantViolations(t.ds)).toEqual([]);

    // ---------- texts: one per stage and subject, each reached the provider exactly once ----------
    expect(await count(`SELECT count(*) FROM notification WHERE status NOT IN ('SENT','DELIVERED')`)).toBe(0);
    expect(
      await count(
        `SELECT count(*) FROM application a WHERE (SELECT count(*) FROM notification n WHERE n.idempotency_key = 'APPLICATION_REGISTERED:' || a.id) <> 1`,
      ),
    ).toBe(0);
    expect(
      await count(
        `SELECT count(*) FROM referral r WHERE (SELECT count(*) FROM notification n WHERE n.idempotency_key = 'REFERRAL_OFFERED:' || r.id) <> 1`,
      ),
    ).toBe(0);
    expect(
      await count(
        `SELECT count(*) FROM referral r WHERE (SELECT count(*) FROM notification n WHERE n.idempotency_key = 'REFERRAL_DECLINED:' || r.id) <> (r.status = 'DECLINED')::int`,
      ),
    ).toBe(0);
    expect(
      await count(
        `SELECT count(*) FROM referral r WHERE (SELECT count(*) FROM notification n WHERE n.idempotency_key = 'REFERRAL_CONFIRMED:' || r.id) <> (r.status = 'CONFIRMED')::int`,
      ),
    ).toBe(0);
    const sent: { phone: string; text: string }[] = await t.ds.query(
      `SELECT phone, text FROM notification WHERE status IN ('SENT','DELIVERED')`,
    );
    const wantTexts = sent.map((n) => `${n.phone.replace(/\D/g, '')}|${n.text}`).sort();
    const gotTexts = sms.messages.map((m) => `${m.to}|${m.text}`).sort();
    expect(gotTexts.length).toBe(wantTexts.length);
    expect(gotTexts).toEqual(wantTexts);
    // Each row once: the provider's count of every (recipient, text) is the number of rows with it (a
    // family that declined twice gets the same wording twice, under two keys).
    const rowsPerText = new Map<string, number>();
    for (const k of wantTexts) rowsPerText.set(k, (rowsPerText.get(k) ?? 0) + 1);
    expect([...sms.counts()].filter(([k, n]) => rowsPerText.get(k) !== n)).toEqual([]);
    const repeatedWording = [...rowsPerText.values()].filter((n) => n > 1).length;
    const stages: { stage: string; n: number }[] = await t.ds.query(
      `SELECT stage, count(*)::int AS n FROM notification GROUP BY stage ORDER BY stage`,
    );

    // ---------- ledger and fairness audit, through an API process ----------
    const v = await call(1, 'ledgerVerify', `{ ledgerVerify { valid length firstInvalidSeq } }`);
    expect(v?.errors).toBeUndefined();
    expect(v?.data?.ledgerVerify.valid).toBe(true);
    const audit = await call(
      0,
      'fairnessAudit',
      `{ fairnessAudit { ok eventsReplayed referralsChecked violations { check eventSeq referralId message evidence } } }`,
      {},
      t.admin,
    );
    expect(audit?.errors).toBeUndefined();
    const report = audit?.data?.fairnessAudit as { ok: boolean; eventsReplayed: number; referralsChecked: number; violations: unknown[] };
    if (report.violations.length) {
      // The ledger history of the applications involved (ids, types and seqs only), to judge a finding.
      const ids = new Set<string>();
      for (const v of report.violations as { evidence: string }[]) {
        for (const m of v.evidence.matchAll(/"applicationId":"([0-9a-f-]{36})"/g)) ids.add(m[1]);
      }
      const history: { seq: string; type: string; entity_id: string; app: string | null; vacancy: string | null; run: string | null }[] =
        await t.ds.query(
          `SELECT seq::text, type, entity_id, coalesce(data->>'applicationId', CASE WHEN entity = 'application' THEN entity_id END) AS app,
                data->>'vacancyId' AS vacancy, data->>'runId' AS run
         FROM ledger_event WHERE entity_id = ANY($1) OR data->>'applicationId' = ANY($1) ORDER BY seq`,
          [[...ids]],
        );
      console.log(
        `  fairness findings: ${JSON.stringify(report.violations, null, 1)}\n  ledger of the applications involved:\n${history.map((h) => `    ${h.seq} ${h.type} app=${h.app} vacancy=${h.vacancy ?? ''} run=${h.run ?? ''}`).join('\n')}`,
      );
    }
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);

    console.log(
      [
        `  writes acknowledged: ${acked.length} registrations (${acked.filter((a) => A_LOCALITIES.includes(a.locality)).length} into A), ${publishedIds.length} places, ${declined.length} declines, ${confirmed.length} confirmations, ${runs.length} ADMIN allocation runs (${runs.reduce((s, r) => s + r.issued, 0)} referrals)`,
        `  referrals: ${aActual.size} in A (= pure allocate() over the rewound data), ${bReferrals} in B (${bDay2} for day 2 bulletin places, ${declined.length} declined); 0 duplicate live referrals`,
        `  allocation tasks by process: ${split.map((s) => `${who(s.worker)} ${s.n} tasks/${s.issued} referrals`).join(', ')}`,
        `  texts: ${sent.length} sent, ${sms.messages.length} received by the provider (each row once; ${repeatedWording} wordings legitimately repeated to one family), ${backlog} waiting when the load stopped, drained in ${(drainMs / 1000).toFixed(1)} s; ${stages.map((s) => `${s.stage} ${s.n}`).join(', ')}`,
        `  ledger: ${v?.data?.ledgerVerify.length} blocks valid; fairness audit: ${report.eventsReplayed} events, ${report.referralsChecked} referrals, ${report.violations.length} violations`,
      ].join('\n'),
    );

    // ---------- the processes stop cleanly ----------
    const exits = await Promise.all([...apis, ...workers].map((p) => p.stop('SIGTERM', 60_000)));
    console.log(`  stop (SIGTERM): ${exits.map((e) => `${e.code ?? e.signal} in ${e.ms} ms`).join(', ')}`);
    expect(errorLines()).toEqual([]);
  }, 1_200_000);
});
