import { type ExecutionContext, Injectable, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { ENV_CONFIG, type EnvConfig } from '../config/config.js';

export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Outcome of the one rate-limit check of an HTTP request, shared by every root field it resolves. */
const checked = new WeakMap<object, Promise<boolean>>();

/**
 * Per-IP request rate (RATE_LIMIT_PER_MINUTE in a sliding minute), over GraphQL operations and HTTP
 * routes alike, one budget per address. A GraphQL request counts once however many root fields it
 * selects (aliases are bounded by the complexity limit); requests that fail parsing or validation
 * reach no resolver and are not counted. Over the limit: HTTP routes answer 429; GraphQL answers 200
 * with `extensions.code` TOO_MANY_REQUESTS (formatError). Both set Retry-After (seconds). It runs
 * before the AuthGuard, so callers with bad tokens are counted too. `@SkipThrottle()` exempts a
 * controller (health, metrics). The address is `req.ip`: behind a proxy, Express's `trust proxy`
 * must be set for it to be the client's.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override getRequestResponse(context: ExecutionContext): { req: Record<string, unknown>; res: Record<string, unknown> } {
    if (context.getType<string>() === 'graphql') {
      const ctx = GqlExecutionContext.create(context).getContext<{ req: Record<string, unknown>; res: Record<string, unknown> }>();
      return { req: ctx.req, res: ctx.res };
    }
    return super.getRequestResponse(context);
  }

  /** One budget per client across every route (the default key is per handler). */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return createHash('sha256').update(`kezek-${name}-${tracker}`).digest('hex');
  }

  override canActivate(context: ExecutionContext): Promise<boolean> {
    const { req } = this.getRequestResponse(context);
    let outcome = checked.get(req);
    if (!outcome) {
      outcome = super.canActivate(context);
      checked.set(req, outcome);
    }
    return outcome;
  }
}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [ENV_CONFIG],
      useFactory: (config: EnvConfig) => ({
        // 0: off. (A huge limit is no way to turn it off: the in-memory store keeps and filters every hit
        // of the window on each request, so its cost would grow with the traffic.)
        throttlers: [{ name: 'default', ttl: RATE_LIMIT_WINDOW_MS, limit: Math.max(1, config.RATE_LIMIT_PER_MINUTE) }],
        skipIf: () => config.RATE_LIMIT_PER_MINUTE === 0,
        errorMessage: `too many requests: at most ${config.RATE_LIMIT_PER_MINUTE} a minute from one address`,
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
