import { rmSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { signToken } from '../../src/auth/jwt.js';
import { makeBin, makeIin } from '../../src/platform/identifiers/iin.js';
import { childEnv, ensureBuilt, freePort, gqlAt, startServer, tempDir, type ServerProcess } from '../utils/process.js';

/**
 * No personal data in logs: the built server (`node dist/src/main.js`) at LOG_LEVEL=debug, SMS through
 * the log adapter, driven through registrations (by the applicant and by ADMIN, refused and accepted),
 * a proactive offer answered by token and by SMS reply, a referral issued at the 09:00 bulletin,
 * confirmed, and its texts delivered. Then every line the process wrote (stdout and stderr) is
 * searched for every IIN, phone number (+77011234567, 87011234567, 7011234567, 701 123 45 67) and
 * child name used: none may appear. Anonymous answers are searched too.
 */

const SECRET = 'privacy-test-secret-0123456789-abcdef';
const INBOUND = 'privacy-inbound-token';
const run = process.env.KEZEK_TEST_RUN ?? 'local';
const L = '751110000';

/** Every way a phone number may be written in a log line. */
function phoneForms(e164: string): string[] {
  const n = e164.slice(2); // 10 digits, 7XXXXXXXXX
  return [e164, `7${n}`, `8${n}`, n, `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6, 8)} ${n.slice(8)}`];
}

describe('privacy: no personal data in logs or anonymous answers', () => {
  let server: ServerProcess;
  let dir: string;
  const prefix = `v${run}${process.pid}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = signToken(SECRET, { sub: 'privacy-admin', role: 'ADMIN' });

  // The people of this test. Child names are unusual words so that a hit is never a coincidence.
  const parent = { iin: makeIin('1989-11-12', 'F', 4711), phone: '+77015550123' };
  const other = { iin: makeIin('1985-02-03', 'M', 4712), phone: '+77475550456' };
  const newbornParent = { iin: makeIin('1993-08-09', 'F', 4713), phone: '+77055550789' };
  const children = [
    { iin: makeIin('2023-03-15', 'M', 4721), name: 'Zhanibekqyzylorda Testov' },
    { iin: makeIin('2023-05-20', 'F', 4722), name: 'Aruzhanbeisenova Privatova' },
    { iin: makeIin('2023-07-25', 'M', 4723), name: 'Temirlanqoshqar Secretov' },
    { iin: makeIin('2025-08-01', 'F', 4724), name: 'Ainuramangystau Newbornova' },
    { iin: makeIin('2025-07-07', 'M', 4725), name: 'Nurasylkostanay Replyov' },
    { iin: makeIin('2023-09-30', 'F', 4726), name: 'Dilnazkarkaraly Racingova' },
  ];
  const secrets = [
    parent.iin,
    other.iin,
    newbornParent.iin,
    ...phoneForms(parent.phone),
    ...phoneForms(other.phone),
    ...phoneForms(newbornParent.phone),
    ...children.flatMap((c) => [c.iin, c.name, c.name.split(' ')[0]]),
  ];

  const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) => gqlAt(server.url, query, variables, token);
  const REGISTER = `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id number } }`;
  const input = (
    c: { iin: string; name: string },
    p: { iin: string; phone: string },
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> => ({
    childIin: c.iin,
    childName: c.name,
    applicantIin: p.iin,
    phone: p.phone,
    locality: L,
    language: 'KK',
    desiredAdmissionDate: '2025-09-01',
    ...extra,
  });

  beforeAll(async () => {
    ensureBuilt();
    const adminUrl = process.env.KEZEK_TEST_ADMIN_URL;
    if (!adminUrl) throw new Error('test/global-setup.ts did not run');
    const db = `kezek_priv_${run}_${process.pid}`; // dropped by global-teardown (name has the run id)
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    await a.query(`CREATE DATABASE ${db}`);
    await a.end();
    const u = new URL(adminUrl);
    u.pathname = `/${db}`;
    dir = tempDir('kezek-privacy-');
    server = startServer(
      childEnv({
        DATABASE_URL: u.toString(),
        REDIS_URL: process.env.REDIS_URL,
        JOBS_PREFIX: prefix,
        JWT_SECRET: SECRET,
        DATA_DIR: dir,
        PORT: String(await freePort()),
        LOG_LEVEL: 'debug',
        SMS_PROVIDER: 'log',
        SMS_INBOUND_TOKEN: INBOUND,
        SIMULATION: '1',
        SIMULATION_START: '2026-09-07T10:00:00+05:00',
      }),
    );
    await server.waitHealthy(120_000);
  }, 300_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (process.env.REDIS_URL) {
      const redis = new Redis(process.env.REDIS_URL);
      const keys: string[] = [];
      for await (const batch of redis.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>) keys.push(...batch);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });

  it('drives registrations, an offer, a referral and texts; the whole log holds none of their personal data', async () => {
    const org = await gql(
      `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
      { i: { name: 'Privacy kindergarten', bin: makeBin('2006', 4701), locality: L } },
      admin,
    );
    expect(org.errors).toBeUndefined();
    const orgId = org.data!.createOrganization.id as string;
    const applicant = signToken(SECRET, { sub: 'privacy-parent', role: 'APPLICANT', iin: parent.iin });
    const staff = signToken(SECRET, { sub: 'privacy-staff', role: 'ORG_STAFF', organizationId: orgId });

    // Accepted: the applicant for two children, ADMIN for another family.
    const a1 = await gql(REGISTER, { i: input(children[0], parent) }, applicant);
    expect(a1.errors).toBeUndefined();
    const a2 = await gql(REGISTER, { i: input(children[1], parent, { priorityCategories: [] }) }, applicant);
    expect(a2.errors).toBeUndefined();
    const b1 = await gql(REGISTER, { i: input(children[2], other) }, admin);
    expect(b1.errors).toBeUndefined();
    // Refused, in ways that put personal data in error paths: duplicate child, someone else's IIN,
    // a bad phone, a phone of the wrong JSON type, an unknown field.
    const refusals = [
      await gql(REGISTER, { i: input(children[0], parent) }, applicant),
      await gql(REGISTER, { i: input(children[2], other) }, applicant),
      await gql(REGISTER, { i: input(children[3], parent, { phone: `+7999${parent.phone.slice(5)}` }) }, applicant),
      await gql(REGISTER, { i: input(children[3], parent, { phone: Number(parent.phone.slice(2)) }) }, applicant),
      await gql(REGISTER, { i: { ...input(children[3], parent), childIinTypo: children[3].iin } }, applicant),
      await gql(REGISTER, { i: input({ iin: children[3].iin.slice(0, 11) + '0', name: children[3].name }, parent) }, admin),
    ];
    for (const r of refusals) expect(r.errors?.[0].extensions?.code).toMatch(/^(CONFLICT|FORBIDDEN|BAD_USER_INPUT)$/);
    // The same child registered eight times at once: the losers of the race hit the database's unique
    // index (its error carries the statement's parameters: IINs, name, phone).
    const race = await Promise.all(Array.from({ length: 8 }, () => gql(REGISTER, { i: input(children[5], parent) }, applicant)));
    expect(race.filter((r) => !r.errors).length).toBe(1);
    for (const r of race.filter((x) => x.errors)) expect(r.errors?.[0].extensions?.code).toBe('CONFLICT');

    // A proactive offer answered by its code, another by SMS reply.
    const offer = await gql(
      `mutation($i: BirthInput!) { registerBirth(input: $i) { id token } }`,
      {
        i: {
          childIin: children[3].iin,
          childName: children[3].name,
          applicantIin: newbornParent.iin,
          phone: newbornParent.phone,
          locality: L,
        },
      },
      admin,
    );
    expect(offer.errors).toBeUndefined();
    const answered = await gql(`mutation($t: String!) { answerProactiveOffer(token: $t, consent: true) { status applicationNumber } }`, {
      t: offer.data!.registerBirth.token,
    });
    expect(answered.data?.answerProactiveOffer.status).toBe('ACCEPTED');
    const offer2 = await gql(
      `mutation($i: BirthInput!) { registerBirth(input: $i) { id } }`,
      { i: { childIin: children[4].iin, childName: children[4].name, applicantIin: other.iin, phone: other.phone, locality: L } },
      admin,
    );
    expect(offer2.errors).toBeUndefined();
    for (const text of ['maybe', 'иә']) {
      const reply = await fetch(`${server.url}/sms/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-inbound-token': INBOUND },
        body: JSON.stringify({ from: other.phone, text }),
      });
      expect(reply.status).toBe(200);
    }
    const wrongToken = await fetch(`${server.url}/sms/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-inbound-token': 'wrong' },
      body: JSON.stringify({ from: parent.phone, text: '1' }),
    });
    expect(wrongToken.status).toBe(401);

    // A place, the 09:00 bulletin, a referral to the first child, confirmed; its texts delivered.
    const pub = await gql(
      `mutation($i: [PublishVacancyInput!]!) { publishVacancies(input: $i) { id } }`,
      {
        i: [
          {
            organizationId: orgId,
            ageGroup: 'Middle',
            language: 'KK',
            ageFromMonths: 12,
            ageToMonths: 60,
            groupType: 'GENERAL',
            workMode: 'FULL_DAY',
            admissionMode: 'GENERAL',
            admissionStartDate: '2026-09-01',
            count: 1,
          },
        ],
      },
      staff,
    );
    expect(pub.errors).toBeUndefined();
    const adv = await gql(`mutation { advanceClock(to: "2026-09-08T09:00:30+05:00") }`, {}, admin);
    expect(adv.errors).toBeUndefined();
    const app1 = await gql(
      `query($id: ID!) { application(id: $id) { status referral { id } } }`,
      { id: a1.data!.registerApplication.id },
      applicant,
    );
    expect(app1.data?.application.status).toBe('REFERRED');
    const confirmed = await gql(
      `mutation($id: ID!) { confirmReferral(id: $id) { status } }`,
      { id: app1.data!.application.referral.id },
      applicant,
    );
    expect(confirmed.data?.confirmReferral.status).toBe('CONFIRMED');
    const seen = await gql(
      `query($id: ID!) { referral(id: $id) { application { childName } } }`,
      { id: app1.data!.application.referral.id },
      staff,
    );
    expect(seen.data?.referral.application.childName).toBe(children[0].name);

    // Anonymous answers: queue position by number, bulletin, places, ledger.
    const anonymous = [
      await gql(
        `query($n: String) { queuePosition(number: $n) { applicationId number queueNumber total aheadByClass { count } positionsByOrganization { organizationName ahead } } }`,
        { n: a2.data!.registerApplication.number },
      ),
      await gql(`{ bulletin(date: "2026-09-08", kind: VACATED) { position vacancy { id referral { id } organization { name } } } }`),
      await gql(`{ vacancies(first: 10) { edges { node { id referral { id application { childName } } } } } }`),
      await gql(`{ ledgerHead { length headHash } ledgerVerify { valid } }`),
      await gql(`query($id: ID!) { application(id: $id) { childName } }`, { id: a1.data!.registerApplication.id }),
    ];
    expect(anonymous[0].errors).toBeUndefined();
    for (const r of anonymous) {
      const body = JSON.stringify(r);
      expect(secrets.filter((s) => body.includes(s))).toEqual([]);
    }

    // Wait until every text is out (log adapter), then stop the server and read all it wrote.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const n = await gql(
        `query($id: ID!) { notifications(applicationId: $id) { stage status } }`,
        { id: a1.data!.registerApplication.id },
        admin,
      );
      const list = (n.data?.notifications ?? []) as { stage: string; status: string }[];
      if (list.some((x) => x.stage === 'REFERRAL_CONFIRMED') && list.every((x) => x.status !== 'PENDING')) break;
      if (Date.now() > deadline) throw new Error(`texts not delivered: ${JSON.stringify(list)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const stopped = await server.stop('SIGINT', 15_000);
    expect(stopped.code).toBe(0);
    const log = `${server.stdout()}\n${server.stderr()}`;
    if (process.env.PRIVACY_LOG) writeFileSync(process.env.PRIVACY_LOG, log); // to read what was logged
    // The log did record the activity (so an empty log cannot pass).
    expect(log).toMatch(/sms \(log adapter\)/);
    expect(log).toMatch(/"level":20/); // debug lines
    expect(log.split('\n').length).toBeGreaterThan(30);
    const leaks = secrets
      .filter((s) => log.includes(s))
      .map((s) => {
        const i = log.indexOf(s);
        return `${s}: …${log.slice(Math.max(0, i - 160), i + s.length + 40)}…`;
      });
    expect(leaks).toEqual([]);
  }, 240_000);
});
