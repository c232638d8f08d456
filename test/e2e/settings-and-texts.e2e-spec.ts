import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';
import { advance, count, createOrg, publish, register } from '../utils/fixtures.js';
import { DEFAULT_SETTINGS, SETTING_KEYS } from '../../src/settings/domain/settings.js';

/**
 * Settings as rules with dates (issue 15 item 12) and the texts families read (item 13), on a simulated
 * week of December 2026 (Wednesday 16 December is a public holiday).
 */
const SETTINGS = `{ settings { key value effectiveFrom description upcoming { value effectiveFrom } } }`;
const UPDATE = `mutation($k: String!, $v: String!, $d: Date!) { updateSetting(key: $k, value: $v, effectiveFrom: $d) {
  key value effectiveFrom description upcoming { value effectiveFrom } } }`;
const APP = `query($id: ID!) { application(id: $id) { id status referral { id status issuedAt confirmBy } } }`;
const AUDIT = `query { fairnessAudit { ok violations { check message } } }`;

interface SettingView {
  key: string;
  value: string;
  effectiveFrom: string;
  description: string;
  upcoming: { value: string; effectiveFrom: string }[];
}

describe('settings with effective dates, and the texts families receive', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ simulation: '2026-12-07T10:00:00+05:00', env: { SCHEDULES: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const settings = async (): Promise<Map<string, SettingView>> =>
    new Map((ok(await t.gql(SETTINGS)).settings as SettingView[]).map((s) => [s.key, s]));
  const texts = async (applicationId: string): Promise<{ stage: string; language: string; text: string }[]> =>
    t.ds.query(`SELECT stage, language, text FROM notification WHERE application_id = $1 ORDER BY created_at`, [applicationId]);

  it('anyone reads every setting in force, as JSON text with its effective date and description', async () => {
    const s = await settings();
    expect([...s.keys()].sort()).toEqual([...SETTING_KEYS].sort());
    expect(s.get('confirmWorkingDays')).toMatchObject({ value: '2', effectiveFrom: '2000-01-01', upcoming: [] });
    expect(JSON.parse(s.get('interleave')!.value)).toEqual(DEFAULT_SETTINGS.interleave);
    for (const v of s.values()) expect(v.description.length).toBeGreaterThan(3);
  });

  it('refuses a change by a non-admin, and bad input with its field, writing nothing', async () => {
    const before = await count(t, `SELECT count(*) FROM setting_version`);
    const applicant = t.token({ role: 'APPLICANT', iin: '900101400123' });
    expect(errorCode(await t.gql(UPDATE, { k: 'confirmWorkingDays', v: '3', d: '2026-12-09' }, applicant))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(UPDATE, { k: 'confirmWorkingDays', v: '3', d: '2026-12-09' }))).toBeDefined();
    const cases: [string, string, string, string][] = [
      ['noSuchTimer', '3', '2026-12-09', 'key'],
      ['confirmWorkingDays', 'three', '2026-12-09', 'value'],
      ['confirmWorkingDays', '0', '2026-12-09', 'value'],
      ['interleave', '{"first":1}', '2026-12-09', 'value'],
      ['confirmWorkingDays', '3', '2026-12-07', 'effectiveFrom'], // today: a day already begun keeps its rules
      ['confirmWorkingDays', '3', '2026-12-01', 'effectiveFrom'],
    ];
    for (const [k, v, d, field] of cases) {
      const r = await t.gql(UPDATE, { k, v, d }, t.admin);
      expect({ k, v, d, code: errorCode(r), field: r.errors?.[0]?.extensions?.field }).toEqual({ k, v, d, code: 'BAD_USER_INPUT', field });
    }
    expect(await count(t, `SELECT count(*) FROM setting_version`)).toBe(before);
    expect(await count(t, `SELECT count(*) FROM ledger_event WHERE type = 'setting.updated'`)).toBe(0);
  });

  it('ADMIN announces a change for a later day (ledgered); a second change for that day supersedes it', async () => {
    const first = ok(await t.gql(UPDATE, { k: 'confirmWorkingDays', v: '4', d: '2026-12-09' }, t.admin)).updateSetting as SettingView;
    expect(first).toMatchObject({ key: 'confirmWorkingDays', value: '2', upcoming: [{ value: '4', effectiveFrom: '2026-12-09' }] });
    const second = ok(await t.gql(UPDATE, { k: 'confirmWorkingDays', v: '3', d: '2026-12-09' }, t.admin)).updateSetting as SettingView;
    expect(second.upcoming).toEqual([{ value: '3', effectiveFrom: '2026-12-09' }]);
    const events: { entity: string; entity_id: string; actor: string; data: Record<string, unknown> }[] = await t.ds.query(
      `SELECT entity, entity_id, actor, data FROM ledger_event WHERE type = 'setting.updated' ORDER BY seq`,
    );
    expect(events.map((e) => [e.entity, e.entity_id, e.data])).toEqual([
      [
        'setting',
        'confirmWorkingDays',
        { key: 'confirmWorkingDays', value: '4', effectiveFrom: '2026-12-09', previous: '2', supersedes: null },
      ],
      [
        'setting',
        'confirmWorkingDays',
        { key: 'confirmWorkingDays', value: '3', effectiveFrom: '2026-12-09', previous: '2', supersedes: '4' },
      ],
    ]);
    expect(events[0].actor).toMatch(/^ADMIN/);
  });

  it('a referral issued before the date keeps the old timer, one issued on it gets the new; texts in kk and ru', async () => {
    // Tuesday 8 December: the old rule (2 working days).
    const o1 = await createOrg(t, '«Балапан» бөбекжайы', '751610000');
    const a = await register(t, { locality: '751610000', organizationIds: [o1], notificationLanguage: 'kk' });
    await publish(t, o1);
    await advance(t, '2026-12-08T09:30:00+05:00');
    const ra = ok(await t.gql(APP, { id: a.id }, t.admin)).application.referral;
    expect(ra).toMatchObject({ status: 'OFFERED', confirmBy: '2026-12-11T00:00:00.000+05:00' });

    // Wednesday 9 December: the new rule (3 working days: Thu, Fri, Mon).
    const o2 = await createOrg(t, 'Солнышко', '751620000');
    const b = await register(t, { locality: '751620000', organizationIds: [o2], notificationLanguage: 'ru' });
    await publish(t, o2);
    await advance(t, '2026-12-09T09:30:00+05:00');
    const rb = ok(await t.gql(APP, { id: b.id }, t.admin)).application.referral;
    expect(rb).toMatchObject({ status: 'OFFERED', confirmBy: '2026-12-15T00:00:00.000+05:00' });

    // The settings now show the new version, and `setting` (read by SQL) took it at 00:00.
    expect((await settings()).get('confirmWorkingDays')).toMatchObject({ value: '3', effectiveFrom: '2026-12-09', upcoming: [] });
    expect(await count(t, `SELECT (value #>> '{}')::int FROM setting WHERE key = 'confirmWorkingDays'`)).toBe(3);

    // The family reads the last day as DD.MM.YYYY, after a dash (kk) or "до … включительно" (ru).
    const ta = (await texts(a.id)).find((m) => m.stage === 'REFERRAL_OFFERED');
    expect(ta?.text).toContain('соңғы күн — 10.12.2026.');
    const tb = (await texts(b.id)).find((m) => m.stage === 'REFERRAL_OFFERED');
    expect(tb?.text).toContain('до 14.12.2026 включительно');
    for (const m of [...(await texts(a.id)), ...(await texts(b.id))]) expect(m.text).not.toMatch(/\d{4}-\d{2}-\d{2}/);

    // The fairness audit judges each referral with the settings in force at its issue.
    const audit = ok(await t.gql(AUDIT, {}, t.admin)).fairnessAudit;
    expect(audit.violations).toEqual([]);
    expect(audit.ok).toBe(true);
  });

  it('texts name the category in the family language, never its code', async () => {
    const [cat]: { code: string; name_kk: string; name_ru: string }[] = await t.ds.query(
      `SELECT code, name_kk, name_ru FROM priority_category ORDER BY code LIMIT 1`,
    );
    const ru = await register(t, { locality: '751630000', priorityCategories: [cat.code], notificationLanguage: 'ru' });
    const kk = await register(t, { locality: '751630000', priorityCategories: [cat.code], notificationLanguage: 'kk' });
    const pr = (await texts(ru.id)).find((m) => m.stage === 'PROOF_REQUESTED')!;
    const pk = (await texts(kk.id)).find((m) => m.stage === 'PROOF_REQUESTED')!;
    expect(pr.text).toContain(`«${cat.name_ru}»`);
    expect(pk.text).toContain(`«${cat.name_kk}»`);
    for (const m of [pr, pk]) {
      expect(m.text).not.toContain(cat.code);
      expect(m.text).toMatch(/\d{2}\.\d{2}\.2026/);
    }
  });
});
