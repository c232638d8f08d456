import jwt from 'jsonwebtoken';
import { signToken, tokenPolicy, verifyToken } from './jwt.js';

const SECRET = 'a-test-secret-a-test-secret-0123';

describe('tokens (HS256)', () => {
  it('verifies what signToken signed, with the claims of each role', () => {
    expect(verifyToken(SECRET, signToken(SECRET, { sub: 'a', role: 'ADMIN' }))).toEqual({ kind: 'user', sub: 'a', role: 'ADMIN' });
    expect(verifyToken(SECRET, signToken(SECRET, { sub: 's', role: 'ORG_STAFF', organizationId: 'o1' }))).toEqual({
      kind: 'user',
      sub: 's',
      role: 'ORG_STAFF',
      organizationId: 'o1',
    });
    expect(verifyToken(SECRET, signToken(SECRET, { sub: 'p', role: 'APPLICANT', iin: '900101400123' }))).toMatchObject({
      iin: '900101400123',
    });
  });

  it('refuses another secret, a changed secret after a cached one, "none", another algorithm and expired tokens', () => {
    const token = signToken(SECRET, { sub: 'a', role: 'ADMIN' });
    expect(() => verifyToken('another-secret-another-secret-01', token)).toThrow(/signature/);
    expect(verifyToken(SECRET, token)).toMatchObject({ sub: 'a' }); // the key made for SECRET again
    const unsigned = jwt.sign({ sub: 'a', role: 'ADMIN' }, '', { algorithm: 'none' });
    expect(() => verifyToken(SECRET, unsigned)).toThrow();
    const hs512 = jwt.sign({ sub: 'a', role: 'ADMIN' }, SECRET, { algorithm: 'HS512' });
    expect(() => verifyToken(SECRET, hs512)).toThrow(/algorithm/);
    const expired = jwt.sign({ sub: 'a', role: 'ADMIN', exp: Math.floor(Date.now() / 1000) - 10 }, SECRET, { algorithm: 'HS256' });
    expect(() => verifyToken(SECRET, expired)).toThrow(/expired/);
  });

  it('refuses a token without exp and one that lives longer than the cap', () => {
    const noExp = jwt.sign({ sub: 'a', role: 'ADMIN' }, SECRET, { algorithm: 'HS256' });
    expect(() => verifyToken(SECRET, noExp)).toThrow(/no exp/);
    const year = jwt.sign({ sub: 'a', role: 'ADMIN' }, SECRET, { algorithm: 'HS256', expiresIn: 365 * 24 * 3600 });
    expect(() => verifyToken(SECRET, year)).toThrow(/lifetime/);
    // Without iat, the lifetime counts from now.
    const noIat = jwt.sign({ sub: 'a', role: 'ADMIN', exp: Math.floor(Date.now() / 1000) + 30 * 24 * 3600 }, SECRET, { noTimestamp: true });
    expect(() => verifyToken(SECRET, noIat)).toThrow(/lifetime/);
    const day = signToken(SECRET, { sub: 'a', role: 'ADMIN' }, 20 * 3600);
    expect(verifyToken(SECRET, day)).toMatchObject({ sub: 'a' });
    expect(() => verifyToken(SECRET, day, { maxLifetimeSeconds: 3600 })).toThrow(/lifetime/);
    expect(tokenPolicy({ JWT_MAX_LIFETIME_HOURS: 2 }).maxLifetimeSeconds).toBe(7200);
  });

  it('checks iss and aud when configured, and only then', () => {
    const policy = { issuer: 'kezek', audience: 'kezek-api' };
    const plain = signToken(SECRET, { sub: 'a', role: 'ADMIN' });
    expect(() => verifyToken(SECRET, plain, policy)).toThrow(/issuer|audience/);
    const good = signToken(SECRET, { sub: 'a', role: 'ADMIN' }, 3600, policy);
    expect(verifyToken(SECRET, good, policy)).toMatchObject({ sub: 'a' });
    expect(verifyToken(SECRET, good)).toMatchObject({ sub: 'a' });
    const otherIss = signToken(SECRET, { sub: 'a', role: 'ADMIN' }, 3600, { ...policy, issuer: 'elsewhere' });
    expect(() => verifyToken(SECRET, otherIss, policy)).toThrow(/issuer/);
    const otherAud = signToken(SECRET, { sub: 'a', role: 'ADMIN' }, 3600, { ...policy, audience: 'other' });
    expect(() => verifyToken(SECRET, otherAud, policy)).toThrow(/audience/);
  });
});
