import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { NotificationService } from '../../src/notification/notification.service.js';
import { makeIin } from '../../src/platform/identifiers/iin.js';
import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';
import { FakeMobizon } from '../utils/fake-sms-provider.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const INBOUND_TOKEN = 'inbound-secret-for-tests';

interface Offer {
  id: string;
  status: string;
  expiresAt: string;
  token: string | null;
  applicationNumber: string | null;
  application: { id: string; number: string; registeredAt: string } | null;
}
const OFFER = `id status expiresAt token applicationNumber application { id number registeredAt }`;

describe('proactive service: offer at birth, consent by SMS or code, lapse', () => {
  let t: TestApp;
  let sms: FakeMobizon;
  const logged: unknown[][] = [];
  const secrets: string[] = [];
  let serial = 0;

  beforeAll(async () => {
    for (const m of ['log', 'warn', 'error', 'debug', 'verbose'] as const) {
      jest.spyOn(Logger.prototype, m).mockImplementation(function (this: Logger, ...args: unknown[]) {
        logged.push(args);
      });
    }
    sms = await FakeMobizon.start('proactive-key');
    t = await createTestApp({
      simulation: '2026-03-02T10:00:00+05:00',
      env: {
        SMS_PROVIDER: 'mobizon',
        SMS_MOBIZON_API_KEY: 'proactive-key',
        SMS_MOBIZON_URL: sms.url,
        SMS_HTTP_TIMEOUT_MS: '500',
        SMS_RETRY_BASE_MS: '50',
        SMS_INBOUND_TOKEN: INBOUND_TOKEN,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await sms?.close();
    jest.restoreAllMocks();
  });

  function birth(lang: 'kk' | 'ru', extra: Record<string, unknown> = {}) {
    const n = ++serial;
    const input = {
      childIin: makeIin('2026-02-20', n % 2 ? 'M' : 'F', n),
      childName: `Нәресте ${n}`,
      applicantIin: makeIin('1992-05-05', 'F', n),
      phone: `+7701556${String(1000 + n)}`,
      locality: '751110000',
      notificationLanguage: lang,
      ...extra,
    };
    secrets.push(input.phone, input.phone.slice(1), input.childIin, input.applicantIin);
    return input;
  }

  async function registerBirth(input: Record<string, unknown>): Promise<Offer> {
    const o = ok(
      await t.gql<{ registerBirth: Offer }>(`mutation($i: BirthInput!) { registerBirth(input: $i) { ${OFFER} } }`, { i: input }, t.admin),
    ).registerBirth;
    if (o.token) secrets.push(o.token);
    return o;
  }

  async function drainUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      await t.app.get(NotificationService).deliverDue();
      if (await check()) return;
      await sleep(50);
    }
    throw new Error(`timed out waiting for: ${what}`);
  }

  const inbound = (body: unknown, token: string | null = INBOUND_TOKEN): Promise<Response> =>
    fetch(`${t.url}/sms/inbound`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { 'x-inbound-token': token }),
      },
      body: JSON.stringify(body),
    });

  const offerRow = async (id: string): Promise<{ status: string; application_id: string | null; answered_at: Date | null }> =>
    ((await t.ds.query(`SELECT status, application_id, answered_at FROM proactive_offer WHERE id = $1`, [id])) as never[])[0];
  const applicationsOf = async (childIin: string): Promise<{ id: string; registered_at: Date; created_by: string }[]> =>
    t.ds.query(`SELECT id, registered_at, created_by FROM application WHERE child_iin = $1`, [childIin]);

  it('registerBirth is for ADMIN and validates like registration', async () => {
    const q = `mutation($i: BirthInput!) { registerBirth(input: $i) { id } }`;
    const good = birth('kk');
    expect(errorCode(await t.gql(q, { i: good }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(q, { i: good }, t.token({ role: 'APPLICANT', iin: good.applicantIin })))).toBe('FORBIDDEN');
    const badIin = await t.gql(
      q,
      {
        i: {
          ...good,
          childIin: good.childIin.slice(0, 11) + String((Number(good.childIin[11]) + 1) % 10),
        },
      },
      t.admin,
    );
    expect(errorCode(badIin)).toBe('BAD_USER_INPUT');
    expect(badIin.errors?.[0].message).toMatch(/^childIin/);
    expect(errorCode(await t.gql(q, { i: { ...good, phone: '+79161234567' } }, t.admin))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(q, { i: { ...good, locality: '7511' } }, t.admin))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(q, { i: { ...good, childIin: makeIin('2019-01-01', 'M', 5) } }, t.admin))).toBe('BAD_USER_INPUT');
    const n: { n: number }[] = await t.ds.query(`SELECT count(*)::int AS n FROM proactive_offer`);
    expect(n[0].n).toBe(0);
  });

  let first: { input: ReturnType<typeof birth>; offer: Offer };

  it('texts the parent an offer with a one-time code; only its hash is stored', async () => {
    const input = birth('kk');
    const offer = await registerBirth(input);
    first = { input, offer };
    expect(offer).toMatchObject({
      status: 'PENDING',
      expiresAt: '2026-03-10T00:00:00.000+05:00',
      application: null,
    });
    expect(offer.token).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    const token = offer.token ?? '';
    const [row] = (await t.ds.query(`SELECT token_hash, payload::text AS payload FROM proactive_offer WHERE id = $1`, [offer.id])) as {
      token_hash: string;
      payload: string;
    }[];
    expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(row.payload).not.toContain(token);
    await drainUntil('offer text at the provider', () => sms.to(input.phone).length === 1);
    const [m] = sms.to(input.phone);
    expect(m.text).toBe(
      `Kezek: балаңызды балабақшаға кезекке қоюды ұсынамыз. Келісу үшін 1 немесе «иә», бас тарту үшін 0 немесе «жоқ» деп жауап беріңіз. Код: ${token}. Жауап берудің соңғы күні — 09.03.2026.`,
    );
    const [n] = (await t.ds.query(`SELECT stage, idempotency_key, offer_id, application_id FROM notification WHERE offer_id = $1`, [
      offer.id,
    ])) as {
      stage: string;
      idempotency_key: string;
      offer_id: string;
      application_id: string | null;
    }[];
    expect(n).toEqual({
      stage: 'PROACTIVE_OFFER',
      idempotency_key: `PROACTIVE_OFFER:${offer.id}`,
      offer_id: offer.id,
      application_id: null,
    });
    // One live offer per child.
    const again = await t.gql(`mutation($i: BirthInput!) { registerBirth(input: $i) { id } }`, { i: input }, t.admin);
    expect(errorCode(again)).toBe('CONFLICT');
  });

  it('the webhook refuses a wrong or missing X-Inbound-Token (401) and changes nothing', async () => {
    for (const token of ['wrong', null]) {
      const res = await inbound({ from: first.input.phone, text: 'иә' }, token);
      expect(res.status).toBe(401);
    }
    expect((await offerRow(first.offer.id)).status).toBe('PENDING');
    expect(await applicationsOf(first.input.childIin)).toHaveLength(0);
  });

  it('anything that is not an answer gets a help text; an unknown phone gets nothing', async () => {
    const res = await inbound({ from: first.input.phone, text: 'Бұл не?' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'help' });
    expect((await offerRow(first.offer.id)).status).toBe('PENDING');
    await drainUntil('help text', () => sms.to(first.input.phone).length === 2);
    expect(sms.to(first.input.phone)[1].text).toBe(
      'Kezek: жауабыңыз танылмады. Келісу үшін 1 немесе «иә», бас тарту үшін 0 немесе «жоқ» деп жауап беріңіз.',
    );
    const other = await inbound({ from: '+77019990000', text: 'иә' });
    expect(await other.json()).toEqual({ status: 'no_offer' });
    const bad = await inbound({ from: first.input.phone });
    expect(bad.status).toBe(400);
  });

  it('"Иә!" from that phone registers the application with the time of the answer', async () => {
    const { now } = ok(await t.gql<{ now: string }>(`{ now }`));
    // The provider may send the number in national form: 8 701 …
    const res = await inbound({ from: `8${first.input.phone.slice(2)}`, text: '  Иә! ' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted' });
    const row = await offerRow(first.offer.id);
    expect(row.status).toBe('ACCEPTED');
    const apps = await applicationsOf(first.input.childIin);
    expect(apps).toHaveLength(1);
    expect(row.application_id).toBe(apps[0].id);
    const registeredAt = apps[0].registered_at.getTime();
    expect(registeredAt).toBeGreaterThanOrEqual(new Date(now).getTime());
    expect(registeredAt - new Date(now).getTime()).toBeLessThan(60_000);
    expect(row.answered_at?.getTime()).toBe(registeredAt);

    const parent = t.token({ role: 'APPLICANT', iin: first.input.applicantIin });
    const mine = ok(
      await t.gql<{
        myApplications: {
          id: string;
          status: string;
          childName: string;
          phone: string;
          language: string;
          notificationLanguage: string;
          desiredAdmissionDate: string;
        }[];
      }>(`{ myApplications { id status childName phone language notificationLanguage desiredAdmissionDate } }`, {}, parent),
    ).myApplications;
    expect(mine).toEqual([
      {
        id: apps[0].id,
        status: 'QUEUED',
        childName: first.input.childName,
        phone: first.input.phone,
        language: 'KK',
        notificationLanguage: 'kk',
        desiredAdmissionDate: '2027-02-20',
      },
    ]);
    // The parent sees every text of it: the offer, the help, the registration.
    await drainUntil('registration text', () => sms.to(first.input.phone).length === 3);
    expect(sms.to(first.input.phone)[2].text).toMatch(/^Kezek: \S+ өтініші тіркелді\./);
    const texts = ok(
      await t.gql<{ notifications: { stage: string }[] }>(
        `query($id: ID!) { notifications(applicationId: $id) { stage } }`,
        { id: apps[0].id },
        parent,
      ),
    ).notifications;
    expect(texts.map((x) => x.stage)).toEqual(['PROACTIVE_OFFER', 'PROACTIVE_HELP', 'APPLICATION_REGISTERED']);
  });

  it('a used code cannot be replayed; an unknown code is NOT_FOUND; nothing changes', async () => {
    const m = `mutation($t: String!, $c: Boolean!) { answerProactiveOffer(token: $t, consent: $c) { ${OFFER} } }`;
    const replay = await t.gql(m, { t: first.offer.token, c: true });
    expect(errorCode(replay)).toBe('CONFLICT');
    expect(errorCode(await t.gql(m, { t: (first.offer.token ?? '').toLowerCase(), c: false }))).toBe('CONFLICT');
    expect(errorCode(await t.gql(m, { t: 'ZZZZ2222', c: true }))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(m, { t: 'not a code', c: true }))).toBe('NOT_FOUND');
    expect((await offerRow(first.offer.id)).status).toBe('ACCEPTED');
    expect(await applicationsOf(first.input.childIin)).toHaveLength(1);
    // A second "yes" by SMS finds no live offer.
    expect(await (await inbound({ from: first.input.phone, text: '1' })).json()).toEqual({
      status: 'no_offer',
    });
  });

  it('consent is one transaction: if marking the offer answered fails, no application is left behind', async () => {
    const m = `mutation($t: String!, $c: Boolean!) { answerProactiveOffer(token: $t, consent: $c) { ${OFFER} } }`;
    const input = birth('kk');
    const o = await registerBirth(input);
    // A crash between the registration and the offer update, made deterministic by a trigger.
    await t.ds.query(
      `CREATE FUNCTION zz_fail_offer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
    );
    await t.ds.query(`CREATE TRIGGER zz_fail_offer BEFORE UPDATE ON proactive_offer FOR EACH ROW EXECUTE FUNCTION zz_fail_offer()`);
    try {
      expect(errorCode(await t.gql(m, { t: o.token, c: true }))).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await t.ds.query(`DROP TRIGGER zz_fail_offer ON proactive_offer`);
      await t.ds.query(`DROP FUNCTION zz_fail_offer()`);
    }
    expect(await applicationsOf(input.childIin)).toHaveLength(0);
    expect(await offerRow(o.id)).toMatchObject({ status: 'PENDING', application_id: null });
    // The family answers again and is registered once.
    const r = ok(await t.gql<{ answerProactiveOffer: Offer }>(m, { t: o.token, c: true })).answerProactiveOffer;
    expect(r.status).toBe('ACCEPTED');
    expect(await applicationsOf(input.childIin)).toHaveLength(1);
  });

  it('the code answers too: refusal changes nothing else; consent shows the application to ADMIN only', async () => {
    const m = `mutation($t: String!, $c: Boolean!) { answerProactiveOffer(token: $t, consent: $c) { ${OFFER} } }`;
    const refused = birth('ru');
    const o1 = await registerBirth(refused);
    const r1 = ok(await t.gql<{ answerProactiveOffer: Offer }>(m, { t: o1.token, c: false })).answerProactiveOffer;
    expect(r1).toMatchObject({
      id: o1.id,
      status: 'REFUSED',
      token: null,
      application: null,
      applicationNumber: null,
    });
    expect(await applicationsOf(refused.childIin)).toHaveLength(0);
    await drainUntil('ru offer text', () => sms.to(refused.phone).length === 1);
    expect(sms.to(refused.phone)[0].text).toMatch(
      /^Kezek: предлагаем поставить вашего ребёнка в очередь в детский сад\. .* Ответить можно до 09\.03\.2026 включительно\.$/,
    );

    const accepted = birth('ru', {
      desiredAdmissionDate: '2027-09-01',
      workModes: ['FULL_DAY', 'HALF_DAY'],
    });
    const o2 = await registerBirth(accepted);
    const r2 = ok(
      await t.gql<{ answerProactiveOffer: Offer }>(m, {
        t: ` ${(o2.token ?? '').toLowerCase()} `,
        c: true,
      }),
    ).answerProactiveOffer;
    expect(r2.status).toBe('ACCEPTED');
    expect(r2.applicationNumber).toMatch(/\S/);
    expect(r2.application).toBeNull(); // anonymous caller: no personal data
    const asAdmin = ok(
      await t.gql<{ proactiveOffer: Offer }>(`query($id: ID!) { proactiveOffer(id: $id) { ${OFFER} } }`, { id: o2.id }, t.admin),
    ).proactiveOffer;
    expect(asAdmin.application?.number).toBe(r2.applicationNumber);
    const [app] = (await t.ds.query(
      `SELECT desired_admission_date::text AS d, work_modes, notification_language FROM application WHERE number = $1`,
      [r2.applicationNumber],
    )) as { d: string; work_modes: string[]; notification_language: string }[];
    expect(app).toEqual({
      d: '2027-09-01',
      work_modes: ['FULL_DAY', 'HALF_DAY'],
      notification_language: 'ru',
    });
  });

  it('an offer lapses after 7 calendar days (00:00 task); its code and phone no longer answer', async () => {
    const input = birth('kk');
    const offer = await registerBirth(input);
    ok(await t.gql(`mutation { advanceClock(to: "2026-03-09T23:59:00+05:00") }`, {}, t.admin));
    expect((await offerRow(offer.id)).status).toBe('PENDING');
    ok(await t.gql(`mutation { advanceClock(to: "2026-03-10T00:00:30+05:00") }`, {}, t.admin));
    expect((await offerRow(offer.id)).status).toBe('EXPIRED');
    const m = `mutation($t: String!) { answerProactiveOffer(token: $t, consent: true) { id } }`;
    expect(errorCode(await t.gql(m, { t: offer.token }))).toBe('CONFLICT');
    expect(await (await inbound({ from: input.phone, text: 'иә' })).json()).toEqual({
      status: 'no_offer',
    });
    expect(await applicationsOf(input.childIin)).toHaveLength(0);
    // A new offer for the child is possible again.
    const again = await registerBirth(input);
    expect(again.status).toBe('PENDING');
  });

  it('the ledger records offers without personal data; logs hold no numbers, IINs or codes', async () => {
    const events: { type: string; data: unknown; actor: string }[] = await t.ds.query(
      `SELECT type, data, actor FROM ledger_event WHERE entity = 'proactive_offer' ORDER BY seq`,
    );
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['proactive_offer.created', 'proactive_offer.accepted', 'proactive_offer.refused', 'proactive_offer.expired']),
    );
    const dump = JSON.stringify(events);
    expect(logged.length).toBeGreaterThan(0);
    const all = JSON.stringify(logged);
    for (const s of secrets) {
      expect(dump).not.toContain(s);
      expect(all).not.toContain(s);
    }
  });
});

describe('proactive service: webhook without SMS_INBOUND_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ worker: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is switched off (503), whatever token is sent', async () => {
    const res = await fetch(`${t.url}/sms/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-inbound-token': '' },
      body: JSON.stringify({ from: '+77015550000', text: 'иә' }),
    });
    expect(res.status).toBe(503);
  });
});
