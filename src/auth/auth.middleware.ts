import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ENV_CONFIG, type EnvConfig } from '../platform/config/config.js';
import { JWT_SECRET } from '../platform/database/database.tokens.js';
import type { RequestWithPrincipal } from './auth.guard.js';
import { tokenPolicy, verifyToken, type TokenPolicy } from './jwt.js';
import { OIDC_VERIFIER, type OidcVerifier } from './oidc.js';
import { ANONYMOUS } from './principal.js';

/** Resolves the caller from `Authorization: Bearer <JWT>`; no header = anonymous. */
@Injectable()
export class AuthMiddleware implements NestMiddleware {
  private readonly policy: TokenPolicy;

  constructor(
    @Inject(JWT_SECRET) private readonly secret: string,
    @Inject(ENV_CONFIG) config: EnvConfig,
    @Inject(OIDC_VERIFIER) private readonly oidc: OidcVerifier | null,
  ) {
    this.policy = tokenPolicy(config);
  }

  use(req: Request & RequestWithPrincipal, _res: Response, next: NextFunction): void {
    const header = req.headers.authorization;
    req.principal = ANONYMOUS;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) req.authError = 'Authorization header must be "Bearer <token>"';
      else if (this.oidc?.isOidcToken(m[1])) {
        // RS256/ES256 naming OIDC_ISSUER: verified against the issuer's keys (src/auth/oidc.ts); everything else is a local token.
        void this.oidc.verify(m[1]).then(
          (principal) => {
            req.principal = principal;
            next();
          },
          (e: unknown) => {
            req.authError = `invalid token: ${(e as Error).message}`;
            next();
          },
        );
        return;
      } else {
        try {
          req.principal = verifyToken(this.secret, m[1], this.policy);
        } catch (e) {
          req.authError = `invalid token: ${(e as Error).message}`;
        }
      }
    }
    next();
  }
}
