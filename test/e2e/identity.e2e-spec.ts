import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { createTestApp, type GqlResult, ok, type TestApp } from '../utils/app.js';
import { applicationInput, count, register } from '../utils/fixtures.js';
import { makeIin } from '../../src/platform/identifiers/iin.js';

/**
 * Issue 17, items 9 and 6.
 * 9: tokens of an outside OpenID Connect issuer (RS256/ES256), keys found by discovery on a JWKS server that
 *    this test runs (node:http), beside the local HS256 tokens; audience, issuer, exp and a known key are
 *    required; a rotated key is picked up by the remote key set.
 * 6: every validation problem of a request in `extensions.fields`, the first one still in `extensions.field`.
 */

type SigningKey = { kid: string; alg: 'RS256' | 'ES256'; privateKey: CryptoKey; jwk: JWK };

async function makeKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, jwk };
}

const AUDIENCE = 'kezek-web';

describe('identity from an OpenID Connect issuer', () => {
  let t: TestApp;
  let server: Server;
  let issuer: string;
  let published: SigningKey[] = [];
  let jwksFetches = 0;
  let rsa: SigningKey;
  let ec: SigningKey;
  let app: { id: string; number: string; applicantIin: string };

  function sign(key: SigningKey, claims: JWTPayload, opts: { iss?: string; aud?: string; exp?: number | null } = {}): Promise<string> {
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(opts.iss ?? issuer)
      .setAudience(opts.aud ?? AUDIENCE)
      .setIssuedAt();
    if (opts.exp !== null) jwt = jwt.setExpirationTime(opts.exp ?? '10m');
    return jwt.sign(key.privateKey);
  }

  const MINE = `query($id: ID!) { application(id: $id) { id number } }`;
  const code = (r: GqlResult): string | undefined => r.errors?.[0]?.extensions?.code;

  beforeAll(async () => {
    rsa = await makeKey('rsa-1', 'RS256');
    ec = await makeKey('ec-1', 'ES256');
    published = [rsa, ec];
    server = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256', 'ES256'] }));
      } else if (req.url === '/jwks') {
        jwksFetches++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await createTestApp({
      worker: false,
      env: { OIDC_ISSUER: issuer, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_COOLDOWN_SECONDS: '0' },
    });
    app = await register(t); // by ADMIN with a local HS256 token: the development tokens keep working
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('an RS256 token of the issuer: the APPLICANT sees their own application, not another one', async () => {
    const token = await sign(rsa, { sub: 'egov|1', role: 'APPLICANT', iin: app.applicantIin });
    expect(ok(await t.gql(MINE, { id: app.id }, token)).application).toEqual({ id: app.id, number: app.number });
    const other = await register(t);
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(code(await t.gql(MINE, { id: other.id }, token)));
    expect(jwksFetches).toBeGreaterThanOrEqual(1);
  });

  it('an ES256 token of the issuer works too (ADMIN reads, ORG_STAFF needs its organization)', async () => {
    const token = await sign(ec, { sub: 'sso|admin', role: 'ADMIN' });
    expect(ok(await t.gql(MINE, { id: app.id }, token)).application.id).toBe(app.id);
    const staffless = await sign(ec, { sub: 'sso|staff', role: 'ORG_STAFF' });
    expect(code(await t.gql(`{ now }`, {}, staffless))).toBe('UNAUTHENTICATED');
  });

  it('refuses a wrong audience, another issuer, an expired token, one without exp, and an unknown key', async () => {
    const claims = { sub: 'egov|1', role: 'APPLICANT', iin: app.applicantIin };
    const stranger = await makeKey('rsa-unknown', 'RS256');
    const refused = {
      audience: await sign(rsa, claims, { aud: 'someone-else' }),
      issuer: await sign(rsa, claims, { iss: 'http://127.0.0.1:1/other' }),
      expired: await sign(rsa, claims, { exp: Math.floor(Date.now() / 1000) - 120 }),
      noExp: await sign(rsa, claims, { exp: null }),
      unknownKid: await sign(stranger, claims),
      // a known kid, but signed by another key
      forgedSignature: await sign({ ...stranger, kid: rsa.kid }, claims),
    };
    // Each for its own reason (another issuer's RS256 token is not taken for an OIDC one: the local path refuses its algorithm).
    const because = {
      audience: /"aud" claim/,
      issuer: /algorithm/,
      expired: /"exp" claim timestamp check failed/,
      noExp: /missing required "exp" claim/,
      unknownKid: /no applicable key/,
      forgedSignature: /signature verification failed/,
    };
    for (const [what, token] of Object.entries(refused)) {
      const r = await t.gql(MINE, { id: app.id }, token);
      expect({ what, code: code(r), data: r.data?.application ?? null }).toEqual({ what, code: 'UNAUTHENTICATED', data: null });
      expect(r.errors?.[0]?.message).toMatch(because[what as keyof typeof because]);
    }
    // Refused even on a public query: a bad token is never taken as anonymous.
    expect(code(await t.gql(`{ now }`, {}, refused.audience))).toBe('UNAUTHENTICATED');
  });

  it('picks up a rotated key: the new key is fetched on first sight, the retired one is refused', async () => {
    const before = jwksFetches;
    const rotated = await makeKey('rsa-2', 'RS256');
    published = [rotated, ec];
    const claims = { sub: 'egov|1', role: 'APPLICANT', iin: app.applicantIin };
    expect(ok(await t.gql(MINE, { id: app.id }, await sign(rotated, claims))).application.id).toBe(app.id);
    expect(jwksFetches).toBeGreaterThan(before);
    expect(code(await t.gql(MINE, { id: app.id }, await sign(rsa, claims)))).toBe('UNAUTHENTICATED');
  });

  it('every validation problem of a registration is reported at once; the first stays in extensions.field', async () => {
    const before = await count(t, `SELECT count(*) FROM application`);
    const input = { ...applicationInput(), childIin: '123', applicantIin: 'not-an-iin', phone: '+7'.repeat(20) };
    const r = await t.gql(`mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`, { i: input }, t.admin);
    expect(r.errors).toHaveLength(1);
    const ext = r.errors![0].extensions as { code: string; field: string; fields: { field: string; reason: string; message: string }[] };
    expect(ext.code).toBe('BAD_USER_INPUT');
    expect(ext.field).toBe('childIin');
    expect(r.errors![0].message).toBe('childIin must be 12 digits');
    expect(ext.fields).toEqual([
      { field: 'childIin', reason: 'matches', message: 'childIin must be 12 digits' },
      { field: 'applicantIin', reason: 'matches', message: 'applicantIin must be 12 digits' },
      { field: 'phone', reason: 'maxLength', message: 'phone is too long' },
    ]);
    expect(await count(t, `SELECT count(*) FROM application`)).toBe(before); // bad input changes nothing

    // One problem: the list holds just it.
    const one = await t.gql(
      `mutation($i: RegisterApplicationInput!) { registerApplication(input: $i) { id } }`,
      { i: { ...applicationInput(), applicantIin: makeIin('1990-01-01', 'F', 1).slice(0, 11) } },
      t.admin,
    );
    expect(one.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'applicantIin',
      fields: [{ field: 'applicantIin', reason: 'matches', message: 'applicantIin must be 12 digits' }],
    });
  });
});
