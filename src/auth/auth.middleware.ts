import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { JWT_SECRET } from '../platform/database/database.tokens.js';
import type { RequestWithPrincipal } from './auth.guard.js';
import { verifyToken } from './jwt.js';
import { ANONYMOUS } from './principal.js';

/** Resolves the caller from `Authorization: Bearer <JWT>`; no header = anonymous. */
@Injectable()
export class AuthMiddleware implements NestMiddleware {
  constructor(@Inject(JWT_SECRET) private readonly secret: string) {}

  use(req: Request & RequestWithPrincipal, _res: Response, next: NextFunction): void {
    const header = req.headers.authorization;
    req.principal = ANONYMOUS;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) req.authError = 'Authorization header must be "Bearer <token>"';
      else {
        try {
          req.principal = verifyToken(this.secret, m[1]);
        } catch (e) {
          req.authError = `invalid token: ${(e as Error).message}`;
        }
      }
    }
    next();
  }
}
