import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { asCsvRecord, parseCsvObjects, pseudonym, pseudonymKey } from '../../src/opendata/domain/index.js';
import { OpenDataService } from '../../src/opendata/opendata.service.js';
import { JWT_SECRET } from '../../src/platform/database/database.tokens.js';
import { createTestApp, ok, type TestApp } from '../utils/app.js';
import { advance, applicationInput, count, createOrg, LOCALITY, publish } from '../utils/fixtures.js';

interface Registered {
  id: string;
  number: string;
  input: Record<string, unknown>;
  birthDate: string;
}

interface ExportJson {
  date: string;
  kind: string;
  generatedAt: string;
  ledgerHead: string;
  ledgerLength: number;
  rows: Record<string, unknown>[];
}

const FILES = ['queues.csv', 'queues.json', 'bulletins.csv', 'bulletins.json'] as const;
const OTHER_LOCALITY = '751210000';

describe('open data: daily pseudonymized queue order and bulletins (simulated clock)', () => {
  let t: TestApp;
  let org: string;
  const apps: Registered[] = [];
  const bodies: string[] = [];

  /** The pseudonym the export gives an application: the key derived exactly as OpenDataService derives it. */
  let pseudo: (applicationId: string) => string;

  /**
   * The export's row of every QUEUED application, found without the pseudonym: queuePosition(number:)
   * gives its queue (locality, cohort) and queue number, which identify one row of the day's file.
   * Asserts there is exactly one row per queued application, with that application's pseudonym.
   */
  async function rowsByApplication(e: ExportJson): Promise<Map<string, Record<string, unknown>>> {
    const queued: { id: string; number: string }[] = await t.ds.query(`SELECT id, number FROM application WHERE status = 'QUEUED'`);
    expect(e.rows).toHaveLength(queued.length);
    const out = new Map<string, Record<string, unknown>>();
    for (const q of queued) {
      const pos = ok(await t.gql(`query($n: String) { queuePosition(number: $n) { locality cohort queueNumber } }`, { n: q.number }));
      const { locality, cohort, queueNumber } = pos.queuePosition as { locality: string; cohort: number; queueNumber: number };
      const row = e.rows.filter((r) => r.locality === locality && r.cohort === cohort && r.queue_number === queueNumber);
      expect(row).toHaveLength(1);
      expect(row[0].pseudonym).toBe(pseudo(q.id));
      out.set(q.id, row[0]);
    }
    return out;
  }

  const get = async (path: string): Promise<{ status: number; body: string; headers: Headers }> => {
    const res = await fetch(`${t.url}${path}`);
    const body = await res.text();
    bodies.push(body);
    return { status: res.status, body, headers: res.headers };
  };
  const getJson = async (date: string, kind: 'queues' | 'bulletins'): Promise<ExportJson> => {
    const r = await get(`/opendata/${date}/${kind}.json`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    return JSON.parse(r.body) as ExportJson;
  };

  async function registerApp(birthDate: string, extra: Record<string, unknown> = {}): Promise<Registered> {
    const input = { ...applicationInput({ birthDate }), ...extra };
    input.childName = `Айгерім Тестова ${String(input.childIin).slice(-5)}`;
    const d = ok(
      await t.gql(`mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id number } }`, { i: input }, t.admin),
    );
    const r = { ...(d.registerApplication as { id: string; number: string }), input, birthDate };
    apps.push(r);
    return r;
  }

  beforeAll(async () => {
    // Monday 2026-09-07, 10:00 Almaty; files also written to DATA_DIR/opendata/<date>/.
    t = await createTestApp({ simulation: '2026-09-07T10:00:00+05:00', env: { OPEN_DATA_DIR: 'opendata' } });
    org = await createOrg(t, 'Балапан "Күншуақ", филиал', LOCALITY);
    const key = pseudonymKey(t.ctx.config.OPEN_DATA_SALT, t.app.get<string>(JWT_SECRET));
    pseudo = (applicationId) => pseudonym(key, applicationId);
  });
  afterAll(async () => {
    await t.close();
  });

  let day1: ExportJson;
  let day1ByApp: Map<string, Record<string, unknown>>;

  it('day 1: registrations and hand-overs; today is served live; bad dates, future dates and unfrozen days are refused', async () => {
    await registerApp('2023-01-17');
    await registerApp('2023-02-23', { organizationIds: [org] });
    const military = await registerApp('2023-04-11', { priorityCategories: ['MILITARY'] });
    const large = await registerApp('2023-05-29', { priorityCategories: ['LARGE_FAMILY'] });
    await registerApp('2023-07-13', { language: 'RU' });
    await registerApp('2022-06-19');
    await registerApp('2022-08-02');
    await registerApp('2023-03-03', { locality: OTHER_LOCALITY });
    for (const [a, c] of [
      [military, 'MILITARY'],
      [large, 'LARGE_FAMILY'],
    ] as const) {
      ok(
        await t.gql(
          `mutation($id: ID!, $c: String!) { confirmPriority(applicationId: $id, category: $c, confirmed: true) { priorityClass } }`,
          { id: a.id, c },
          t.admin,
        ),
      );
    }
    const staff = t.token({ role: 'ORG_STAFF', organizationId: org });
    await publish(t, org, {}, staff);
    const [toRevoke] = await publish(t, org, { ageGroup: 'Older', language: 'RU', workMode: 'HALF_DAY' }, staff);
    ok(await t.gql(`mutation($id: ID!) { revokeVacancy(id: $id, reason: "repairs") { status } }`, { id: toRevoke }, staff));

    day1 = await getJson('2026-09-07', 'queues');
    expect(day1.date).toBe('2026-09-07');
    expect(day1.rows).toHaveLength(apps.length);
    expect(day1.generatedAt).toMatch(/^2026-09-07T10:\d\d:\d\d\.\d{3}\+05:00$/);
    // Queues in (locality, cohort) order: 751110000/2022, 751110000/2023, 751210000/2023.
    expect(day1.rows.map((r) => `${String(r.locality)}/${String(r.cohort)}`)).toEqual([
      ...Array(2).fill(`${LOCALITY}/2022`),
      ...Array(5).fill(`${LOCALITY}/2023`),
      `${OTHER_LOCALITY}/2023`,
    ]);
    // Out of turn first, then class 1 on the first slot of the 1 : 3 cycle.
    const q2023 = day1.rows.filter((r) => r.locality === LOCALITY && r.cohort === 2023);
    expect(q2023.map((r) => [r.queue_number, r.priority_class])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 2],
      [5, 2],
    ]);
    expect(q2023[0].pseudonym).toBe(pseudo(military.id));
    expect(q2023[1].pseudonym).toBe(pseudo(large.id));
    expect(day1.rows.find((r) => r.pseudonym === pseudo(apps[1].id))?.organization_choices).toEqual([org]);
    // Today's live file agrees with queuePosition too, row by row.
    day1ByApp = await rowsByApplication(day1);
    expect(new Set(day1.rows.map((r) => r.pseudonym)).size).toBe(day1.rows.length);

    expect((await get('/opendata/2026-09-08/queues.csv')).status).toBe(404); // future
    const unfrozen = await get('/opendata/2026-09-06/queues.json');
    expect(unfrozen.status).toBe(404);
    expect(unfrozen.body).toMatch(/not frozen/);
    // Bulletins never change once published: a past day without a snapshot is rebuilt (here: none published).
    const pastBulletins = await getJson('2026-09-06', 'bulletins');
    expect(pastBulletins.rows).toEqual([]);
    for (const bad of ['2026-02-30', '2026-9-7', 'yesterday', '20260907']) {
      const r = await get(`/opendata/${bad}/queues.csv`);
      expect(r.status).toBe(400);
      expect(r.body).toMatch(/date/);
    }
    expect((await get('/opendata/2026-09-07/queues.xml')).status).toBe(404);
    expect((await get('/opendata/2026-09-07/applications.csv')).status).toBe(404);
  });

  let day2Queues: ExportJson;

  it('day 2 after 09:00: the four files agree with the bulletins and queuePosition; CSV equals JSON; the day is frozen', async () => {
    await advance(t, '2026-09-08T09:00:30+05:00');
    day2Queues = await getJson('2026-09-08', 'queues');
    const bulletins = await getJson('2026-09-08', 'bulletins');

    // Allocation at 09:00 referred one application: it has left the export.
    const queued: { id: string }[] = await t.ds.query(`SELECT id FROM application WHERE status = 'QUEUED'`);
    expect(queued.length).toBe(apps.length - 1);
    expect(day2Queues.rows.map((r) => r.pseudonym).sort()).toEqual(queued.map((q) => pseudo(q.id)).sort());
    // Every row's queue_number is what queuePosition answers for the application of that pseudonym.
    const day2ByApp = await rowsByApplication(day2Queues);

    // Bulletins: both places in VACATED (a revoked one too: the bulletin is a protocol), one in REVOKED.
    expect(bulletins.rows.map((r) => [r.kind, r.position])).toEqual([
      ['VACATED', 1],
      ['VACATED', 2],
      ['REVOKED', 1],
    ]);
    const gqlBulletin = ok(await t.gql(`{ bulletin(date: "2026-09-08", kind: REVOKED) { ledgerHead vacancy { id } } }`));
    expect(bulletins.rows[2]).toMatchObject({
      vacancy_id: gqlBulletin.bulletin[0].vacancy.id,
      ledger_head: gqlBulletin.bulletin[0].ledgerHead,
      organization_id: org,
      organization_name: 'Балапан "Күншуақ", филиал',
      locality: LOCALITY,
      age_group: 'Older',
      language: 'RU',
      work_mode: 'HALF_DAY',
      admission_mode: 'GENERAL',
      admission_start_date: '2026-09-01',
      attendance_until: null,
      age_from_months: 12,
      age_to_months: 60,
    });
    expect(bulletins.rows[0].organization_bin).toMatch(/^\d{12}$/);
    expect(bulletins.rows[0].at).toMatch(/^2026-09-07T10:\d\d:\d\d\.\d{3}\+05:00$/);
    const head = ok(await t.gql(`{ ledgerHead { length headHash } }`));
    expect(bulletins.ledgerHead).toMatch(/^[0-9a-f]{64}$/);
    expect(bulletins.ledgerLength).toBeLessThanOrEqual(head.ledgerHead.length);

    // CSV parses back into the JSON rows (every value as its field's text: lists joined by ';', null empty).
    for (const [kind, json] of [
      ['queues', day2Queues],
      ['bulletins', bulletins],
    ] as const) {
      const csv = await get(`/opendata/2026-09-08/${kind}.csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
      expect(csv.headers.get('access-control-allow-origin')).toBe('*');
      expect(csv.body.endsWith('\r\n')).toBe(true);
      expect(parseCsvObjects(csv.body)).toEqual(json.rows.map((r) => asCsvRecord(r as Record<string, string | number | null | string[]>)));
    }
    expect((await get('/opendata/2026-09-08/bulletins.csv')).body).toContain('"Балапан ""Күншуақ"", филиал"');

    // Pseudonyms: 16 hex digits, one per application, the same as yesterday's (rows found via queuePosition).
    expect(new Set(day2Queues.rows.map((r) => r.pseudonym)).size).toBe(day2Queues.rows.length);
    for (const [id, row] of day2ByApp) {
      expect(row.pseudonym).toMatch(/^[0-9a-f]{16}$/);
      expect(row.pseudonym).toBe(day1ByApp.get(id)?.pseudonym);
      expect(row.registered_at).toBe(day1ByApp.get(id)?.registered_at);
    }

    // The 09:00 task froze the day's four files (and wrote them under DATA_DIR/opendata/2026-09-08/).
    const snaps: { kind: string; format: string; body: string }[] = await t.ds.query(
      `SELECT kind, format, body FROM open_data_snapshot WHERE date = '2026-09-08' ORDER BY kind, format`,
    );
    expect(snaps.map((s) => `${s.kind}.${s.format}`)).toEqual(['bulletins.csv', 'bulletins.json', 'queues.csv', 'queues.json']);
    const frozenQueues = JSON.parse(snaps[3].body) as ExportJson;
    expect(frozenQueues.generatedAt).toMatch(/^2026-09-08T09:00/);
    expect(frozenQueues.rows).toEqual(day2Queues.rows);
    const dir = resolve(t.ctx.config.DATA_DIR, 'opendata', '2026-09-08');
    for (const s of snaps) expect(readFileSync(join(dir, `${s.kind}.${s.format}`), 'utf8')).toBe(s.body);
    expect(await count(t, `SELECT count(*) FROM scheduled_run WHERE kind = 'open-data'`)).toBe(1);
  });

  it('no IIN, name, phone, birth date or application number appears in any file', () => {
    expect(bodies.length).toBeGreaterThan(10);
    const all = bodies.join('\n');
    for (const a of apps) {
      const i = a.input as { childIin: string; applicantIin: string; childName: string; phone: string };
      const [y, m, d] = a.birthDate.split('-');
      for (const secret of [
        i.childIin,
        i.applicantIin,
        i.childName,
        i.phone,
        i.phone.slice(1),
        i.phone.slice(2),
        a.birthDate,
        `${d}.${m}.${y}`,
        a.id,
        a.number,
      ]) {
        expect(all).not.toContain(secret);
      }
    }
  });

  it('a past day is served frozen: later changes do not alter it; the task is idempotent; exportTo writes the same files', async () => {
    await advance(t, '2026-09-09T09:00:30+05:00');
    const before: Record<string, string> = {};
    const snaps: { kind: string; format: string; body: string }[] = await t.ds.query(
      `SELECT kind, format, body FROM open_data_snapshot WHERE date = '2026-09-08'`,
    );
    for (const f of FILES) {
      const r = await get(`/opendata/2026-09-08/${f}`);
      expect(r.body).toBe(snaps.find((s) => `${s.kind}.${s.format}` === f)?.body);
      before[f] = r.body;
    }
    expect((JSON.parse(before['queues.json']) as ExportJson).rows).toEqual(day2Queues.rows);
    await registerApp('2023-06-06');
    ok(await t.gql(`mutation($id: ID!) { withdrawApplication(id: $id) { status } }`, { id: apps[0].id }, t.admin));

    for (const f of FILES) {
      const r = await get(`/opendata/2026-09-08/${f}`);
      expect(r.status).toBe(200);
      expect(r.body).toBe(before[f]);
      expect(r.headers.get('cache-control')).toMatch(/immutable/);
    }
    const today = await getJson('2026-09-09', 'queues');
    expect(today.rows.some((r) => r.pseudonym === pseudo(apps[apps.length - 1].id))).toBe(true);
    expect(today.rows.some((r) => r.pseudonym === pseudo(apps[0].id))).toBe(false);
    // Pseudonyms still stable on day 3 (rows found via queuePosition, compared with day 1's).
    const day3ByApp = await rowsByApplication(today);
    let carried = 0;
    for (const [id, row] of day3ByApp) {
      const before1 = day1ByApp.get(id);
      if (!before1) continue;
      carried++;
      expect(row.pseudonym).toBe(before1.pseudonym);
    }
    expect(carried).toBe(day3ByApp.size - 1); // all but the one registered today

    const service = t.app.get(OpenDataService);
    expect(await service.freezeDay(new Date('2026-09-08T09:00:00+05:00'))).toMatchObject({ date: '2026-09-08', written: 0 });
    for (const f of FILES) expect((await get(`/opendata/2026-09-08/${f}`)).body).toBe(before[f]);

    const out = mkdtempSync(join(tmpdir(), 'kezek-opendata-'));
    const paths = await service.exportTo(out, '2026-09-08');
    expect(paths.map((p) => p.slice(out.length + 1)).sort()).toEqual([...FILES].sort());
    for (const f of FILES) expect(readFileSync(join(out, f), 'utf8')).toBe(before[f]);
  });

  it('no application number appears in any export body: served, frozen or written to a directory', async () => {
    const numbers: { number: string }[] = await t.ds.query(`SELECT number FROM application`);
    expect(numbers.length).toBe(apps.length);
    const snaps: { body: string }[] = await t.ds.query(`SELECT body FROM open_data_snapshot`);
    expect(snaps.length).toBe(2 * FILES.length); // 2026-09-08 and 2026-09-09
    const written = ['2026-09-08', '2026-09-09'].flatMap((date) =>
      FILES.map((f) => readFileSync(resolve(t.ctx.config.DATA_DIR, 'opendata', date, f), 'utf8')),
    );
    const header = (await get('/opendata/2026-09-09/queues.csv')).body.split('\r\n')[0];
    expect(header).toBe(
      'date,locality,cohort,queue_number,priority_class,registered_at,organization_choices,language,group_type,pseudonym',
    );
    const all = [...bodies, ...snaps.map((s) => s.body), ...written];
    expect(all.length).toBeGreaterThan(30);
    for (const body of all) {
      expect(body).not.toContain('application_number');
      expect(body).not.toMatch(/KZ-\d/);
      for (const { number } of numbers) expect(body).not.toContain(number);
    }
  });
});
