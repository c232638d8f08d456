import type { InterleaveRatio } from '../../src/queue/domain/index.js';
import { allocate } from '../../src/referral/domain/allocate.js';
import { exclusionKey } from '../../src/referral/domain/eligibility.js';
import { toApplicationView, toVacancyView } from '../../src/referral/referral-views.js';
import { APPLICATION_COLUMNS } from '../../src/queue/application.row.js';
import { VACANCY_COLUMNS } from '../../src/vacancy/vacancy.row.js';
import { createTestApp, type TestApp } from '../utils/app.js';
import { FakeMobizon } from '../utils/fake-sms-provider.js';
import { createOrg, publish, register, setClock, staffOf } from '../utils/fixtures.js';
import { assertInvariants, invariantViolations } from '../utils/invariants.js';
import { childEnv, ensureBuilt, freePort, startServer, tempDir, type ServerProcess } from '../utils/process.js';
import { LIVE_REFERRAL_STATUSES_SQL } from '../../src/referral/domain/referral-state.js';

/**
 * SIGKILL of a real worker process (`node dist/src/main.js`, ROLE=worker) in the middle of the daily
 * bulletin publication and in the middle of SMS delivery. After each: nothing half-written, nothing
 * acknowledged lost, nothing done twice, and every SPEC invariant SQL can check holds.
 * (SIGKILL during allocation: test/e2e/scale-out.e2e-spec.ts.)
 */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

const one = async (t: TestApp, sql: string, params: unknown[] = []): Promise<number> =>
  ((await t.ds.query(`SELECT (${sql})::int AS n`, params)) as { n: number }[])[0].n;

function workerSpawner(t: () => TestApp, workers: ServerProcess[]) {
  return async (extra: Record<string, string> = {}): Promise<ServerProcess> => {
    const w = startServer(
      childEnv({
        ROLE: 'worker',
        PORT: String(await freePort()),
        DATABASE_URL: t().ctx.databaseUrl,
        REDIS_URL: process.env.REDIS_URL,
        JOBS_PREFIX: t().ctx.config.JOBS_PREFIX,
        JWT_SECRET: 'x'.repeat(32),
        DATA_DIR: tempDir('kezek-wk-'),
        LOG_LEVEL: 'info',
        ...extra,
      }),
    );
    workers.push(w);
    await w.waitForOutput('worker started', 120_000);
    return w;
  };
}

/** SIGKILL, and wait until PostgreSQL has dropped every session of the dead process. */
async function kill(t: TestApp, w: ServerProcess, backendPids: number[] = []): Promise<void> {
  w.child.kill('SIGKILL');
  const exit = await w.exited;
  expect(exit.signal).toBe('SIGKILL');
  if (backendPids.length) {
    await until(
      "the killed worker's database sessions to end",
      async () => (await one(t, `SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [backendPids])) === 0,
      60_000,
    );
  }
}

describe('SIGKILL of the worker during the 09:00 bulletin publication', () => {
  let t: TestApp;
  const workers: ServerProcess[] = [];
  const startWorker = workerSpawner(() => t, workers);
  // A Tuesday outside the August transfer period; the worker runs in simulation on the shared clock.
  const DAY = '2026-09-15';
  const DUE = new Date(`${DAY}T09:00:00+05:00`);

  beforeAll(async () => {
    ensureBuilt();
    t = await createTestApp({ simulation: `${DAY}T08:00:00+05:00`, worker: false });
  }, 240_000);
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL').catch(() => undefined);
    await t?.close();
  });

  it('nothing of the day is committed; the restarted worker publishes it once with every place, then allocates each place once', async () => {
    // Three localities, each: 6 applications, 4 places handed over by the organization's staff before 09:00.
    const localities = ['751140001', '751140002', '751140003'];
    const places: string[] = [];
    for (const loc of localities) {
      const org = await createOrg(t, `Org ${loc}`, loc);
      for (let k = 0; k < 6; k++) {
        await register(t, { locality: loc, birthDate: `2023-0${(k % 9) + 1}-1${k % 9}`, priorityCategories: k === 3 ? ['TEACHER'] : [] });
      }
      places.push(...(await publish(t, org, { count: 4 }, staffOf(t, org))));
    }
    expect(places).toHaveLength(12);

    // The worker starts before 09:00 (its start-up catch-up begins the scheduler's history at 08:00);
    // then 09:00 comes and its scheduled catch-up publishes, holding the transaction open before commit.
    const w1 = await startWorker({ SIMULATION: '1', BULLETIN_DELAY_MS: '600000' });
    await until('the start-up catch-up', async () => (await one(t, `SELECT count(*) FROM scheduler_state`)) === 1, 120_000);
    await setClock(t, `${DAY}T09:00:05+05:00`);
    const heldAfter = await w1.waitForOutput('bulletin publication held open before commit', 180_000);

    // The publication transaction is open and has written: it holds the bulletin lock (727003) and
    // row-exclusive locks on the bulletin tables, has a transaction id, and sits idle in transaction.
    const holders: { pid: number; state: string; xid: string | null }[] = await t.ds.query(
      `SELECT a.pid, a.state, a.backend_xid::text AS xid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = 727003 AND l.granted
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(holders).toHaveLength(1);
    expect(holders[0].state).toBe('idle in transaction');
    expect(holders[0].xid).not.toBeNull();
    const written: { rel: string }[] = await t.ds.query(
      `SELECT relation::regclass::text AS rel FROM pg_locks WHERE pid = $1 AND locktype = 'relation' AND mode = 'RowExclusiveLock'`,
      [holders[0].pid],
    );
    expect(written.map((r) => r.rel)).toEqual(
      expect.arrayContaining(['bulletin_entry', 'bulletin_publication', 'vacancy', 'ledger_event']),
    );

    // Acknowledged writes while the publication is open: a place handed over after 09:00 and a new application.
    const [lateOrg] = ((await t.ds.query(`SELECT id FROM organization WHERE locality = $1`, [localities[0]])) as { id: string }[]).map(
      (r) => r.id,
    );
    const [latePlace] = await publish(t, lateOrg, {}, staffOf(t, lateOrg));
    const lateApp = await register(t, { locality: localities[0], birthDate: '2023-02-02' });

    await kill(t, w1, [holders[0].pid]);

    // Nothing of the day's publication was committed.
    expect(await one(t, `SELECT count(*) FROM bulletin_entry WHERE bulletin_date = $1`, [DAY])).toBe(0);
    expect(await one(t, `SELECT count(*) FROM bulletin_publication WHERE bulletin_date = $1`, [DAY])).toBe(0);
    expect(await one(t, `SELECT count(*) FROM vacancy WHERE bulletin_date IS NOT NULL`)).toBe(0);
    expect(await one(t, `SELECT count(*) FROM ledger_event WHERE type = 'bulletin.published'`)).toBe(0);
    expect(await one(t, `SELECT count(*) FROM scheduled_run WHERE due_at >= $1`, [DUE])).toBe(0);
    expect(await one(t, `SELECT count(*) FROM referral`)).toBe(0);
    // The acknowledged writes are there.
    expect(await one(t, `SELECT count(*) FROM vacancy WHERE id = $1 AND status = 'PUBLISHED'`, [latePlace])).toBe(1);
    expect(await one(t, `SELECT count(*) FROM application WHERE id = $1 AND status = 'QUEUED'`, [lateApp.id])).toBe(1);
    await assertInvariants(t.ds);

    // What one pure allocation run gives for the places handed over by 09:00, in hand-over order (the
    // bulletin's order), against the queue as it is now.
    const want = new Set<string>();
    const s: { value: InterleaveRatio }[] = await t.ds.query(`SELECT value FROM setting WHERE key = 'interleave'`);
    for (const loc of localities) {
      const vacs = await t.ds.query(
        `SELECT ${VACANCY_COLUMNS} FROM vacancy v WHERE v.locality = $1 AND v.status = 'PUBLISHED' AND v.published_at <= $2
         ORDER BY v.published_at, v.seq`,
        [loc, DUE],
      );
      const apps = await t.ds.query(
        `SELECT ${APPLICATION_COLUMNS} FROM application a WHERE a.locality = $1 AND a.status = 'QUEUED' ORDER BY a.seq`,
        [loc],
      );
      const excl: { application_id: string; vacancy_id: string }[] = await t.ds.query(
        `SELECT application_id, vacancy_id FROM referral_exclusion`,
      );
      const cyc: { cohort: number; position: number }[] = await t.ds.query(`SELECT cohort, position FROM queue_cycle WHERE locality = $1`, [
        loc,
      ]);
      const cycles: Record<string, number> = {};
      for (const c of cyc) cycles[`${loc}:${c.cohort}`] = c.position;
      const r = allocate({
        vacancies: vacs.map(toVacancyView),
        applications: apps.map(toApplicationView),
        cycles,
        ratio: s[0].value,
        excluded: new Set(excl.map((e) => exclusionKey(e.application_id, e.vacancy_id))),
      });
      for (const ref of r.referrals) want.add(`${ref.applicationId}:${ref.vacancyId}`);
    }
    expect(want.size).toBe(12);

    // Restart: the start-up catch-up runs the 09:00 bulletin, then allocation, exactly once.
    const t0 = Date.now();
    const w2 = await startWorker({ SIMULATION: '1' });
    await until(
      'every 09:00 task to be done (the scheduler past 09:00)',
      async () => (await one(t, `SELECT count(*) FROM scheduler_state WHERE since > $1`, [DUE])) === 1,
      240_000,
      250,
    );
    const restartMs = Date.now() - t0;

    const pubs: { kind: string; entries: number }[] = await t.ds.query(
      `SELECT kind, entries FROM bulletin_publication WHERE bulletin_date = $1 ORDER BY kind`,
      [DAY],
    );
    expect(pubs).toEqual([
      { kind: 'REVOKED', entries: 0 },
      { kind: 'VACATED', entries: 12 },
    ]);
    const entries: { position: number; vacancy_id: string }[] = await t.ds.query(
      `SELECT e.position, e.vacancy_id FROM bulletin_entry e JOIN vacancy v ON v.id = e.vacancy_id
       WHERE e.bulletin_date = $1 AND e.kind = 'VACATED' ORDER BY e.position`,
      [DAY],
    );
    expect(entries.map((e) => e.position)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(entries.map((e) => e.vacancy_id).sort()).toEqual([...places].sort());
    // Hand-over order: the bulletin lists places as their seq (publication order) goes.
    const bySeq: { id: string }[] = await t.ds.query(`SELECT id FROM vacancy WHERE id = ANY($1::uuid[]) ORDER BY published_at, seq`, [
      places,
    ]);
    expect(entries.map((e) => e.vacancy_id)).toEqual(bySeq.map((v) => v.id));
    expect(await one(t, `SELECT count(*) FROM ledger_event WHERE type = 'bulletin.published'`)).toBe(2);
    const runs: { kind: string; n: number }[] = await t.ds.query(
      `SELECT kind, count(*)::int AS n FROM scheduled_run WHERE due_at >= $1 GROUP BY kind ORDER BY kind`,
      [DUE],
    );
    expect(runs.map((r) => r.kind)).toEqual(expect.arrayContaining(['bulletins', 'allocation', 'open-place-notice']));
    expect(runs.filter((r) => r.n !== 1)).toEqual([]);
    const summary: { summary: { date: string; vacated: number; revoked: number } }[] = await t.ds.query(
      `SELECT summary FROM scheduled_run WHERE kind = 'bulletins' AND due_at = $1`,
      [DUE],
    );
    expect(summary[0].summary).toEqual({ date: DAY, vacated: 12, revoked: 0 });

    // Allocation issued each place once, exactly as the pure run.
    const live: { application_id: string; vacancy_id: string }[] = await t.ds.query(
      `SELECT application_id, vacancy_id FROM referral WHERE status IN ${LIVE_REFERRAL_STATUSES_SQL}`,
    );
    expect(new Set(live.map((r) => `${r.application_id}:${r.vacancy_id}`))).toEqual(want);
    expect(await one(t, `SELECT count(*) FROM referral`)).toBe(12);
    expect(await one(t, `SELECT count(DISTINCT vacancy_id) FROM referral WHERE vacancy_id = ANY($1::uuid[])`, [places])).toBe(12);
    // The place handed over after 09:00 waits for tomorrow's bulletin.
    expect(await one(t, `SELECT count(*) FROM vacancy WHERE id = $1 AND status = 'PUBLISHED' AND bulletin_date IS NULL`, [latePlace])).toBe(
      1,
    );

    await w2.stop('SIGTERM', 60_000);
    await assertInvariants(t.ds);

    // The checker is not blind: a tampered ledger event and a referred application put back in the queue
    // (in a transaction rolled back) are both reported.
    const qr = t.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      // The ledger tables are append-only (triggers): tamper as a superuser would, triggers off.
      await qr.query(`SET LOCAL session_replication_role = replica`);
      await qr.query(
        `UPDATE ledger_event SET data = data || '{"vacancies":[]}'::jsonb WHERE type = 'bulletin.published' AND entity_id = $1`,
        [`${DAY}:VACATED`],
      );
      await qr.query(`UPDATE application SET status = 'QUEUED' WHERE id = $1`, [live[0].application_id]);
      const v = await invariantViolations(qr.manager);
      expect(v.some((m) => m.startsWith('[5] the ledger verifies'))).toBe(true);
      expect(v.some((m) => m.startsWith('[2] an application is REFERRED exactly when') && m.includes(live[0].application_id))).toBe(true);
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
    console.log(
      `bulletin kill: publication held open after ${heldAfter} ms of worker life (pid ${holders[0].pid}, ${written.length} relations written), ` +
        `killed: 0 rows of ${DAY} committed; restarted worker published 12 entries and issued 12 referrals in ${restartMs} ms`,
    );
  }, 600_000);
});

describe('SIGKILL of the worker while texts are in flight to the SMS provider', () => {
  let t: TestApp;
  let sms: FakeMobizon;
  const workers: ServerProcess[] = [];
  const startWorker = workerSpawner(() => t, workers);
  // Small request timeout: the lease of a text whose send is in flight is SMS_HTTP_TIMEOUT_MS × 8 + 30 s.
  const HTTP_TIMEOUT_MS = 1000;
  const smsEnv = (): Record<string, string> => ({
    SMS_PROVIDER: 'mobizon',
    SMS_MOBIZON_API_KEY: 'kill-key',
    SMS_MOBIZON_URL: sms.url,
    SMS_SENDER: 'Kezek',
    SMS_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
    SMS_RETRY_BASE_MS: '50',
    SMS_UNCERTAIN_RETRY_MS: '1000',
  });

  beforeAll(async () => {
    ensureBuilt();
    sms = await FakeMobizon.start('kill-key');
    t = await createTestApp({ worker: false });
  }, 240_000);
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL').catch(() => undefined);
    await t?.close();
    await sms?.close();
  });

  it('every text ends SENT, each reached the provider exactly once, none lost', async () => {
    const N = 12;
    for (let i = 0; i < N; i++) await register(t, { notificationLanguage: i % 2 ? 'ru' : 'kk' });
    expect(await one(t, `SELECT count(*) FROM notification WHERE status = 'PENDING'`)).toBe(N);

    // The provider is slow (answers after 800 ms, within our 1 s timeout), but takes every message.
    sms.mode = 'timeout';
    sms.slowMs = 800;
    const inFlight = (): number => sms.requests.filter((r) => r.method === 'sendsmsmessage').length - sms.messages.length;
    const w1 = await startWorker(smsEnv());
    await until('three texts sent and one in flight', () => sms.messages.length >= 3 && inFlight() >= 1, 180_000, 5);
    w1.child.kill('SIGKILL');
    const killedAt = Date.now();
    const inFlightAtKill = inFlight();
    expect((await w1.exited).signal).toBe('SIGKILL');

    // The provider finishes what it was given: it has now accepted texts the database does not know are sent.
    await until('the provider to answer the requests in flight', () => inFlight() === 0, 30_000, 50);
    const sentAtKill = await one(t, `SELECT count(*) FROM notification WHERE status = 'SENT'`);
    const acceptedAtKill = sms.messages.length;
    expect(acceptedAtKill).toBeGreaterThan(sentAtKill);
    // Those are leased (attempt counted, next attempt only after the lease), not lost.
    const leased: { id: string; phone: string; text: string }[] = await t.ds.query(
      `SELECT id, phone, text FROM notification WHERE status = 'PENDING' AND attempts = 1 AND next_attempt_at > now()`,
    );
    // Every text accepted but not known as sent is leased; with SMS_CONCURRENCY lanes some leased texts
    // may not have reached the provider yet (claimed, then killed before the request went out).
    const leasedAtProvider = leased.filter((l) => sms.to(l.phone).length > 0);
    expect(leasedAtProvider.length).toBe(acceptedAtKill - sentAtKill);
    for (const l of leased) expect(sms.to(l.phone).map((m) => m.text)).toEqual(leasedAtProvider.includes(l) ? [l.text] : []);

    // Acknowledged while no worker runs: three more registrations, three more texts.
    for (let i = 0; i < 3; i++) await register(t, {});
    const total = N + 3;
    expect(await one(t, `SELECT count(*) FROM notification`)).toBe(total);

    // Restart with the provider back to normal: the rest is sent at once; the leased texts, once their
    // lease runs out, are found already sent (provider's list) instead of being sent again.
    sms.mode = 'ok';
    await startWorker(smsEnv());
    await until(
      'every text to be sent',
      async () => (await one(t, `SELECT count(*) FROM notification WHERE status IN ('SENT','DELIVERED')`)) === total,
      240_000,
      250,
    );
    const allSentMs = Date.now() - killedAt;

    const rows: { id: string; phone: string; text: string; attempts: number; provider_message_id: string; status: string }[] =
      await t.ds.query(`SELECT id, phone, text, attempts, provider_message_id, status FROM notification`);
    expect(rows).toHaveLength(total);
    const counts = sms.counts();
    expect(counts.size).toBe(total);
    for (const [, n] of counts) expect(n).toBe(1);
    for (const r of rows) {
      const got = sms.to(r.phone);
      expect(got.map((m) => m.text)).toEqual([r.text]);
      expect(r.provider_message_id).toBe(got[0].id);
    }
    // One send request per text: the leased ones were not sent again.
    expect(sms.requests.filter((r) => r.method === 'sendsmsmessage')).toHaveLength(total);
    for (const l of leased) {
      const r = rows.find((x) => x.id === l.id)!;
      expect(r.attempts).toBe(2);
      expect(sms.sendRequests(l.phone)).toBe(1);
    }

    await assertInvariants(t.ds);
    console.log(
      `sms kill: ${sentAtKill} sent and ${inFlightAtKill} in flight at the kill, ${acceptedAtKill - sentAtKill} accepted by the provider ` +
        `but unknown to the database (${leased.length} leased); all ${total} sent once, ${Math.round(allSentMs / 1000)} s after the kill (lease ${(HTTP_TIMEOUT_MS * 8 + 30_000) / 1000} s)`,
    );
  }, 600_000);
});
