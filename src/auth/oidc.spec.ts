import { loadConfig } from '../platform/config/config.js';
import { DEFAULT_CLAIM_MAP, parseClaimMap, principalFromClaims } from './oidc.js';

describe('OIDC claim mapping', () => {
  it('reads role, iin and organizationId as local tokens do by default', () => {
    expect(principalFromClaims({ sub: 'p', role: 'APPLICANT', iin: '900101400123' }, DEFAULT_CLAIM_MAP)).toEqual({
      kind: 'user',
      sub: 'p',
      role: 'APPLICANT',
      iin: '900101400123',
    });
    expect(principalFromClaims({ sub: 's', role: 'ORG_STAFF', organizationId: 'o1' }, DEFAULT_CLAIM_MAP)).toMatchObject({
      organizationId: 'o1',
    });
    expect(() => principalFromClaims({ sub: 's', role: 'ORG_STAFF' }, DEFAULT_CLAIM_MAP)).toThrow(/organizationId/);
    expect(() => principalFromClaims({ sub: 'p', role: 'APPLICANT', iin: '12' }, DEFAULT_CLAIM_MAP)).toThrow(/iin/);
    expect(() => principalFromClaims({ role: 'ADMIN' }, DEFAULT_CLAIM_MAP)).toThrow(/sub/);
    expect(() => principalFromClaims({ sub: 'x', role: 'ROOT' }, DEFAULT_CLAIM_MAP)).toThrow(/unknown role/);
  });

  it('follows OIDC_CLAIMS: other names, nested claims, role values and role lists', () => {
    const map = parseClaimMap(
      JSON.stringify({ role: 'kezek.roles', iin: 'national_id', organizationId: 'kezek.org', roleValues: { 'kezek-staff': 'ORG_STAFF' } }),
    );
    expect(principalFromClaims({ sub: 'u', kezek: { roles: ['viewer', 'kezek-staff'], org: 'o9' } }, map)).toEqual({
      kind: 'user',
      sub: 'u',
      role: 'ORG_STAFF',
      organizationId: 'o9',
    });
    expect(principalFromClaims({ sub: 'u', kezek: { roles: 'APPLICANT' }, national_id: '900101400123' }, map)).toMatchObject({
      iin: '900101400123',
    });
  });

  it('refuses a malformed OIDC_CLAIMS', () => {
    expect(parseClaimMap(undefined)).toEqual(DEFAULT_CLAIM_MAP);
    expect(() => parseClaimMap('not json')).toThrow(/JSON object/);
    expect(() => parseClaimMap('[]')).toThrow(/JSON object/);
    expect(() => parseClaimMap('{"colour":"x"}')).toThrow(/unknown key colour/);
    expect(() => parseClaimMap('{"role":""}')).toThrow(/role must be a claim name/);
    expect(() => parseClaimMap('{"roleValues":{"x":"ROOT"}}')).toThrow(/roleValues.x/);
  });
});

describe('OIDC settings', () => {
  it('OIDC_ISSUER needs OIDC_AUDIENCE and the other way round; the issuer is a URL', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example.kz' })).toThrow(/OIDC_AUDIENCE is required when OIDC_ISSUER is set/);
    expect(() => loadConfig({ OIDC_AUDIENCE: 'kezek' })).toThrow(/OIDC_AUDIENCE is set but OIDC_ISSUER is not/);
    expect(() => loadConfig({ OIDC_ISSUER: 'idp.example.kz', OIDC_AUDIENCE: 'kezek' })).toThrow(/OIDC_ISSUER must be an http\(s\) URL/);
    const c = loadConfig({ OIDC_ISSUER: 'https://idp.example.kz/realms/kezek', OIDC_AUDIENCE: 'kezek', OIDC_JWKS_COOLDOWN_SECONDS: '5' });
    expect([c.OIDC_ISSUER, c.OIDC_AUDIENCE, c.OIDC_JWKS_COOLDOWN_SECONDS]).toEqual(['https://idp.example.kz/realms/kezek', 'kezek', 5]);
    expect(loadConfig({}).OIDC_JWKS_COOLDOWN_SECONDS).toBe(30);
  });
});
