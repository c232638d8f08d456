import { createHmac } from 'node:crypto';
import { pseudonym, pseudonymizer, pseudonymKey } from './pseudonym.js';

describe('pseudonyms', () => {
  const id = '0b7f8e1c-3c1e-4a55-9d3e-2a6e0f4c9b10';

  it('is the first 16 hex digits of HMAC-SHA256(key, application id), the same every time', () => {
    const expected = createHmac('sha256', 'a-salt-of-16-chars').update(id).digest('hex').slice(0, 16);
    expect(pseudonym('a-salt-of-16-chars', id)).toBe(expected);
    expect(pseudonym('a-salt-of-16-chars', id)).toMatch(/^[0-9a-f]{16}$/);
    expect(pseudonym('a-salt-of-16-chars', id)).toBe(pseudonym('a-salt-of-16-chars', id));
    expect(pseudonymizer('a-salt-of-16-chars')(id)).toBe(expected);
  });

  it('differs between applications and between keys', () => {
    const other = '0b7f8e1c-3c1e-4a55-9d3e-2a6e0f4c9b11';
    expect(pseudonym('k'.repeat(16), id)).not.toBe(pseudonym('k'.repeat(16), other));
    expect(pseudonym('k'.repeat(16), id)).not.toBe(pseudonym('j'.repeat(16), id));
  });

  it('uses OPEN_DATA_SALT when set, else a key derived from the JWT secret (never the secret itself)', () => {
    expect(pseudonymKey('configured-salt-123', 'jwt-secret-jwt-secret')).toBe('configured-salt-123');
    const derived = pseudonymKey(undefined, 'jwt-secret-jwt-secret');
    expect(derived).toMatch(/^[0-9a-f]{64}$/);
    expect(derived).not.toContain('jwt-secret');
    expect(pseudonymKey('', 'jwt-secret-jwt-secret')).toBe(derived);
    expect(pseudonymKey(undefined, 'another-jwt-secret-x')).not.toBe(derived);
  });
});
