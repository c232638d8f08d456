import 'reflect-metadata';
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { boot, type BootContext } from './platform/boot.js';
import { ConfigError } from './platform/config/config.js';
import { watchEventLoop } from './platform/stall-watch.js';

const line = (msg: string): void => {
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg })}\n`);
};

/** Entry point: `ROLE=api|worker|all` (default all). Ctrl-C stops HTTP, workers and embedded Postgres. */
async function main(): Promise<void> {
  let ctx: BootContext;
  const started = Date.now();
  try {
    ctx = await boot(process.env, line);
  } catch (e) {
    const msg = e instanceof ConfigError ? e.message : `Start-up failed: ${(e as Error).message}`;
    process.stderr.write(`${msg}\n`);
    process.exit(1);
  }
  const role = ctx.config.ROLE;
  // Loaded after the configuration is checked, so a bad setting fails fast (Nest and Apollo load slowly).
  const { createKezekApp } = await import('./app.factory.js');
  const app = await createKezekApp(ctx, role);
  if (role !== 'worker') {
    await (app as INestApplication).listen(ctx.config.PORT, '0.0.0.0').catch(async (e: Error) => {
      process.stderr.write(`Cannot listen on port ${ctx.config.PORT}: ${e.message}\n`);
      await app.close();
      await ctx.shutdown();
      process.exit(1);
    });
  }
  // METRICS_PORT: /metrics and /health of this process on an internal port (workers included).
  let metricsServer: Server | null = null;
  if (ctx.config.METRICS_PORT !== undefined) {
    const { Metrics } = await import('./platform/metrics/metrics.js');
    const { JobsService } = await import('./platform/jobs/jobs.service.js');
    const { startMetricsServer } = await import('./platform/metrics/metrics-server.js');
    const ds = app.get(DataSource);
    const jobs = app.get(JobsService);
    metricsServer = await startMetricsServer(ctx.config.METRICS_PORT, app.get(Metrics), {
      database: () => ds.query('SELECT 1'),
      jobs: () => jobs.ping(),
    }).catch(async (e: Error) => {
      process.stderr.write(`Cannot listen on METRICS_PORT ${ctx.config.METRICS_PORT}: ${e.message}\n`);
      await app.close();
      await ctx.shutdown();
      process.exit(1);
    });
  }
  line(
    `kezek ${role} ready in ${Date.now() - started} ms` +
      (role !== 'worker' ? ` on http://localhost:${ctx.config.PORT}/graphql` : '') +
      (metricsServer ? `, metrics on :${ctx.config.METRICS_PORT}` : '') +
      `, rss ${Math.round(process.memoryUsage().rss / 1048576)} MiB`,
  );
  watchEventLoop((msg, fields) => process.stdout.write(`${JSON.stringify({ level: 40, time: Date.now(), role, msg, ...fields })}\n`));
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    line(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      metricsServer?.close();
      await app.close();
    } finally {
      await ctx.shutdown();
      line('stopped');
      process.exit(0);
    }
  };
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
