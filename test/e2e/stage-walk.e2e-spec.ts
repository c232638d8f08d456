import { NotificationService } from '../../src/notification/notification.service.js';
import { render } from '../../src/notification/templates.js';
import { createTestApp, ok, type TestApp } from '../utils/app.js';
import { FakeMobizon } from '../utils/fake-sms-provider.js';
import { advance, createOrg, publish, register } from '../utils/fixtures.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const KAZAKH_LETTERS = /[әғқңөұүһі]/i;

/**
 * The whole life of four families, texted through a Mobizon-speaking server that first fails, then
 * times out, then recovers: every stage's text arrives exactly once, in the family's language.
 */
describe('stage walk: every stage texts the family once, in kk or ru, through a misbehaving gateway', () => {
  let t: TestApp;
  let sms: FakeMobizon;
  beforeAll(async () => {
    sms = await FakeMobizon.start('walk-key');
    t = await createTestApp({
      simulation: '2026-09-07T10:00:00+05:00',
      env: {
        SMS_PROVIDER: 'mobizon',
        SMS_MOBIZON_API_KEY: 'walk-key',
        SMS_MOBIZON_URL: sms.url,
        SMS_SENDER: 'Kezek',
        // After a timed-out send we wait SMS_UNCERTAIN_RETRY_MS before asking the provider whether it went out:
        // that wait must outlast the provider still working on the request (here it answers 400 ms after the
        // request, so 300 + 1000 ms leaves a wide margin). With 400 ms (less than the provider's 1 s) a retry
        // could look before the first send was recorded, and send it again — a real double text.
        SMS_HTTP_TIMEOUT_MS: '300',
        SMS_RETRY_BASE_MS: '50',
        SMS_UNCERTAIN_RETRY_MS: '1000',
      },
    });
    sms.slowMs = 400;
  });
  afterAll(async () => {
    await t?.close();
    await sms?.close();
  });

  it('registered → offered → reminder → confirmed → enrolled, and offered → expired → stop-listed → returned', async () => {
    sms.mode = 'fail';
    const org = await createOrg(t, 'Aqbota', '751110000');
    const phone = (n: number): string => `+7702111${String(1000 + n)}`;
    const fam = {
      a: { ...(await register(t, { notificationLanguage: 'kk', phone: phone(1) })), phone: phone(1) },
      b: { ...(await register(t, { notificationLanguage: 'ru', phone: phone(2) })), phone: phone(2) },
      c: { ...(await register(t, { notificationLanguage: 'kk', phone: phone(3) })), phone: phone(3) },
      d: { ...(await register(t, { notificationLanguage: 'ru', phone: phone(4) })), phone: phone(4) },
    };
    const svc = t.app.get(NotificationService);
    const attempt = async (ms: number): Promise<void> => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        await svc.deliverDue();
        await sleep(100);
      }
    };
    await attempt(800); // the provider answers 500
    await publish(t, org, { count: 4 });
    // Tue 8 Sep 09:00: four offers, confirm by the end of Thu 10. Wed 9 09:00: reminders.
    await advance(t, '2026-09-08T09:00:30+05:00');
    sms.mode = 'timeout';
    await attempt(1500); // the provider hangs past our 300 ms timeout
    await advance(t, '2026-09-09T09:00:30+05:00');
    const ref = async (id: string): Promise<string> =>
      ok(await t.gql(`query($id: ID!) { application(id: $id) { referral { id } } }`, { id }, t.admin)).application.referral.id;
    const staff = t.token({ role: 'ORG_STAFF', organizationId: org });
    for (const f of [fam.a, fam.b]) {
      const r = await ref(f.id);
      ok(
        await t.gql(
          `mutation($id: ID!) { confirmReferral(id: $id) { status } }`,
          { id: r },
          t.token({ role: 'APPLICANT', iin: f.applicantIin }),
        ),
      );
      ok(
        await t.gql(
          `mutation($id: ID!) { recordDocuments(referralId: $id, kinds: [BIRTH_CERTIFICATE, HEALTH_PASSPORT, VACCINATION_CARD, APPLICANT_ID]) { id } }`,
          { id: r },
          staff,
        ),
      );
      ok(await t.gql(`mutation($id: ID!) { enrollByReferral(id: $id) { status } }`, { id: r }, staff));
    }
    // c and d never answer: expired at 00:00 Fri 11, stop-listed to 20 Sep, back on 21 Sep 00:00.
    await advance(t, '2026-09-21T00:30:00+05:00');
    sms.mode = 'ok';

    const expected: Record<string, string[]> = {
      a: ['APPLICATION_REGISTERED', 'REFERRAL_OFFERED', 'DEADLINE_REMINDER', 'REFERRAL_CONFIRMED', 'ENROLLED'],
      b: ['APPLICATION_REGISTERED', 'REFERRAL_OFFERED', 'DEADLINE_REMINDER', 'REFERRAL_CONFIRMED', 'ENROLLED'],
      c: ['APPLICATION_REGISTERED', 'REFERRAL_OFFERED', 'DEADLINE_REMINDER', 'REFERRAL_EXPIRED_STOP_LISTED', 'STOP_LIST_ENDED'],
      d: ['APPLICATION_REGISTERED', 'REFERRAL_OFFERED', 'DEADLINE_REMINDER', 'REFERRAL_EXPIRED_STOP_LISTED', 'STOP_LIST_ENDED'],
    };
    type Row = { stage: string; language: string; text: string; status: string; phone: string };
    const rowsOf = (id: string): Promise<Row[]> =>
      t.ds.query(`SELECT stage, language, text, status, phone FROM notification WHERE application_id = $1 ORDER BY created_at, stage`, [
        id,
      ]);
    // Deliver (the worker's 3 s job runs too) until every text is SENT.
    for (let i = 0; i < 400; i++) {
      await svc.deliverDue();
      const pending: { n: number }[] = await t.ds.query(`SELECT count(*)::int AS n FROM notification WHERE status = 'PENDING'`);
      if (pending[0].n === 0) break;
      await sleep(50);
    }
    for (const [key, f] of Object.entries(fam)) {
      const rows = await rowsOf(f.id);
      expect(rows.map((r) => r.stage)).toEqual(expected[key]);
      const lang = key === 'a' || key === 'c' ? 'kk' : 'ru';
      for (const r of rows) {
        expect(r).toMatchObject({ language: lang, status: 'SENT' });
        // Each text names the application or the kindergarten.
        expect(r.text.includes(f.number) || r.text.includes('Aqbota')).toBe(true);
        expect(KAZAKH_LETTERS.test(r.text)).toBe(lang === 'kk');
      }
      // Exactly these texts reached the provider for this phone, each exactly once.
      const got = sms
        .to(f.phone)
        .map((m) => m.text)
        .sort();
      expect(got).toEqual(rows.map((r) => r.text).sort());
      expect(rows[0].text).toBe(
        render(lang, 'APPLICATION_REGISTERED', { number: f.number, queueNumber: Object.keys(fam).indexOf(key) + 1 }),
      );
    }
    for (const [, n] of sms.counts()) expect(n).toBe(1);
    // The gateway really misbehaved: failures and time-outs happened before the texts got through.
    expect(sms.requests.some((r) => r.mode === 'fail')).toBe(true);
    expect(sms.requests.some((r) => r.mode === 'timeout')).toBe(true);
  }, 240_000);
});
