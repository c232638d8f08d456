import { request } from 'node:http';
import { getIntrospectionQuery } from 'graphql';
import { makeBin } from '../../src/platform/identifiers/iin.js';
import { MAX_COMPLEXITY, MAX_DEPTH } from '../../src/platform/graphql/graphql.module.js';
import { createTestApp, errorCode, ok, type GqlResult, type TestApp } from '../utils/app.js';
import { count } from '../utils/fixtures.js';

interface Raw {
  status: number;
  headers: Record<string, string>;
  body: GqlResult & { statusCode?: number };
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body: JSON.parse(text) as Raw['body'] };
}

/** POST from a given local address (127.0.0.x): another client IP to the server. */
function postFrom(localAddress: string, url: string, path: string, body: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `levels` nested object fields from referral(id): referral → application → referral → vacancy →
 * referral → application → …, ending with `id`. graphql-depth-limit counts the root field as depth 0,
 * so MAX_DEPTH + 1 levels are allowed and one more is refused.
 */
function nestedReferralQuery(levels: number): string {
  const cycle = ['application', 'referral', 'vacancy', 'referral'];
  const names = ['referral(id: $id)'];
  while (names.length < levels - 1) names.push(cycle[(names.length - 1) % cycle.length]);
  return `query Deep($id: ID!) { ${names.join(' { ')} { id ${' }'.repeat(names.length - 1)} } }`;
}

describe('request limits: depth, complexity, page size, body size, batching, introspection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ worker: false });
  });
  afterAll(async () => {
    await t.close();
  });

  it('introspection is on, for anyone', async () => {
    const r = ok(await t.gql(getIntrospectionQuery()));
    const schema = r.__schema as { queryType: { name: string }; mutationType: { name: string }; types: { name: string }[] };
    expect(schema.queryType.name).toBe('Query');
    expect(schema.mutationType.name).toBe('Mutation');
    expect(schema.types.map((x) => x.name)).toEqual(expect.arrayContaining(['Application', 'Referral', 'Vacancy', 'DateTime']));
  });

  it(`depth: ${MAX_DEPTH + 1} levels of fields pass validation, one more is BAD_USER_INPUT (GRAPHQL_VALIDATION_FAILED)`, async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const deep = nestedReferralQuery(MAX_DEPTH + 1);
    expect(deep).toContain('referral(id: $id) { application { referral { vacancy { referral { application');
    const allowed = await t.gql(deep, { id }, t.admin);
    // Validation passed: the resolver ran and found no such referral.
    expect(errorCode(allowed)).toBe('NOT_FOUND');
    const tooDeep = await t.gql(nestedReferralQuery(MAX_DEPTH + 2), { id }, t.admin);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' });
    expect(tooDeep.errors?.[0].message).toMatch(new RegExp(`exceeds maximum operation depth of ${MAX_DEPTH}`));
    expect(tooDeep.data).toBeUndefined();
    // Fragments do not hide depth.
    const viaFragments = await t.gql(
      `query($id: ID!) { referral(id: $id) { ...R } }
       fragment R on Referral { application { referral { vacancy { referral { application { referral { vacancy { referral { id } } } } } } } } }`,
      { id },
      t.admin,
    );
    expect(viaFragments.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(viaFragments.errors?.[0].message).toMatch(/exceeds maximum operation depth/);
  });

  it(`complexity: aliases repeating a list field are refused above ${MAX_COMPLEXITY} with BAD_USER_INPUT`, async () => {
    const aliases = (n: number): string =>
      `{ ${Array.from({ length: n }, (_, i) => `o${i}: organizations(first: 100) { edges { node { id name } } }`).join(' ')} }`;
    ok(await t.gql(aliases(10)));
    const r = await t.gql(aliases(200));
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    const m = /query is too complex: (\d+) > (\d+)/.exec(r.errors?.[0].message ?? '');
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(MAX_COMPLEXITY);
    expect(Number(m![2])).toBe(MAX_COMPLEXITY);
    expect(r.data ?? null).toBeNull();
  });

  it('page size: first above 100 is BAD_USER_INPUT', async () => {
    const r = await t.gql(`{ organizations(first: 1000) { totalCount } }`);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    ok(await t.gql(`{ organizations(first: 100) { totalCount } }`));
  });

  it('body size: above MAX_BODY_BYTES is 413 PAYLOAD_TOO_LARGE and writes nothing; just below is served', async () => {
    const max = t.ctx.config.MAX_BODY_BYTES;
    const before = await count(t, 'SELECT count(*) FROM organization');
    const mutation = `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`;
    const big = JSON.stringify({
      query: mutation,
      variables: { i: { name: 'Big', bin: makeBin('2005', 1), locality: '751110000' }, pad: 'x'.repeat(max) },
    });
    const r = await post(t.url, big, { authorization: `Bearer ${t.admin}` });
    expect(r.status).toBe(413);
    expect(r.body.errors?.[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', maxBytes: max });
    expect(await count(t, 'SELECT count(*) FROM organization')).toBe(before);
    const fits = JSON.stringify({ query: '{ now }', variables: { pad: 'x'.repeat(max - 100) } });
    expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(max);
    const served = await post(t.url, fits);
    expect(served.status).toBe(200);
    expect(served.body.data?.now).toBeDefined();
  });

  it('variables of the wrong type are 400 BAD_USER_INPUT', async () => {
    const r = await t.gql(`query($y: Int!) { calendarDays(year: $y) { date } }`, { y: 'twenty' });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    const d = await t.gql(`mutation($to: DateTime!) { advanceClock(to: $to) }`, { to: '2026-09-01T10:00:00' }, t.admin);
    expect(d.status).toBe(400);
    expect(errorCode(d)).toBe('BAD_USER_INPUT');
  });

  it('malformed JSON is 400 BAD_USER_INPUT', async () => {
    const r = await post(t.url, '{"query": "{ now }"');
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('batching is refused: an array body is 400 BAD_USER_INPUT and runs none of its operations', async () => {
    const before = await count(t, 'SELECT count(*) FROM organization');
    const op = {
      query: `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
      variables: { i: { name: 'Batched', bin: makeBin('2005', 2), locality: '751110000' } },
    };
    const r = await post(t.url, JSON.stringify([op, op]), { authorization: `Bearer ${t.admin}` });
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors?.[0].message).toMatch(/batching/i);
    expect(await count(t, 'SELECT count(*) FROM organization')).toBe(before);
  });
});

describe('request rate: RATE_LIMIT_PER_MINUTE per client address', () => {
  const LIMIT = 20;
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ worker: false, env: { RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  });
  afterAll(async () => {
    await t.close();
  });

  it(`serves ${LIMIT} requests a minute, then TOO_MANY_REQUESTS for GraphQL and 429 for HTTP routes; health and metrics stay open`, async () => {
    // A request counts once however many root fields it has.
    const first = await post(t.url, JSON.stringify({ query: '{ a: now b: now c: priorityCategories { code } }' }));
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    expect(first.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
    for (let i = 2; i <= LIMIT; i++) {
      const r = await post(t.url, JSON.stringify({ query: '{ now }' }));
      expect([i, r.status, r.body.errors]).toEqual([i, 200, undefined]);
      expect(r.headers['x-ratelimit-remaining']).toBe(String(LIMIT - i));
    }
    const over = await post(t.url, JSON.stringify({ query: '{ now }' }));
    expect(over.body.errors?.[0].extensions).toEqual({ code: 'TOO_MANY_REQUESTS' });
    expect(over.body.errors?.[0].message).toBe('too many requests');
    expect(over.body.data ?? null).toBeNull();
    const retryAfter = Number(over.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // Refused writes write nothing; the limit comes before authentication (bad tokens count and are refused).
    const orgs = await count(t, 'SELECT count(*) FROM organization');
    const write = await t.gql(
      `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
      { i: { name: 'Late', bin: makeBin('2005', 3), locality: '751110000' } },
      t.admin,
    );
    expect(errorCode(write)).toBe('TOO_MANY_REQUESTS');
    expect(await count(t, 'SELECT count(*) FROM organization')).toBe(orgs);
    expect(errorCode(await t.gql('{ now }', {}, 'not-a-token'))).toBe('TOO_MANY_REQUESTS');
    // Without TRUST_PROXY a forged X-Forwarded-For does not buy a new budget.
    const forged = await post(t.url, JSON.stringify({ query: '{ now }' }), { 'x-forwarded-for': '10.9.8.7' });
    expect(forged.body.errors?.[0].extensions).toEqual({ code: 'TOO_MANY_REQUESTS' });

    // HTTP routes share the budget: 429.
    const sms = await fetch(`${t.url}/sms/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(sms.status).toBe(429);
    expect(Number(sms.headers.get('retry-after'))).toBeGreaterThan(0);

    // Probes and scrapes are never limited.
    for (let i = 0; i < 3; i++) {
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
      expect((await fetch(`${t.url}/metrics`)).status).toBe(200);
    }

    // Another client address has its own budget.
    const other = await postFrom('127.0.0.2', t.url, '/graphql', JSON.stringify({ query: '{ now }' }));
    expect(other.status).toBe(200);
    expect((JSON.parse(other.body) as GqlResult).errors).toBeUndefined();
  });
});

describe('request rate: RATE_LIMIT_PER_MINUTE=0 turns the limit off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ worker: false, env: { RATE_LIMIT_PER_MINUTE: '0' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves every request, without rate-limit headers', async () => {
    for (let i = 1; i <= 30; i++) {
      const r = await post(t.url, JSON.stringify({ query: '{ now }' }));
      expect([i, r.status, r.body.errors]).toEqual([i, 200, undefined]);
      expect(r.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});

describe('request rate behind a proxy: TRUST_PROXY', () => {
  const LIMIT = 3;
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ worker: false, env: { RATE_LIMIT_PER_MINUTE: String(LIMIT), TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts the client address the trusted proxy forwards, one budget per client', async () => {
    const from = (ip: string): Promise<Raw> => post(t.url, JSON.stringify({ query: '{ now }' }), { 'x-forwarded-for': ip });
    for (let i = 0; i < LIMIT; i++) expect((await from('10.0.0.1')).body.errors).toBeUndefined();
    expect((await from('10.0.0.1')).body.errors?.[0].extensions).toEqual({ code: 'TOO_MANY_REQUESTS' });
    // Same proxy, another family: served.
    expect((await from('10.0.0.2')).body.errors).toBeUndefined();
  });
});
