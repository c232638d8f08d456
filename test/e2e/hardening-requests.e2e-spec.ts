import { MAX_ALIASES, MAX_COMPLEXITY, MAX_ROOT_FIELDS, MAX_TOKENS } from '../../src/platform/graphql/graphql.module.js';
import { makeBin, makeIin } from '../../src/platform/identifiers/iin.js';
import { SchedulerService } from '../../src/platform/jobs/scheduler.service.js';
import { createTestApp, errorCode, ok, type GqlResult, type TestApp } from '../utils/app.js';
import { advance, applicationInput, count, createOrg, register, staffOf } from '../utils/fixtures.js';

interface Raw<T = Record<string, any>> extends GqlResult<T> {
  headers: Record<string, string>;
}

/** POST /graphql with any body and headers. */
async function send<T = Record<string, any>>(
  t: TestApp,
  body: unknown,
  opts: { token?: string; headers?: Record<string, string> } = {},
): Promise<Raw<T>> {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as GqlResult<T>;
  return { ...json, status: res.status, headers: Object.fromEntries(res.headers.entries()) };
}

const aliases = (n: number, field: string): string => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

describe('request cost: dear fields, lists × first, caps on root fields and aliases', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ worker: false });
  });
  afterAll(async () => {
    await t.close();
  });

  it('500 aliases of queuePosition are refused before any resolver runs (400 BAD_USER_INPUT, no data)', async () => {
    const app = await register(t);
    const before = Number(
      ((await t.ds.query(`SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()`)) as { n: string }[])[0]
        .n,
    );
    const r = await send(t, { query: aliases(500, `queuePosition(number: "${app.number}") { queueNumber }`) });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(/query is too complex: \d+ > 5000/);
    expect(r.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'complexity', max: MAX_COMPLEXITY });
    expect(r.data ?? null).toBeNull();
    // One alias is fine; a handful too, but 11 (500 each) already pass the budget.
    ok(await t.gql(aliases(1, `queuePosition(number: "${app.number}") { queueNumber }`)));
    ok(await t.gql(aliases(5, `queuePosition(number: "${app.number}") { queueNumber }`)));
    expect(errorCode(await t.gql(aliases(11, `queuePosition(number: "${app.number}") { queueNumber }`)))).toBe('BAD_USER_INPUT');
    // The refused request opened no transaction (queuePosition opens one per call): far fewer commits than 500.
    const after = Number(
      ((await t.ds.query(`SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()`)) as { n: string }[])[0]
        .n,
    );
    expect(after - before).toBeLessThan(100);
  });

  it('ledgerVerify is dear: 3 of them in one request are refused', async () => {
    ok(await t.gql(`{ a: ledgerVerify { valid } b: ledgerVerify { valid } }`));
    const r = await t.gql(aliases(3, 'ledgerVerify { valid }'));
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(/too complex/);
  });

  it(`root fields are capped at ${MAX_ROOT_FIELDS} and aliases at ${MAX_ALIASES}, even for cheap fields`, async () => {
    ok(await t.gql(aliases(MAX_ROOT_FIELDS, 'now')));
    const roots = await send(t, { query: aliases(MAX_ROOT_FIELDS + 1, 'now') });
    expect(roots.status).toBe(400);
    expect(roots.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'rootFields', max: MAX_ROOT_FIELDS });
    // Through fragments too.
    const viaFragment = await send(t, { query: `{ ...F } fragment F on Query ${aliases(MAX_ROOT_FIELDS + 1, 'now')}` });
    expect(viaFragment.errors?.[0].extensions).toMatchObject({ limit: 'rootFields' });
    const nested = `{ priorityCategories ${aliases(MAX_ALIASES + 1, 'code')} }`;
    const r = await send(t, { query: nested });
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'aliases', max: MAX_ALIASES });
    // A huge document stops at the parser (tokens), before validation.
    const huge = await send(t, { query: `{ ${'now '.repeat(MAX_TOKENS)} }` });
    expect(huge.status).toBe(400);
    expect(huge.errors?.[0].message).toMatch(/more that 6000 tokens/);
    // A refused write writes nothing.
    const orgs = await count(t, 'SELECT count(*) FROM organization');
    const writes = Array.from(
      { length: MAX_ROOT_FIELDS + 1 },
      (_, i) =>
        `o${i}: createOrganization(input: { name: "Alias ${i}", bin: "${makeBin('2007', 100 + i)}", locality: "751110000" }) { id }`,
    ).join(' ');
    const w = await send(t, { query: `mutation { ${writes} }` }, { token: t.admin });
    expect(w.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'rootFields' });
    expect(await count(t, 'SELECT count(*) FROM organization')).toBe(orgs);
  });

  it('a paged list costs `first` times its selection', async () => {
    const list = (first: number): string => aliases(10, `vacancies(first: ${first}) { edges { cursor node { id status } } }`);
    // 10 × (1 + first × 5): first 50 → 2 510, first 100 → 5 010.
    ok(await t.gql(list(50)));
    const r = await t.gql(list(100));
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toBe(`query is too complex: 5010 > ${MAX_COMPLEXITY}`);
    const small = await t.gql(aliases(10, `vacancies(first: 100) { totalCount }`));
    expect(small.errors).toBeUndefined();
  });
});

describe('rate limit counts invalid and refused queries', () => {
  const LIMIT = 5;
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ worker: false, env: { RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('an anonymous client sending invalid queries is throttled, then even valid ones are refused', async () => {
    const bad = [
      { query: '{ noSuchField }' },
      { query: '{ now ' },
      { query: aliases(MAX_ROOT_FIELDS + 1, 'now') },
      { query: '{ noSuchField }' },
      { query: '{ now(' },
    ];
    for (const [i, b] of bad.entries()) {
      const r = await send(t, b);
      expect([i, r.headers['x-ratelimit-remaining']]).toEqual([i, String(LIMIT - 1 - i)]);
      expect(r.errors?.[0].extensions?.code).not.toBe('TOO_MANY_REQUESTS');
    }
    const over = await send(t, { query: '{ noSuchField }' });
    expect(over.errors?.[0].extensions).toEqual({ code: 'TOO_MANY_REQUESTS' });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    const valid = await send(t, { query: '{ now }' });
    expect(valid.errors?.[0].extensions).toEqual({ code: 'TOO_MANY_REQUESTS' });
    expect(valid.data ?? null).toBeNull();
  });
});

describe('statement_timeout on the primary', () => {
  it('API processes have 15 s by default', async () => {
    const t = await createTestApp({ worker: false });
    try {
      const [row] = (await t.ds.query('SHOW statement_timeout')) as { statement_timeout: string }[];
      expect(row.statement_timeout).toBe('15s');
    } finally {
      await t.close();
    }
  });

  it('STATEMENT_TIMEOUT_MS sets it: a longer statement is cancelled', async () => {
    const t = await createTestApp({ worker: false, env: { STATEMENT_TIMEOUT_MS: '300' } });
    try {
      const [row] = (await t.ds.query('SHOW statement_timeout')) as { statement_timeout: string }[];
      expect(row.statement_timeout).toBe('300ms');
      await expect(t.ds.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ driverError: { code: '57014' } });
      ok(await t.gql('{ now }'));
    } finally {
      await t.close();
    }
  });
});

describe('bulletin pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ simulation: '2026-07-29T10:00:00+05:00', env: { SCHEDULES: '0' } });
    await t.app.get(SchedulerService).catchUp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('first / afterPosition page through a bulletin; the old call returns the whole (bounded) bulletin', async () => {
    const org = await createOrg(t, 'Pages', '751310000');
    ok(
      await t.gql(
        `mutation($i: [PublishVacancyInput!]!) { publishVacancies(input: $i) { id } }`,
        { i: [{ ...placeInput(org), count: 5 }] },
        staffOf(t, org),
      ),
    );
    await advance(t, '2026-07-30T09:00:30+05:00');
    const Q = `query($f: Int, $a: Int) { bulletin(date: "2026-07-30", kind: VACATED, first: $f, afterPosition: $a) { position vacancy { id } } }`;
    const positions = async (f?: number, a?: number): Promise<number[]> =>
      ok(await t.gql<{ bulletin: { position: number }[] }>(Q, { f, a })).bulletin.map((e) => e.position);
    expect(await positions()).toEqual([1, 2, 3, 4, 5]);
    const old = ok(await t.gql(`{ bulletin(date: "2026-07-30", kind: VACATED) { position } }`));
    expect(old.bulletin).toHaveLength(5);
    expect(await positions(2)).toEqual([1, 2]);
    expect(await positions(2, 2)).toEqual([3, 4]);
    expect(await positions(2, 4)).toEqual([5]);
    expect(await positions(2, 5)).toEqual([]);
    for (const [f, a, field] of [
      [501, undefined, 'first'],
      [0, undefined, 'first'],
      [10, -1, 'afterPosition'],
    ] as const) {
      const r = await t.gql(Q, { f, a });
      expect(errorCode(r)).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].extensions?.field).toBe(field);
    }
  });
});

function placeInput(organizationId: string): Record<string, unknown> {
  return {
    organizationId,
    ageGroup: 'Middle',
    language: 'KK',
    ageFromMonths: 12,
    ageToMonths: 60,
    groupType: 'GENERAL',
    workMode: 'FULL_DAY',
    admissionMode: 'GENERAL',
    admissionStartDate: '2026-09-01',
    count: 1,
  };
}

describe('Idempotency-Key on creating mutations', () => {
  let t: TestApp;
  let org: string;
  let staff: string;
  const PUBLISH = `mutation($i: [PublishVacancyInput!]!) { publishVacancies(input: $i) { id status } }`;
  const REGISTER = `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id number } }`;
  beforeAll(async () => {
    t = await createTestApp({ worker: false });
    org = await createOrg(t, 'Idem');
    staff = staffOf(t, org);
  });
  afterAll(async () => {
    await t.close();
  });
  const places = (): Promise<number> => count(t, 'SELECT count(*) FROM vacancy WHERE organization_id = $1', [org]);

  it('publishVacancies: a retry with the same key creates nothing and returns the first answer; another body is CONFLICT', async () => {
    const body = { query: PUBLISH, variables: { i: [{ ...placeInput(org), count: 3 }] } };
    const key = { 'idempotency-key': 'pub-1' };
    const first = await send(t, body, { token: staff, headers: key });
    expect(first.errors).toBeUndefined();
    expect(await places()).toBe(3);
    const again = await send(t, body, { token: staff, headers: key });
    expect(again.data).toEqual(first.data);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await places()).toBe(3);
    const other = await send(t, { ...body, variables: { i: [{ ...placeInput(org), count: 4 }] } }, { token: staff, headers: key });
    expect(errorCode(other)).toBe('CONFLICT');
    expect(await places()).toBe(3);
    // Another caller's key is another key.
    const admin = await send(t, body, { token: t.admin, headers: key });
    expect(admin.errors).toBeUndefined();
    expect(await places()).toBe(6);
    // Without a key: no memory.
    ok(await send(t, body, { token: staff }));
    expect(await places()).toBe(9);
    expect(await count(t, `SELECT count(*) FROM idempotency_key WHERE expires_at > now() + interval '23 hours'`)).toBe(2);
  });

  it('publishVacancies: concurrent retries with one key create once and answer alike', async () => {
    const before = await places();
    const body = { query: PUBLISH, variables: { i: [{ ...placeInput(org), count: 2 }] } };
    const rs = await Promise.all(
      Array.from({ length: 4 }, () => send(t, body, { token: staff, headers: { 'idempotency-key': 'pub-race' } })),
    );
    for (const r of rs) expect(r.errors).toBeUndefined();
    for (const r of rs) expect(r.data).toEqual(rs[0].data);
    expect(await places()).toBe(before + 2);
  });

  it('registerApplication: same key twice → one application and the same answer; another body → CONFLICT', async () => {
    const iin = makeIin('1990-01-01', 'F', 777);
    const applicant = t.token({ role: 'APPLICANT', iin });
    const input = applicationInput({ applicantIin: iin });
    const apps = (): Promise<number> => count(t, 'SELECT count(*) FROM application WHERE child_iin = $1', [input.childIin]);
    const key = { 'idempotency-key': 'reg-1' };
    const first = await send(t, { query: REGISTER, variables: { i: input } }, { token: applicant, headers: key });
    expect(first.errors).toBeUndefined();
    const again = await send(t, { query: REGISTER, variables: { i: input } }, { token: applicant, headers: key });
    expect(again.data).toEqual(first.data);
    expect(await apps()).toBe(1);
    const other = await send(
      t,
      { query: REGISTER, variables: { i: { ...input, childName: 'Other' } } },
      { token: applicant, headers: key },
    );
    expect(errorCode(other)).toBe('CONFLICT');
    expect(other.errors?.[0].message).toMatch(/Idempotency-Key/);
    expect(await apps()).toBe(1);
  });

  it('a malformed key is BAD_USER_INPUT and runs nothing; queries ignore the header', async () => {
    const before = await places();
    const body = { query: PUBLISH, variables: { i: [placeInput(org)] } };
    const r = await send(t, body, { token: staff, headers: { 'idempotency-key': 'x'.repeat(201) } });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(await places()).toBe(before);
    ok(await send(t, { query: '{ now }' }, { headers: { 'idempotency-key': 'q-1' } }));
    expect(await count(t, `SELECT count(*) FROM idempotency_key WHERE key = 'q-1'`)).toBe(0);
  });
});
