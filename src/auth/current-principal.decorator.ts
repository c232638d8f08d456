import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ANONYMOUS, type Principal } from './principal.js';
import type { RequestWithPrincipal } from './auth.guard.js';

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = GqlExecutionContext.create(ctx).getContext<{ req: RequestWithPrincipal }>().req;
  return req.principal ?? ANONYMOUS;
});
