import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { forbidden, unauthenticated } from '../platform/errors/app-error.js';
import { ACCESS_KEY, type AccessRule } from './access.decorator.js';
import type { Principal } from './principal.js';

export interface RequestWithPrincipal {
  principal?: Principal;
  authError?: string;
}

/** Global guard: deny by default. A resolver without @Public()/@Roles() is unreachable. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType<string>() !== 'graphql') return true; // HTTP controllers guard themselves
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    const gql = GqlExecutionContext.create(context);
    const req = gql.getContext<{ req: RequestWithPrincipal }>().req;
    if (req.authError) throw unauthenticated(req.authError);
    if (rule === undefined) throw forbidden('this operation has no access rule');
    if (rule === 'public') return true;
    const p = req.principal;
    if (!p || p.kind === 'anonymous') throw unauthenticated('this operation needs a token');
    if (!rule.includes(p.role)) throw forbidden(`role ${p.role} may not do this`);
    return true;
  }
}
