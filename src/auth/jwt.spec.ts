import jwt from 'jsonwebtoken';
import { signToken, verifyToken } from './jwt.js';

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
});
