import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { almatyAt, endOfAlmatyDay } from '../../src/calendar/domain/almaty-time.js';
import { HttpSmsGateway } from '../../src/notification/adapters/http-sms.gateway.js';
import { DeadlineRemindersService } from '../../src/referral/deadline-reminders.service.js';
import { NotificationService } from '../../src/notification/notification.service.js';
import type { SmsSendError } from '../../src/notification/ports/sms-gateway.js';
import { makeBin, makeIin } from '../../src/platform/identifiers/iin.js';
import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';
import { FakeMobizon } from '../utils/fake-sms-provider.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(stepMs);
  }
  throw new Error(`timed out waiting for: ${what}`);
}

interface Row {
  id: string;
  application_id: string;
  stage: string;
  language: string;
  phone: string;
  text: string;
  status: string;
  attempts: number;
  last_error: string | null;
  provider_message_id: string | null;
  idempotency_key: string;
}

describe('notifications: Mobizon delivery, retries, delivery reports, reminders, access', () => {
  let t: TestApp;
  let sms: FakeMobizon;
  let logged: unknown[][] = [];
  const phones: string[] = [];
  let serial = 0;

  beforeAll(async () => {
    for (const m of ['log', 'warn', 'error', 'debug', 'verbose'] as const) {
      jest.spyOn(Logger.prototype, m).mockImplementation(function (this: Logger, ...args: unknown[]) {
        logged.push(args);
      });
    }
    sms = await FakeMobizon.start('test-mobizon-key');
    t = await createTestApp({
      simulation: '2026-03-19T08:00:00+05:00',
      env: {
        SMS_PROVIDER: 'mobizon',
        SMS_MOBIZON_API_KEY: 'test-mobizon-key',
        SMS_MOBIZON_URL: sms.url,
        SMS_SENDER: 'Kezek',
        SMS_HTTP_TIMEOUT_MS: '300',
        SMS_RETRY_BASE_MS: '50',
        SMS_UNCERTAIN_RETRY_MS: '1500',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await sms?.close();
    jest.restoreAllMocks();
  });

  const svc = (): NotificationService => t.app.get(NotificationService);

  async function register(lang: 'kk' | 'ru', phone?: string): Promise<{ id: string; number: string; phone: string; applicantIin: string }> {
    const n = ++serial;
    const p = phone ?? `+7701555${String(1000 + n)}`;
    phones.push(p);
    const applicantIin = makeIin('1990-01-01', 'F', n);
    const d = ok(
      await t.gql<{ registerApplication: { id: string; number: string } }>(
        `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id number } }`,
        {
          i: {
            childIin: makeIin('2024-03-10', 'M', n),
            childName: `Child ${n}`,
            applicantIin,
            phone: p,
            locality: '751110000',
            language: 'KK',
            desiredAdmissionDate: '2026-09-01',
            notificationLanguage: lang,
          },
        },
        t.admin,
      ),
    );
    return { ...d.registerApplication, phone: p, applicantIin };
  }

  async function rows(applicationIds: string[]): Promise<Row[]> {
    return t.ds.query(`SELECT * FROM notification WHERE application_id = ANY($1::uuid[]) ORDER BY created_at, id`, [applicationIds]);
  }

  /** Runs delivery directly (in parallel with the worker's own runs) for a while. */
  async function drainFor(ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await svc().deliverDue();
      await sleep(50);
    }
  }

  async function drainUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    await waitFor(
      what,
      async () => {
        await svc().deliverDue();
        return check();
      },
      timeoutMs,
      50,
    );
  }

  it('the worker texts each registration once, in the applicant language (kk and ru)', async () => {
    const a = await register('kk');
    const b = await register('ru');
    // No direct delivery here: the deliver job (every 3 s) of the real worker sends them.
    await waitFor('both texts at the provider', () => sms.to(a.phone).length === 1 && sms.to(b.phone).length === 1, 20_000);
    const [ma] = sms.to(a.phone);
    const [mb] = sms.to(b.phone);
    expect(ma.text).toMatch(new RegExp(`^Kezek: ${a.number} өтініші тіркелді\\. Кезектегі нөміріңіз: \\d+\\.$`));
    expect(mb.text).toMatch(new RegExp(`^Kezek: заявление ${b.number} зарегистрировано\\. Ваш номер в очереди: \\d+\\.$`));
    expect(ma.from).toBe('Kezek');
    await waitFor(
      'rows marked SENT',
      async () => (await rows([a.id, b.id])).every((r) => r.status === 'SENT'),
      // A busy machine may time a send out (300 ms) after the provider took it: the retry finds it sent.
      20_000,
    );
    const r = await rows([a.id, b.id]);
    expect(r.map((x) => [x.stage, x.language, x.status, x.attempts])).toEqual([
      ['APPLICATION_REGISTERED', 'kk', 'SENT', 1],
      ['APPLICATION_REGISTERED', 'ru', 'SENT', 1],
    ]);
    expect(r.map((x) => x.provider_message_id)).toEqual([ma.id, mb.id]);
    expect(r.map((x) => x.text)).toEqual([ma.text, mb.text]);

    // Delivery reports: polled from the provider, SENT → DELIVERED.
    sms.statusOf = () => 'DELIVRD';
    const polled = await svc().pollDeliveryReports();
    sms.statusOf = () => 'NEW';
    expect(polled.delivered).toBeGreaterThanOrEqual(2);
    const n = ok(
      await t.gql<{
        notifications: {
          stage: string;
          language: string;
          status: string;
          text: string;
          sentAt: string;
          deliveredAt: string;
          attempts: number;
        }[];
      }>(
        `query($id: ID!) { notifications(applicationId: $id) { id stage language text status createdAt sentAt deliveredAt attempts } }`,
        { id: a.id },
        t.admin,
      ),
    ).notifications;
    expect(n).toHaveLength(1);
    expect(n[0]).toMatchObject({
      stage: 'APPLICATION_REGISTERED',
      language: 'kk',
      status: 'DELIVERED',
      text: ma.text,
      attempts: 1,
    });
    expect(n[0].sentAt).toMatch(/\+05:00$/);
    expect(n[0].deliveredAt).toMatch(/\+05:00$/);
  });

  it('a provider that fails, then times out, then recovers: every text sent exactly once, none lost', async () => {
    sms.mode = 'fail';
    const during500 = [await register('kk'), await register('ru'), await register('kk'), await register('ru')];
    await drainFor(1500);
    let r = await rows(during500.map((a) => a.id));
    expect(r.every((x) => x.status === 'PENDING' && x.attempts >= 2)).toBe(true);
    expect(r[0].last_error).toMatch(/HTTP 500/);
    for (const a of during500) expect(sms.to(a.phone)).toHaveLength(0);

    // Slow provider: our requests time out, yet the provider still sends what reached it.
    sms.mode = 'timeout';
    const duringTimeout = [await register('ru'), await register('kk'), await register('ru')];
    await drainUntil('the slow provider got each first attempt', () =>
      Promise.resolve(duringTimeout.every((a) => sms.to(a.phone).length === 1)),
    );
    await drainFor(500);
    r = await rows(duringTimeout.map((a) => a.id));
    expect(r.every((x) => x.status === 'PENDING')).toBe(true);
    expect(r.some((x) => /no answer within 300 ms/.test(x.last_error ?? ''))).toBe(true);
    // The provider did accept the first attempt of each of these (after our timeout).
    for (const a of duringTimeout) expect(sms.to(a.phone)).toHaveLength(1);

    sms.mode = 'ok';
    const all = [...during500, ...duringTimeout];
    await drainUntil('all SENT', async () => (await rows(all.map((a) => a.id))).every((x) => x.status === 'SENT'));
    r = await rows(all.map((a) => a.id));
    for (const a of all) {
      const row = r.find((x) => x.application_id === a.id);
      const at = sms.to(a.phone);
      expect(at).toHaveLength(1); // none lost, none doubled
      expect(at[0].text).toBe(row?.text);
      expect(row?.provider_message_id).toBe(at[0].id);
      expect(row?.attempts).toBeGreaterThanOrEqual(2);
    }
    // The timed-out sends were found at the provider, not sent again.
    for (const a of duringTimeout) expect(sms.sendRequests(a.phone)).toBe(1);
    expect([...sms.counts().values()].every((c) => c === 1)).toBe(true);
    expect(r.filter((x) => x.language === 'kk').every((x) => x.text.includes('өтініші тіркелді'))).toBe(true);
    expect(r.filter((x) => x.language === 'ru').every((x) => x.text.includes('зарегистрировано'))).toBe(true);
  });

  it('a rejected number (Mobizon code 1) ends FAILED at once, without retries', async () => {
    sms.rejectRecipients.add('77015559999');
    const a = await register('ru', '+77015559999');
    await drainUntil('FAILED', async () => (await rows([a.id]))[0].status === 'FAILED');
    await drainFor(500);
    const [row] = await rows([a.id]);
    expect(row).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(row.last_error).toMatch(/code 1/);
    expect(row.last_error).not.toMatch(/7015559999/);
    expect(sms.sendRequests(a.phone)).toBe(1);
    expect(sms.to(a.phone)).toHaveLength(0);
  });

  it('an undelivered report (UNDELIV) marks the text FAILED', async () => {
    const a = await register('kk');
    await drainUntil('SENT', async () => (await rows([a.id]))[0].status === 'SENT');
    sms.statusOf = (m) => (m.to === a.phone.slice(1) ? 'UNDELIV' : 'DELIVRD');
    await svc().pollDeliveryReports();
    const [row] = await rows([a.id]);
    expect(row.status).toBe('FAILED');
    expect(row.last_error).toBe('not delivered: provider status UNDELIV');
    sms.statusOf = () => 'NEW';
  });

  it('notifications(applicationId): ADMIN and the owner; anyone else FORBIDDEN, changes nothing', async () => {
    const a = await register('ru');
    const q = `query($id: ID!) { notifications(applicationId: $id) { stage status } }`;
    const owner = t.token({ role: 'APPLICANT', iin: a.applicantIin });
    expect(ok(await t.gql<{ notifications: { stage: string }[] }>(q, { id: a.id }, owner)).notifications.map((n) => n.stage)).toEqual([
      'APPLICATION_REGISTERED',
    ]);
    expect(errorCode(await t.gql(q, { id: a.id }, t.token({ role: 'APPLICANT', iin: makeIin('1985-02-02', 'M', 77) })))).toBe('FORBIDDEN');
    expect(
      errorCode(await t.gql(q, { id: a.id }, t.token({ role: 'ORG_STAFF', organizationId: '00000000-0000-4000-8000-000000000000' }))),
    ).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(q, { id: a.id }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(q, { id: '00000000-0000-4000-8000-000000000001' }, t.admin))).toBe('NOT_FOUND');
  });

  it('reminds at 09:00 on the working day before a deadline day, once per deadline, across holidays', async () => {
    const org = ok(
      await t.gql<{ createOrganization: { id: string } }>(
        `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
        { i: { name: 'Balapan', bin: makeBin('2003', 41), locality: '751110000' } },
        t.admin,
      ),
    ).createOrganization.id;
    const referral = async (status: string, confirmBy: Date | null, validUntil: Date | null, lang: 'kk' | 'ru') => {
      const a = await register(lang);
      const [v] = (await t.ds.query(
        `INSERT INTO vacancy (organization_id, locality, status, age_group, language, age_from_months, age_to_months, group_type,
           work_mode, admission_mode, admission_start_date, published_at, published_by)
         VALUES ($1, '751110000', 'REFERRED', 'Ясли', 'KK', 12, 36, 'GENERAL', 'FULL_DAY', 'GENERAL', '2026-09-01', now(), 'test')
         RETURNING id`,
        [org],
      )) as { id: string }[];
      const [r] = (await t.ds.query(
        `INSERT INTO referral (application_id, vacancy_id, status, issued_at, clock_start, confirm_by, valid_until)
         VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING id`,
        [a.id, v.id, status, almatyAt('2026-03-17', 10), confirmBy, validUntil],
      )) as { id: string }[];
      return { ...a, referralId: r.id };
    };
    // Last day Thu 26 Mar: 21-25 Mar are days off (Nauryz), so the reminder is on Fri 20 Mar.
    const offered = await referral('OFFERED', endOfAlmatyDay('2026-03-26'), null, 'kk');
    // Last day Fri 20 Mar → reminder Thu 19 Mar.
    const confirmed = await referral('CONFIRMED', almatyAt('2026-03-17', 10), endOfAlmatyDay('2026-03-20'), 'ru');
    const later = await referral('OFFERED', endOfAlmatyDay('2026-04-10'), null, 'ru');
    const declined = await referral('DECLINED', endOfAlmatyDay('2026-03-20'), null, 'ru');
    const reminders = async (): Promise<Row[]> =>
      t.ds.query(`SELECT * FROM notification WHERE stage = 'DEADLINE_REMINDER' ORDER BY created_at, id`);

    ok(await t.gql(`mutation { advanceClock(to: "2026-03-19T08:59:00+05:00") }`, {}, t.admin));
    expect(await reminders()).toHaveLength(0);
    ok(await t.gql(`mutation { advanceClock(to: "2026-03-19T09:00:30+05:00") }`, {}, t.admin));
    let r = await reminders();
    expect(r.map((x) => [x.application_id, x.idempotency_key, x.language])).toEqual([
      [confirmed.id, `DEADLINE_REMINDER:${confirmed.referralId}:${endOfAlmatyDay('2026-03-20').toISOString()}`, 'ru'],
    ]);
    expect(r[0].text).toBe(`Kezek: напоминаем, что направление по заявлению ${confirmed.number} действует до 20.03.2026 включительно.`);

    ok(await t.gql(`mutation { advanceClock(to: "2026-03-20T09:00:30+05:00") }`, {}, t.admin));
    r = await reminders();
    expect(r.map((x) => x.application_id)).toEqual([confirmed.id, offered.id]);
    expect(r[1].text).toBe(`Kezek: еске саламыз, ${offered.number} өтініші бойынша жолдаманың соңғы күні — 26.03.2026.`);
    // Running the day again adds nothing; the later and the declined referral get none.
    expect(await t.app.get(DeadlineRemindersService).run(almatyAt('2026-03-20', 9))).toEqual({
      reminded: 0,
    });
    expect((await reminders()).map((x) => x.application_id)).not.toContain(later.id);
    expect((await reminders()).map((x) => x.application_id)).not.toContain(declined.id);
    const [{ reminded_for }] = (await t.ds.query(`SELECT reminded_for FROM referral WHERE id = $1`, [offered.referralId])) as {
      reminded_for: Date;
    }[];
    expect(reminded_for.toISOString()).toBe(endOfAlmatyDay('2026-03-26').toISOString());

    await drainUntil('reminders sent', async () => (await reminders()).every((x) => x.status === 'SENT'));
    expect(sms.to(offered.phone).filter((m) => m.text.includes('еске саламыз'))).toHaveLength(1);
    expect(sms.to(confirmed.phone).filter((m) => m.text.includes('напоминаем'))).toHaveLength(1);
  });

  it('never logs a phone number or a text', () => {
    expect(logged.length).toBeGreaterThan(0);
    const all = JSON.stringify(logged);
    for (const p of phones) {
      expect(all).not.toContain(p);
      expect(all).not.toContain(p.slice(1));
      expect(all).not.toContain(p.slice(2));
    }
    expect(all).not.toMatch(/өтініші|заявление|test-mobizon-key/);
    expect(all).toMatch(/\+7701\*\*\*\d{4}/); // masked numbers are there
    logged = [];
  });
});

describe('generic HTTP SMS adapter', () => {
  const seen: { auth?: string; key?: string; body: unknown }[] = [];
  let reply: { status: number; body: string; delayMs?: number } = {
    status: 200,
    body: '{"id":"m-1"}',
  };
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({
          auth: req.headers.authorization,
          key: req.headers['idempotency-key'] as string | undefined,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
        });
        const { status, body, delayMs } = reply;
        setTimeout(() => {
          if (!res.destroyed) {
            res.writeHead(status, { 'content-type': 'application/json' }).end(body);
          }
        }, delayMs ?? 0);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const gateway = (): HttpSmsGateway => new HttpSmsGateway({ url, token: 'secret-token', timeoutMs: 200 });
  const failure = async (): Promise<SmsSendError> => {
    try {
      await gateway().send('+77015550001', 'hello', 'K:1');
    } catch (e) {
      return e as SmsSendError;
    }
    throw new Error('expected a failure');
  };

  it('POSTs {to, text, idempotencyKey} with the bearer token; 2xx gives the id', async () => {
    reply = { status: 202, body: '{"messageId": 42}' };
    expect(await gateway().send('+77015550001', 'сәлем', 'APPLICATION_REGISTERED:x')).toEqual({
      providerMessageId: '42',
    });
    expect(seen.at(-1)).toEqual({
      auth: 'Bearer secret-token',
      key: 'APPLICATION_REGISTERED:x',
      body: { to: '+77015550001', text: 'сәлем', idempotencyKey: 'APPLICATION_REGISTERED:x' },
    });
  });

  it('4xx is permanent; 408/429, 5xx and timeouts are retried', async () => {
    reply = { status: 400, body: '{"error":"bad number"}' };
    expect(await failure()).toMatchObject({ permanent: true, uncertain: false });
    for (const status of [408, 429, 500, 503]) {
      reply = { status, body: '' };
      expect(await failure()).toMatchObject({
        permanent: false,
        uncertain: false,
        message: `sms http: HTTP ${status}`,
      });
    }
    reply = { status: 200, body: '{}', delayMs: 1000 };
    // The provider deduplicates by the key, so a resend after a timeout is safe: not "uncertain".
    expect(await failure()).toMatchObject({
      permanent: false,
      uncertain: false,
      message: 'sms http: no answer within 200 ms',
    });
  });
});
