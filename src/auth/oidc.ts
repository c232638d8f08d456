import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import type { Principal } from './principal.js';

/**
 * Tokens of an outside OpenID Connect issuer (the national identity provider, a city's SSO): RS256 or ES256,
 * keys found by discovery (`{issuer}/.well-known/openid-configuration` → `jwks_uri`) and kept by jose's
 * remote key set, which fetches the set again when a token names a key it does not hold (key rotation).
 * Issuer, audience and `exp` are required. The local HS256 tokens (jwt.ts) stay for development; which
 * path a token takes is decided by `isOidcToken` (its `alg` and `iss`).
 */

/** Nest token of the OidcVerifier (null when OIDC_ISSUER is not set). */
export const OIDC_VERIFIER = Symbol('OIDC_VERIFIER');

export const OIDC_ALGORITHMS = ['RS256', 'ES256'] as const;

/** Which claim holds what (OIDC_CLAIMS); dotted names reach nested claims (`kezek.role`). */
export interface OidcClaimMap {
  sub: string;
  role: string;
  iin: string;
  organizationId: string;
  /** The issuer's role values → Kezek's roles (`{"kezek-admin": "ADMIN"}`); values not listed are taken as they are. */
  roleValues: Record<string, string>;
}

export const DEFAULT_CLAIM_MAP: OidcClaimMap = { sub: 'sub', role: 'role', iin: 'iin', organizationId: 'organizationId', roleValues: {} };

export interface OidcOptions {
  issuer: string;
  audience: string;
  claims?: Partial<OidcClaimMap>;
  /** Least time between two fetches of the key set (jose's cooldown); seconds. */
  jwksCooldownSeconds?: number;
  /** How long a fetched key set is used before it is fetched again; seconds. */
  jwksMaxAgeSeconds?: number;
}

/** Parses OIDC_CLAIMS (JSON); throws with a message naming what is wrong. */
export function parseClaimMap(json: string | undefined): OidcClaimMap {
  if (!json) return DEFAULT_CLAIM_MAP;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('OIDC_CLAIMS must be a JSON object');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('OIDC_CLAIMS must be a JSON object');
  const out: OidcClaimMap = { ...DEFAULT_CLAIM_MAP, roleValues: {} };
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'roleValues') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('OIDC_CLAIMS.roleValues must be an object');
      for (const [from, to] of Object.entries(v as Record<string, unknown>)) {
        if (to !== 'ADMIN' && to !== 'ORG_STAFF' && to !== 'APPLICANT') {
          throw new Error(`OIDC_CLAIMS.roleValues.${from} must be ADMIN, ORG_STAFF or APPLICANT`);
        }
        out.roleValues[from] = to;
      }
    } else if (k === 'sub' || k === 'role' || k === 'iin' || k === 'organizationId') {
      if (typeof v !== 'string' || !v) throw new Error(`OIDC_CLAIMS.${k} must be a claim name`);
      out[k] = v;
    } else {
      throw new Error(`OIDC_CLAIMS has an unknown key ${k} (known: sub, role, iin, organizationId, roleValues)`);
    }
  }
  return out;
}

function claim(payload: JWTPayload, path: string): unknown {
  let v: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Verified claims → the caller, with the same rules as local tokens (ORG_STAFF needs an organization, APPLICANT an IIN). */
export function principalFromClaims(payload: JWTPayload, map: OidcClaimMap): Principal {
  const sub = claim(payload, map.sub);
  if (typeof sub !== 'string' || !sub) throw new Error('token has no sub');
  let role = claim(payload, map.role);
  // A list of roles (as some providers send): the first one Kezek knows.
  if (Array.isArray(role)) role = (role as unknown[]).map((r) => (typeof r === 'string' ? (map.roleValues[r] ?? r) : r)).find(isRole);
  else if (typeof role === 'string') role = map.roleValues[role] ?? role;
  switch (role) {
    case 'ADMIN':
      return { kind: 'user', sub, role };
    case 'ORG_STAFF': {
      const organizationId = claim(payload, map.organizationId);
      if (typeof organizationId !== 'string' || !organizationId) throw new Error('ORG_STAFF token needs organizationId');
      return { kind: 'user', sub, role, organizationId };
    }
    case 'APPLICANT': {
      const iin = claim(payload, map.iin);
      if (typeof iin !== 'string' || !/^\d{12}$/.test(iin)) throw new Error('APPLICANT token needs iin');
      return { kind: 'user', sub, role, iin };
    }
    default:
      throw new Error('token has an unknown role');
  }
}

function isRole(r: unknown): boolean {
  return r === 'ADMIN' || r === 'ORG_STAFF' || r === 'APPLICANT';
}

/** The issuer as written in tokens: the configured URL without a trailing slash is accepted either way. */
const sameIssuer = (a: string, b: string): boolean => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

export class OidcVerifier {
  private readonly claims: OidcClaimMap;
  private jwks: Promise<ReturnType<typeof createRemoteJWKSet>> | null = null;

  constructor(private readonly options: OidcOptions) {
    this.claims = { ...DEFAULT_CLAIM_MAP, ...options.claims, roleValues: { ...options.claims?.roleValues } };
  }

  get issuer(): string {
    return this.options.issuer;
  }

  /** A token for this verifier: signed with RS256/ES256 and naming this issuer (not verified yet). */
  isOidcToken(token: string): boolean {
    try {
      const { alg } = decodeProtectedHeader(token);
      if (!(OIDC_ALGORITHMS as readonly string[]).includes(alg ?? '')) return false;
      const { iss } = decodeJwt(token);
      return typeof iss === 'string' && sameIssuer(iss, this.options.issuer);
    } catch {
      return false;
    }
  }

  async verify(token: string): Promise<Principal> {
    const { payload } = await jwtVerify(token, await this.keySet(), {
      issuer: [this.options.issuer, this.options.issuer.replace(/\/+$/, '')],
      audience: this.options.audience,
      algorithms: [...OIDC_ALGORITHMS],
      requiredClaims: ['exp', 'iss', 'aud'],
    });
    return principalFromClaims(payload, this.claims);
  }

  /** Discovery once (again after a failure), then jose's remote key set with its cache and cooldown. */
  private keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.jwks ??= this.discover().catch((e: unknown) => {
      this.jwks = null;
      throw e;
    });
    return this.jwks;
  }

  private async discover(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const url = `${this.options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const res = await fetch(url, { signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`OpenID discovery failed (HTTP ${res.status})`);
    const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof doc.issuer !== 'string' || !sameIssuer(doc.issuer, this.options.issuer)) {
      throw new Error('OpenID discovery names another issuer');
    }
    if (typeof doc.jwks_uri !== 'string') throw new Error('OpenID discovery has no jwks_uri');
    return createRemoteJWKSet(new URL(doc.jwks_uri), {
      cooldownDuration: (this.options.jwksCooldownSeconds ?? 30) * 1000,
      cacheMaxAge: (this.options.jwksMaxAgeSeconds ?? 600) * 1000,
      timeoutDuration: 5000,
    });
  }
}
