import {
  type ExecutionContext,
  Inject,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  type NestModule,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard, ThrottlerModule, ThrottlerStorage, normalizeIp } from '@nestjs/throttler';
import type { NextFunction, Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { ENV_CONFIG, type EnvConfig } from '../config/config.js';

export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Outcome of the one rate-limit check of an HTTP request, shared by every root field it resolves. */
const checked = new WeakMap<object, Promise<boolean>>();
/** Requests already counted by GraphqlRateLimitMiddleware (before parsing): the guard lets them through. */
const countedByMiddleware = new WeakSet<object>();
const THROTTLER_NAME = 'default';

function budgetKey(tracker: string, name: string): string {
  return createHash('sha256').update(`kezek-${name}-${tracker}`).digest('hex');
}

/**
 * Per-IP request rate (RATE_LIMIT_PER_MINUTE in a sliding minute), over GraphQL operations and HTTP
 * routes alike, one budget per address. A GraphQL request over HTTP is counted once, by
 * GraphqlRateLimitMiddleware before it is parsed, however many root fields it selects (aliases and root
 * fields are capped by the complexity plugin); requests that then fail parsing, validation or the cost
 * limits count too. Over the limit: HTTP routes answer 429; GraphQL answers 200
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
    return budgetKey(tracker, name);
  }

  override canActivate(context: ExecutionContext): Promise<boolean> {
    const { req } = this.getRequestResponse(context);
    if (req && countedByMiddleware.has(req)) return Promise.resolve(true);
    let outcome = checked.get(req);
    if (!outcome) {
      outcome = super.canActivate(context);
      checked.set(req, outcome);
    }
    return outcome;
  }
}

/**
 * Counts every GraphQL request over HTTP against the client's budget before Apollo parses or validates
 * it, so invalid, too deep or too costly queries are rate-limited like valid ones. Over the limit it
 * answers at once: 200 with `extensions.code` TOO_MANY_REQUESTS and Retry-After (the guard's answer).
 * GET /graphql without a `query` (the playground page) is not a request of the API and is left alone.
 */
@Injectable()
export class GraphqlRateLimitMiddleware implements NestMiddleware {
  constructor(
    @Inject(ENV_CONFIG) private readonly config: EnvConfig,
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const limit = this.config.RATE_LIMIT_PER_MINUTE;
    if (limit === 0 || req.method === 'OPTIONS' || (req.method === 'GET' && req.query?.query === undefined)) return next();
    try {
      const key = budgetKey(normalizeIp(req.ip ?? ''), THROTTLER_NAME);
      const r = await this.storage.increment(key, RATE_LIMIT_WINDOW_MS, limit, RATE_LIMIT_WINDOW_MS, THROTTLER_NAME);
      countedByMiddleware.add(req);
      if (r.isBlocked) {
        res.setHeader('Retry-After', String(Math.max(1, r.timeToBlockExpire)));
        res.status(200).json({ errors: [{ message: 'too many requests', extensions: { code: 'TOO_MANY_REQUESTS' } }], data: null });
        return;
      }
      res.setHeader('X-RateLimit-Limit', String(limit));
      res.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - r.totalHits)));
      res.setHeader('X-RateLimit-Reset', String(r.timeToExpire));
    } catch (e) {
      return next(e);
    }
    next();
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
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }, GraphqlRateLimitMiddleware],
})
export class RateLimitModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(GraphqlRateLimitMiddleware).forRoutes('graphql');
  }
}
