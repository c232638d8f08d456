import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Principal, Role } from './principal.js';

// Where the secret comes from (JWT_SECRET or a generated file) is configuration: src/platform/config/jwt-secret.ts.

export interface TokenClaims {
  sub: string;
  role: Role;
  organizationId?: string;
  iin?: string;
}

export function signToken(secret: string, claims: TokenClaims, expiresInSeconds = 12 * 3600): string {
  return jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn: expiresInSeconds });
}

/**
 * The secret as a KeyObject, made once per secret: given a string, jsonwebtoken first tries to parse it
 * as a public key (an exception per call) before taking it as an HMAC secret — ~3 % of the server's CPU
 * under load.
 */
let keyCache: { secret: string; key: KeyObject } | null = null;
function secretKey(secret: string): KeyObject {
  if (keyCache?.secret !== secret) keyCache = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return keyCache.key;
}

/** Verifies against the real clock (never the simulated one). Throws on a bad or expired token. */
export function verifyToken(secret: string, token: string): Principal {
  const payload = jwt.verify(token, secretKey(secret), { algorithms: ['HS256'] });
  if (typeof payload !== 'object' || payload === null) throw new Error('malformed token');
  const sub = typeof payload.sub === 'string' ? payload.sub : '';
  if (!sub) throw new Error('token has no sub');
  const role = (payload as { role?: unknown }).role;
  switch (role) {
    case 'ADMIN':
      return { kind: 'user', sub, role };
    case 'ORG_STAFF': {
      const organizationId = (payload as { organizationId?: unknown }).organizationId;
      if (typeof organizationId !== 'string' || !organizationId) throw new Error('ORG_STAFF token needs organizationId');
      return { kind: 'user', sub, role, organizationId };
    }
    case 'APPLICANT': {
      const iin = (payload as { iin?: unknown }).iin;
      if (typeof iin !== 'string' || !/^\d{12}$/.test(iin)) throw new Error('APPLICANT token needs iin');
      return { kind: 'user', sub, role, iin };
    }
    default:
      throw new Error('token has an unknown role');
  }
}
