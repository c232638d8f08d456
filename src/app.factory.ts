import 'reflect-metadata';
import { type INestApplication, type INestApplicationContext, Module, type DynamicModule } from '@nestjs/common';
import { APP_PIPE, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { Logger } from 'nestjs-pino';
import { ApiModule, DOMAIN_MODULES } from './api.module.js';
import { jobDashboardAccess } from './auth/job-dashboard-access.js';
import { tokenPolicy } from './auth/jwt.js';
import type { Role } from './platform/config/config.js';
import type { BootContext } from './platform/boot.js';
import { ClockService } from './platform/clock/clock.service.js';
import { graphqlBodyErrors } from './platform/graphql/body-errors.js';
import { corsMiddleware, parseCorsOrigins } from './platform/http/cors.js';
import { mountPlaygroundAssets } from './platform/graphql/playground.js';
import { JOB_DASHBOARD_PATH, mountJobDashboard } from './platform/jobs/job-dashboard.js';
import { JobsService } from './platform/jobs/jobs.service.js';
import { validationPipe } from './platform/graphql/validation.pipe.js';
import { loggingModule } from './platform/logging/logging.module.js';
import { Metrics } from './platform/metrics/metrics.js';
import { PlatformModule } from './platform/platform.module.js';
import { WorkerModule } from './worker.module.js';

@Module({})
class WorkerOnlyModule {
  static forRoot(ctx: BootContext): DynamicModule {
    return {
      module: WorkerOnlyModule,
      imports: [PlatformModule.forRoot(ctx), loggingModule(ctx.config), ...DOMAIN_MODULES, WorkerModule],
    };
  }
}

@Module({})
class RootModule {
  static forRoot(ctx: BootContext, withWorker: boolean): DynamicModule {
    return {
      module: RootModule,
      imports: [ApiModule.forRoot(ctx), ...(withWorker ? [WorkerModule] : [])],
      providers: [{ provide: APP_PIPE, useValue: validationPipe }],
    };
  }
}

/** A bounded set of route labels: unknown paths must not create new metric series. */
const KNOWN_ROUTES = ['/graphql', '/health', '/metrics', '/opendata', '/sms/inbound', '/playground-assets'];
function metricsRoute(path: string): string {
  if (path.startsWith(JOB_DASHBOARD_PATH)) return JOB_DASHBOARD_PATH;
  return KNOWN_ROUTES.find((r) => path === r || path.startsWith(`${r}/`)) ?? 'other';
}

export type KezekApp = INestApplication | INestApplicationContext;

/** API (HTTP) for role api/all (with job workers for all); a plain context for role worker. */
export async function createKezekApp(ctx: BootContext, role: Role): Promise<KezekApp> {
  if (role === 'worker') {
    const app = await NestFactory.createApplicationContext(WorkerOnlyModule.forRoot(ctx), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    await app.init();
    return app;
  }
  const app = await NestFactory.create<NestExpressApplication>(RootModule.forRoot(ctx, role === 'all'), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  const http = app.getHttpAdapter().getInstance() as express.Express;
  const metrics = app.get(Metrics);
  http.disable('x-powered-by');
  const trust = ctx.config.TRUST_PROXY;
  if (trust) http.set('trust proxy', /^\d+$/.test(trust) ? Number(trust) : trust.split(',').map((x) => x.trim()));
  http.use((req, res, next) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    // Read before routing: mounted routers (the job dashboard) rewrite req.url while they answer.
    const path = req.path;
    const route = metricsRoute(path);
    res.on('finish', () => end({ route, status: String(res.statusCode) }));
    next();
  });
  // CORS_ORIGINS: browser pages on those origins may call /graphql; their preflight is answered here.
  const corsOrigins = parseCorsOrigins(ctx.config.CORS_ORIGINS);
  if (corsOrigins.length) http.use('/graphql', corsMiddleware(corsOrigins));
  // SIMULATION=1: the simulated clock is shared through clock_state and each process re-reads it every
  // second. An API request reads it first, so a request that follows an advanceClock answered by another
  // process (e.g. confirming the referral that day's allocation issued) never acts at the old time.
  const clock = app.get(ClockService);
  if (clock.simulated) {
    http.use(
      '/graphql',
      (_req, _res, next) =>
        void clock.refresh().then(
          () => next(),
          () => next(),
        ),
    );
  }
  http.use(express.json({ limit: ctx.config.MAX_BODY_BYTES }));
  http.use(graphqlBodyErrors(ctx.config.MAX_BODY_BYTES));
  mountPlaygroundAssets(http);
  mountJobDashboard(http, app.get(JobsService), jobDashboardAccess(ctx.jwtSecret, tokenPolicy(ctx.config)));
  app.enableShutdownHooks();
  await app.init();
  return app;
}
