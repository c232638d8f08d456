import { makeBin } from '../../src/platform/identifiers/iin.js';
import { createTestApp, errorCode, ok, type TestApp } from '../utils/app.js';

describe('foundation: health, metrics, auth, errors, organizations, calendar, clock', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /health answers ok with database and job backend up', async () => {
    const res = await fetch(`${t.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; info: Record<string, { status: string; backend?: string }> };
    expect(body.status).toBe('ok');
    expect(body.info.database.status).toBe('up');
    expect(body.info.jobs.backend).toBe(process.env.REDIS_URL ? 'redis' : 'postgres');
  });

  it('GET /health/serving answers ok with the same report (the job backend is not required there)', async () => {
    const res = await fetch(`${t.url}/health/serving`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; info: Record<string, { status: string; backend?: string }> };
    expect(body.status).toBe('ok');
    expect(body.info.database.status).toBe('up');
    expect(body.info.jobs).toEqual({ status: 'up', backend: process.env.REDIS_URL ? 'redis' : 'postgres' });
  });

  it('GET /metrics serves Prometheus text with HTTP and GraphQL histograms', async () => {
    ok(await t.gql('{ now }'));
    const res = await fetch(`${t.url}/metrics`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('kezek_http_request_duration_seconds_bucket');
    expect(text).toContain('kezek_graphql_operation_duration_seconds_bucket');
    expect(text).toContain('kezek_jobs_total');
  });

  it('echoes a request id', async () => {
    const res = await fetch(`${t.url}/health`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });

  it('anonymous may read public data but not create an organization', async () => {
    const r = await t.gql(
      `mutation { createOrganization(input: {name: "X", bin: "${makeBin('2001', 1)}", locality: "751110000"}) { id } }`,
    );
    expect(errorCode(r)).toBe('UNAUTHENTICATED');
    const n: { n: number }[] = await t.ds.query('SELECT count(*)::int AS n FROM organization');
    expect(n[0].n).toBe(0);
  });

  it('a bad or expired token is UNAUTHENTICATED; a wrong role is FORBIDDEN', async () => {
    expect(errorCode(await t.gql('{ now }', {}, 'garbage'))).toBe('UNAUTHENTICATED');
    const applicant = t.token({ role: 'APPLICANT', iin: '000101500017' });
    const r = await t.gql(
      `mutation { createOrganization(input: {name: "X", bin: "${makeBin('2001', 2)}", locality: "751110000"}) { id } }`,
      {},
      applicant,
    );
    expect(errorCode(r)).toBe('FORBIDDEN');
  });

  it('ADMIN creates organizations; BIN validated and unique; list filters by locality with pagination', async () => {
    const bad = await t.gql(
      `mutation { createOrganization(input: {name: "Bad", bin: "123456789012", locality: "751110000"}) { id } }`,
      {},
      t.admin,
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0].message).toMatch(/^bin/);
    const badKato = await t.gql(
      `mutation { createOrganization(input: {name: "Bad", bin: "${makeBin('2001', 3)}", locality: "7511"}) { id } }`,
      {},
      t.admin,
    );
    expect(errorCode(badKato)).toBe('BAD_USER_INPUT');
    expect(badKato.errors?.[0].message).toMatch(/locality/);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const d = ok(
        await t.gql(
          `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id bin locality } }`,
          { i: { name: `Balapan ${i}`, bin: makeBin('2003', 10 + i), locality: i < 3 ? '751110000' : '711110000' } },
          t.admin,
        ),
      );
      ids.push(d.createOrganization.id);
    }
    const dup = await t.gql(
      `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
      { i: { name: 'Dup', bin: makeBin('2003', 10), locality: '751110000' } },
      t.admin,
    );
    expect(errorCode(dup)).toBe('CONFLICT');
    const page1 = ok(
      await t.gql(
        `{ organizations(locality: "751110000", first: 2) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
      ),
    );
    expect(page1.organizations.totalCount).toBe(3);
    expect(page1.organizations.edges).toHaveLength(2);
    expect(page1.organizations.pageInfo.hasNextPage).toBe(true);
    const page2 = ok(
      await t.gql(
        `query($a: String) { organizations(locality: "751110000", first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }`,
        {
          a: page1.organizations.pageInfo.endCursor,
        },
      ),
    );
    expect(page2.organizations.edges).toHaveLength(1);
    expect(page2.organizations.pageInfo.hasNextPage).toBe(false);
    const one = ok(await t.gql(`query($id: ID!) { organization(id: $id) { id name } }`, { id: ids[0] }));
    expect(one.organization.name).toBe('Balapan 0');
  });

  it('unknown input fields and wrong types are BAD_USER_INPUT and write nothing', async () => {
    const before: { n: number }[] = await t.ds.query('SELECT count(*)::int AS n FROM organization');
    const r = await t.gql(
      `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
      { i: { name: 'X', bin: 42, locality: '751110000' } },
      t.admin,
    );
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    const after: { n: number }[] = await t.ds.query('SELECT count(*)::int AS n FROM organization');
    expect(after[0].n).toBe(before[0].n);
  });

  it('without SIMULATION advanceClock is FORBIDDEN', async () => {
    const r = await t.gql(`mutation { advanceClock(to: "2030-01-01T00:00:00+05:00") }`, {}, t.admin);
    expect(errorCode(r)).toBe('FORBIDDEN');
  });

  it('calendar: Nauryz is off, working-day arithmetic skips it; ADMIN edits the table', async () => {
    const d = ok(await t.gql(`{ workingDay(date: "2026-03-20", n: 1) { working plusWorkingDays } }`));
    // 21–22 March 2026 fall on a weekend: the days off move to Tue 24 and Wed 25.
    expect(d.workingDay).toEqual({ working: true, plusWorkingDays: '2026-03-26' });
    const days = ok(await t.gql(`{ calendarDays(year: 2026) { date kind } }`));
    expect(days.calendarDays.map((x: { date: string }) => x.date)).toEqual(
      expect.arrayContaining(['2026-03-21', '2026-03-22', '2026-03-23']),
    );
    ok(
      await t.gql(
        `mutation { setCalendarDay(input: {date: "2026-03-26", kind: TRANSFERRED_DAY_OFF, name: "Decree"}) { date } }`,
        {},
        t.admin,
      ),
    );
    const d2 = ok(await t.gql(`{ workingDay(date: "2026-03-20", n: 1) { plusWorkingDays } }`));
    expect(d2.workingDay.plusWorkingDays).toBe('2026-03-27');
    const denied = await t.gql(`mutation { setCalendarDay(input: {date: "2026-03-24", name: "x"}) { date } }`);
    expect(errorCode(denied)).toBe('UNAUTHENTICATED');
  });

  it('rejects oversized bodies and batched requests', async () => {
    const batch = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ now }' }, { query: '{ now }' }]),
    });
    expect(batch.status).toBe(400);
    const huge = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ now }`, variables: { pad: 'x'.repeat(200_000) } }),
    });
    expect(huge.status).toBe(413);
  });

  it('GET /graphql in a browser gets the offline playground', async () => {
    const res = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await res.text();
    expect(html).toContain('/playground-assets/graphiql.min.js');
    expect(html).not.toMatch(/https?:\/\/(unpkg|cdn)/);
    const js = await fetch(`${t.url}/playground-assets/graphiql.min.js`);
    expect(js.status).toBe(200);
  });
});
