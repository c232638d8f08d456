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

/** Longest lifetime (exp − iat, or exp − now) a token may have unless configured (JWT_MAX_LIFETIME_HOURS). */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

/** What a local (HS256) token must carry besides a good signature; `iss`/`aud` only when configured. */
export interface TokenPolicy {
  issuer?: string;
  audience?: string;
  maxLifetimeSeconds?: number;
}

/** The policy of local tokens from the settings (JWT_ISSUER, JWT_AUDIENCE, JWT_MAX_LIFETIME_HOURS). */
export function tokenPolicy(config: { JWT_ISSUER?: string; JWT_AUDIENCE?: string; JWT_MAX_LIFETIME_HOURS?: number }): TokenPolicy {
  return {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    maxLifetimeSeconds: (config.JWT_MAX_LIFETIME_HOURS ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS / 3600) * 3600,
  };
}

export function signToken(secret: string, claims: TokenClaims, expiresInSeconds = 12 * 3600, policy: TokenPolicy = {}): string {
  return jwt.sign(claims, secret, {
    algorithm: 'HS256',
    expiresIn: expiresInSeconds,
    ...(policy.issuer ? { issuer: policy.issuer } : {}),
    ...(policy.audience ? { audience: policy.audience } : {}),
  });
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

/**
 * Verifies against the real clock (never the simulated one). Throws on a bad or expired token, a token
 * without `exp`, one that lives longer than the policy's cap, and (when configured) a wrong `iss`/`aud`.
 */
export function verifyToken(secret: string, token: string, policy: TokenPolicy = {}): Principal {
  const payload = jwt.verify(token, secretKey(secret), {
    algorithms: ['HS256'],
    ...(policy.issuer ? { issuer: policy.issuer } : {}),
    ...(policy.audience ? { audience: policy.audience } : {}),
  });
  if (typeof payload !== 'object' || payload === null) throw new Error('malformed token');
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw new Error('token has no exp');
  const cap = policy.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const nowSeconds = Math.floor(Date.now() / 1000);
  const from = typeof payload.iat === 'number' && payload.iat <= nowSeconds + 60 ? Math.min(payload.iat, nowSeconds) : nowSeconds;
  if (payload.exp - from > cap) throw new Error(`token lifetime exceeds ${cap} s`);
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
