import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';
import { advance, count, createOrg, publish, register, setClock } from '../utils/fixtures.js';

/**
 * Issue 15, item 4: the working calendar is the Labour Code's holidays generated for every year (with the
 * weekend transfers) plus the stored days an ADMIN edits; Constitution Day moved from 30 August to 15 March
 * (first observed 2027); /health and /metrics say when the next year is unconfirmed from 1 December.
 * One simulated clock from August 2026 to December 2027; each scenario in its own locality.
 */
const L = { aug: '752110000', mar: '752120000', newYear: '752130000' } as const;

const DAYS = `query($y: Int!) { calendarDays(year: $y) { date kind name } }`;
const YEAR = `query($y: Int!) { calendarYear(year: $y) { year kurbanAit confirmed confirmedAt } }`;
const CONFIRM_YEAR = `mutation($y: Int!, $k: String!) { confirmCalendarYear(year: $y, kurbanAit: $k) { year kurbanAit confirmed confirmedAt } }`;
const WORKING = `query($d: String!, $n: Int!) { workingDay(date: $d, n: $n) { date working plusWorkingDays } }`;
const REFERRAL_OF = `query($id: ID!) { application(id: $id) { id referral { id status issuedAt confirmBy } } }`;

interface Health {
  status: string;
  info: Record<string, Record<string, unknown>>;
}
const health = async (t: TestApp): Promise<Health> => {
  const res = await fetch(`${t.url}/health`);
  expect(res.status).toBe(200);
  return (await res.json()) as Health;
};
const gauge = async (t: TestApp): Promise<string[]> =>
  (await (await fetch(`${t.url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('kezek_calendar_next_year_unconfirmed'));

/**
 * Registers a child in `locality` and publishes one place there the day before `morning`, then lets the clock run
 * to `morning` 09:00:30 (bulletin at 09:00, then the allocation): the referral it issued.
 */
async function issueReferral(
  t: TestApp,
  locality: string,
  dayBefore: string,
  morning: string,
  admissionStartDate: string,
): Promise<{ issuedAt: string; confirmBy: string }> {
  expect(ok(await t.gql(`{ now }`)).now.slice(0, 10)).toBe(dayBefore);
  const org = await createOrg(t, `Calendar ${locality}`, locality);
  const app = await register(t, { locality, birthDate: '2023-03-10' });
  await publish(t, org, { admissionStartDate });
  await advance(t, `${morning}T09:00:30+05:00`);
  const d = ok(await t.gql(REFERRAL_OF, { id: app.id }, t.admin));
  expect(d.application.referral).toMatchObject({ status: 'OFFERED' });
  return d.application.referral;
}

describe('calendar rules (issue 15, item 4)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ simulation: '2026-08-28T10:00:00+05:00', env: { SCHEDULES: '0' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('the migration removed 30 August 2026 (and its Monday transfer) and 30 August 2027, added 15 March 2027, ledgered', async () => {
    const y2026 = ok(await t.gql(DAYS, { y: 2026 })).calendarDays as { date: string; kind: string }[];
    expect(y2026.map((d) => d.date)).not.toContain('2026-08-30');
    expect(y2026.map((d) => d.date)).not.toContain('2026-08-31');
    expect(y2026).toEqual(expect.arrayContaining([{ date: '2026-12-16', kind: 'HOLIDAY', name: expect.any(String) }]));
    const y2027 = ok(await t.gql(DAYS, { y: 2027 })).calendarDays as { date: string; kind: string; name: string }[];
    expect(y2027.find((d) => d.date === '2027-03-15')).toMatchObject({ kind: 'HOLIDAY', name: 'День Конституции Республики Казахстан' });
    expect(y2027.map((d) => d.date)).not.toContain('2027-08-30');
    const ledger: { type: string; entity_id: string; actor: string }[] = await t.ds.query(
      `SELECT type, entity_id, actor FROM ledger_event WHERE entity = 'calendar' AND actor = 'system:migration' ORDER BY seq`,
    );
    expect(ledger.map((e) => `${e.type} ${e.entity_id}`)).toEqual([
      'calendar.day_cleared 2026-08-30',
      'calendar.day_cleared 2026-08-31',
      'calendar.day_cleared 2027-08-30',
      'calendar.day_set 2027-03-15',
      'calendar.year_confirmed 2024',
      'calendar.year_confirmed 2025',
      'calendar.year_confirmed 2026',
    ]);
    expect(ok(await t.gql(`{ ledgerVerify { valid reason } }`)).ledgerVerify).toMatchObject({ valid: true });
  });

  it('years after 2027 are no longer plain weeks: 2028 has New Year with its transfers, 15 March, 7 January', async () => {
    const y2028 = ok(await t.gql(DAYS, { y: 2028 })).calendarDays as { date: string; kind: string }[];
    expect(y2028.slice(0, 4).map((d) => [d.date, d.kind])).toEqual([
      ['2028-01-01', 'HOLIDAY'],
      ['2028-01-02', 'HOLIDAY'],
      ['2028-01-03', 'TRANSFERRED_DAY_OFF'],
      ['2028-01-04', 'TRANSFERRED_DAY_OFF'],
    ]);
    expect(y2028.map((d) => d.date)).toEqual(expect.arrayContaining(['2028-01-07', '2028-03-15', '2028-12-16']));
    expect(y2028.map((d) => d.date)).not.toContain('2028-08-30');
    expect(ok(await t.gql(WORKING, { d: '2027-12-31', n: 2 })).workingDay).toEqual({
      date: '2027-12-31',
      working: true,
      plusWorkingDays: '2028-01-06',
    });
  });

  it('a priority claim made Fri 28 August 2026 has its proof due by the end of Fri 4 September (Mon 31 August is a working day now)', async () => {
    const app = await register(t, { locality: L.aug, priorityCategories: ['LARGE_FAMILY'] });
    const d = ok(await t.gql(`query($id: ID!) { application(id: $id) { claims { category dueAt } } }`, { id: app.id }, t.admin));
    // 5 working days: Mon 31 August, Tue 1 ... Fri 4 September → 5 September 00:00 Almaty (the old data: 8 September).
    expect(d.application.claims).toEqual([{ category: 'LARGE_FAMILY', dueAt: '2026-09-05T00:00:00.000+05:00' }]);
  });

  it('/health and the metric say from 1 December that 2027 is unconfirmed; an ADMIN confirms it (Kurban Ait), ledgered', async () => {
    await setClock(t, '2026-11-30T12:00:00+05:00');
    expect((await health(t)).info.calendar).toEqual({ status: 'up', nextYear: 2027, nextYearConfirmed: false });
    expect(await gauge(t)).toEqual(['kezek_calendar_next_year_unconfirmed{year="2027"} 0']);

    await setClock(t, '2026-12-02T10:00:00+05:00');
    const h = await health(t);
    expect(h.status).toBe('ok'); // advisory: never takes the process out of rotation
    expect(h.info.calendar).toMatchObject({
      status: 'up',
      nextYear: 2027,
      nextYearConfirmed: false,
      warning: expect.stringContaining('2027'),
    });
    expect(await gauge(t)).toEqual(['kezek_calendar_next_year_unconfirmed{year="2027"} 1']);
    expect(ok(await t.gql(YEAR, { y: 2027 })).calendarYear).toEqual({ year: 2027, kurbanAit: null, confirmed: false, confirmedAt: null });
    expect(ok(await t.gql(YEAR, { y: 2026 })).calendarYear).toMatchObject({ year: 2026, kurbanAit: '2026-05-27', confirmed: true });

    // Refusals change nothing: not an ADMIN; a date outside the year; not a date.
    const before = await count(t, `SELECT count(*) FROM ledger_event`);
    const staff = t.token({ role: 'ORG_STAFF', organizationId: '00000000-0000-4000-8000-000000000001' });
    expect(errorCode(await t.gql(CONFIRM_YEAR, { y: 2027, k: '2027-05-17' }, staff))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(CONFIRM_YEAR, { y: 2027, k: '2026-05-17' }, t.admin))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(CONFIRM_YEAR, { y: 2027, k: '2027-02-30' }, t.admin))).toBe('BAD_USER_INPUT');
    expect(await count(t, `SELECT count(*) FROM ledger_event`)).toBe(before);
    expect(await count(t, `SELECT count(*) FROM calendar_year WHERE year = 2027`)).toBe(0);

    // DUMK moved Kurban Ait by a day: 17 May 2027 replaces the stored estimate of 16 May.
    const y = ok(await t.gql(CONFIRM_YEAR, { y: 2027, k: '2027-05-17' }, t.admin)).confirmCalendarYear;
    expect(y).toMatchObject({ year: 2027, kurbanAit: '2027-05-17', confirmed: true });
    expect(new Date(y.confirmedAt).getTime() - Date.parse('2026-12-02T05:00:00Z')).toBeLessThan(60_000);
    const y2027 = ok(await t.gql(DAYS, { y: 2027 })).calendarDays as { date: string; kind: string }[];
    expect(y2027.filter((d) => d.date >= '2027-05-11' && d.date <= '2027-05-31')).toEqual([
      { date: '2027-05-17', kind: 'HOLIDAY', name: 'Курбан айт (первый день)' },
    ]);
    expect(ok(await t.gql(WORKING, { d: '2027-05-16', n: 1 })).workingDay).toMatchObject({ plusWorkingDays: '2027-05-18' });
    const events: { type: string; entity_id: string }[] = await t.ds.query(
      `SELECT type, entity_id FROM ledger_event WHERE entity = 'calendar' AND actor LIKE 'ADMIN%' ORDER BY seq`,
    );
    expect(events.map((e) => `${e.type} ${e.entity_id}`)).toEqual([
      'calendar.day_cleared 2027-05-16',
      'calendar.day_set 2027-05-17',
      'calendar.year_confirmed 2027',
    ]);

    const after = await health(t);
    expect(after.info.calendar).toEqual({ status: 'up', nextYear: 2027, nextYearConfirmed: true });
    expect(await gauge(t)).toEqual(['kezek_calendar_next_year_unconfirmed{year="2027"} 0']);
  });
});

/** Deadlines from referrals the daily allocation issues (a fresh app per scenario: the clock only moves forward). */
describe('calendar rules: referral deadlines in 2027 and 2028', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('a referral issued Fri 12 March 2027 skips Mon 15 March (the new Constitution Day): confirm by the end of Wed 17', async () => {
    t = await createTestApp({ simulation: '2027-03-11T10:00:00+05:00', env: { SCHEDULES: '0' } });
    const r = await issueReferral(t, L.mar, '2027-03-11', '2027-03-12', '2027-04-01');
    expect(r.issuedAt).toBe('2027-03-12T09:00:00.000+05:00');
    // 2 working days: Tue 16, Wed 17 → 18 March 00:00 Almaty (the old data gave 17 March 00:00).
    expect(r.confirmBy).toBe('2027-03-18T00:00:00.000+05:00');
  });

  it('a referral issued Fri 31 December 2027 09:00 must be confirmed by 2028-01-07 00:00 (New Year on the weekend moves)', async () => {
    t = await createTestApp({ simulation: '2027-12-30T10:00:00+05:00', env: { SCHEDULES: '0' } });
    const r = await issueReferral(t, L.newYear, '2027-12-30', '2027-12-31', '2028-02-01');
    expect((await health(t)).info.calendar).toMatchObject({ nextYear: 2028, nextYearConfirmed: false, warning: expect.any(String) });
    expect(r.issuedAt).toBe('2027-12-31T09:00:00.000+05:00');
    expect(r.confirmBy).toBe('2028-01-07T00:00:00.000+05:00');
  });
});
