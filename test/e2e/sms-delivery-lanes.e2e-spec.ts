import { NotificationService } from '../../src/notification/notification.service.js';
import { createTestApp, type TestApp } from '../utils/app.js';
import { FakeMobizon } from '../utils/fake-sms-provider.js';

/**
 * Text delivery keeps pace with a backlog: SMS_CONCURRENCY texts in flight per worker, rounds while texts
 * keep coming due — each text still reaches the provider exactly once, and a failing provider is left
 * alone after a few attempts.
 */
describe('text delivery in parallel lanes, draining a backlog', () => {
  let t: TestApp;
  let sms: FakeMobizon;
  let serial = 0;
  const LANES = 8;
  beforeAll(async () => {
    sms = await FakeMobizon.start('lanes-key');
    // No worker: this test alone delivers.
    t = await createTestApp({
      worker: false,
      env: {
        SMS_PROVIDER: 'mobizon',
        SMS_MOBIZON_API_KEY: 'lanes-key',
        SMS_MOBIZON_URL: sms.url,
        SMS_HTTP_TIMEOUT_MS: '5000',
        SMS_RETRY_BASE_MS: '60000',
        SMS_CONCURRENCY: String(LANES),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await sms?.close();
  });
  const svc = (): NotificationService => t.app.get(NotificationService);

  /** `n` texts to distinct numbers; returns their keys. */
  async function enqueue(n: number, tag: string): Promise<string[]> {
    const keys: string[] = [];
    await t.ds.transaction(async (em) => {
      for (let i = 0; i < n; i++) {
        const k = ++serial;
        const key = `lanes:${tag}:${k}`;
        keys.push(key);
        await svc().enqueue(em, {
          phone: `+7705${String(1_000_000 + k).padStart(7, '0')}`,
          language: k % 2 ? 'kk' : 'ru',
          stage: 'APPLICATION_REGISTERED',
          key,
          params: { number: `KZ-${k}`, queueNumber: k },
          at: new Date(),
        });
      }
    });
    return keys;
  }
  const statusOf = async (keys: string[]): Promise<Record<string, number>> => {
    const rows: { status: string; n: number }[] = await t.ds.query(
      `SELECT status, count(*)::int AS n FROM notification WHERE idempotency_key = ANY($1) GROUP BY status`,
      [keys],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  };
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const m = new RegExp(`^${name.replace(/[{}]/g, (c) => `\\${c}`)} ([0-9.e+-]+)$`, 'm').exec(text);
    if (!m) throw new Error(`${name} not in /metrics`);
    return Number(m[1]);
  };
  const eachOnce = (): void => {
    for (const [, n] of sms.counts()) expect(n).toBe(1);
  };

  it('a slow provider gets up to SMS_CONCURRENCY requests at once; every text is sent once', async () => {
    const keys = await enqueue(40, 'slow');
    expect(await metric('kezek_sms_outbox_pending{state="due"}')).toBe(40);
    expect(await metric('kezek_sms_outbox_overdue_seconds')).toBeGreaterThanOrEqual(0);
    sms.mode = 'timeout'; // answers after slowMs, within our 5 s timeout
    sms.slowMs = 150;
    sms.maxInFlight = 0;
    const r = await svc().deliverDue(40);
    expect(r).toMatchObject({ sent: 40, failed: 0, retried: 0 });
    expect(sms.maxInFlight).toBeGreaterThan(1);
    expect(sms.maxInFlight).toBeLessThanOrEqual(LANES);
    expect(await statusOf(keys)).toEqual({ SENT: 40 });
    expect(sms.messages).toHaveLength(40);
    eachOnce();
    expect(await metric('kezek_sms_sent_total')).toBe(40);
    expect(await metric('kezek_sms_outbox_pending{state="due"}')).toBe(0);
    expect(await metric('kezek_sms_outbox_overdue_seconds')).toBe(0);
  });

  it('the delivery job drains a backlog larger than one round in one run', async () => {
    sms.mode = 'ok';
    const before = sms.messages.length;
    const keys = await enqueue(450, 'backlog');
    const r = await svc().deliverBacklog();
    expect(r.sent).toBe(450);
    expect(r.rounds).toBeGreaterThanOrEqual(3); // 200 texts per round
    expect(await statusOf(keys)).toEqual({ SENT: 450 });
    expect(sms.messages.length - before).toBe(450);
    eachOnce();
    // Nothing due: the next run returns at once.
    expect(await svc().deliverBacklog()).toMatchObject({ sent: 0, retried: 0, rounds: 1 });
  });

  it('a failing provider: the run stops after the requests in flight, the texts wait for their retry', async () => {
    sms.mode = 'fail';
    const before = sms.requests.length;
    const keys = await enqueue(30, 'down');
    const r = await svc().deliverBacklog();
    expect(r.sent).toBe(0);
    expect(r.rounds).toBe(1);
    // Every lane stops once 3 attempts in a row failed: at most one request per lane plus two.
    expect(r.retried).toBeGreaterThanOrEqual(3);
    expect(r.retried).toBeLessThanOrEqual(LANES + 2);
    expect(sms.requests.length - before).toBe(r.retried);
    expect(await statusOf(keys)).toEqual({ PENDING: 30 });
    const tried: { n: number }[] = await t.ds.query(
      `SELECT count(*)::int AS n FROM notification WHERE idempotency_key = ANY($1) AND attempts = 1`,
      [keys],
    );
    expect(tried[0].n).toBe(r.retried);
    // /metrics: the tried ones wait for their retry, the rest are due and getting late.
    expect(await metric('kezek_sms_outbox_pending{state="retry"}')).toBe(r.retried);
    expect(await metric('kezek_sms_outbox_pending{state="due"}')).toBe(30 - r.retried);
    await new Promise((res) => setTimeout(res, 1100));
    expect(await metric('kezek_sms_outbox_overdue_seconds')).toBeGreaterThanOrEqual(1);
  });
});
